"""Value-added services (kitting, relabelling, ...): a task of type ``vas`` with a service code, asked for by the
warehouse or by the owner, done and confirmed by a worker. Billing charges ``vas.<CODE>`` per unit when done."""

from __future__ import annotations

import re

from sqlalchemy import select

from server.catalog.models import Sku
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.identity.models import Warehouse
from server.tasks import services as tasks
from server.tasks.models import Task, TaskStatus, TaskType

DOC_TYPE = "vas"
SERVICE_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")


def check_service_code(code: str) -> str:
    if not SERVICE_CODE.match(code):
        raise InvalidInput(
            f"{code!r} is no service code: capital letters, digits and _ (e.g. KITTING).", code="invalid_service_code"
        )
    return code


async def create_vas_task(
    uow: UnitOfWork,
    *,
    owner_id: int | None,
    warehouse_id: int,
    service_code: str,
    qty: int,
    sku_id: int | None = None,
    note: str = "",
    priority: int = 50,
) -> Task:
    """Ask for ``qty`` units of a service; an owner's login asks for its own goods only."""
    owner = uow.caller.resolve_owner(owner_id)
    check_service_code(service_code)
    if qty <= 0:
        raise InvalidInput("A service is asked for at least one unit.", code="invalid_qty")
    if await uow.session.get(Warehouse, warehouse_id) is None:
        raise NotFound(f"There is no warehouse {warehouse_id}.", code="warehouse_not_found")
    if sku_id is not None:
        sku = (await uow.session.execute(select(Sku).where(Sku.id == sku_id))).scalar_one_or_none()
        if sku is None or sku.owner_id != owner:
            raise NotFound(f"The owner has no SKU {sku_id}.", code="sku_not_found")
    return await tasks.create_task(
        uow,
        type=TaskType.VAS,
        warehouse_id=warehouse_id,
        owner_id=owner,
        priority=priority,
        sku_id=sku_id,
        qty=qty,
        doc_type=DOC_TYPE,
        doc_ref=service_code,
        note=note[:500],
        details={"service_code": service_code},
    )


async def complete_vas_task(uow: UnitOfWork, task_id: int, qty: int | None = None) -> Task:
    """The worker holding the task confirms it done, with the units actually serviced (at most those asked)."""
    task = await tasks.get_task(uow, task_id, lock=True)
    if task.type != TaskType.VAS:
        raise Conflict(f"Task {task.id} is a {task.type} task, not a value-added service.", code="not_vas_task")
    if task.status == TaskStatus.DONE:
        return task  # confirming again changes nothing
    tasks.check_holder(uow, task)
    if qty is not None:
        if not 0 < qty <= task.qty:
            raise InvalidInput(f"Confirm between 1 and {task.qty} units.", code="invalid_qty")
        task.details = {**task.details, "asked_qty": task.qty}
        task.qty = qty
    return await tasks.finish(uow, task)
