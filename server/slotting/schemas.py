"""Slotting request and response bodies."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PlanIn(BaseModel):
    warehouse_id: int
    history_days: int = Field(14, ge=1, le=365, description="Days of done picks the plan learns from")
    max_moves: int | None = Field(None, ge=0, description="Budget: at most this many moves")
    max_minutes: float | None = Field(None, ge=0, description="Budget: at most this many minutes of move labour")
    per_move_min: float = Field(6.0, gt=0, le=120, description="Handling minutes of one move task")
    time_limit_s: float = Field(3.0, gt=0, le=120, description="Search time")
    replenishment_cost_m: float = Field(40.0, ge=0, description="Metres one replenishment trip costs")


class ReleaseIn(BaseModel):
    ranks: list[int] | None = Field(None, description="Release only these moves (default: all)")


class PlanMoveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rank: int
    sku_id: int
    sku_code: str = ""
    from_location_id: int
    from_code: str = ""
    to_location_id: int
    to_code: str = ""
    swap_sku_id: int | None
    swap_sku_code: str | None = None
    m_per_day_saved: float
    labour_min: float
    status: str
    task_ids: list[int]
    note: str


class PlanOut(BaseModel):
    id: int
    warehouse_id: int
    status: str
    summary: dict[str, Any]
    moves: list[PlanMoveOut]


class AssignmentOut(BaseModel):
    sku_id: int
    sku_code: str
    location_id: int
    location_code: str


class AssignmentIn(BaseModel):
    warehouse_id: int
    sku_id: int
    location_id: int
