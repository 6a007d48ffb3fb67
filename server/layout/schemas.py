"""API shapes of the layout."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from server.layout.models import LocationType

CODE = r"^[A-Z0-9][A-Z0-9\-_.]{0,31}$"


class ZoneIn(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9\-_.]{0,15}$")
    name: str = Field(min_length=1, max_length=200)


class ZoneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    warehouse_id: int
    code: str
    name: str


class LocationIn(BaseModel):
    code: str = Field(pattern=CODE, description="e.g. A-03-12-B")
    zone_id: int
    type: LocationType
    aisle: int | None = Field(None, ge=0)
    bay: int | None = Field(None, ge=0)
    level: int = Field(0, ge=0)
    position: str = Field("", max_length=8)
    x_m: float = 0.0
    y_m: float = 0.0
    capacity_units: int = Field(0, ge=0)
    capacity_m3: Decimal = Field(Decimal(0), ge=0)
    max_kg: Decimal = Field(Decimal(0), ge=0)
    owner_id: int | None = None


class LocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    warehouse_id: int
    zone_id: int
    code: str
    type: LocationType
    aisle: int | None
    bay: int | None
    level: int
    position: str
    x_m: float
    y_m: float
    capacity_units: int
    capacity_m3: Decimal
    max_kg: Decimal
    check_digits: str | None = Field(
        None,
        description="Shown to supervisors and admins only (label printing): a handheld must read them on the label",
    )
    owner_id: int | None
    active: bool
    blocked: bool
    block_reason: str


class BlockIn(BaseModel):
    blocked: bool
    reason: str = Field("", max_length=200)


class GenerateIn(BaseModel):
    """A rectangular warehouse (BENCH-FORMATS ``layout``) cut into bays and levels."""

    aisles: int = Field(ge=1, le=200)
    aisle_length_m: float = Field(gt=0, le=500)
    aisle_pitch_m: float = Field(3.0, gt=0, le=50)
    cross_aisles: int = Field(2, ge=2, le=20)
    depot_x: float = 0.0
    bay_width_m: float = Field(1.0, gt=0, le=20)
    levels: int = Field(2, ge=1, le=26)
    pick_face_levels: int = Field(1, ge=0, le=26)
    zones: list[str] = Field(default_factory=lambda: ["A"], min_length=1, max_length=26)


class ImportReport(BaseModel):
    imported: int = 0
    created: int = 0
    updated: int = 0
    zones_created: list[str] = []
    errors: list[dict[str, object]] = []


class CheckIn(BaseModel):
    """What a handheld sends when it confirms standing at a location."""

    code: str
    check_digits: str = Field(pattern=r"^\d{2}$")


class CheckOut(BaseModel):
    location_id: int
    code: str
    ok: bool


class RouteIn(BaseModel):
    """Locations to visit (scanned codes), in any order."""

    locations: list[str] = Field(min_length=1, max_length=500)
    method: str = Field(
        "optimal", description="optimal, or a baseline: s-shape, return, midpoint, largest-gap, combined"
    )


class RouteOut(BaseModel):
    sequence: list[str]
    length_m: float
    optimal: bool
    method: str
    solve_ms: float
    location_order_m: float = Field(description="What walking the same locations sorted by code costs")
    saving_pct: float


class WalkingGraphOut(BaseModel):
    aisle_x_m: list[float]
    cross_aisle_y_m: list[float]
    depot: dict[str, float]
    locations: int
