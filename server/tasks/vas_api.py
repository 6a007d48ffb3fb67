"""Value-added-service task endpoints: ask for one, confirm it done (claiming and listing are /api/v1/tasks)."""

from __future__ import annotations

from litestar import Controller, post
from pydantic import BaseModel, Field

from server.db.uow import UnitOfWork
from server.http.guards import FLOOR, allow
from server.identity.models import Role
from server.tasks import vas
from server.tasks.api import task_out
from server.tasks.schemas import TaskOut


class VasIn(BaseModel):
    owner_id: int | None = None
    warehouse_id: int
    service_code: str = Field(min_length=1, max_length=32, description="e.g. KITTING, RELABEL")
    qty: int = Field(gt=0, le=1_000_000)
    sku_id: int | None = None
    note: str = Field("", max_length=500)
    priority: int = 50


class VasDoneIn(BaseModel):
    qty: int | None = Field(None, gt=0, description="Units actually serviced; the asked quantity when left out")


class VasTaskController(Controller):
    path = "/api/v1/vas-tasks"
    tags = ["tasks"]

    @post("/", opt=allow(Role.ADMIN, Role.SUPERVISOR, Role.CLIENT, Role.INTEGRATION), summary="Ask for a VAS")
    async def create(self, data: VasIn, uow: UnitOfWork) -> TaskOut:
        task = await vas.create_vas_task(
            uow,
            owner_id=data.owner_id,
            warehouse_id=data.warehouse_id,
            service_code=data.service_code,
            qty=data.qty,
            sku_id=data.sku_id,
            note=data.note,
            priority=data.priority,
        )
        return await task_out(uow, task)

    @post("/{task_id:int}/done", status_code=200, opt=allow(*FLOOR), summary="Confirm a claimed VAS task done")
    async def done(self, task_id: int, data: VasDoneIn, uow: UnitOfWork) -> TaskOut:
        return await task_out(uow, await vas.complete_vas_task(uow, task_id, data.qty))


CONTROLLERS = [VasTaskController]
