"""API shapes of identity: logins, owners, warehouses, users, devices, API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from server.identity.models import Role

CODE = r"^[A-Za-z0-9][A-Za-z0-9_\-.]{0,31}$"


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    device_code: str | None = Field(None, max_length=64, description="The handheld's registered code, if any")


class MeOut(BaseModel):
    user_id: int | None
    username: str
    role: Role
    owner_id: int | None
    warehouse_id: int | None
    device_id: int | None
    locale: str


class LoginOut(MeOut):
    token: str = Field(description="Bearer token for the handheld/API; the board uses the session cookie")
    expires_at: datetime


class OwnerIn(BaseModel):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=200)
    min_shelf_life_days: int = Field(0, ge=0, le=3650)
    over_receipt_tolerance_pct: int = Field(0, ge=0, le=1000, description="Over-receipt allowed per PO line (%)")


class OwnerPatch(BaseModel):
    """The owner's fields to change; those left out stay as they are (the code never changes)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    active: bool | None = None
    min_shelf_life_days: int | None = Field(None, ge=0, le=3650)
    over_receipt_tolerance_pct: int | None = Field(None, ge=0, le=1000)


class OwnerOut(Out):
    id: int
    code: str
    name: str
    active: bool
    min_shelf_life_days: int
    over_receipt_tolerance_pct: int


class WarehouseIn(BaseModel):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=200)
    timezone: str = "Asia/Shanghai"


class WarehouseOut(Out):
    id: int
    code: str
    name: str
    timezone: str
    layout: dict[str, Any]


class UserIn(BaseModel):
    username: str = Field(pattern=CODE)
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=8, max_length=200)
    role: Role
    owner_id: int | None = Field(None, description="Required for client users; none for staff")
    warehouse_id: int | None = None
    locale: str = Field("en", pattern=r"^(en|zh-CN)$")


class UserOut(Out):
    id: int
    username: str
    display_name: str
    role: Role
    owner_id: int | None
    warehouse_id: int | None
    locale: str
    active: bool


class DeviceIn(BaseModel):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=200)
    warehouse_id: int


class DeviceOut(Out):
    id: int
    code: str
    name: str
    warehouse_id: int
    active: bool
    last_seen_at: datetime | None


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    owner_id: int | None = Field(None, description="Staff must name the owner; a client user gets its own")


class ApiKeyOut(Out):
    id: int
    owner_id: int
    name: str
    prefix: str
    active: bool
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself: shown only now, store it safely (header X-API-Key)")
