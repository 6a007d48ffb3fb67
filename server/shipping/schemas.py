"""Request and reply bodies of the pack-and-ship API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

LabelKind = Literal["waybill", "sscc"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class StationIn(_In):
    warehouse_id: int
    code: str = Field(min_length=1, max_length=32)
    printer_uri: str = Field(min_length=1, max_length=200, description="tcp://host:9100 or file:///path")
    scale_uri: str = Field("", max_length=200, description="tcp://host:port of the scale, or '' (weights typed in)")
    location_code: str | None = Field(None, max_length=32, description="its pack_station location (made if absent)")


class StationOut(_Out):
    id: int
    warehouse_id: int
    code: str
    location_id: int
    printer_uri: str
    scale_uri: str
    active: bool


class CartonTypeIn(_In):
    code: str = Field(min_length=1, max_length=32)
    length_mm: int = Field(gt=0)
    width_mm: int = Field(gt=0)
    height_mm: int = Field(gt=0)
    tare_kg: Decimal = Field(Decimal(0), ge=0)
    max_kg: Decimal = Field(Decimal(30), gt=0)
    cost: Decimal = Field(Decimal(0), ge=0)


class CartonTypeOut(_Out):
    id: int
    warehouse_id: int
    code: str
    length_mm: int
    width_mm: int
    height_mm: int
    tare_kg: Decimal
    max_kg: Decimal
    cost: Decimal


class ServiceIn(_In):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field("", max_length=100)
    level: int = Field(2, ge=1, le=9, description="1 = fastest")
    cutoff: str = Field("17:00", description="daily cut-off, HH:MM warehouse time")
    rate_factor: Decimal = Field(Decimal(1), gt=0)


class ServiceOut(_Out):
    code: str
    name: str
    level: int
    cutoff: str
    rate_factor: Decimal


class CarrierIn(_In):
    warehouse_id: int
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["table_rate", "ewaybill"]
    config: dict[str, Any] = Field(default_factory=dict)
    services: list[ServiceIn] = Field(min_length=1)


class CarrierOut(_Out):
    id: int
    warehouse_id: int
    code: str
    name: str
    kind: str
    config: dict[str, Any]
    active: bool
    services: list[ServiceOut] = []


class RatesIn(_In):
    warehouse_id: int
    weight_kg: Decimal = Field(gt=0)
    country: str = Field(min_length=2, max_length=2)
    postcode: str = ""
    max_level: int | None = Field(None, description="only services at least this fast (1 = fastest)")


class QuoteOut(BaseModel):
    carrier: str
    service: str
    level: int
    cost: Decimal
    cutoff: str
    before_cutoff: bool


class SettingsIn(_In):
    gs1_company_prefix: str | None = Field(None, min_length=6, max_length=12)
    sscc_extension: int | None = Field(None, ge=0, le=9)
    ship_from: dict[str, Any] | None = None
    weight_tolerance_kg: Decimal | None = Field(None, ge=0)
    weight_tolerance_pct: Decimal | None = Field(None, ge=0, le=100)


class SettingsOut(_Out):
    warehouse_id: int
    gs1_company_prefix: str
    sscc_extension: int
    next_sscc_serial: int
    ship_from: dict[str, Any]
    weight_tolerance_kg: Decimal
    weight_tolerance_pct: Decimal


class StartIn(_In):
    station_id: int
    scan: str = Field(min_length=1, max_length=80, description="the tote (or the order number)")
    carrier: str | None = Field(None, description="override the order's carrier / the rate-shopping choice")
    service: str | None = None


class OpenCartonIn(_In):
    carton_type: str | None = Field(None, description="omit to use the suggested carton")


class ScanIn(_In):
    item: str = Field(min_length=1, max_length=120, description="GTIN, GS1-128 (lot, serial)")
    qty: int = Field(1, ge=1, le=100000)


class ShortIn(_In):
    sku: str = Field(min_length=1, max_length=64)
    qty: int = Field(ge=1)
    note: str = Field("", max_length=200)


class CloseIn(_In):
    weight_kg: Decimal | None = Field(None, gt=0, description="omit to read the station's scale")


class ReprintIn(_In):
    reason: str = Field(min_length=1, max_length=200)
    labels: list[LabelKind] = Field(default_factory=lambda: list[LabelKind](["waybill", "sscc"]))
    printer: str | None = None


class LoadIn(_In):
    warehouse_id: int
    scan: str = Field(min_length=1, max_length=80, description="SSCC, tracking number or carton code")
    door: str = Field(min_length=1, max_length=40, description="dock door or trailer")


class ManifestIn(_In):
    warehouse_id: int
    carrier: str = Field(min_length=1, max_length=32)


class PackedItemOut(_Out):
    sku_id: int
    lot: str
    expiry: date | None
    serial: str
    qty: int


class CartonOut(_Out):
    id: int
    seq: int
    code: str
    carton_type_id: int
    suggested: bool
    status: str
    sscc: str | None
    tracking_number: str | None
    sort_code: str
    expected_kg: Decimal | None
    weight_kg: Decimal | None
    door: str
    manifest_id: int | None
    items: list[PackedItemOut] = []


class LineStateOut(BaseModel):
    sku_id: int
    sku_code: str
    name: str
    expected: int
    packed: int
    short: int
    remaining: int


class ShipmentOut(BaseModel):
    id: int
    order_id: int
    channel_order_id: str
    order_status: str
    tote: str
    warehouse_id: int
    owner_id: int
    station_id: int
    status: str
    carrier: str
    service: str
    suggestion: list[Any]
    lines: list[LineStateOut]
    cartons: list[CartonOut]
    shipped_at: datetime | None


class CloseOut(BaseModel):
    weight_ok: bool
    message: str
    message_zh: str
    exception_id: int | None
    printed: list[str]
    carton: CartonOut
    shipment: ShipmentOut


class LabelPrintOut(_Out):
    id: int
    kind: str
    printer: str
    reprint: bool
    reason: str
    user_id: int | None
    at: datetime


class ManifestOut(_Out):
    id: int
    warehouse_id: int
    carrier_id: int
    code: str
    cartons: int
    total_kg: Decimal
    missing: list[Any]
    created_at: datetime
    shipped_orders: list[str] = []
