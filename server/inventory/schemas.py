"""API shapes of stock and the ledger."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.inventory.models import MovementReason, StockStatus


class StockOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    owner_id: int
    sku_id: int
    sku_code: str = ""
    location_id: int
    location_code: str = ""
    lot: str
    expiry: date | None
    lpn: str
    status: StockStatus
    on_hand: int
    allocated: int
    available: int


class MoveIn(BaseModel):
    stock_id: int
    qty: int = Field(gt=0, le=10_000_000)
    to_location_id: int | None = None
    to_location: str | None = Field(None, max_length=32, description="Scanned code of the destination")
    to_lpn: str | None = Field(None, max_length=40, description="Put onto this LPN ('' = loose)")
    reason: MovementReason = MovementReason.MOVE
    note: str = Field("", max_length=500)

    @model_validator(mode="after")
    def _one_destination(self) -> MoveIn:
        if (self.to_location_id is None) == (self.to_location is None):
            raise ValueError("give exactly one of to_location_id or to_location")
        return self


class AdjustIn(BaseModel):
    """Either name an existing row (stock_id) or the identity of the stock being found."""

    stock_id: int | None = None
    owner_id: int | None = None
    sku_id: int | None = None
    location_id: int | None = None
    lot: str = Field("", max_length=64)
    expiry: date | None = None
    lpn: str = Field("", max_length=40)
    status: StockStatus = StockStatus.AVAILABLE
    delta: int = Field(description="Units found (> 0) or lost (< 0)", ge=-10_000_000, le=10_000_000)
    reason: MovementReason
    note: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _identity(self) -> AdjustIn:
        if self.stock_id is None and (self.sku_id is None or self.location_id is None):
            raise ValueError("give stock_id, or sku_id and location_id of the stock found")
        return self


class StatusIn(BaseModel):
    stock_id: int
    qty: int = Field(gt=0, le=10_000_000)
    status: StockStatus
    note: str = Field(min_length=1, max_length=500)


class MovementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    owner_id: int
    sku_id: int
    lot: str
    expiry: date | None
    qty: int
    from_location_id: int | None
    from_lpn: str
    from_status: StockStatus | None
    to_location_id: int | None
    to_lpn: str
    to_status: StockStatus | None
    reason: MovementReason
    note: str
    doc_type: str
    doc_ref: str
    user_id: int | None
    device_id: int | None
