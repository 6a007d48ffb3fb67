"""Holds and recalls. A hold (by location, lot, SKU or LPN, with a reason) turns the matching available stock into
status ``hold`` where it stands (one ledger row per stock row), so allocation never takes it; reservations on it are
taken back from their orders, which are allocated again from other stock. A lot recall holds every unit of the lot
wherever it is (storage, carts, pack stations), lists where it is, and reports the orders that contained it.
A hold also holds stock that arrives after it was placed (:func:`catch_arrival`), and follows held units that are
moved (:func:`follow_move`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from server.catalog.models import Sku
from server.db.base import utcnow
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.inventory.control_schemas import HoldIn, RecallIn
from server.inventory.models import HoldScope, Movement, MovementReason, Stock, StockHold, StockStatus
from server.inventory.reallocation import reallocate, release_reservations
from server.inventory.services import DocRef, InventoryService
from server.layout.models import Location
from server.outbound.models import OrderStatus, SalesOrder
from server.tasks.models import Task

HOLD_DOC = "hold"


def hold_ref(hold: StockHold) -> str:
    return f"HOLD-{hold.id}"


async def _scope(uow: UnitOfWork, data: HoldIn) -> tuple[list[ColumnElement[bool]], int | None]:
    """The stock filter of a hold and the owner it concerns (None: every owner at a location or on an LPN)."""
    owner = data.owner_id
    where: list[ColumnElement[bool]] = []
    if data.scope in (HoldScope.SKU, HoldScope.LOT):
        if data.sku_id is None or (data.scope == HoldScope.LOT and not data.lot):
            raise InvalidInput(
                f"A {data.scope} hold needs sku_id" + (" and lot." if data.scope == HoldScope.LOT else "."),
                code="invalid_hold",
            )
        sku = await uow.session.get(Sku, data.sku_id)
        if sku is None:
            raise NotFound(f"There is no SKU {data.sku_id}.", code="sku_not_found")
        owner = sku.owner_id
        where.append(Stock.sku_id == sku.id)
        if data.scope == HoldScope.LOT:
            where.append(Stock.lot == data.lot)
    elif data.scope == HoldScope.LOCATION:
        if data.location_id is None:
            raise InvalidInput("A location hold needs location_id.", code="invalid_hold")
        where.append(Stock.location_id == data.location_id)
    else:
        if not data.lpn:
            raise InvalidInput("An LPN hold needs lpn.", code="invalid_hold")
        where.append(Stock.lpn == data.lpn)
    if owner is not None:
        uow.caller.check_owner(owner)
        where.append(Stock.owner_id == owner)
    elif uow.caller.owner_id is not None:
        owner = uow.caller.owner_id
        where.append(Stock.owner_id == owner)
    return where, owner


async def place_hold(uow: UnitOfWork, data: HoldIn, *, recall: bool = False) -> tuple[StockHold, list[int]]:
    """Hold every available unit in scope (reserved ones taken back from their orders first); returns the hold and
    the orders that were allocated again."""
    where, owner = await _scope(uow, data)
    hold = StockHold(
        warehouse_id=data.warehouse_id,
        owner_id=owner,
        scope=data.scope,
        location_id=data.location_id,
        sku_id=data.sku_id,
        lot=data.lot,
        lpn=data.lpn,
        reason=data.reason,
        recall=recall,
        active=True,
        units=0,
        rows=[],
        created_by_id=uow.caller.user_id,
    )
    uow.session.add(hold)
    await uow.session.flush()
    rows = list(
        (
            await uow.session.execute(
                for_update(
                    select(Stock)
                    .join(Location, Location.id == Stock.location_id)
                    .where(
                        Location.warehouse_id == data.warehouse_id,
                        Stock.status == StockStatus.AVAILABLE,
                        Stock.on_hand > 0,
                        *where,
                    )
                    .order_by(Stock.id),
                    of=Stock,
                )
            )
        ).scalars()
    )
    inv = InventoryService(uow)
    doc = DocRef(HOLD_DOC, hold_ref(hold))
    touched: dict[int, Task | None] = {}
    held: list[dict[str, Any]] = []
    for r in rows:
        if r.allocated:
            touched.update(await release_reservations(uow, r.id, r.allocated, f"held ({data.reason})"))
        qty = r.on_hand
        dst = await inv.change_status(r.id, qty, StockStatus.HOLD, note=data.reason, doc=doc)
        held.append({"stock_id": dst.id, "from_stock_id": r.id, "qty": qty})
    hold.rows = held
    hold.units = sum(h["qty"] for h in held)
    orders = await reallocate(uow, touched, exclude_stock=[r.id for r in rows], why=f"held: {data.reason}")
    await uow.session.flush()
    uow.emit("inventory", {"event": "hold_placed", "hold_id": hold.id, "units": hold.units, "owner_id": owner})
    return hold, orders


def covers(hold: StockHold, stock: Stock) -> bool:
    """Whether a hold applies to a stock row (its scope: location, lot of a SKU, SKU or LPN; and its owner)."""
    if hold.owner_id is not None and hold.owner_id != stock.owner_id:
        return False
    if hold.scope == HoldScope.LOCATION:
        return hold.location_id == stock.location_id
    if hold.scope == HoldScope.LOT:
        return hold.sku_id == stock.sku_id and hold.lot == stock.lot
    if hold.scope == HoldScope.SKU:
        return hold.sku_id == stock.sku_id
    return bool(hold.lpn) and hold.lpn == stock.lpn


async def _active_holds(uow: UnitOfWork, warehouse_id: int, owner_id: int) -> list[StockHold]:
    """Active holds that may concern the owner's stock (unlocked: the caller locks the one it changes)."""
    return list(
        (
            await uow.session.execute(
                select(StockHold)
                .where(
                    StockHold.warehouse_id == warehouse_id,
                    StockHold.active.is_(True),
                    or_(StockHold.owner_id.is_(None), StockHold.owner_id == owner_id),
                )
                .order_by(StockHold.id)
            )
        ).scalars()
    )


