"""The work queue every flow feeds: putaway now, picking, counting and replenishment later."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin, UtcDateTime


class TaskType(enum.StrEnum):
    PUTAWAY = "putaway"
    PICK = "pick"
    COUNT = "count"
    REPLENISH = "replenish"
    MOVE = "move"  # a directed move (re-slotting, consolidation, disposition of a return)
    VAS = "vas"  # a value-added service (kitting, relabelling), billed by its service code


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Task(IdMixin, TimestampMixin, Base):
    """One piece of work for one worker. ``doc_type``/``doc_ref`` name what it came from (e.g. a receipt line);
    the stock and location columns say what to take where; ``details`` holds what only one task type needs."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_queue", "warehouse_id", "type", "status", "priority"),
        Index("ix_tasks_doc", "doc_type", "doc_ref"),
    )

    type: Mapped[TaskType] = mapped_column(_enum(TaskType, "task_type"))
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus, "task_status"), default=TaskStatus.OPEN)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    priority: Mapped[int] = mapped_column(default=50)  # lower runs first
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    sku_id: Mapped[int | None] = mapped_column(ForeignKey("skus.id"))
    qty: Mapped[int] = mapped_column(default=0)
    lot: Mapped[str] = mapped_column(String(64), default="")
    expiry: Mapped[date | None] = mapped_column(Date)
    lpn: Mapped[str] = mapped_column(String(40), default="")
    stock_id: Mapped[int | None] = mapped_column(ForeignKey("stock.id", ondelete="SET NULL"))
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    done_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    override: Mapped[bool] = mapped_column(default=False)
    doc_type: Mapped[str] = mapped_column(String(32), default="")
    doc_ref: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
