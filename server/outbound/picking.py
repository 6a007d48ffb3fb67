"""Batch picking on the handheld: claim the next batch, the pick list in route order, confirm by scans, short
picks (count task, re-allocation into the batch in route order, backorder), and pausing a batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, String, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from optimizer import route
from server.catalog.models import Barcode, Sku
from server.catalog.services import barcode_candidates
from server.db.base import utcnow
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.exceptions.services import open_exception
from server.identity.models import Warehouse
from server.inventory.models import Stock
from server.inventory.services import DocRef, InventoryService, PickFacts, pick_fact_columns
from server.layout.graph import walking_model
from server.layout.models import Location, LocationType, Zone
from server.layout.rules import check_digits_for
from server.outbound.models import Allocation, BatchStatus, OrderLine, OrderStatus, PickBatch, SalesOrder
from server.outbound.scans import ItemScan, location_matches, parse_item
from server.outbound.services import publish, reserve, set_status
from server.outbound.waves import PICK_DOC
from server.tasks import services as tasks
from server.tasks.models import Task, TaskStatus, TaskType

OPEN_TASK = frozenset({TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.IN_PROGRESS})
MANAGERS = frozenset({"admin", "supervisor"})


def _batch_event(uow: UnitOfWork, batch: PickBatch, event: str, **extra: Any) -> None:
    uow.emit(
        "picking",
        {
            "event": event,
            "batch_id": batch.id,
            "wave_id": batch.wave_id,
            "warehouse_id": batch.warehouse_id,
            "status": batch.status.value,
            "assignee_id": batch.assignee_id,
            **extra,
        },
    )


async def batch_tasks(uow: UnitOfWork, batch: PickBatch, *, lock: bool = False) -> list[Task]:
    stmt = select(Task).where(Task.doc_type == PICK_DOC, Task.doc_ref == batch.code).order_by(Task.id)
    if lock:
        stmt = for_update(stmt)
    rows = list((await uow.session.execute(stmt)).scalars())
    return sorted(rows, key=lambda t: (float(t.details.get("seq", 0)), t.id))


async def get_batch(uow: UnitOfWork, batch_id: int, *, lock: bool = False) -> PickBatch:
    stmt = select(PickBatch).where(PickBatch.id == batch_id)
    if lock:
        stmt = for_update(stmt)
    batch = (await uow.session.execute(stmt)).scalar_one_or_none()
    if batch is None:
        raise NotFound(f"There is no pick batch {batch_id}.", code="batch_not_found")
    _staff_only(uow)
    return batch


def _staff_only(uow: UnitOfWork) -> None:
    if uow.caller.owner_id is not None:
        raise Forbidden("Pick batches hold several owners' orders; only warehouse staff see them.", code="forbidden")


async def _cart_location(uow: UnitOfWork, warehouse_id: int) -> int:
    """A free cart (a staging location ``CART-nn`` outside the walking grid), made when all are in use."""
    carts = dict(
        (
            await uow.session.execute(
                select(Location.code, Location.id).where(
                    Location.warehouse_id == warehouse_id,
                    Location.type == LocationType.STAGING,
                    Location.code.like("CART-%"),
                )
            )
        ).all()
    )
    busy = set(
        (
            await uow.session.execute(
                select(PickBatch.cart_location_id).where(
                    PickBatch.warehouse_id == warehouse_id, PickBatch.status == BatchStatus.CLAIMED
                )
            )
        ).scalars()
    )
    for code in sorted(carts):
        if carts[code] not in busy:
            return int(carts[code])
    wh = await uow.session.get(Warehouse, warehouse_id)
    zone_id = (
        await uow.session.execute(select(Zone.id).where(Zone.warehouse_id == warehouse_id).order_by(Zone.id).limit(1))
    ).scalar_one_or_none()
    if wh is None or zone_id is None:
        raise InvalidInput("This warehouse has no zones for carts yet.", code="no_layout")
    code = f"CART-{len(carts) + 1:02d}"
    loc = Location(
        warehouse_id=warehouse_id,
        zone_id=zone_id,
        code=code,
        type=LocationType.STAGING,
        check_digits=check_digits_for(wh.code, code),
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(loc)
            await uow.session.flush()
    except IntegrityError:
        # another picker's claim made this cart a moment ago; share it (totes keep the batches apart)
        return int(
            (
                await uow.session.execute(
                    select(Location.id).where(Location.warehouse_id == warehouse_id, Location.code == code)
                )
            ).scalar_one()
        )
    return loc.id


async def claim_next(uow: UnitOfWork, warehouse_id: int) -> PickBatch:
    """The caller's batch in hand, or the most urgent open one (priority, then cut-off), locked so that two
    pickers asking at once never get the same batch (``FOR UPDATE SKIP LOCKED``)."""
    user_id = uow.caller.user_id
    if user_id is None:
        raise Forbidden("Only a logged-in picker can hold a batch.", code="forbidden")
    mine = (
        await uow.session.execute(
            select(PickBatch).where(
                PickBatch.warehouse_id == warehouse_id,
                PickBatch.status == BatchStatus.CLAIMED,
                PickBatch.assignee_id == user_id,
            )
        )
    ).scalar_one_or_none()
    if mine is not None:
        return mine
    batch = (
        await uow.session.execute(
            for_update(
                select(PickBatch)
                .where(PickBatch.warehouse_id == warehouse_id, PickBatch.status == BatchStatus.OPEN)
                .order_by(PickBatch.priority.desc(), PickBatch.cutoff_at.is_(None), PickBatch.cutoff_at, PickBatch.id)
                .limit(1),
                skip_locked=True,
            )
        )
    ).scalar_one_or_none()
    if batch is None:
        raise NotFound("There is no open pick batch right now.", code="no_batch")
    batch.status = BatchStatus.CLAIMED
    batch.assignee_id = user_id
    batch.claimed_at = utcnow()
    if batch.cart_location_id is None:
        batch.cart_location_id = await _cart_location(uow, warehouse_id)
    for t in await batch_tasks(uow, batch, lock=True):
        if t.status == TaskStatus.OPEN:
            t.status = TaskStatus.CLAIMED
            t.assignee_id = user_id
            t.claimed_at = batch.claimed_at
    await uow.session.flush()
    _batch_event(uow, batch, "claimed")
    return batch


def _check_batch_holder(uow: UnitOfWork, batch: PickBatch) -> None:
    if batch.status != BatchStatus.CLAIMED:
        raise Conflict(f"Batch {batch.code} is {batch.status}; claim it first.", code="batch_not_claimed")
    if batch.assignee_id != uow.caller.user_id and uow.caller.role.value not in MANAGERS:
        raise Conflict(f"Batch {batch.code} is held by another picker.", code="batch_held_by_other")


async def release_batch(uow: UnitOfWork, batch_id: int) -> PickBatch:
    """Pause: the batch goes back to the queue with its cart; what was picked stays picked on the cart."""
    batch = await get_batch(uow, batch_id, lock=True)
    _check_batch_holder(uow, batch)
    batch.status = BatchStatus.OPEN
    batch.assignee_id = None
    batch.claimed_at = None
    for t in await batch_tasks(uow, batch, lock=True):
        if t.status in (TaskStatus.CLAIMED, TaskStatus.IN_PROGRESS):
            t.status = TaskStatus.OPEN
            t.assignee_id = None
            t.claimed_at = None
            t.started_at = None
    await uow.session.flush()
    _batch_event(uow, batch, "released")
    return batch


@dataclass(slots=True)
class _Pick:
    """A pick being confirmed with the rows it changes, read (and locked) together by :func:`_load_pick`. Holding
    them here also keeps them in the session, so the services called later find them without reading again."""

    order: SalesOrder
    task: Task
    batch: PickBatch
    alloc: Allocation
    line: OrderLine
    location: Location | None
    stock: Stock | None
    facts: PickFacts
    item_known: bool


@cache
def _pick_statements() -> tuple[Any, Any]:
    """The two statements of :func:`_load_pick`, built once (parameters ``task_id`` and ``codes``, the stored
    barcode values the scanned item may match): a pick is the floor's most frequent request, and building and
    keying a statement of this size costs more than running it."""
    task_id = bindparam("task_id", type_=BigInteger)
    order_of_task = (
        select(Task.details["order_id"].as_integer())
        .where(Task.id == task_id, Task.type == TaskType.PICK)
        .scalar_subquery()
    )
    lock_order = for_update(select(SalesOrder).where(SalesOrder.id == order_of_task))
    known = (
        select(Barcode.id)
        .where(Barcode.sku_id == Task.sku_id, Barcode.value.in_(bindparam("codes", expanding=True)))
        .exists()
    )
    frozen, face = pick_fact_columns(Task.from_location_id, Task.sku_id)
    read_pick = (
        select(Task, PickBatch, Allocation, OrderLine, Location, Stock, frozen, face, known.label("item_known"))
        .join(PickBatch, PickBatch.id == Task.details["batch_id"].as_integer())
        .join(Allocation, Allocation.id == Task.details["allocation_id"].as_integer())
        .join(OrderLine, OrderLine.id == Task.details["line_id"].as_integer())
        .outerjoin(Location, Location.id == Task.from_location_id)
        .outerjoin(Stock, Stock.id == Task.stock_id)
        .where(Task.id == task_id, Task.type == TaskType.PICK, Task.doc_type == PICK_DOC)
    )
    return lock_order, for_update(read_pick, of=[Task, PickBatch, Allocation, OrderLine])


async def _load_pick(uow: UnitOfWork, task_id: int, item: ItemScan | None) -> _Pick:
    """The pick, its batch, allocation, order line, location and stock row in two statements; refused unless the
    caller holds the pick and its batch.

    Lock order: the sales order first (as cancellation does), then the task, the batch, the allocation and the
    order line (one statement: every writer of these rows holds their order's lock first), the stock rows last,
    so that a confirm and a cancel of the same order never wait for each other in a circle. With the rows come
    what the checks need: whether the scanned item is one of the SKU's barcodes, and the location's count freeze
    and pick-face rules (:func:`server.inventory.services.pick_fact_columns`)."""
    lock_order, read_pick = _pick_statements()
    params = {"task_id": task_id, "codes": barcode_candidates(item.gtin or item.code) if item else []}
    order = (await uow.session.execute(lock_order, params)).scalar_one_or_none()
    row = (await uow.session.execute(read_pick, params)) if order is not None else None
    found = row.one_or_none() if row is not None else None
    if order is None or found is None:
        raise await _why_no_pick(uow, task_id)
    task, batch, alloc, line, loc, stock, frozen_id, face_rules, item_known = found
    uow.caller.check_owner(task.owner_id)
    if task.status == TaskStatus.DONE:
        raise Conflict(f"Pick {task_id} is already done.", code="task_final")
    tasks.check_holder(uow, task)
    _staff_only(uow)
    _check_batch_holder(uow, batch)
    return _Pick(order, task, batch, alloc, line, loc, stock, PickFacts(frozen_id, bool(face_rules)), bool(item_known))


async def _why_no_pick(uow: UnitOfWork, task_id: int) -> Exception:
    """The refusal for a task id :func:`_load_pick` found no pick for (the task, its batch or allocation gone)."""
    task = await tasks.get_task(uow, task_id)  # raises when there is no such task
    if task.type != TaskType.PICK or task.doc_type != PICK_DOC:
        return NotFound(f"Task {task_id} is not a pick of a batch.", code="task_not_found")
    await get_batch(uow, int(task.details["batch_id"]))  # raises when the batch is gone
    return NotFound("The pick's allocation is gone.", code="allocation_not_found")


def _check_location(p: _Pick, scanned: str) -> Location:
    loc = p.location
    if loc is None:
        raise NotFound("The pick's location is gone.", code="location_not_found")
    if not location_matches(scanned, code=loc.code, check_digits=loc.check_digits):
        raise InvalidInput(
            f"Wrong location: this pick is at {loc.code}; scan its label or type its check digits.",
            code="wrong_location",
            errors=[{"field": "location", "message": f"expected {loc.code}"}],
        )
    return loc


async def _check_item(uow: UnitOfWork, p: _Pick, scan: ItemScan) -> None:
    task = p.task
    if scan.code and task.lpn and scan.code == task.lpn:
        return
    if not p.item_known:
        sku = await uow.session.get(Sku, task.sku_id)
        expected = sku.code if sku else str(task.sku_id)
        raise InvalidInput(
            f"Wrong item: scanned {scan.raw!r}, this pick is SKU {expected}.",
            code="wrong_item",
            errors=[{"field": "item", "message": f"expected SKU {expected}"}],
        )
    if scan.lot and task.lot and scan.lot != task.lot:
        raise InvalidInput(
            f"Wrong lot: scanned lot {scan.lot}, this pick is lot {task.lot}.",
            code="wrong_lot",
            errors=[{"field": "item", "message": f"expected lot {task.lot}"}],
        )


def _book(p: _Pick, qty: int) -> None:
    """Book ``qty`` picked on the allocation, the order line and the task (the stock moves in :func:`_move`)."""
    if p.batch.cart_location_id is None:
        raise Conflict(f"Batch {p.batch.code} has no cart.", code="batch_not_claimed")
    if p.task.stock_id is None:
        raise NotFound("The pick's allocation is gone.", code="allocation_not_found")
    p.alloc.qty -= qty
    p.alloc.picked_qty += qty
    p.line.allocated_qty -= qty
    p.line.picked_qty += qty
    p.task.details = {**p.task.details, "picked": int(p.task.details.get("picked", 0)) + qty}
    flag_modified(p.task, "details")


async def _move(uow: UnitOfWork, p: _Pick, qty: int) -> None:
    """Move ``qty`` from the location to the cart's tote (the shared stock row is locked last, see
    :meth:`InventoryService.pick`)."""
    task, batch = p.task, p.batch
    assert task.stock_id is not None and batch.cart_location_id is not None  # checked by _book
    await InventoryService(uow).pick(
        task.stock_id,
        qty,
        batch.cart_location_id,
        to_lpn=str(task.details["tote"]),
        doc=DocRef(PICK_DOC, batch.code),
        note=f"order {task.details['order_id']}",
        facts=p.facts,
    )


async def _take(uow: UnitOfWork, p: _Pick, qty: int) -> None:
    """Move ``qty`` from the location to the cart's tote and book it on the allocation, line and order."""
    _book(p, qty)
    await _move(uow, p, qty)


