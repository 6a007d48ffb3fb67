"""Billing tables: rate cards, daily storage snapshots, billable events, invoices and credit notes.

Money is ``Numeric`` (Decimal in Python), never float. Billable events are derived by the system (see derive.py)
and keyed by what caused them, so deriving twice adds nothing; an issued invoice keeps its lines, rates and the
events each line came from, so later activity or a changed rate card never alters it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Enum, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin, UtcDateTime, utcnow


class InvoiceKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(enum.StrEnum):
    DRAFT = "draft"  # a preview: computed on request, never stored
    ISSUED = "issued"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class RateCard(IdMixin, TimestampMixin, Base):
    """An owner's price list, valid from a day to a day (inclusive; open-ended when ``valid_to`` is NULL)."""

    __tablename__ = "billing_rate_cards"

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    minimum_monthly: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    note: Mapped[str] = mapped_column(String(200), default="")


class Rate(IdMixin, Base):
    """One price of a card: ``rate`` per unit of ``charge_code`` (e.g. per unit received, per pallet-day)."""

    __tablename__ = "billing_rates"
    __table_args__ = (UniqueConstraint("rate_card_id", "charge_code"),)

    rate_card_id: Mapped[int] = mapped_column(ForeignKey("billing_rate_cards.id", ondelete="CASCADE"), index=True)
    charge_code: Mapped[str] = mapped_column(String(40))
    rate: Mapped[Decimal] = mapped_column(Numeric(14, 4))


class StorageSnapshot(IdMixin, Base):
    """What an owner had stored in a warehouse at the end of one day (UTC), worked out from the ledger."""

    __tablename__ = "billing_storage_snapshots"
    __table_args__ = (UniqueConstraint("owner_id", "warehouse_id", "day"),)

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    pallets: Mapped[int] = mapped_column(default=0)  # pallet positions: LPNs, plus locations holding loose units
    locations: Mapped[int] = mapped_column(default=0)
    volume_m3: Mapped[Decimal] = mapped_column(Numeric(14, 6), default=Decimal(0))
    units: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class BillableEvent(IdMixin, Base):
    """One chargeable fact: ``qty`` of ``charge_code`` on ``day``, caused by ``source_type``/``source_id`` (a
    receipt, an order, a task, a return, a storage snapshot). One row per (owner, charge code, cause)."""

    __tablename__ = "billing_events"
    __table_args__ = (
        UniqueConstraint("owner_id", "charge_code", "source_type", "source_id"),
        Index("ix_billing_events_owner_day", "owner_id", "day"),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"))
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    charge_code: Mapped[str] = mapped_column(String(40))
    qty: Mapped[Decimal] = mapped_column(Numeric(16, 6))
    day: Mapped[date] = mapped_column(Date)
    source_type: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(64))
    source_ref: Mapped[str] = mapped_column(String(80), default="")  # what people call it: receipt/order number
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Invoice(IdMixin, Base):
    """An issued invoice of an owner's period, or a credit note (negative amounts) correcting one."""

    __tablename__ = "billing_invoices"
    __table_args__ = (UniqueConstraint("number"), UniqueConstraint("period_key"))

    number: Mapped[str] = mapped_column(String(48))
    kind: Mapped[InvoiceKind] = mapped_column(_enum(InvoiceKind, "invoice_kind"))
    status: Mapped[InvoiceStatus] = mapped_column(_enum(InvoiceStatus, "invoice_status"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    # "<owner>:<YYYY-MM>" for an invoice, so one period is issued once; NULL for credit notes
    period_key: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    credit_of_id: Mapped[int | None] = mapped_column(ForeignKey("billing_invoices.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(64), default="")


class InvoiceLine(IdMixin, Base):
    __tablename__ = "billing_invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "seq"),)

    invoice_id: Mapped[int] = mapped_column(ForeignKey("billing_invoices.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column()
    charge_code: Mapped[str] = mapped_column(String(40))
    qty: Mapped[Decimal] = mapped_column(Numeric(16, 6))
    rate: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    credits_line_id: Mapped[int | None] = mapped_column(ForeignKey("billing_invoice_lines.id"))  # credit notes


class InvoiceLineEvent(Base):
    """Which billable events make up an invoice line (the line's source, shown by the API)."""

    __tablename__ = "billing_invoice_line_events"

    line_id: Mapped[int] = mapped_column(ForeignKey("billing_invoice_lines.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("billing_events.id"), primary_key=True, index=True)