async def catch_arrival(uow: UnitOfWork, stock: Stock, qty: int, warehouse_id: int) -> Stock:
    """Units that just became available in a row (received, put away, moved, restocked from a return, released
    from another status) where an active hold applies are held at once under that hold (the oldest one), with
    a ledger row; returns the row the units are in now. A hold placed before the stock arrived thus still holds
    it, and allocation never sees it."""
    if stock.status != StockStatus.AVAILABLE:
        return stock
    hold = next((h for h in await _active_holds(uow, warehouse_id, stock.owner_id) if covers(h, stock)), None)
    n = min(qty, stock.on_hand - stock.allocated)
    if hold is None or n <= 0:
        return stock
    await uow.session.refresh(hold, with_for_update=True)  # its rows are appended to below
    held = await InventoryService(uow).change_status(
        stock.id, n, StockStatus.HOLD, note=f"arrived under hold: {hold.reason}", doc=DocRef(HOLD_DOC, hold_ref(hold))
    )
    hold.rows = [*hold.rows, {"stock_id": held.id, "from_stock_id": stock.id, "qty": n}]
    hold.units += n
    await uow.session.flush()
    return held


async def follow_move(uow: UnitOfWork, src: Stock, dst: Stock, qty: int, warehouse_id: int) -> None:
    """Held units moved (a putaway of goods held at the dock, a move): the holds that hold them follow them to
    their new row, so that releasing the hold gives them back where they are now."""
    left = qty
    for hold in await _active_holds(uow, warehouse_id, src.owner_id):
        if left == 0:
            break
        if not any(int(r["stock_id"]) == src.id for r in hold.rows):
            continue
        await uow.session.refresh(hold, with_for_update=True)
        rows: list[dict[str, Any]] = []
        moved = 0
        for r in hold.rows:
            n = min(left, int(r["qty"])) if int(r["stock_id"]) == src.id else 0
            if int(r["qty"]) - n > 0:
                rows.append({**r, "qty": int(r["qty"]) - n})
            left -= n
            moved += n
        if moved:
            hold.rows = [*rows, {"stock_id": dst.id, "from_stock_id": src.id, "qty": moved}]
    await uow.session.flush()