@cache
def _completion_statement() -> Any:
    """Has the order lines with units left to reserve, reservations left to pick; has the batch open picks other
    than this one; the order's backordered units (parameters ``order_id``, ``batch_code``, ``task_id``)."""
    order_id = bindparam("order_id", type_=BigInteger)
    open_qty = OrderLine.qty - OrderLine.allocated_qty - OrderLine.picked_qty - OrderLine.backordered_qty
    lines_open = select(OrderLine.id).where(OrderLine.order_id == order_id, open_qty != 0).exists()
    picks_open = select(Allocation.id).where(Allocation.order_id == order_id, Allocation.qty > 0).exists()
    batch_open = (
        select(Task.id)
        .where(
            Task.doc_type == PICK_DOC,
            Task.doc_ref == bindparam("batch_code", type_=String),
            Task.status.in_(list(OPEN_TASK)),
            Task.id != bindparam("task_id", type_=BigInteger),
        )
        .exists()
    )
    backordered = (
        select(func.coalesce(func.sum(OrderLine.backordered_qty), 0))
        .where(OrderLine.order_id == order_id)
        .scalar_subquery()
    )
    return select(lines_open, picks_open, batch_open, backordered)


async def _after_pick(uow: UnitOfWork, p: _Pick) -> None:
    """The order is picked when no line has units left to reserve and no reservation is left to pick; the batch
    is done when it has no open pick left. Both are read in one statement (after this pick's own changes)."""
    order, batch = p.order, p.batch
    if order.status == OrderStatus.RELEASED:
        set_status(order, OrderStatus.PICKING)
    lines_left, picks_left, batch_left, short = (
        await uow.session.execute(
            _completion_statement(), {"order_id": order.id, "batch_code": batch.code, "task_id": p.task.id}
        )
    ).one()
    if not lines_left and not picks_left and order.status == OrderStatus.PICKING:
        set_status(order, OrderStatus.PICKED)
        publish(uow, order, "picked", backordered=int(short))
    if not batch_left:
        batch.status = BatchStatus.DONE
        batch.done_at = utcnow()
        _batch_event(uow, batch, "done")
    await uow.session.flush()


