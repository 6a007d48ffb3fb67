"""The slot assignment (one SKU per pick slot) and re-slotting plans with their moves."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    RELEASED = "released"
    DONE = "done"


class PlanMoveStatus(enum.StrEnum):
    PLANNED = "planned"
    RELEASED = "released"
    DONE = "done"
    SKIPPED = "skipped"  # left out of the release (budget) or no longer valid


class SlotAssignment(IdMixin, TimestampMixin, Base):
    """SKU ``sku_id`` is slotted at ``location_id``: one SKU per slot, one slot per SKU and warehouse."""

    __tablename__ = "slot_assignments"
    __table_args__ = (UniqueConstraint("warehouse_id", "sku_id"), UniqueConstraint("location_id"))

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))


class SlottingPlan(IdMixin, TimestampMixin, Base):
    """A ranked re-slotting plan; ``summary`` holds before/after metres and the saving curve."""

    __tablename__ = "slotting_plans"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus, "slotting_plan_status"), default=PlanStatus.DRAFT)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SlottingPlanMove(IdMixin, Base):
    """One ranked step: ``sku_id`` from ``from_location_id`` to ``to_location_id`` (with ``swap_sku_id`` the
    other way). ``task_ids`` are the move tasks of its release; the assignment changes when all are done."""

    __tablename__ = "slotting_plan_moves"
    __table_args__ = (UniqueConstraint("plan_id", "rank"),)

    plan_id: Mapped[int] = mapped_column(ForeignKey("slotting_plans.id"), index=True)
    rank: Mapped[int] = mapped_column()
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    swap_sku_id: Mapped[int | None] = mapped_column(ForeignKey("skus.id"))
    m_per_day_saved: Mapped[float] = mapped_column(Float)
    labour_min: Mapped[float] = mapped_column(Float)
    status: Mapped[PlanMoveStatus] = mapped_column(
        _enum(PlanMoveStatus, "slotting_move_status"), default=PlanMoveStatus.PLANNED
    )
    task_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(200), default="")
