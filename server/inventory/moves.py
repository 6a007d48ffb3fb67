"""Directed moves: a task to take units (or a whole LPN) from one location to another, confirmed on the handheld
by scanning the from-location, the item or LPN, the quantity and the to-location. Re-slotting, consolidation,
replenishment and return dispositions create these; every confirmation goes through :class:`InventoryService`
(one ledger row per stock row moved)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from server.db.base import utcnow
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.inventory.freeze import check_not_frozen
from server.inventory.models import LpnParent, MovementReason, Stock
from server.inventory.rules import require_positive
from server.inventory.scans import check_location, resolve_item
from server.inventory.services import DocRef, InventoryService
from server.layout.models import Location
from server.tasks import services as tasks
from server.tasks.models import Task, TaskStatus, TaskType

MOVE_TASK_TYPES = frozenset({TaskType.MOVE, TaskType.REPLENISH})
MOVE_DOC = "move_task"


async def _location(uow: UnitOfWork, location_id: int) -> Location:
    loc = await uow.session.get(Location, location_id)
    if loc is None:
        raise NotFound(f"There is no location {location_id}.", code="location_not_found")
    return loc


async def create_move_task(
    uow: UnitOfWork,
    *,
    stock_id: int,
    qty: int,
    to_location_id: int,
    reason: str,
    doc_type: str = "",
    doc_ref: str = "",
    priority: int = 50,
    task_type: TaskType = TaskType.MOVE,
    details: dict[str, Any] | None = None,
) -> Task:
    """A task to move ``qty`` units of a stock row to ``to_location_id`` (same warehouse). Nothing is reserved:
    at confirmation the units must still be free (409 ``insufficient_stock`` otherwise)."""
    require_positive(qty)
    stock = await InventoryService(uow).get_stock(stock_id)
    src = await _location(uow, stock.location_id)
    dest = await _location(uow, to_location_id)
    if dest.warehouse_id != src.warehouse_id:
        raise InvalidInput("A move stays inside one warehouse.", code="other_warehouse")
    if dest.id == src.id:
        raise InvalidInput(f"The stock is already at {dest.code}.", code="same_location")
    if qty > stock.on_hand:
        raise InvalidInput(
            f"Stock row {stock.id} holds {stock.on_hand}; a move of {qty} is more than is there.",
            code="invalid_quantity",
            errors=[{"field": "qty", "message": f"at most {stock.on_hand}"}],
        )
    return await tasks.create_task(
        uow,
        type=task_type,
        warehouse_id=src.warehouse_id,
        owner_id=stock.owner_id,
        priority=priority,
        sku_id=stock.sku_id,
        qty=qty,
        lot=stock.lot,
        expiry=stock.expiry,
        lpn=stock.lpn,
        stock_id=stock.id,
        from_location_id=src.id,
        to_location_id=dest.id,
        doc_type=doc_type or MOVE_DOC,
        doc_ref=doc_ref,
        note=reason[:500],
        details={"reason": reason, "moved": 0, **(details or {})},
    )


async def lpn_rows(uow: UnitOfWork, lpn: str, location_id: int, *, nested: bool = True) -> list[Stock]:
    """Stock rows on an LPN at a location, and (``nested``) on the LPNs sitting on it, in primary-key order."""
    codes = {lpn}
    if nested:
        frontier = {lpn}
        while frontier:
            children = set(
                (await uow.session.execute(select(LpnParent.lpn).where(LpnParent.parent_lpn.in_(frontier)))).scalars()
            )
            frontier = children - codes
            codes |= children
    rows = (
        await uow.session.execute(
            select(Stock)
            .where(Stock.lpn.in_(codes), Stock.location_id == location_id, Stock.on_hand > 0)
            .order_by(Stock.id)
        )
    ).scalars()
    return list(rows)


async def create_lpn_move_task(
    uow: UnitOfWork,
    *,
    lpn: str,
    from_location_id: int,
    to_location_id: int,
    reason: str,
    doc_type: str = "",
    doc_ref: str = "",
) -> Task:
    """A task to move a whole LPN (with the LPNs nested on it) in one scan."""
    rows = await lpn_rows(uow, lpn, from_location_id)
    if not rows:
        raise NotFound(f"There is nothing on LPN {lpn} at that location.", code="lpn_not_found")
    owners = {r.owner_id for r in rows}
    uow.caller.check_owner(rows[0].owner_id)
    if len(owners) > 1:
        raise InvalidInput(f"LPN {lpn} holds several owners' goods.", code="mixed_lpn")
    src = await _location(uow, from_location_id)
    dest = await _location(uow, to_location_id)
    if dest.warehouse_id != src.warehouse_id or dest.id == src.id:
        raise InvalidInput("Move the LPN to another location of the same warehouse.", code="invalid_destination")
    return await tasks.create_task(
        uow,
        type=TaskType.MOVE,
        warehouse_id=src.warehouse_id,
        owner_id=rows[0].owner_id,
        priority=50,
        qty=sum(r.on_hand for r in rows),
        lpn=lpn,
        from_location_id=src.id,
        to_location_id=dest.id,
        doc_type=doc_type or MOVE_DOC,
        doc_ref=doc_ref,
        note=reason[:500],
        details={"reason": reason, "whole_lpn": True, "moved": 0},
    )


def _ledger_reason(task: Task) -> MovementReason:
    return MovementReason.REPLENISH if task.type == TaskType.REPLENISH else MovementReason.MOVE


async def move_lpn(
    uow: UnitOfWork,
    lpn: str,
    from_location_id: int,
    to_location_id: int,
    *,
    reason: MovementReason,
    doc: DocRef,
    note: str = "",
) -> int:
    """Move every row on the LPN (and nested LPNs) at the location; the LPN codes stay. Returns units moved."""
    await check_not_frozen(uow, from_location_id)
    rows = await lpn_rows(uow, lpn, from_location_id)
    if not rows:
        raise NotFound(f"There is nothing on LPN {lpn} here.", code="lpn_not_found")
    inv = InventoryService(uow)
    moved = 0
    for r in rows:
        if r.allocated:
            raise Conflict(
                f"LPN {r.lpn} has {r.allocated} units reserved for orders; pick them first or move loose units.",
                code="lpn_allocated",
            )
        qty = r.on_hand
        await inv.move(r.id, qty, to_location_id, reason=reason, doc=doc, note=note)
        moved += qty
    return moved


async def confirm_move(
    uow: UnitOfWork, task_id: int, *, from_location: str, item: str, qty: int, to_location: str
) -> Task:
    """Confirm (part of) a move task by scans. Anything wrong is refused and changes nothing; the task is done when
    every unit has arrived."""
    task = await tasks.get_task(uow, task_id, lock=True)
    if task.type not in MOVE_TASK_TYPES:
        raise NotFound(f"Task {task_id} is not a move or replenishment.", code="task_not_found")
    if task.status == TaskStatus.DONE:
        raise Conflict(f"Task {task_id} is already done.", code="task_final")
    tasks.check_holder(uow, task)
    assert task.from_location_id is not None and task.to_location_id is not None
    src = await _location(uow, task.from_location_id)
    dest = await _location(uow, task.to_location_id)
    check_location(from_location, src, field="from_location")
    check_location(to_location, dest, field="to_location")
    await check_not_frozen(uow, src.id)
    await check_not_frozen(uow, dest.id)
    doc = DocRef(task.doc_type or MOVE_DOC, task.doc_ref or f"TASK-{task.id}")
    left = task.qty - int(task.details.get("moved", 0))
    if task.details.get("whole_lpn"):
        if item.strip() != task.lpn:
            raise InvalidInput(
                f"Scan LPN {task.lpn}: this task moves the whole LPN.",
                code="wrong_item",
                errors=[{"field": "item", "message": f"expected LPN {task.lpn}"}],
            )
        qty = await move_lpn(uow, task.lpn, src.id, dest.id, reason=_ledger_reason(task), doc=doc, note=task.note)
    else:
        scanned = await resolve_item(uow, item, task.owner_id, location_id=src.id)
        if scanned.sku_id != task.sku_id or (scanned.lot and task.lot and scanned.lot != task.lot):
            raise InvalidInput(
                "Wrong item: this is not the SKU or lot of the task.",
                code="wrong_item",
                errors=[{"field": "item", "message": "another SKU or lot"}],
            )
        require_positive(qty)
        if qty > left:
            raise InvalidInput(
                f"{left} units are left to move; {qty} confirmed.",
                code="over_move",
                errors=[{"field": "qty", "message": f"at most {left}"}],
            )
        if task.stock_id is None:
            raise Conflict(f"Task {task.id} names no stock.", code="no_stock")
        await InventoryService(uow).move(
            task.stock_id,
            qty,
            dest.id,
            to_lpn=task.details.get("to_lpn"),  # e.g. '' for a put-back off a tote
            reason=_ledger_reason(task),
            doc=doc,
            note=task.note,
        )
    if task.status == TaskStatus.CLAIMED:
        task.status = TaskStatus.IN_PROGRESS
        task.started_at = utcnow()
    task.details = {**task.details, "moved": int(task.details.get("moved", 0)) + qty}
    flag_modified(task, "details")
    if task.details.get("whole_lpn") or task.details["moved"] >= task.qty:
        task.done_location_id = dest.id
        await tasks.finish(uow, task)
    await uow.session.flush()
    return task


async def nest_lpn(uow: UnitOfWork, warehouse_id: int, lpn: str, parent_lpn: str) -> LpnParent:
    """Put a case LPN on a pallet LPN (both at the same location); moving the pallet then moves the case."""
    if lpn == parent_lpn:
        raise InvalidInput("An LPN cannot sit on itself.", code="invalid_nesting")
    child_locs = set(
        (await uow.session.execute(select(Stock.location_id).where(Stock.lpn == lpn, Stock.on_hand > 0))).scalars()
    )
    parent_locs = set(
        (
            await uow.session.execute(select(Stock.location_id).where(Stock.lpn == parent_lpn, Stock.on_hand > 0))
        ).scalars()
    )
    if len(child_locs) != 1 or child_locs != parent_locs:
        raise Conflict(
            f"LPN {lpn} and LPN {parent_lpn} must both hold stock at one and the same location.",
            code="lpn_not_together",
        )
    # no cycles: the parent must not sit (directly or not) on the child
    up = parent_lpn
    while up:
        if up == lpn:
            raise InvalidInput(f"LPN {parent_lpn} already sits on LPN {lpn}.", code="invalid_nesting")
        nxt = await uow.session.get(LpnParent, up)
        up = nxt.parent_lpn if nxt else ""
    link = await uow.session.get(LpnParent, lpn)
    if link is None:
        link = LpnParent(lpn=lpn, parent_lpn=parent_lpn, warehouse_id=warehouse_id)
        uow.session.add(link)
    else:
        link.parent_lpn = parent_lpn
        link.at = utcnow()
    await uow.session.flush()
    return link


async def unnest_lpn(uow: UnitOfWork, lpn: str) -> None:
    link = await uow.session.get(LpnParent, lpn)
    if link is None:
        raise NotFound(f"LPN {lpn} sits on no other LPN.", code="lpn_not_nested")
    await uow.session.delete(link)
    await uow.session.flush()
