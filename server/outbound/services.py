"""Outbound use cases: order intake, holds, cancellation, allocation. Each takes the request's unit of work and
never commits (the HTTP edge or the job runner does)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, DomainError, InsufficientStock, InvalidInput, NotFound
from server.identity.models import Warehouse
from server.integration import outbox
from server.inventory.models import Stock
from server.inventory.moves import create_move_task
from server.inventory.services import InventoryService
from server.layout.models import Location, LocationType
from server.outbound import allocation as rules
from server.outbound.models import Allocation, OrderLine, OrderStatus, SalesOrder
from server.outbound.schemas import IntakeResult, OrderIn
from server.outbound.states import ALLOCATABLE, CHANGEABLE, check_transition
from server.tasks.models import Task, TaskStatus

TASK_FINAL = frozenset({TaskStatus.DONE, TaskStatus.CANCELLED})


# what the order's source hears of through the outbox (the board hears of every event over the realtime channel)
OUTBOX_EVENTS = {
    "received": "order.received",
    "allocated": "order.allocated",
    "backordered": "order.backordered",
    "cancelled": "order.cancelled",
    "picked": "order.picked",
}


def publish(uow: UnitOfWork, order: SalesOrder, event: str, **extra: Any) -> None:
    if (event_type := OUTBOX_EVENTS.get(event)) is not None:
        outbox.record(
            uow,
            event_type,
            {
                "order_id": order.id,
                "channel": order.channel.value,
                "channel_order_id": order.channel_order_id,
                "status": order.status.value,
                **extra,
            },
            owner_id=order.owner_id,
            warehouse_id=order.warehouse_id,
            key=f"order:{order.id}",
        )
    uow.emit(
        "outbound",
        {
            "event": event,
            "order_id": order.id,
            "owner_id": order.owner_id,
            "warehouse_id": order.warehouse_id,
            "status": order.status.value,
            **extra,
        },
    )


def set_status(order: SalesOrder, new: OrderStatus) -> None:
    if order.status == new:
        return
    check_transition(order.status, new, f"Order {order.channel_order_id}")
    order.status = new


# -- intake --------------------------------------------------------------------------------------------------
def content_hash(data: OrderIn) -> str:
    """A fingerprint of what the channel sent (owner and whitespace aside): equal = a repeat, else a change."""
    body = data.model_dump(mode="json", exclude={"owner_id"})
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


async def _lines_for(uow: UnitOfWork, owner_id: int, data: OrderIn) -> list[tuple[int, int]]:
    """(sku id, qty) per line; every unknown SKU listed in one 422."""
    codes = {ln.sku for ln in data.lines}
    found = dict(
        (
            await uow.session.execute(
                select(Sku.code, Sku.id).where(Sku.owner_id == owner_id, Sku.code.in_(codes), Sku.active.is_(True))
            )
        ).all()
    )
    problems = [
        {"field": f"lines[{i}].sku", "message": f"unknown SKU {ln.sku!r} for this owner"}
        for i, ln in enumerate(data.lines)
        if ln.sku not in found
    ]
    if problems:
        raise InvalidInput("; ".join(p["message"] for p in problems) + ".", code="unknown_sku", errors=problems)
    return [(found[ln.sku], ln.qty) for ln in data.lines]


async def get_order(uow: UnitOfWork, order_id: int, *, lock: bool = False) -> SalesOrder:
    stmt = select(SalesOrder).where(SalesOrder.id == order_id)
    if lock:
        stmt = for_update(stmt)
    order = (await uow.session.execute(stmt)).scalar_one_or_none()
    if order is None:
        raise NotFound(f"There is no order {order_id}.", code="order_not_found")
    uow.caller.check_owner(order.owner_id)
    return order


async def order_lines(uow: UnitOfWork, order_ids: Sequence[int]) -> dict[int, list[OrderLine]]:
    out: dict[int, list[OrderLine]] = {i: [] for i in order_ids}
    rows = (
        await uow.session.execute(
            select(OrderLine)
            .where(OrderLine.order_id.in_(list(order_ids)))
            .order_by(OrderLine.order_id, OrderLine.line_no)
        )
    ).scalars()
    for ln in rows:
        out.setdefault(ln.order_id, []).append(ln)
    return out


async def _find(uow: UnitOfWork, owner_id: int, data: OrderIn) -> SalesOrder | None:
    return (
        await uow.session.execute(
            for_update(
                select(SalesOrder).where(
                    SalesOrder.owner_id == owner_id,
                    SalesOrder.channel == data.channel,
                    SalesOrder.channel_order_id == data.channel_order_id,
                )
            )
        )
    ).scalar_one_or_none()


def _apply_header(order: SalesOrder, data: OrderIn, digest: str) -> None:
    order.warehouse_id = data.warehouse_id
    order.order_type = data.order_type
    order.priority = data.priority
    order.cutoff_at = data.cutoff_at
    order.carrier = data.carrier
    order.service = data.service
    order.ship_to = data.ship_to.model_dump()
    order.content_hash = digest


async def submit_order(uow: UnitOfWork, data: OrderIn) -> tuple[SalesOrder, str]:
    """Take in one order: ``created``, ``unchanged`` (a repeat), or ``updated`` (a change before release).

    A change after release is refused (409 ``order_locked``); cancel from the channel instead."""
    owner_id = uow.caller.resolve_owner(data.owner_id)
    if await uow.session.get(Warehouse, data.warehouse_id) is None:
        raise NotFound(f"There is no warehouse {data.warehouse_id}.", code="warehouse_not_found")
    lines = await _lines_for(uow, owner_id, data)
    digest = content_hash(data)
    order = await _find(uow, owner_id, data)
    if order is None:
        try:
            async with uow.session.begin_nested():
                order = SalesOrder(
                    owner_id=owner_id,
                    channel=data.channel,
                    channel_order_id=data.channel_order_id,
                    status=OrderStatus.RECEIVED,
                    hold_reason="",
                )
                _apply_header(order, data, digest)
                uow.session.add(order)
                await uow.session.flush()
        except IntegrityError:
            # the same order submitted twice at the same moment: the other one won; treat this as its repeat
            order = await _find(uow, owner_id, data)
            if order is None:
                raise
            return await _resubmit(uow, order, data, digest, lines)
        for n, (sku_id, qty) in enumerate(lines, start=1):
            uow.session.add(OrderLine(order_id=order.id, line_no=n, sku_id=sku_id, qty=qty))
        await uow.session.flush()
        publish(uow, order, "received")
        return order, "created"
    return await _resubmit(uow, order, data, digest, lines)


async def _resubmit(
    uow: UnitOfWork, order: SalesOrder, data: OrderIn, digest: str, lines: list[tuple[int, int]]
) -> tuple[SalesOrder, str]:
    if order.content_hash == digest:
        return order, "unchanged"
    if order.status not in CHANGEABLE:
        raise Conflict(
            f"Order {order.channel_order_id} is already {order.status}; it can no longer be changed "
            "(cancel it, and send a new order).",
            code="order_locked",
            order_id=order.id,
            order_status=order.status.value,
        )
    await _release_allocations(uow, order)
    for ln in (await order_lines(uow, [order.id]))[order.id]:
        await uow.session.delete(ln)
    await uow.session.flush()
    _apply_header(order, data, digest)
    for n, (sku_id, qty) in enumerate(lines, start=1):
        uow.session.add(OrderLine(order_id=order.id, line_no=n, sku_id=sku_id, qty=qty))
    set_status(order, OrderStatus.RECEIVED)
    order.wave_id = None
    await uow.session.flush()
    publish(uow, order, "changed")
    return order, "updated"


def _problems(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]} for e in exc.errors()]


async def submit_bulk(uow: UnitOfWork, raw_orders: list[dict[str, Any]]) -> list[IntakeResult]:
    """Each order on its own (a savepoint each): valid ones are taken in, invalid ones listed with every problem."""
    results: list[IntakeResult] = []
    for i, raw in enumerate(raw_orders):
        ref = str(raw.get("channel_order_id", "")) if isinstance(raw, dict) else ""
        try:
            data = OrderIn.model_validate(raw)
        except ValidationError as exc:
            problems = _problems(exc)
            results.append(
                IntakeResult(
                    index=i,
                    channel_order_id=ref,
                    outcome="rejected",
                    status=422,
                    code="invalid_input",
                    detail="; ".join(f"{p['field']}: {p['message']}" for p in problems) + ".",
                    errors=problems,
                )
            )
            continue
        try:
            async with uow.session.begin_nested():
                order, outcome = await submit_order(uow, data)
            results.append(
                IntakeResult(
                    index=i,
                    channel_order_id=ref,
                    outcome=outcome,
                    order_id=order.id,
                    status=201 if outcome == "created" else 200,
                )
            )
        except DomainError as exc:
            results.append(
                IntakeResult(
                    index=i,
                    channel_order_id=ref,
                    outcome="rejected",
                    status=exc.status,
                    code=exc.code,
                    detail=exc.message,
                    errors=exc.errors,
                )
            )
    return results


# -- holds and cancellation ----------------------------------------------------------------------------------
async def hold(uow: UnitOfWork, order_id: int, reason: str) -> SalesOrder:
    order = await get_order(uow, order_id, lock=True)
    if order.status not in CHANGEABLE:
        raise Conflict(
            f"Order {order.channel_order_id} is {order.status}; only an order not yet released can be held.",
            code="order_locked",
        )
    order.hold_reason = reason
    order.wave_id = None
    await uow.session.flush()
    publish(uow, order, "held", reason=reason)
    return order


async def unhold(uow: UnitOfWork, order_id: int) -> SalesOrder:
    order = await get_order(uow, order_id, lock=True)
    if not order.hold_reason:
        raise Conflict(f"Order {order.channel_order_id} is not on hold.", code="not_held")
    order.hold_reason = ""
    await uow.session.flush()
    publish(uow, order, "unheld")
    return order


async def _release_allocations(uow: UnitOfWork, order: SalesOrder) -> None:
    """Give back every open reservation of the order and cancel its open pick tasks."""
    allocs = list(
        (await uow.session.execute(select(Allocation).where(Allocation.order_id == order.id, Allocation.qty > 0)))
        .scalars()
        .all()
    )
    await InventoryService(uow).deallocate([(a.stock_id, a.qty) for a in allocs])
    task_ids = [
        a.task_id
        for a in (await uow.session.execute(select(Allocation).where(Allocation.order_id == order.id))).scalars()
        if a.task_id is not None
    ]
    if task_ids:
        for task in (await uow.session.execute(for_update(select(Task).where(Task.id.in_(task_ids))))).scalars():
            if task.status not in TASK_FINAL:
                task.status = TaskStatus.CANCELLED
                task.note = f"order {order.channel_order_id} cancelled or changed"
    for a in allocs:
        a.qty = 0
    for ln in (await order_lines(uow, [order.id]))[order.id]:
        ln.allocated_qty = 0
    await uow.session.flush()


async def _put_back(uow: UnitOfWork, order: SalesOrder) -> list[Task]:
    """A move task per stock row in the order's tote on the cart, back to where its SKU was picked."""
    if not order.tote:
        return []
    picked_from: dict[int, int] = {}
    for a in (
        await uow.session.execute(
            select(Allocation).where(Allocation.order_id == order.id, Allocation.picked_qty > 0).order_by(Allocation.id)
        )
    ).scalars():
        sku_id = (await uow.session.execute(select(Stock.sku_id).where(Stock.id == a.stock_id))).scalar_one()
        picked_from.setdefault(sku_id, a.location_id)
    on_cart = (
        await uow.session.execute(
            select(Stock)
            .where(Stock.owner_id == order.owner_id, Stock.lpn == order.tote, Stock.on_hand > 0)
            .order_by(Stock.id)
        )
    ).scalars()
    made = []
    for stock in on_cart:
        back_to = picked_from.get(stock.sku_id)
        if back_to is None or back_to == stock.location_id:
            continue
        made.append(
            await create_move_task(
                uow,
                stock_id=stock.id,
                qty=stock.on_hand,
                to_location_id=back_to,
                reason="put_back",
                doc_type="order_cancelled",
                doc_ref=order.channel_order_id,
                priority=20,
                details={"to_lpn": ""},  # off the tote, back onto the shelf
            )
        )
    return made


