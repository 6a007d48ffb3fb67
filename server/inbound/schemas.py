"""API shapes of purchasing, ASNs, receiving and putaway."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.inbound.models import AsnStatus, PoStatus, ReceiptKind, ReceiptStatus
from server.inventory.models import StockStatus

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SupplierIn(BaseModel):
    owner_id: int | None = Field(None, description="Staff name the owner; an owner's login uses its own")
    code: str = Field(pattern=CODE, max_length=32)
    name: str = Field(min_length=1, max_length=200)


class SupplierOut(Out):
    id: int
    owner_id: int
    code: str
    name: str
    active: bool


class PoLineIn(BaseModel):
    line_no: int | None = Field(None, ge=1, le=100_000, description="Defaults to the position in the list")
    sku_id: int | None = None
    sku_code: str | None = Field(None, max_length=64)
    qty: int = Field(gt=0, le=10_000_000)
    uom: str = Field("EA", min_length=1, max_length=16)
    expected_date: date | None = None

    @model_validator(mode="after")
    def _one_sku(self) -> PoLineIn:
        if (self.sku_id is None) == (self.sku_code is None):
            raise ValueError("give exactly one of sku_id or sku_code")
        return self


class PoIn(BaseModel):
    owner_id: int | None = None
    warehouse_id: int
    supplier_id: int | None = None
    supplier_code: str | None = Field(None, max_length=32)
    number: str = Field(pattern=CODE)
    expected_date: date | None = None
    note: str = Field("", max_length=500)
    open: bool = Field(False, description="Open the order at once (otherwise it stays a draft)")
    lines: list[PoLineIn] = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _one_supplier(self) -> PoIn:
        if (self.supplier_id is None) == (self.supplier_code is None):
            raise ValueError("give exactly one of supplier_id or supplier_code")
        return self


class PoLineOut(Out):
    id: int
    line_no: int
    sku_id: int
    qty_ordered: int
    uom: str
    expected_date: date | None
    qty_received: int


class PoOut(Out):
    id: int
    owner_id: int
    warehouse_id: int
    supplier_id: int
    number: str
    status: PoStatus
    expected_date: date | None
    note: str
    created_at: datetime
    lines: list[PoLineOut] = []


class PoStatusIn(BaseModel):
    status: PoStatus


class AsnItemIn(BaseModel):
    po_number: str | None = Field(None, max_length=40, description="The PO this item was ordered on")
    po_line_no: int | None = Field(None, ge=1)
    sku_id: int | None = None
    sku_code: str | None = Field(None, max_length=64)
    lot: str = Field("", max_length=64)
    expiry: date | None = None
    qty: int = Field(gt=0, le=10_000_000)


class AsnUnitIn(BaseModel):
    sscc: str = Field("", max_length=20, description="The pallet's or carton's SSCC; '' for loose cartons")
    items: list[AsnItemIn] = Field(min_length=1, max_length=1000)


class AsnIn(BaseModel):
    owner_id: int | None = None
    warehouse_id: int
    number: str = Field(pattern=CODE)
    expected_date: date | None = None
    units: list[AsnUnitIn] = Field(min_length=1, max_length=2000)


class AsnLineOut(Out):
    id: int
    sscc: str
    po_line_id: int | None
    sku_id: int
    lot: str
    expiry: date | None
    qty: int
    qty_received: int


class AsnOut(Out):
    id: int
    owner_id: int
    warehouse_id: int
    number: str
    status: AsnStatus
    expected_date: date | None
    lines: list[AsnLineOut] = []


class ScanIn(BaseModel):
    raw: str = Field(min_length=1, max_length=200, description="The scan as the scanner sent it")
    warehouse_id: int | None = Field(None, description="To look up location codes")
    owner_id: int | None = Field(None, description="To look up SKUs of one owner")


class ScanSkuOut(BaseModel):
    id: int
    owner_id: int
    code: str
    units: int


class ScanOut(BaseModel):
    raw: str
    kind: str = Field(description="gs1, gtin, sscc, lpn or location")
    gtin: str | None = None
    sscc: str | None = None
    lot: str | None = None
    expiry: date | None = None
    count: int | None = None
    serial: str | None = None
    ais: dict[str, str] = {}
    skus: list[ScanSkuOut] = []
    location_id: int | None = None
    location_code: str | None = None
    lpn: str | None = None


class ReceiptIn(BaseModel):
    warehouse_id: int
    asn_id: int | None = None
    po_id: int | None = None
    owner_id: int | None = Field(None, description="For a blind receipt (no ASN, no PO)")
    dock_location: str | None = Field(None, max_length=32, description="Receiving dock code (default: the first)")

    @model_validator(mode="after")
    def _one_document(self) -> ReceiptIn:
        if self.asn_id is not None and self.po_id is not None:
            raise ValueError("give an asn_id, a po_id, or neither (blind), not both")
        return self


class ReceiptLineOut(Out):
    id: int
    po_line_id: int | None
    asn_line_id: int | None
    sku_id: int
    lot: str
    expiry: date | None
    qty: int
    status: StockStatus
    reason: str
    sscc: str
    lpn: str
    stock_id: int | None


class DiscrepancyOut(Out):
    id: int
    po_line_id: int | None
    asn_line_id: int | None
    sku_id: int
    kind: str
    expected: int
    received: int


class ReceiptOut(Out):
    id: int
    number: str
    owner_id: int
    warehouse_id: int
    kind: ReceiptKind
    status: ReceiptStatus
    asn_id: int | None
    po_id: int | None
    dock_location_id: int
    lines: list[ReceiptLineOut] = []
    discrepancies: list[DiscrepancyOut] = []


class ReceiveIn(BaseModel):
    """One receiving scan: an SSCC of the ASN (the whole pallet), or an item (GS1-128 / GTIN / sku_id) with qty."""

    scan: str | None = Field(None, max_length=200, description="The raw scan (SSCC, GS1-128, GTIN)")
    sku_id: int | None = None
    qty: int | None = Field(
        None,
        gt=0,
        le=10_000_000,
        description="How many of what was scanned (cases for a case GTIN); default: the scan's count (37) or 1",
    )
    damaged_qty: int = Field(0, ge=0, le=10_000_000, description="Of the units counted, how many are damaged")
    lot: str | None = Field(None, max_length=64)
    expiry: date | None = None
    lpn: str | None = Field(None, max_length=20, description="Put the units onto this LPN of the receipt")
    po_line_id: int | None = None
    approve_over_receipt: bool = Field(False, description="A supervisor receives beyond the owner's tolerance")

    @model_validator(mode="after")
    def _something(self) -> ReceiveIn:
        if self.scan is None and self.sku_id is None:
            raise ValueError("give a scan or a sku_id")
        return self


class TaskBrief(Out):
    id: int
    type: str
    status: str
    qty: int
    lpn: str
    to_location_id: int | None


class ReceiveOut(BaseModel):
    receipt: ReceiptOut
    lines: list[ReceiptLineOut]
    lpn: str | None
    tasks: list[TaskBrief]


class LpnOut(Out):
    id: int
    code: str
    owner_id: int
    warehouse_id: int
    receipt_id: int | None
    sscc: str
    zpl: str = ""


class PutawayConfirmIn(BaseModel):
    location: str | None = Field(None, max_length=32, description="The scanned destination location code")
    check_digits: str | None = Field(None, pattern=r"^\d{2}$", description="Or the suggested location's check digits")

    @model_validator(mode="after")
    def _one(self) -> PutawayConfirmIn:
        if (self.location is None) == (self.check_digits is None):
            raise ValueError("give exactly one of location or check_digits")
        return self


class DestinationIn(BaseModel):
    location_id: int | None = None
    location: str | None = Field(None, max_length=32)
    note: str = Field("", max_length=500)

    @model_validator(mode="after")
    def _one(self) -> DestinationIn:
        if (self.location_id is None) == (self.location is None):
            raise ValueError("give exactly one of location_id or location")
        return self


class PrintIn(BaseModel):
    printer: str = Field(min_length=1, max_length=300, description="tcp://host:9100 or file:///path")
