"""Owners (the 3PL's clients), warehouses, users, handheld devices, API keys and login tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, BigId, IdMixin, TimestampMixin, UtcDateTime


class Role(enum.StrEnum):
    """What a person does; every endpoint names the roles that may call it."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    RECEIVER = "receiver"
    PICKER = "picker"
    PACKER = "packer"
    CLIENT = "client"  # a user of an owner (the 3PL's client): sees only that owner's data
    INTEGRATION = "integration"  # an owner's API key (OMS, ERP, shop)


STAFF_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.RECEIVER, Role.PICKER, Role.PACKER})


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Owner(IdMixin, TimestampMixin, Base):
    __tablename__ = "owners"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Minimum remaining shelf life (days) accepted at receiving; less goes to quarantine.
    min_shelf_life_days: Mapped[int] = mapped_column(default=0)
    # How far (percent of the ordered quantity) a PO line may be over-received without a supervisor.
    over_receipt_tolerance_pct: Mapped[int] = mapped_column(default=0)


class Warehouse(IdMixin, TimestampMixin, Base):
    __tablename__ = "warehouses"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # The rectangular walking grid (BENCH-FORMATS `layout`): aisles, aisle_length_m, aisle_pitch_m,
    # cross_aisles, depot {x, y}. Empty until a layout is generated or imported.
    layout: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    # Set for client users: they see only this owner's data. Staff users have none.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Device(IdMixin, TimestampMixin, Base):
    """A handheld registered to a warehouse; logins from it carry its id into every ledger row."""

    __tablename__ = "devices"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ApiKey(IdMixin, TimestampMixin, Base):
    """An owner's key for its order/ERP systems. Only a hash is stored; the key is shown once."""

    __tablename__ = "api_keys"

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuthToken(IdMixin, Base):
    """A login (board cookie or handheld bearer token). Stored as a SHA-256 so a database leak logs no one in;
    revocable, unlike a self-contained token, which matters when a handheld is lost."""

    __tablename__ = "auth_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    token_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


__all__ = ["STAFF_ROLES", "ApiKey", "AuthToken", "BigId", "Device", "Owner", "Role", "User", "Warehouse"]
