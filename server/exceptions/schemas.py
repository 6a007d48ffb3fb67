"""API shapes of floor exceptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from server.exceptions.models import ExceptionStatus


class ActionOut(BaseModel):
    name: str
    label_en: str
    label_zh: str


class ExceptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    status: ExceptionStatus
    warehouse_id: int
    owner_id: int | None
    ref_type: str
    ref_id: str
    message: str
    details: dict[str, Any]
    created_at: datetime
    resolved_at: datetime | None
    resolved_by_id: int | None
    resolution: str
    note: str
    actions: list[ActionOut] = []


class ResolveIn(BaseModel):
    action: str = Field(min_length=1, max_length=32, description="One of the exception's actions, e.g. 'close'.")
    note: str = Field("", max_length=500)
