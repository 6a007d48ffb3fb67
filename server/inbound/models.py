"""Suppliers, purchase orders, advance shipping notices, receipts, their discrepancies and the LPNs made."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin
from server.inventory.models import StockStatus


class PoStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AsnStatus(enum.StrEnum):
    OPEN = "open"
    RECEIVING = "receiving"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class ReceiptKind(enum.StrEnum):
    ASN = "asn"
    PO = "po"
    BLIND = "blind"


class ReceiptStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


class Supplier(IdMixin, TimestampMixin, Base):
    __tablename__ = "suppliers"
    __table_args__ = (UniqueConstraint("owner_id", "code"),)

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class PurchaseOrder(IdMixin, TimestampMixin, Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (UniqueConstraint("owner_id", "number"),)

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    number: Mapped[str] = mapped_column(String(40))
    status: Mapped[PoStatus] = mapped_column(_enum(PoStatus, "po_status"), default=PoStatus.DRAFT)
    expected_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")


class PurchaseOrderLine(IdMixin, Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (UniqueConstraint("po_id", "line_no"),)

    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column()
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    qty_ordered: Mapped[int] = mapped_column()
    uom: Mapped[str] = mapped_column(String(16), default="EA")
    expected_date: Mapped[date | None] = mapped_column(Date)
    qty_received: Mapped[int] = mapped_column(default=0)  # every unit counted, any status


class Asn(IdMixin, TimestampMixin, Base):
    __tablename__ = "asns"
    __table_args__ = (UniqueConstraint("owner_id", "number"),)

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    number: Mapped[str] = mapped_column(String(40))
    status: Mapped[AsnStatus] = mapped_column(_enum(AsnStatus, "asn_status"), default=AsnStatus.OPEN)
    expected_date: Mapped[date | None] = mapped_column(Date)


class AsnLine(IdMixin, Base):
    """What the supplier says is in one container (``sscc``; '' for loose cartons): one SKU, lot, quantity."""

    __tablename__ = "asn_lines"
    __table_args__ = (Index("ix_asn_lines_sscc", "sscc"),)

    asn_id: Mapped[int] = mapped_column(ForeignKey("asns.id", ondelete="CASCADE"), index=True)
    sscc: Mapped[str] = mapped_column(String(18), default="")
    po_line_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order_lines.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot: Mapped[str] = mapped_column(String(64), default="")
    expiry: Mapped[date | None] = mapped_column(Date)
    qty: Mapped[int] = mapped_column()
    qty_received: Mapped[int] = mapped_column(default=0)


class Receipt(IdMixin, TimestampMixin, Base):
    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("number"),)

    number: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    kind: Mapped[ReceiptKind] = mapped_column(_enum(ReceiptKind, "receipt_kind"))
    status: Mapped[ReceiptStatus] = mapped_column(_enum(ReceiptStatus, "receipt_status"), default=ReceiptStatus.OPEN)
    asn_id: Mapped[int | None] = mapped_column(ForeignKey("asns.id"))
    po_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"))
    dock_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReceiptLine(IdMixin, TimestampMixin, Base):
    """Units received in one scan: where they went on the dock, in which status, on which new LPN."""

    __tablename__ = "receipt_lines"

    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"), index=True)
    po_line_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order_lines.id"), index=True)
    asn_line_id: Mapped[int | None] = mapped_column(ForeignKey("asn_lines.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot: Mapped[str] = mapped_column(String(64), default="")
    expiry: Mapped[date | None] = mapped_column(Date)
    qty: Mapped[int] = mapped_column()
    status: Mapped[StockStatus] = mapped_column(_enum(StockStatus, "stock_status"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    sscc: Mapped[str] = mapped_column(String(18), default="")
    lpn: Mapped[str] = mapped_column(String(40), default="")
    # the dock stock row the units went to (kept when a purge drops emptied rows)
    stock_id: Mapped[int | None] = mapped_column(ForeignKey("stock.id", ondelete="SET NULL"))


class Discrepancy(IdMixin, TimestampMixin, Base):
    """Found when a receipt closes: a PO/ASN line received short (or over within tolerance)."""

    __tablename__ = "receipt_discrepancies"

    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"), index=True)
    po_line_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order_lines.id"))
    asn_line_id: Mapped[int | None] = mapped_column(ForeignKey("asn_lines.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    kind: Mapped[str] = mapped_column(String(16))  # short / over
    expected: Mapped[int] = mapped_column()
    received: Mapped[int] = mapped_column()


class Lpn(IdMixin, TimestampMixin, Base):
    """A license plate made at receiving; its label prints through the labels package."""

    __tablename__ = "lpns"
    __table_args__ = (UniqueConstraint("code"),)

    code: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    sscc: Mapped[str] = mapped_column(String(18), default="")