async def reserved_by_orders(session: AsyncSession) -> dict[int, int]:
    """Units each stock row holds for open order allocations (for the audit: this must equal its allocated)."""
    rows = await session.execute(
        select(Allocation.stock_id, func.sum(Allocation.qty)).where(Allocation.qty > 0).group_by(Allocation.stock_id)
    )
    return {stock_id: int(total) for stock_id, total in rows.all()}


async def cancel(uow: UnitOfWork, order_id: int, reason: str) -> SalesOrder:
    """Cancel (allowed until packed): reservations go back to stock, open pick tasks are cancelled, and units
    already picked get put-back tasks from the cart's tote to the locations they were picked from."""
    order = await get_order(uow, order_id, lock=True)
    check_transition(order.status, OrderStatus.CANCELLED, f"Order {order.channel_order_id}")
    await _release_allocations(uow, order)
    if order.status in (OrderStatus.PICKING, OrderStatus.PICKED):
        await _put_back(uow, order)
    order.status = OrderStatus.CANCELLED
    order.cancel_reason = reason[:200]
    await uow.session.flush()
    publish(uow, order, "cancelled", reason=reason)
    return order


# -- allocation ----------------------------------------------------------------------------------------------
async def _lock_orders(uow: UnitOfWork, ids: Sequence[int]) -> list[SalesOrder]:
    return list(
        (
            await uow.session.execute(
                for_update(select(SalesOrder).where(SalesOrder.id.in_(sorted(set(ids)))).order_by(SalesOrder.id))
            )
        )
        .scalars()
        .all()
    )


