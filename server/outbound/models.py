"""Sales orders and their lines, stock allocations, waves, cart types and pick batches."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Enum, Float, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin, UtcDateTime


class OrderStatus(enum.StrEnum):
    RECEIVED = "received"
    ALLOCATED = "allocated"
    BACKORDERED = "backordered"
    RELEASED = "released"
    PICKING = "picking"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class Channel(enum.StrEnum):
    WEB = "web"
    MARKETPLACE = "marketplace"
    B2B = "b2b"
    MANUAL = "manual"


class OrderType(enum.StrEnum):
    B2C = "b2c"
    B2B = "b2b"


class WaveStatus(enum.StrEnum):
    PLANNING = "planning"  # orders set aside, the optimizer running on the job worker
    PLANNED = "planned"
    RELEASING = "releasing"
    RELEASED = "released"
    FAILED = "failed"
    CANCELLED = "cancelled"


class BatchStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DONE = "done"
    CANCELLED = "cancelled"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class SalesOrder(IdMixin, TimestampMixin, Base):
    """An order from a sales channel. ``(owner, channel, channel_order_id)`` is unique: intake is idempotent."""

    __tablename__ = "sales_orders"
    __table_args__ = (
        UniqueConstraint("owner_id", "channel", "channel_order_id"),
        Index("ix_sales_orders_queue", "warehouse_id", "status", "cutoff_at"),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "sales_channel"))
    channel_order_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus, "order_status"), default=OrderStatus.RECEIVED)
    order_type: Mapped[OrderType] = mapped_column(_enum(OrderType, "order_type"), default=OrderType.B2C)
    priority: Mapped[int] = mapped_column(default=0)  # higher is more urgent
    cutoff_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    carrier: Mapped[str] = mapped_column(String(32), default="")
    service: Mapped[str] = mapped_column(String(32), default="")
    ship_to: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hold_reason: Mapped[str] = mapped_column(String(32), default="")  # '' = not held
    content_hash: Mapped[str] = mapped_column(String(64))  # of the submitted content, to tell a repeat from a change
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("pick_batches.id"), index=True)
    tote: Mapped[str] = mapped_column(String(40), default="")
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")


class OrderLine(IdMixin, Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("allocated_qty >= 0 AND picked_qty >= 0 AND backordered_qty >= 0", name="qty_nonneg"),
    )

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column()
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    qty: Mapped[int] = mapped_column()
    allocated_qty: Mapped[int] = mapped_column(default=0)  # reserved and not yet picked
    picked_qty: Mapped[int] = mapped_column(default=0)
    backordered_qty: Mapped[int] = mapped_column(default=0)  # short-picked and not found elsewhere

    @property
    def open_qty(self) -> int:
        """Units still to reserve."""
        return self.qty - self.allocated_qty - self.picked_qty - self.backordered_qty


class Allocation(IdMixin, TimestampMixin, Base):
    """Units of one stock row reserved for one order line (counted in ``Stock.allocated`` until picked)."""

    __tablename__ = "allocations"
    __table_args__ = (CheckConstraint("qty >= 0", name="qty_nonneg"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    stock_id: Mapped[int] = mapped_column(ForeignKey("stock.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    qty: Mapped[int] = mapped_column()  # still reserved (0 once picked or released)
    picked_qty: Mapped[int] = mapped_column(default=0)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)


class CartType(IdMixin, TimestampMixin, Base):
    """A kind of pick cart in a warehouse: how many orders (totes), lines, m³ and kg it carries."""

    __tablename__ = "cart_types"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    max_orders: Mapped[int] = mapped_column(default=8)
    max_lines: Mapped[int] = mapped_column(default=40)
    max_volume_m3: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    max_kg: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))


class Wave(IdMixin, TimestampMixin, Base):
    __tablename__ = "waves"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[WaveStatus] = mapped_column(_enum(WaveStatus, "wave_status"), default=WaveStatus.PLANNED)
    cart_type_id: Mapped[int | None] = mapped_column(ForeignKey("cart_types.id"))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    preview: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total_m: Mapped[float] = mapped_column(Float, default=0.0)
    baseline_m: Mapped[float] = mapped_column(Float, default=0.0)
    progress: Mapped[int] = mapped_column(default=0)  # orders batched so far
    batches_done: Mapped[int] = mapped_column(default=0)  # of the plan's batches, released so far (resume point)
    progress_total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WaveRule(IdMixin, TimestampMixin, Base):
    """Auto-release: orders of this carrier ('' = any) whose cut-off is within ``lead_minutes`` are planned and
    released as a wave by the job worker, without a supervisor."""

    __tablename__ = "wave_rules"
    __table_args__ = (UniqueConstraint("warehouse_id", "carrier"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(32), default="")
    lead_minutes: Mapped[int] = mapped_column(default=60)
    active: Mapped[bool] = mapped_column(default=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PickBatch(IdMixin, TimestampMixin, Base):
    """One cart's worth of orders; its picks are tasks (type pick, doc ``pick_batch``/``code``) in route order."""

    __tablename__ = "pick_batches"
    __table_args__ = (Index("ix_pick_batches_queue", "warehouse_id", "status", "priority"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[BatchStatus] = mapped_column(_enum(BatchStatus, "batch_status"), default=BatchStatus.OPEN)
    priority: Mapped[int] = mapped_column(default=0)  # higher is more urgent
    cutoff_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    cart_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    route_m: Mapped[float] = mapped_column(Float, default=0.0)
    baseline_m: Mapped[float] = mapped_column(Float, default=0.0)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
