"""Stock rows and the append-only movement ledger.

The stock table is a running total of the ledger: every change to ``on_hand`` writes one movement row in
the same transaction, and ``wes audit`` recomputes the totals from the ledger to prove it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Enum, ForeignKey, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, BigId, IdMixin, TimestampMixin, UtcDateTime, utcnow


class StockStatus(enum.StrEnum):
    AVAILABLE = "available"
    QUARANTINE = "quarantine"
    HOLD = "hold"
    DAMAGED = "damaged"


class MovementReason(enum.StrEnum):
    RECEIPT = "receipt"
    PUTAWAY = "putaway"
    MOVE = "move"
    PICK = "pick"
    PACK = "pack"
    SHIP = "ship"
    ADJUST_FOUND = "adjust_found"
    ADJUST_LOST = "adjust_lost"
    DAMAGE = "damage"
    COUNT = "count"
    STATUS = "status"
    REPLENISH = "replenish"
    RETURN = "return"
    SCRAP = "scrap"
    IMPORT = "import"  # a bulk stock load or stock take from a CSV file (server/bulk)
    RTV = "rtv"  # returned to the vendor: leaves the warehouse on a vendor-return document


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Stock(IdMixin, Base):
    """Units of one SKU of one owner at one location, by lot, expiry, LPN and status.

    ``lot`` and ``lpn`` are '' when the stock has none, so that the identity of a row is a plain unique key.
    """

    __tablename__ = "stock"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_nonneg"),
        CheckConstraint("allocated >= 0", name="allocated_nonneg"),
        CheckConstraint("allocated <= on_hand", name="allocated_le_on_hand"),
        # One row per identity. Expiry may be NULL, and NULLs are distinct in a unique index, so it is
        # folded to a sentinel date in the index expression.
        Index(
            "uq_stock_identity",
            "owner_id",
            "sku_id",
            "location_id",
            "lot",
            "lpn",
            "status",
            text("coalesce(expiry, '0001-01-01')"),
            unique=True,
        ),
        Index("ix_stock_sku_location", "sku_id", "location_id"),
        Index("ix_stock_location", "location_id"),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    lot: Mapped[str] = mapped_column(String(64), default="")
    expiry: Mapped[date | None] = mapped_column(Date)
    lpn: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[StockStatus] = mapped_column(_enum(StockStatus, "stock_status"), default=StockStatus.AVAILABLE)
    on_hand: Mapped[int] = mapped_column(default=0)
    allocated: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)  # FIFO

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


class Movement(Base):
    """One row of the ledger: ``qty`` units left ``from`` and arrived ``to``.

    A receipt has no from-side, a loss no to-side, a status change the same location on both sides.
    Rows are never updated or deleted (database triggers refuse it).
    """

    __tablename__ = "movements"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("from_location_id IS NOT NULL OR to_location_id IS NOT NULL", name="has_a_side"),
        Index("ix_movements_sku_at", "sku_id", "at"),
        Index("ix_movements_doc", "doc_type", "doc_ref"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot: Mapped[str] = mapped_column(String(64), default="")
    expiry: Mapped[date | None] = mapped_column(Date)
    qty: Mapped[int] = mapped_column()
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    from_lpn: Mapped[str] = mapped_column(String(40), default="")
    from_status: Mapped[StockStatus | None] = mapped_column(_enum(StockStatus, "stock_status"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    to_lpn: Mapped[str] = mapped_column(String(40), default="")
    to_status: Mapped[StockStatus | None] = mapped_column(_enum(StockStatus, "stock_status"))
    reason: Mapped[MovementReason] = mapped_column(_enum(MovementReason, "movement_reason"))
    note: Mapped[str] = mapped_column(String(500), default="")
    doc_type: Mapped[str] = mapped_column(String(32), default="")
    doc_ref: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))


# -- inventory control: cycle counts, replenishment, holds ------------------------------------------------------
class InventorySettings(Base):
    """Per-warehouse rules of inventory control (a warehouse without a row uses the column defaults)."""

    __tablename__ = "inventory_settings"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    # A count whose variance exceeds either threshold is recounted by another user, then approved by a supervisor.
    count_variance_units: Mapped[int] = mapped_column(default=0)
    count_variance_value: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("100"))
    # False = count on the fly: picking and putaway go on while a location is counted.
    count_freeze: Mapped[bool] = mapped_column(default=True)
    # ABC schedule: days between counts of a SKU of each demand class.
    count_days_a: Mapped[int] = mapped_column(default=30)
    count_days_b: Mapped[int] = mapped_column(default=90)
    count_days_c: Mapped[int] = mapped_column(default=180)


class SkuCost(Base):
    """What one unit of a SKU is worth, for the value threshold of count variances."""

    __tablename__ = "sku_costs"

    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"), primary_key=True)
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 4), default=Decimal(0))


class CountPlanKind(enum.StrEnum):
    LOCATION = "location"
    ZONE = "zone"
    SKU = "sku"
    ABC = "abc"


class CountPlan(IdMixin, TimestampMixin, Base):
    """What to count: named locations, zones, SKUs, or SKUs by ABC class on the warehouse's schedule."""

    __tablename__ = "count_plans"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[CountPlanKind] = mapped_column(_enum(CountPlanKind, "count_plan_kind"))
    # location ids, zone codes, sku ids or demand classes, by kind
    targets: Mapped[list[Any]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the schedule of location, zone and SKU plans: run every so many days (None: on demand only); ABC plans
    # follow the warehouse's class intervals (count_days_a/b/c)
    every_days: Mapped[int | None] = mapped_column()


class CountStatus(enum.StrEnum):
    OPEN = "open"  # waiting for the first count
    RECOUNT = "recount"  # variance above threshold: waiting for another user's count
    APPROVAL = "approval"  # the recount confirmed the variance: a supervisor decides
    COUNTED = "counted"  # closed: book and shelf agree, or the small variance was booked
    APPROVED = "approved"  # closed: the supervisor approved the adjustment
    REJECTED = "rejected"  # closed: the supervisor kept the book as it was
    CANCELLED = "cancelled"


OPEN_COUNT = frozenset({CountStatus.OPEN, CountStatus.RECOUNT, CountStatus.APPROVAL})


class CycleCount(IdMixin, TimestampMixin, Base):
    """One count of one location (for one owner, optionally one SKU); its tasks are the count and the recount.

    ``expected`` is the book when the count was submitted, ``counted``/``recounted`` what the users found, as lists
    of ``{sku_id, lot, expiry, lpn, qty}``. Neither the book nor a variance is ever shown to the floor."""

    __tablename__ = "cycle_counts"
    __table_args__ = (Index("ix_cycle_counts_open", "location_id", "status"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    sku_id: Mapped[int | None] = mapped_column(ForeignKey("skus.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("count_plans.id"))
    source: Mapped[str] = mapped_column(String(32))  # plan, short_pick, on_demand
    status: Mapped[CountStatus] = mapped_column(_enum(CountStatus, "count_status"), default=CountStatus.OPEN)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    recount_task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recounted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expected: Mapped[list[Any]] = mapped_column(JSON, default=list)
    counted: Mapped[list[Any]] = mapped_column(JSON, default=list)
    recounted: Mapped[list[Any]] = mapped_column(JSON, default=list)
    variance_units: Mapped[int] = mapped_column(default=0)
    variance_value: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    frozen: Mapped[bool] = mapped_column(default=False)  # this count blocked the location
    exception_id: Mapped[int | None] = mapped_column(ForeignKey("floor_exceptions.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PickFaceRule(IdMixin, TimestampMixin, Base):
    """Min/max of one SKU at one pick face: below ``min_qty`` it is refilled from reserve up to ``max_qty``."""

    __tablename__ = "pick_face_rules"
    __table_args__ = (
        UniqueConstraint("sku_id", "location_id"),
        CheckConstraint("min_qty >= 0 AND max_qty > min_qty", name="min_below_max"),
    )

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    min_qty: Mapped[int] = mapped_column()
    max_qty: Mapped[int] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)


class HoldScope(enum.StrEnum):
    LOCATION = "location"
    LOT = "lot"
    SKU = "sku"
    LPN = "lpn"


class StockHold(IdMixin, TimestampMixin, Base):
    """Stock put on hold (status ``hold``) by location, lot, SKU or LPN, with a reason; ``rows`` records what was
    held (hold stock id and units) so that releasing gives back exactly that."""

    __tablename__ = "stock_holds"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    scope: Mapped[HoldScope] = mapped_column(_enum(HoldScope, "hold_scope"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    sku_id: Mapped[int | None] = mapped_column(ForeignKey("skus.id"))
    lot: Mapped[str] = mapped_column(String(64), default="")
    lpn: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(String(200))
    recall: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    units: Mapped[int] = mapped_column(default=0)
    rows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LpnParent(Base):
    """LPN nesting: a case LPN sits on a pallet LPN; moving the pallet moves every case on it."""

    __tablename__ = "lpn_parents"

    lpn: Mapped[str] = mapped_column(String(40), primary_key=True)
    parent_lpn: Mapped[str] = mapped_column(String(40), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