async def reserve(
    uow: UnitOfWork,
    orders: Sequence[SalesOrder],
    lines: dict[int, list[OrderLine]],
    *,
    warehouse_id: int,
    exclude_stock: Sequence[int] = (),
) -> tuple[list[Allocation], list[tuple[int, rules.Shortage]]]:
    """Reserve stock for the open quantity of these orders' lines (in the order given), rows locked first.

    Returns the new allocations and every (order id, shortage)."""
    inv = InventoryService(uow)
    sku_ids = sorted({ln.sku_id for ls in lines.values() for ln in ls if ln.open_qty > 0})
    locked = await inv.lock_free_stock(sku_ids, warehouse_id, exclude=exclude_stock)
    stock_by_id: dict[int, tuple[Stock, Location]] = {s.id: (s, loc) for s, loc in locked}
    expiry_controlled = dict(
        (await uow.session.execute(select(Sku.id, Sku.expiry_controlled).where(Sku.id.in_(sku_ids)))).all()
    )
    by_sku: dict[int, list[tuple[Stock, Location]]] = {}
    for s, loc in locked:
        by_sku.setdefault(s.sku_id, []).append((s, loc))
    made: list[Allocation] = []
    shortages: list[tuple[int, rules.Shortage]] = []
    for order in orders:
        needs = [
            rules.Need(
                ln.id, ln.sku_id, ln.open_qty, rules.rotation_for(expiry_controlled=bool(expiry_controlled[ln.sku_id]))
            )
            for ln in lines[order.id]
            if ln.open_qty > 0
        ]
        candidates = [
            rules.Candidate(
                stock_id=s.id,
                sku_id=s.sku_id,
                free=s.available,
                pick_face=loc.type == LocationType.PICK_FACE,
                received_at=s.received_at,
                expiry=s.expiry,
                lot=s.lot,
                location_code=loc.code,
            )
            for sku_id in {ln.sku_id for ln in lines[order.id]}
            for s, loc in by_sku.get(sku_id, [])
            if s.owner_id == order.owner_id
        ]
        takes, short = rules.plan(needs, candidates)
        by_line = {ln.id: ln for ln in lines[order.id]}
        for t in takes:
            stock, loc = stock_by_id[t.stock_id]
            await inv.allocate(stock, t.qty)
            by_line[t.line_id].allocated_qty += t.qty
            alloc = Allocation(order_id=order.id, line_id=t.line_id, stock_id=t.stock_id, location_id=loc.id, qty=t.qty)
            uow.session.add(alloc)
            made.append(alloc)
        shortages += [(order.id, s) for s in short]
    await uow.session.flush()
    return made, shortages


