"""Stock rows and the append-only movement ledger.

The stock table is a running total of the ledger: every change to ``on_hand`` writes one movement row in
the same transaction, and ``wes audit`` recomputes the totals from the ledger to prove it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, BigId, IdMixin, UtcDateTime, utcnow


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
