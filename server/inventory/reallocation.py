"""When reserved stock goes away (a count found it missing, a hold or recall took it), the order lines that held it
lose that reservation and are allocated again from other stock; what cannot be found is backordered (before
release) or backordered on the line (after release). Released orders get new picks in their batch."""

from __future__ import annotations

from sqlalchemy import select

from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.exceptions.services import open_exception
from server.outbound import picking
from server.outbound.models import Allocation, OrderLine, OrderStatus, PickBatch, SalesOrder
from server.outbound.services import order_lines, publish, reserve, set_status
from server.outbound.states import ALLOCATABLE
from server.tasks.models import Task, TaskStatus

_OPEN = frozenset({TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.IN_PROGRESS})
SHORT_KIND = "reallocation_short"


async def release_reservations(uow: UnitOfWork, stock_id: int, qty: int, why: str) -> dict[int, Task | None]:
    """Take ``qty`` reserved units of a stock row back from the orders that hold them (newest reservation first),
    shrinking or cancelling their open picks. Returns the orders touched, each with a pick task to copy from (for a
    released order) or None. The caller then changes the stock and calls :func:`reallocate`."""
    from server.inventory.services import InventoryService

    allocs = list(
        (
            await uow.session.execute(
                for_update(
                    select(Allocation)
                    .where(Allocation.stock_id == stock_id, Allocation.qty > 0)
                    .order_by(Allocation.id.desc())
                )
            )
        ).scalars()
    )
    touched: dict[int, Task | None] = {}
    left = qty
    for a in allocs:
        if left == 0:
            break
        x = min(left, a.qty)
        left -= x
        line = await uow.session.get(OrderLine, a.line_id, with_for_update=True)
        assert line is not None
        a.qty -= x
        line.allocated_qty -= x
        await InventoryService(uow).deallocate([(stock_id, x)])
        like: Task | None = None
        if a.task_id is not None:
            task = await uow.session.get(Task, a.task_id, with_for_update=True)
            if task is not None and task.status in _OPEN:
                task.qty -= x
                like = task
                if task.qty <= int(task.details.get("picked", 0)):
                    task.status = TaskStatus.CANCELLED
                task.note = f"{x} units {why}"[:500]
        touched.setdefault(a.order_id, like)
        if like is not None:
            touched[a.order_id] = like
    await uow.session.flush()
    return touched


async def reallocate(
    uow: UnitOfWork, touched: dict[int, Task | None], *, exclude_stock: list[int], why: str = "stock gone"
) -> list[int]:
    """Reserve the open quantity of the touched orders again (never from ``exclude_stock``). A released order gets
    new picks in its batch; what is found nowhere is backordered on its line and, as the picker will come back short,
    a ``reallocation_short`` exception is opened. Returns order ids."""
    if not touched:
        return []
    orders = list(
        (
            await uow.session.execute(
                for_update(select(SalesOrder).where(SalesOrder.id.in_(sorted(touched))).order_by(SalesOrder.id))
            )
        ).scalars()
    )
    lines = await order_lines(uow, [o.id for o in orders])
    for order in orders:
        if order.status in ALLOCATABLE:
            _, short = await reserve(uow, [order], lines, warehouse_id=order.warehouse_id, exclude_stock=exclude_stock)
            new = OrderStatus.BACKORDERED if short else OrderStatus.ALLOCATED
            if order.status != new:
                set_status(order, new)
                order.wave_id = None if new == OrderStatus.BACKORDERED else order.wave_id
            publish(uow, order, order.status.value, reallocated=True)
        elif order.status in (OrderStatus.RELEASED, OrderStatus.PICKING):
            made, short = await reserve(
                uow, [order], lines, warehouse_id=order.warehouse_id, exclude_stock=exclude_stock
            )
            like = touched[order.id]
            batch = await uow.session.get(PickBatch, order.batch_id) if order.batch_id else None
            if made and batch is not None and like is not None:
                await picking._add_picks(uow, batch, order, made, like)  # the batch's own re-sequencing
            by_id = {ln.id: ln for ln in lines[order.id]}
            for _, s in short:
                by_id[s.line_id].backordered_qty += s.missing
            missing = sum(s.missing for _, s in short)
            publish(uow, order, "reallocated", backordered=missing)
            if missing:  # released: the picker will find less than ordered, so say so where supervisors look
                await open_exception(
                    uow,
                    SHORT_KIND,
                    warehouse_id=order.warehouse_id,
                    owner_id=order.owner_id,
                    ref_type="order",
                    ref_id=str(order.id),
                    message=(
                        f"Order {order.channel_order_id} ({order.status.value}) lost reserved units ({why}): "
                        f"{sum(a.qty for a in made)} re-allocated to new picks, {missing} backordered."
                    ),
                    details={
                        "order_id": order.id,
                        "batch_id": order.batch_id,
                        "reallocated": sum(a.qty for a in made),
                        "backordered": missing,
                        "lines": [{"line_id": s.line_id, "missing": s.missing} for _, s in short],
                    },
                )
    await uow.session.flush()
    return [o.id for o in orders]
