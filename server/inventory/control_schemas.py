"""API shapes of inventory control: move tasks, counts, replenishment, holds and recalls."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.inventory.models import CountPlanKind, CountStatus, HoldScope


class MoveTaskIn(BaseModel):
    """Units of a stock row (``stock_id`` + ``qty``), or a whole LPN (``lpn`` + ``from_location_id``)."""

    stock_id: int | None = None
    qty: int | None = Field(None, gt=0, le=10_000_000)
    lpn: str | None = Field(None, min_length=1, max_length=40)
    from_location_id: int | None = None
    to_location_id: int
    reason: str = Field("move", min_length=1, max_length=200)
    priority: int = Field(50, ge=0, le=1000)

    @model_validator(mode="after")
    def _what(self) -> MoveTaskIn:
        units = self.stock_id is not None and self.qty is not None
        lpn = self.lpn is not None and self.from_location_id is not None
        if units == lpn:
            raise ValueError("give stock_id and qty, or lpn and from_location_id")
        return self


class MoveConfirmIn(BaseModel):
    from_location: str = Field(min_length=1, max_length=64, description="Scanned code or check digits")
    item: str = Field(min_length=1, max_length=200, description="GTIN, GS1-128, SKU barcode, or the LPN")
    qty: int = Field(0, ge=0, le=10_000_000, description="Units moved (ignored for a whole-LPN move)")
    to_location: str = Field(min_length=1, max_length=64, description="Scanned code or check digits")


class LpnMoveIn(BaseModel):
    warehouse_id: int
    lpn: str = Field(min_length=1, max_length=40)
    from_location: str = Field(min_length=1, max_length=64)
    to_location: str = Field(min_length=1, max_length=64)
    note: str = Field("", max_length=500)


class LpnMoveOut(BaseModel):
    lpn: str
    moved: int
    to_location_id: int


class NestIn(BaseModel):
    warehouse_id: int
    lpn: str = Field(min_length=1, max_length=40, description="The case")
    parent_lpn: str = Field("", max_length=40, description="The pallet it sits on ('' takes it off)")


class ConsolidationOut(BaseModel):
    sku_id: int
    sku_code: str
    owner_id: int
    lot: str
    rows: int
    units: int
    from_locations: list[str]
    to_location: str
    suggested_moves: list[dict[str, Any]]


# -- counts ------------------------------------------------------------------------------------------------------
class CountLineIn(BaseModel):
    item: str = Field(min_length=1, max_length=200, description="Scanned GTIN, GS1-128 or LPN")
    qty: int = Field(ge=0, le=10_000_000)
    lot: str | None = Field(None, max_length=64)
    expiry: date | None = None


class CountSubmitIn(BaseModel):
    location: str = Field(min_length=1, max_length=64, description="Scanned location code or check digits")
    lines: list[CountLineIn] = Field(max_length=500)


class CountSubmitOut(BaseModel):
    """What the floor is told: never the book quantity nor the variance."""

    task_id: int
    count_id: int
    status: Literal["counted", "recount", "approval"]
    lines: int
    recount_task_id: int | None = None


class CountIn(BaseModel):
    """A count on demand: a location (id or code), optionally one SKU."""

    warehouse_id: int
    location_id: int | None = None
    location: str | None = Field(None, max_length=32)
    owner_id: int | None = None
    sku_id: int | None = None
    priority: int = Field(30, ge=0, le=1000)

    @model_validator(mode="after")
    def _where(self) -> CountIn:
        if (self.location_id is None) == (self.location is None):
            raise ValueError("give exactly one of location_id or location")
        return self


class CountOut(BaseModel):
    """A count as supervisors see it (with the book and the variance)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    warehouse_id: int
    owner_id: int
    location_id: int
    sku_id: int | None
    plan_id: int | None
    source: str
    status: CountStatus
    task_id: int | None
    recount_task_id: int | None
    counted_by_id: int | None
    recounted_by_id: int | None
    expected: list[Any]
    counted: list[Any]
    recounted: list[Any]
    variance_units: int
    variance_value: Decimal
    frozen: bool
    exception_id: int | None
    created_at: datetime
    closed_at: datetime | None


class CountDecisionIn(BaseModel):
    note: str = Field("", max_length=500)


