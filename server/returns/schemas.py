"""API shapes of returns (RMA)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.returns.models import Disposition, Grade, RmaStatus, RtvStatus


class RmaLineIn(BaseModel):
    line_no: int | None = Field(None, ge=1, description="The order line's number")
    sku: str | None = Field(None, max_length=64, description="Or the SKU code of the order line")
    qty: int = Field(gt=0, le=1_000_000)
    reason: str = Field("", max_length=200)

    @model_validator(mode="after")
    def _which(self) -> RmaLineIn:
        if (self.line_no is None) == (self.sku is None):
            raise ValueError("give line_no or sku")
        return self


class RmaIn(BaseModel):
    """An RMA for a shipped order, named by id or by channel and channel order id."""

    owner_id: int | None = None
    order_id: int | None = None
    channel: str | None = Field(None, max_length=16)
    channel_order_id: str | None = Field(None, max_length=64)
    number: str | None = Field(None, min_length=1, max_length=40, description="The RMA number (made when absent)")
    reason: str = Field("", max_length=200)
    lines: list[RmaLineIn] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _order(self) -> RmaIn:
        if self.order_id is None and not (self.channel and self.channel_order_id):
            raise ValueError("give order_id, or channel and channel_order_id")
        return self


class RmaLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    order_line_id: int
    sku_id: int
    sku_code: str = ""
    qty: int
    received_qty: int
    reason: str


class ReturnReceiptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    line_id: int
    qty: int
    lot: str
    grade: Grade
    disposition: Disposition
    note: str
    stock_id: int | None
    location_id: int | None
    task_id: int | None
    created_at: datetime


class RmaOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    owner_id: int
    warehouse_id: int
    order_id: int
    number: str
    status: RmaStatus
    reason: str
    created_at: datetime
    received_at: datetime | None
    lines: list[RmaLineOut] = []
    receipts: list[ReturnReceiptOut] = []


class LookupIn(BaseModel):
    warehouse_id: int
    scan: str = Field(min_length=1, max_length=200, description="The return label (RMA number) or the order id")


class ReceiveIn(BaseModel):
    item: str = Field(min_length=1, max_length=200, description="Scanned GTIN, GS1-128 or SKU barcode")
    qty: int = Field(gt=0, le=1_000_000)
    grade: Grade
    disposition: Disposition | None = Field(None, description="Default by grade: A restock, B quarantine, C scrap")
    lot: str | None = Field(None, max_length=64)
    note: str = Field("", max_length=500)
    supplier_id: int | None = Field(
        None, description="rtv: the supplier the goods go back to (default: the last one the SKU was ordered from)"
    )


class CancelIn(BaseModel):
    note: str = Field("", max_length=500)


class RtvLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    receipt_id: int | None
    sku_id: int
    sku_code: str = ""
    lot: str
    expiry: date | None
    qty: int
    stock_id: int | None


class RtvOut(BaseModel):
    """A return to vendor: held goods of one owner going back to one supplier."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    owner_id: int
    warehouse_id: int
    supplier_id: int
    number: str
    status: RtvStatus
    carrier: str
    tracking: str
    note: str
    created_at: datetime
    shipped_at: datetime | None
    lines: list[RtvLineOut] = []


class RtvShipIn(BaseModel):
    carrier: str = Field("", max_length=64)
    tracking: str = Field("", max_length=64)
    note: str = Field("", max_length=500)