async def get_hold(uow: UnitOfWork, hold_id: int, *, lock: bool = False) -> StockHold:
    stmt = select(StockHold).where(StockHold.id == hold_id)
    hold = (await uow.session.execute(for_update(stmt) if lock else stmt)).scalar_one_or_none()
    if hold is None or (uow.caller.owner_id is not None and hold.owner_id != uow.caller.owner_id):
        raise NotFound(f"There is no hold {hold_id}.", code="hold_not_found")
    return hold


async def release_hold(uow: UnitOfWork, hold_id: int, note: str) -> StockHold:
    """Give the held units back (as many of them as are still held where they were held)."""
    hold = await get_hold(uow, hold_id, lock=True)
    if not hold.active:
        raise Conflict(f"Hold {hold_ref(hold)} was already released.", code="hold_released")
    inv = InventoryService(uow)
    doc = DocRef(HOLD_DOC, hold_ref(hold))
    hold.active = False  # first: the units given back are not caught again by this hold (another may catch them)
    await uow.session.flush()
    for h in hold.rows:
        row = await uow.session.get(Stock, int(h["stock_id"]))
        if row is None or row.status != StockStatus.HOLD:
            continue
        qty = min(int(h["qty"]), row.on_hand - row.allocated)
        if qty > 0:
            await inv.change_status(
                row.id, qty, StockStatus.AVAILABLE, note=note or f"hold {hold_ref(hold)} released", doc=doc
            )
    hold.active = False
    hold.released_at = utcnow()
    await uow.session.flush()
    return hold


async def recall(uow: UnitOfWork, data: RecallIn) -> tuple[StockHold, list[int], dict[str, Any]]:
    """Hold every unit of a lot and say where it is and which orders had it."""
    hold, orders = await place_hold(
        uow,
        HoldIn(
            warehouse_id=data.warehouse_id,
            scope=HoldScope.LOT,
            owner_id=data.owner_id,
            sku_id=data.sku_id,
            lot=data.lot,
            reason=f"recall: {data.reason}"[:200],
        ),
        recall=True,
    )
    return hold, orders, await lot_report(uow, data.sku_id, data.lot)


async def lot_report(uow: UnitOfWork, sku_id: int, lot: str) -> dict[str, Any]:
    """Where every unit of a lot is (any status, any location), and the orders that picked it: shipped, or still in
    the warehouse (by the totes the picks went into)."""
    rows = (
        await uow.session.execute(
            select(Stock, Location.code, Location.type)
            .join(Location, Location.id == Stock.location_id)
            .where(Stock.sku_id == sku_id, Stock.lot == lot, Stock.on_hand > 0)
            .order_by(Location.code, Stock.id)
        )
    ).all()
    locations = [
        {
            "stock_id": s.id,
            "location_id": s.location_id,
            "location": code,
            "location_type": str(ltype),
            "lpn": s.lpn,
            "status": s.status.value,
            "on_hand": s.on_hand,
            "allocated": s.allocated,
        }
        for s, code, ltype in rows
    ]
    picked = dict(
        (
            await uow.session.execute(
                select(Movement.to_lpn, func.sum(Movement.qty))
                .where(
                    Movement.sku_id == sku_id,
                    Movement.lot == lot,
                    Movement.reason == MovementReason.PICK,
                    Movement.to_lpn != "",
                )
                .group_by(Movement.to_lpn)
            )
        ).all()
    )
    orders = (
        (await uow.session.execute(select(SalesOrder).where(SalesOrder.tote.in_(list(picked))).order_by(SalesOrder.id)))
        .scalars()
        .all()
        if picked
        else []
    )

    def _row(o: SalesOrder) -> dict[str, Any]:
        return {
            "order_id": o.id,
            "channel": o.channel.value,
            "channel_order_id": o.channel_order_id,
            "status": o.status.value,
            "units": int(picked.get(o.tote, 0)),
        }

    return {
        "locations": locations,
        "shipped_orders": [_row(o) for o in orders if o.status == OrderStatus.SHIPPED],
        "open_orders": [_row(o) for o in orders if o.status != OrderStatus.SHIPPED],
    }
