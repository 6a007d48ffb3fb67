"""API shapes of billing: rate cards, snapshots, billable events, invoices with the events behind each line."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from server.billing.models import InvoiceKind, InvoiceStatus

PERIOD = r"^\d{4}-\d{2}$"


class RateCardIn(BaseModel):
    owner_id: int
    currency: str = Field(min_length=3, max_length=3, examples=["CNY"])
    valid_from: date
    valid_to: date | None = None
    rates: dict[str, Decimal] = Field(
        description="Charge code -> rate per unit, e.g. {'inbound.unit': '0.35', 'storage.pallet_day': '1.20', "
        "'vas.KITTING': '0.80'}"
    )
    minimum_monthly: Decimal = Decimal(0)
    note: str = Field("", max_length=200)


class RateCardOut(BaseModel):
    id: int
    owner_id: int
    currency: str
    valid_from: date
    valid_to: date | None
    rates: dict[str, Decimal]
    minimum_monthly: Decimal
    note: str


class SnapshotIn(BaseModel):
    day: date
    warehouse_id: int | None = None


class SnapshotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    owner_id: int
    warehouse_id: int
    day: date
    pallets: int
    locations: int
    volume_m3: Decimal
    units: int


class DeriveIn(BaseModel):
    period: str = Field(pattern=PERIOD, examples=["2026-10"])
    owner_id: int | None = None


class DeriveOut(BaseModel):
    created: int
    updated: int
    unchanged: int


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    owner_id: int
    warehouse_id: int | None
    charge_code: str
    qty: Decimal
    day: date
    source_type: str = Field(description="What caused it: receipt, order, rma, return_receipt, task, storage_snapshot")
    source_id: str
    source_ref: str = Field(description="The cause's number as people know it (receipt, channel order, RMA, day)")


class PeriodIn(BaseModel):
    owner_id: int | None = None
    period: str = Field(pattern=PERIOD, examples=["2026-10"])


class InvoiceLineOut(BaseModel):
    id: int | None = Field(None, description="None for a preview; a credit note names the line it corrects")
    seq: int
    charge_code: str
    qty: Decimal
    rate: Decimal
    amount: Decimal
    basis: str = Field(description="'events' (listed in sources), 'minimum' (the card's minimum), or 'credit'")
    credits_line_id: int | None = None
    sources: list[EventOut]


class InvoiceOut(BaseModel):
    id: int | None = Field(description="None for a preview")
    number: str
    kind: InvoiceKind
    status: InvoiceStatus
    owner_id: int
    period: str
    period_start: date
    period_end: date
    currency: str
    total: Decimal
    totals_by_type: dict[str, Decimal]
    credit_of_id: int | None = None
    reason: str = ""
    issued_at: datetime | None = None
    lines: list[InvoiceLineOut]


class InvoiceSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    kind: InvoiceKind
    status: InvoiceStatus
    owner_id: int
    period_start: date
    period_end: date
    currency: str
    total: Decimal
    credit_of_id: int | None
    issued_at: datetime


class CreditLineIn(BaseModel):
    line_id: int
    qty: Decimal = Field(gt=0)


class CreditIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
    lines: list[CreditLineIn] | None = Field(None, description="Lines to credit; every line in full when left out")