async def confirm(uow: UnitOfWork, task_id: int, location: str, item: str, qty: int) -> tuple[Task, PickBatch]:
    """Confirm a pick by scans; a wrong location, item, lot or an over-pick is refused and changes nothing."""
    scan = parse_item(item)
    p = await _load_pick(uow, task_id, scan)
    task, batch = p.task, p.batch
    _check_location(p, location)
    await _check_item(uow, p, scan)
    left = task.qty - int(task.details.get("picked", 0))
    if qty > left:
        raise InvalidInput(
            f"Over-pick: {left} left to pick here, {qty} confirmed.",
            code="over_pick",
            errors=[{"field": "qty", "message": f"at most {left}"}],
        )
    if task.status == TaskStatus.CLAIMED:
        task.status = TaskStatus.IN_PROGRESS
        task.started_at = utcnow()
    _book(p, qty)
    if qty == left:
        await tasks.finish(uow, task)
        await _after_pick(uow, p)
    await _move(uow, p, qty)  # last: the location's stock row stays locked only until the commit
    await uow.session.flush()
    _batch_event(uow, batch, "picked", task_id=task.id, qty=qty)
    return task, batch


async def short(uow: UnitOfWork, task_id: int, location: str, found_qty: int, item: str | None) -> dict[str, Any]:
    """The picker found fewer units than asked: pick what is there, count the location, re-allocate the rest
    from other stock (new picks in the batch, in route order) and backorder what cannot be found."""
    scan = parse_item(item) if item else None
    p = await _load_pick(uow, task_id, scan)
    task, batch, alloc, line, order = p.task, p.batch, p.alloc, p.line, p.order
    loc = _check_location(p, location)
    left = task.qty - int(task.details.get("picked", 0))
    if found_qty >= left:
        raise InvalidInput(
            f"{left} are to be picked here; with {found_qty} found this is no short pick: confirm it.",
            code="not_short",
        )
    if found_qty > 0:
        if scan is None:
            raise InvalidInput("Scan the item you pick (item).", code="item_required")
        await _check_item(uow, p, scan)
        await _take(uow, p, found_qty)
    missing = left - found_qty
    assert task.stock_id is not None  # a pick is made from a stock row (see waves.release)
    await InventoryService(uow).deallocate([(task.stock_id, missing)])
    alloc.qty -= missing
    line.allocated_qty -= missing
    task.note = f"short: {found_qty} of {left} found"
    await tasks.finish(uow, task)
    count = await tasks.create_task(
        uow,
        type=TaskType.COUNT,
        warehouse_id=task.warehouse_id,
        owner_id=task.owner_id,
        priority=10,
        sku_id=task.sku_id,
        stock_id=task.stock_id,
        lot=task.lot,
        lpn=task.lpn,
        from_location_id=task.from_location_id,
        doc_type="short_pick",
        doc_ref=batch.code,
        note=f"short pick at {loc.code}: {found_qty} of {left} found",
    )
    # re-allocate from other stock of the SKU (not the row just found short)
    made, _ = await reserve(
        uow, [order], {order.id: [line]}, warehouse_id=batch.warehouse_id, exclude_stock=[task.stock_id]
    )
    reallocated = sum(a.qty for a in made)
    backordered = missing - reallocated
    line.backordered_qty += backordered
    if made:
        await _add_picks(uow, batch, order, made, task)
    if order.status == OrderStatus.RELEASED:
        set_status(order, OrderStatus.PICKING)
    await _after_pick(uow, p)
    await open_exception(
        uow,
        "short_pick",
        warehouse_id=batch.warehouse_id,
        owner_id=order.owner_id,
        ref_type="task",
        ref_id=str(task.id),
        message=(
            f"Short pick at {loc.code} for order {order.channel_order_id}: {found_qty} of {left} found, "
            f"{reallocated} re-allocated, {backordered} backordered."
        ),
        details={
            "batch_id": batch.id,
            "batch": batch.code,
            "order_id": order.id,
            "task_id": task.id,
            "location": loc.code,
            "found": found_qty,
            "missing": missing,
            "reallocated": reallocated,
            "backordered": backordered,
            "count_task_id": count.id,
        },
    )
    await uow.session.flush()
    return {
        "picked": found_qty,
        "reallocated": reallocated,
        "backordered": backordered,
        "count_task_id": count.id,
    }