def _shortage_error(shortages: list[tuple[int, rules.Shortage]], skus: dict[int, str]) -> InsufficientStock:
    errors = [
        {
            "order_id": oid,
            "line_id": s.line_id,
            "sku_id": s.sku_id,
            "sku": skus.get(s.sku_id, ""),
            "requested": s.requested,
            "available": s.allocated,
            "message": f"SKU {skus.get(s.sku_id, s.sku_id)}: {s.requested} wanted, {s.allocated} free",
        }
        for oid, s in shortages
    ]
    return InsufficientStock(
        "Not enough free stock for: " + "; ".join(str(e["message"]) for e in errors) + ".", errors=errors
    )


async def allocate_orders(
    uow: UnitOfWork, warehouse_id: int, order_ids: Sequence[int] | None = None, *, partial: bool = True
) -> tuple[list[SalesOrder], list[tuple[int, rules.Shortage]]]:
    """Reserve stock for open orders (most urgent first: priority, then cut-off, then age).

    ``partial``: keep what could be reserved and backorder the rest; otherwise refuse with one
    ``insufficient_stock`` answer listing every shortage, reserving nothing."""
    stmt = select(SalesOrder.id).where(
        SalesOrder.warehouse_id == warehouse_id,
        SalesOrder.status.in_(list(ALLOCATABLE)),
        SalesOrder.hold_reason == "",
    )
    if uow.caller.owner_id is not None:
        stmt = stmt.where(SalesOrder.owner_id == uow.caller.owner_id)
    if order_ids is not None:
        stmt = stmt.where(SalesOrder.id.in_(list(order_ids)))
    ids = list((await uow.session.execute(stmt)).scalars())
    orders = [o for o in await _lock_orders(uow, ids) if o.status in ALLOCATABLE and not o.hold_reason]
    for o in orders:
        uow.caller.check_owner(o.owner_id)
    orders.sort(key=lambda o: (-o.priority, o.cutoff_at is None, o.cutoff_at or o.created_at, o.id))
    lines = await order_lines(uow, [o.id for o in orders])
    orders = [o for o in orders if any(ln.open_qty > 0 for ln in lines[o.id])]
    _, shortages = await reserve(uow, orders, lines, warehouse_id=warehouse_id)
    if shortages and not partial:
        skus = dict(
            (
                await uow.session.execute(select(Sku.id, Sku.code).where(Sku.id.in_({s.sku_id for _, s in shortages})))
            ).all()
        )
        raise _shortage_error(shortages, skus)
    short_orders = {oid for oid, _ in shortages}
    for o in orders:
        set_status(o, OrderStatus.BACKORDERED if o.id in short_orders else OrderStatus.ALLOCATED)
        publish(uow, o, o.status.value)
    await uow.session.flush()
    return orders, shortages


async def allocate_one(uow: UnitOfWork, order_id: int, *, partial: bool) -> SalesOrder:
    order = await get_order(uow, order_id)
    if order.hold_reason:
        raise Conflict(f"Order {order.channel_order_id} is on hold ({order.hold_reason}).", code="order_on_hold")
    if order.status not in ALLOCATABLE:
        raise Conflict(
            f"Order {order.channel_order_id} is {order.status}; it cannot be allocated now.", code="invalid_transition"
        )
    await allocate_orders(uow, order.warehouse_id, [order.id], partial=partial)
    return order