class CountPlanIn(BaseModel):
    warehouse_id: int
    owner_id: int | None = None
    name: str = Field(min_length=1, max_length=100)
    kind: CountPlanKind
    targets: list[int | str] = Field(
        default_factory=list,
        max_length=5000,
        description="location ids (location), zone codes (zone), SKU ids (sku), classes 'A'/'B'/'C' (abc; empty = all)",
    )
    every_days: int | None = Field(
        None,
        ge=1,
        le=3650,
        description="Location, zone and SKU plans: run by the scheduler every so many days (none: on demand only). "
        "ABC plans follow the warehouse's class intervals (count_days_a/b/c).",
    )


class CountPlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    warehouse_id: int
    owner_id: int | None
    name: str
    kind: CountPlanKind
    targets: list[Any]
    active: bool
    last_run_at: datetime | None
    every_days: int | None


class PlanRunOut(BaseModel):
    plan_id: int
    tasks_created: int
    task_ids: list[int]
    skipped_open: int = Field(description="Locations already under an open count")


class InventorySettingsIn(BaseModel):
    count_variance_units: int = Field(0, ge=0, le=1_000_000)
    count_variance_value: Decimal = Field(Decimal("100"), ge=0, le=Decimal("1e9"))
    count_freeze: bool = True
    count_days_a: int = Field(30, ge=1, le=3650)
    count_days_b: int = Field(90, ge=1, le=3650)
    count_days_c: int = Field(180, ge=1, le=3650)


class InventorySettingsOut(BaseModel):
    """The settings as saved. Money is sent as a decimal string (e.g. ``"100.00"``), as the schema says."""

    model_config = ConfigDict(from_attributes=True)
    warehouse_id: int
    count_variance_units: int
    count_variance_value: Decimal = Field(description='Money as a decimal string, e.g. "100.00"')
    count_freeze: bool
    count_days_a: int
    count_days_b: int
    count_days_c: int


class SkuCostIn(BaseModel):
    sku_id: int
    unit_cost: Decimal = Field(ge=0, le=Decimal("1e9"))


class SkuCostOut(BaseModel):
    sku_id: int
    unit_cost: Decimal = Field(description='Money as a decimal string, e.g. "12.5000"')


# -- replenishment -----------------------------------------------------------------------------------------------
class PickFaceRuleIn(BaseModel):
    sku_id: int
    location_id: int
    min_qty: int = Field(ge=0, le=10_000_000)
    max_qty: int = Field(gt=0, le=10_000_000)

    @model_validator(mode="after")
    def _order(self) -> PickFaceRuleIn:
        if self.max_qty <= self.min_qty:
            raise ValueError("max_qty must be above min_qty")
        return self


class PickFaceRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    warehouse_id: int
    owner_id: int
    sku_id: int
    location_id: int
    min_qty: int
    max_qty: int
    active: bool


class ReplenishRunIn(BaseModel):
    warehouse_id: int


class ReplenishRunOut(BaseModel):
    task_ids: list[int]


# -- holds and recalls -------------------------------------------------------------------------------------------
class HoldIn(BaseModel):
    warehouse_id: int
    scope: HoldScope
    owner_id: int | None = None
    location_id: int | None = None
    sku_id: int | None = None
    lot: str = Field("", max_length=64)
    lpn: str = Field("", max_length=40)
    reason: str = Field(min_length=1, max_length=200)


class HoldOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    warehouse_id: int
    owner_id: int | None
    scope: HoldScope
    location_id: int | None
    sku_id: int | None
    lot: str
    lpn: str
    reason: str
    recall: bool
    active: bool
    units: int
    rows: list[Any]
    created_at: datetime
    released_at: datetime | None


class ReleaseIn(BaseModel):
    note: str = Field("", max_length=500)


class RecallIn(BaseModel):
    warehouse_id: int
    owner_id: int | None = None
    sku_id: int
    lot: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=200)


class RecallOut(BaseModel):
    hold: HoldOut
    held_units: int
    locations: list[dict[str, Any]] = Field(description="Every stock row of the lot: where, status, units")
    reallocated_orders: list[int]
    open_orders: list[dict[str, Any]] = Field(description="Orders not yet shipped that hold picked units of the lot")
    shipped_orders: list[dict[str, Any]] = Field(description="Shipped orders that contained the lot")