async def _add_picks(
    uow: UnitOfWork, batch: PickBatch, order: SalesOrder, made: Sequence[Allocation], like: Task
) -> None:
    """New picks for re-allocated stock, then the batch's open picks re-sequenced along an optimal route."""
    new: list[Task] = []
    held = batch.status == BatchStatus.CLAIMED  # a batch not yet claimed gets open picks, handed out with it
    for a in made:
        s = await uow.session.get(Stock, a.stock_id)
        assert s is not None
        t = Task(
            type=TaskType.PICK,
            status=TaskStatus.CLAIMED if held else TaskStatus.OPEN,
            warehouse_id=batch.warehouse_id,
            owner_id=order.owner_id,
            priority=like.priority,
            assignee_id=batch.assignee_id if held else None,
            claimed_at=utcnow() if held else None,
            sku_id=s.sku_id,
            qty=a.qty,
            lot=s.lot,
            expiry=s.expiry,
            lpn=s.lpn,
            stock_id=s.id,
            from_location_id=a.location_id,
            doc_type=PICK_DOC,
            doc_ref=batch.code,
            details={**like.details, "allocation_id": a.id, "picked": 0, "seq": 0},
        )
        uow.session.add(t)
        new.append(t)
    await uow.session.flush()
    for a, t in zip(made, new, strict=True):
        a.task_id = t.id
    all_tasks = await batch_tasks(uow, batch)
    done = [t for t in all_tasks if t.status not in OPEN_TASK]
    todo = [t for t in all_tasks if t.status in OPEN_TASK]
    model = await walking_model(uow, batch.warehouse_id)
    positions = [model.positions.get(t.from_location_id or 0) for t in todo]
    base = max((float(t.details.get("seq", 0)) for t in done), default=-1.0) + 1
    if todo and all(p is not None for p in positions):
        r = route(model.layout, [p for p in positions if p is not None], time_limit_s=0.5)
        batch.route_m = round(r.length_m, 2)
        ordered = [todo[i] for i in r.order]
    else:
        ordered = todo
    for n, t in enumerate(ordered):
        t.details = {**t.details, "seq": base + n}
        flag_modified(t, "details")
    await uow.session.flush()
