"""API shapes of the catalog."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from server.catalog.models import BarcodeKind


class BarcodeIn(BaseModel):
    value: str = Field(min_length=1, max_length=64)
    kind: BarcodeKind = BarcodeKind.GTIN
    units: int = Field(1, ge=1, le=100000, description="Units this code stands for (a case GTIN: the case pack)")


class BarcodeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    value: str
    kind: BarcodeKind
    units: int


class SkuIn(BaseModel):
    owner_id: int | None = Field(None, description="Staff name the owner; an owner's login gets its own")
    code: str = Field(min_length=1, max_length=64, pattern=r"^\S+$")
    name: str = Field(min_length=1, max_length=300)
    uom: str = Field("EA", max_length=16)
    case_pack: int = Field(1, ge=1)
    length_mm: int = Field(0, ge=0, le=100000)
    width_mm: int = Field(0, ge=0, le=100000)
    height_mm: int = Field(0, ge=0, le=100000)
    weight_kg: Decimal = Field(Decimal(0), ge=0, le=100000)
    lot_controlled: bool = False
    expiry_controlled: bool = False
    serial_controlled: bool = False
    fragile: bool = False
    hazmat: bool = False
    demand_class: str = Field("C", pattern=r"^[ABC]$")
    storage_zone: str = Field("", max_length=16, description="Zone code putaway must use; empty for any")
    barcodes: list[BarcodeIn] = Field(default_factory=list, max_length=50)


class SkuPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=300)
    case_pack: int | None = Field(None, ge=1)
    length_mm: int | None = Field(None, ge=0)
    width_mm: int | None = Field(None, ge=0)
    height_mm: int | None = Field(None, ge=0)
    weight_kg: Decimal | None = Field(None, ge=0)
    lot_controlled: bool | None = None
    expiry_controlled: bool | None = None
    serial_controlled: bool | None = None
    fragile: bool | None = None
    hazmat: bool | None = None
    demand_class: str | None = Field(None, pattern=r"^[ABC]$")
    storage_zone: str | None = Field(None, max_length=16)
    active: bool | None = None


class SkuOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    owner_id: int
    code: str
    name: str
    uom: str
    case_pack: int
    length_mm: int
    width_mm: int
    height_mm: int
    weight_kg: Decimal
    lot_controlled: bool
    expiry_controlled: bool
    serial_controlled: bool
    fragile: bool
    hazmat: bool
    demand_class: str
    storage_zone: str = ""
    active: bool
    barcodes: list[BarcodeOut] = []
