"""An exception on the floor, open until someone resolves it with one of its kind's actions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin, UtcDateTime


class ExceptionStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class FloorException(IdMixin, TimestampMixin, Base):
    """``kind`` says what happened (``short_pick``, ``weight_mismatch``...); ``ref_type``/``ref_id`` point at the
    document or task it is about; ``details`` holds what the kind's actions need."""

    __tablename__ = "floor_exceptions"
    __table_args__ = (
        Index("ix_floor_exceptions_open", "warehouse_id", "status", "kind"),
        Index("ix_floor_exceptions_ref", "ref_type", "ref_id"),
    )

    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[ExceptionStatus] = mapped_column(
        Enum(
            ExceptionStatus,
            name="exception_status",
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ExceptionStatus.OPEN,
    )
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    ref_type: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
