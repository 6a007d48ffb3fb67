"""Return authorisations (RMA) and their lines: what the customer may send back, and what came back in which state."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin, UtcDateTime


class RmaStatus(enum.StrEnum):
    AUTHORISED = "authorised"  # waiting for the parcel
    RECEIVING = "receiving"  # some lines received
    RECEIVED = "received"  # every authorised unit received
    CANCELLED = "cancelled"


class Grade(enum.StrEnum):
    A = "A"  # resellable
    B = "B"  # damaged, repairable
    C = "C"  # scrap


class Disposition(enum.StrEnum):
    RESTOCK = "restock"  # back to sellable stock through a putaway task
    QUARANTINE = "quarantine"
    SCRAP = "scrap"
    RETURN_TO_VENDOR = "rtv"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class ReturnAuthorisation(IdMixin, TimestampMixin, Base):
    """An RMA for one shipped order. ``number`` is printed on the return label and scanned at receiving."""

    __tablename__ = "return_authorisations"
    __table_args__ = (UniqueConstraint("owner_id", "number"),)

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    status: Mapped[RmaStatus] = mapped_column(_enum(RmaStatus, "rma_status"), default=RmaStatus.AUTHORISED)
    reason: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ReturnLine(IdMixin, Base):
    """Units of one order line the customer may return, and what has come back so far."""

    __tablename__ = "return_lines"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("received_qty >= 0 AND received_qty <= qty", name="received_within"),
    )

    rma_id: Mapped[int] = mapped_column(ForeignKey("return_authorisations.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    qty: Mapped[int] = mapped_column()
    received_qty: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(200), default="")


class ReturnReceipt(IdMixin, TimestampMixin, Base):
    """Units of one return line received in one grade and sent to one disposition (a row per scan)."""

    __tablename__ = "return_receipts"
    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)

    rma_id: Mapped[int] = mapped_column(ForeignKey("return_authorisations.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("return_lines.id", ondelete="CASCADE"), index=True)
    qty: Mapped[int] = mapped_column()
    lot: Mapped[str] = mapped_column(String(64), default="")
    grade: Mapped[Grade] = mapped_column(_enum(Grade, "return_grade"))
    disposition: Mapped[Disposition] = mapped_column(_enum(Disposition, "return_disposition"))
    note: Mapped[str] = mapped_column(String(500), default="")
    stock_id: Mapped[int | None] = mapped_column(ForeignKey("stock.id", ondelete="SET NULL"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RtvStatus(enum.StrEnum):
    OPEN = "open"  # collecting returned goods for the supplier (held in quarantine)
    SHIPPED = "shipped"  # left the warehouse to the supplier


class VendorReturn(IdMixin, TimestampMixin, Base):
    """A return to vendor (RTV): goods of one owner going back to one supplier. Returns received with disposition
    ``rtv`` are added to the supplier's open document; shipping it takes them out of stock (ledger reason ``rtv``)
    and tells the owner's systems (outbox ``vendor_return.shipped``)."""

    __tablename__ = "vendor_returns"
    __table_args__ = (UniqueConstraint("owner_id", "number"),)

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    status: Mapped[RtvStatus] = mapped_column(_enum(RtvStatus, "rtv_status"), default=RtvStatus.OPEN)
    carrier: Mapped[str] = mapped_column(String(64), default="")
    tracking: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    shipped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class VendorReturnLine(IdMixin, Base):
    """Units of one SKU and lot on a vendor return, held at ``stock_id`` until the document ships."""

    __tablename__ = "vendor_return_lines"
    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)

    rtv_id: Mapped[int] = mapped_column(ForeignKey("vendor_returns.id", ondelete="CASCADE"), index=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("return_receipts.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot: Mapped[str] = mapped_column(String(64), default="")
    expiry: Mapped[date | None] = mapped_column(Date)
    qty: Mapped[int] = mapped_column()
    stock_id: Mapped[int | None] = mapped_column(ForeignKey("stock.id", ondelete="SET NULL"))
