"""API shapes of tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from server.tasks.models import TaskStatus, TaskType


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    type: TaskType
    status: TaskStatus
    warehouse_id: int
    owner_id: int
    priority: int
    assignee_id: int | None
    sku_id: int | None
    qty: int
    lot: str
    expiry: date | None
    lpn: str
    stock_id: int | None
    from_location_id: int | None
    to_location_id: int | None
    to_location_code: str = ""
    done_location_id: int | None
    override: bool
    doc_type: str
    doc_ref: str
    note: str
    details: dict[str, Any]
    claimed_at: datetime | None
    done_at: datetime | None


class ClaimIn(BaseModel):
    warehouse_id: int
    type: TaskType | None = None


class ReassignIn(BaseModel):
    user_id: int | None = Field(description="The worker to hand the task to; null puts it back in the queue")


class CancelIn(BaseModel):
    note: str = Field(min_length=1, max_length=500)
