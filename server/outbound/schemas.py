"""API shapes of outbound: orders in and out, allocation results, waves, pick batches and confirmations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from server.outbound.models import BatchStatus, Channel, OrderStatus, OrderType, WaveStatus


class Address(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    line1: str = Field(min_length=1, max_length=200)
    line2: str = Field(default="", max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str = Field(default="", max_length=100)
    postcode: str = Field(min_length=1, max_length=20)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2")
    phone: str = Field(default="", max_length=40)


class LineIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64, description="The owner's SKU code")
    qty: int = Field(gt=0)


class OrderIn(BaseModel):
    owner_id: int | None = Field(default=None, description="Staff name the owner; an owner's key uses its own")
    warehouse_id: int
    channel: Channel
    channel_order_id: str = Field(min_length=1, max_length=64)
    order_type: OrderType = OrderType.B2C
    priority: int = Field(default=0, ge=0, le=100, description="Higher is more urgent")
    cutoff_at: datetime | None = None
    carrier: str = Field(default="", max_length=32)
    service: str = Field(default="", max_length=32)
    ship_to: Address
    lines: list[LineIn] = Field(min_length=1, max_length=500)


class BulkIn(BaseModel):
    orders: list[dict[str, Any]] = Field(min_length=1, max_length=1000)


class LineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    line_no: int
    sku_id: int
    sku_code: str = ""
    qty: int
    allocated_qty: int
    picked_qty: int
    backordered_qty: int


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    owner_id: int
    warehouse_id: int
    channel: Channel
    channel_order_id: str
    status: OrderStatus
    order_type: OrderType
    priority: int
    cutoff_at: datetime | None
    carrier: str
    service: str
    ship_to: dict[str, Any]
    hold_reason: str
    wave_id: int | None
    batch_id: int | None
    tote: str
    lines: list[LineOut] = []


class IntakeResult(BaseModel):
    index: int
    channel_order_id: str = ""
    outcome: str = Field(description="created, unchanged, updated or rejected")
    order_id: int | None = None
    status: int
    code: str = ""
    detail: str = ""
    errors: list[dict[str, Any]] = []


class BulkOut(BaseModel):
    accepted: int
    rejected: int
    results: list[IntakeResult]


class HoldIn(BaseModel):
    reason: str = Field(pattern="^(payment|address|fraud|customer|other)$")


class CancelIn(BaseModel):
    reason: str = Field(default="", max_length=200)


class AllocateIn(BaseModel):
    warehouse_id: int
    order_ids: list[int] | None = Field(default=None, description="Only these; default every open order")


class ShortageOut(BaseModel):
    order_id: int
    line_id: int
    sku_id: int
    requested: int
    allocated: int


class AllocateOut(BaseModel):
    allocated: list[int]
    backordered: list[int]
    shortages: list[ShortageOut]


class CartTypeIn(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    max_orders: int = Field(ge=1, le=100)
    max_lines: int = Field(ge=1, le=2000)
    max_volume_m3: float | None = Field(default=None, gt=0)
    max_kg: float | None = Field(default=None, gt=0)


class CartTypeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    warehouse_id: int
    code: str
    max_orders: int
    max_lines: int
    max_volume_m3: float | None
    max_kg: float | None


class WaveIn(BaseModel):
    warehouse_id: int
    cart_type_id: int | None = None
    cutoff_before: datetime | None = None
    carriers: list[str] | None = None
    min_priority: int | None = None
    zones: list[str] | None = Field(default=None, description="Zone codes: orders picked wholly in these zones")
    order_type: OrderType | None = None
    owner_ids: list[int] | None = Field(default=None, description="Only these owners' orders")
    max_orders: int = Field(default=1000, ge=1, le=5000)
    time_limit_s: float = Field(default=2.0, gt=0, le=60)
    background: bool = Field(
        default=False,
        description="Plan on the job worker (when Redis is set): the reply is the wave 'planning'; poll it or "
        "listen to the waves channel",
    )


class BatchPreview(BaseModel):
    orders: list[int]
    lines: int
    route_m: float
    baseline_m: float


class WaveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    warehouse_id: int
    code: str
    status: WaveStatus
    filters: dict[str, Any]
    preview: dict[str, Any]
    total_m: float
    baseline_m: float
    progress: int
    progress_total: int
    batches_done: int
    error: str
    released_at: datetime | None


class WaveCancelOut(BaseModel):
    wave: WaveOut
    cancelled_batches: list[str] = Field(description="Batches called back: their orders are allocated again")
    kept_batches: list[str] = Field(description="Batches a picker holds or has picked from: left to finish")


class ReleaseOut(BaseModel):
    wave: WaveOut
    queued: bool = Field(description="True when the release runs on the job worker; poll the wave")


class ClaimBatchIn(BaseModel):
    warehouse_id: int


class PickOut(BaseModel):
    task_id: int
    seq: int
    status: str
    order_id: int
    line_id: int
    tote: str
    location_id: int
    location_code: str
    sku_id: int
    sku_code: str
    lot: str
    expiry: date | None
    lpn: str
    qty: int
    picked_qty: int


class BatchOut(BaseModel):
    id: int
    code: str
    wave_id: int
    status: BatchStatus
    assignee_id: int | None
    priority: int
    cutoff_at: datetime | None
    route_m: float
    baseline_m: float
    cart_location_id: int | None
    orders: list[dict[str, Any]]
    picks: list[PickOut]


class PickDoneOut(BaseModel):
    task_id: int
    status: str
    qty: int
    picked_qty: int


class PickConfirmOut(BaseModel):
    """A confirm's reply: the pick as it is now and its batch's status. The handheld holds the pick list (from
    the claim); a confirm changes only this pick (a short pick's reply carries the whole batch instead, since
    re-allocation adds picks)."""

    id: int = Field(description="The batch")
    code: str
    status: BatchStatus
    pick: PickDoneOut


class ConfirmIn(BaseModel):
    location: str = Field(min_length=1, max_length=64, description="The location's code or its check digits")
    item: str = Field(min_length=1, max_length=200, description="GTIN, GS1-128 (with lot) or LPN as scanned")
    qty: int = Field(gt=0)


class ShortIn(BaseModel):
    location: str = Field(min_length=1, max_length=64)
    found_qty: int = Field(ge=0, description="Units actually there (and picked)")
    item: str | None = Field(default=None, max_length=200, description="Needed when found_qty > 0")


class ShortOut(BaseModel):
    picked: int
    reallocated: int
    backordered: int
    count_task_id: int
    batch: BatchOut


class WaveRuleIn(BaseModel):
    carrier: str = Field(default="", max_length=32, description="'' = every carrier")
    lead_minutes: int = Field(default=60, ge=1, le=24 * 60, description="Release this long before the cut-off")


class WaveRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    warehouse_id: int
    carrier: str
    lead_minutes: int
    active: bool
    last_run_at: datetime | None
