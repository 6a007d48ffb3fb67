"""The transactional outbox: one row per event other systems must hear of, written with the change itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, UtcDateTime, utcnow


class OutboxEvent(IdMixin, Base):
    """An event in the order it happened. ``key`` groups the events whose delivery order matters (one order, one
    receipt); ``id`` is that order. Rows are never changed by the code that writes them; delivery state lives with
    the deliveries."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_owner_type", "owner_id", "event_type"),
        Index("ix_outbox_events_key", "key"),
    )

    event_type: Mapped[str] = mapped_column(String(48))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"))
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    key: Mapped[str] = mapped_column(String(80), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, nullable=False, index=True)
