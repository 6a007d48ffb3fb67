"""Return use cases: authorise (linked to a shipped order's lines; unknown and already-returned lines refused),
find an RMA by its scanned label or order, receive items with a grade and a disposition (restock through a putaway
task, quarantine, scrap, return to vendor on the supplier's RTV document: see :mod:`server.returns.vendor`), and
tell the order source (outbox ``return.received``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.catalog.models import Sku
from server.db.base import utcnow
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.exceptions.services import open_exception
from server.inbound.putaway import Suggestion
from server.inbound.services import suggest_for
from server.integration import outbox
from server.inventory.models import MovementReason, StockStatus
from server.inventory.rules import StockKey, check_lot_rules
from server.inventory.scans import resolve_item
from server.inventory.services import DocRef, InventoryService
from server.layout.models import Location, LocationType
from server.outbound.models import Channel, OrderLine, OrderStatus, SalesOrder
from server.returns import rules, vendor
from server.returns.models import (
    Disposition,
    Grade,
    ReturnAuthorisation,
    ReturnLine,
    ReturnReceipt,
    RmaStatus,
)
from server.returns.schemas import ReceiveIn, RmaIn
from server.tasks import services as tasks
from server.tasks.models import TaskType

RETURN_DOC = "return"


async def _order_for(uow: UnitOfWork, owner_id: int, data: RmaIn) -> SalesOrder:
    stmt = select(SalesOrder).where(SalesOrder.owner_id == owner_id)
    if data.order_id is not None:
        stmt = stmt.where(SalesOrder.id == data.order_id)
    else:
        try:
            channel = Channel(data.channel or "")
        except ValueError:
            raise InvalidInput(f"Unknown channel {data.channel!r}.", code="invalid_input") from None
        stmt = stmt.where(SalesOrder.channel == channel, SalesOrder.channel_order_id == data.channel_order_id)
    order = (await uow.session.execute(for_update(stmt))).scalar_one_or_none()
    if order is None:
        if data.order_id is not None:
            other = await uow.session.get(SalesOrder, data.order_id)
            if other is not None:
                uow.caller.check_owner(other.owner_id)
        raise NotFound("There is no such order for this owner.", code="order_not_found")
    return order


async def create_rma(uow: UnitOfWork, data: RmaIn) -> ReturnAuthorisation:
    """Authorise a return of shipped units; every problem of every line is listed in one 422."""
    owner_id = uow.caller.resolve_owner(data.owner_id)
    order = await _order_for(uow, owner_id, data)
    if order.status != OrderStatus.SHIPPED:
        raise Conflict(
            f"Order {order.channel_order_id} is {order.status}; only a shipped order can be returned.",
            code="order_not_shipped",
        )
    lines = list(
        (await uow.session.execute(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)))
        .scalars()
        .all()
    )
    codes = dict(
        (await uow.session.execute(select(Sku.id, Sku.code).where(Sku.id.in_({ln.sku_id for ln in lines})))).all()
    )
    authorised = dict(
        (
            await uow.session.execute(
                select(ReturnLine.order_line_id, func.sum(ReturnLine.qty))
                .join(ReturnAuthorisation, ReturnAuthorisation.id == ReturnLine.rma_id)
                .where(ReturnAuthorisation.order_id == order.id, ReturnAuthorisation.status != RmaStatus.CANCELLED)
                .group_by(ReturnLine.order_line_id)
            )
        ).all()
    )
    problems: list[dict[str, Any]] = []
    wanted: list[tuple[OrderLine, int, str]] = []
    asked: dict[int, int] = {}
    for n, ln in enumerate(data.lines):
        match = [
            o
            for o in lines
            if (ln.line_no is not None and o.line_no == ln.line_no) or (ln.sku and codes[o.sku_id] == ln.sku)
        ]
        if not match:
            what = f"line {ln.line_no}" if ln.line_no is not None else f"SKU {ln.sku}"
            problems.append({"field": f"lines[{n}]", "message": f"order {order.channel_order_id} has no {what}"})
            continue
        line = match[0]
        left = rules.returnable(line.picked_qty, int(authorised.get(line.id, 0)) + asked.get(line.id, 0))
        if ln.qty > left:
            problems.append(
                {
                    "field": f"lines[{n}].qty",
                    "message": f"line {line.line_no} ({codes[line.sku_id]}): {line.picked_qty} shipped, "
                    f"{line.picked_qty - left} already returned or authorised, {ln.qty} asked",
                }
            )
            continue
        asked[line.id] = asked.get(line.id, 0) + ln.qty
        wanted.append((line, ln.qty, ln.reason))
    if problems:
        raise InvalidInput(
            "This return cannot be authorised: " + "; ".join(p["message"] for p in problems) + ".",
            code="invalid_return",
            errors=problems,
        )
    rma = ReturnAuthorisation(
        owner_id=owner_id,
        warehouse_id=order.warehouse_id,
        order_id=order.id,
        number=data.number or f"RMA-{order.id}-{utcnow():%y%m%d%H%M%S%f}",
        status=RmaStatus.AUTHORISED,
        reason=data.reason,
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(rma)
            await uow.session.flush()
    except IntegrityError:
        raise Conflict(f"RMA number {data.number} is already in use.", code="duplicate") from None
    for line, qty, reason in wanted:
        uow.session.add(ReturnLine(rma_id=rma.id, order_line_id=line.id, sku_id=line.sku_id, qty=qty, reason=reason))
    await uow.session.flush()
    uow.emit("returns", {"event": "authorised", "rma_id": rma.id, "owner_id": owner_id, "order_id": order.id})
    return rma


async def get_rma(uow: UnitOfWork, rma_id: int, *, lock: bool = False) -> ReturnAuthorisation:
    stmt = select(ReturnAuthorisation).where(ReturnAuthorisation.id == rma_id)
    rma = (await uow.session.execute(for_update(stmt) if lock else stmt)).scalar_one_or_none()
    if rma is None:
        raise NotFound(f"There is no return {rma_id}.", code="rma_not_found")
    uow.caller.check_owner(rma.owner_id)
    return rma


async def rma_lines(uow: UnitOfWork, rma_id: int) -> list[ReturnLine]:
    return list(
        (await uow.session.execute(select(ReturnLine).where(ReturnLine.rma_id == rma_id).order_by(ReturnLine.id)))
        .scalars()
        .all()
    )


async def rma_receipts(uow: UnitOfWork, rma_id: int) -> list[ReturnReceipt]:
    return list(
        (
            await uow.session.execute(
                select(ReturnReceipt).where(ReturnReceipt.rma_id == rma_id).order_by(ReturnReceipt.id)
            )
        )
        .scalars()
        .all()
    )


async def lookup(uow: UnitOfWork, warehouse_id: int, scan: str) -> ReturnAuthorisation:
    """The open RMA a scanned return label (its number) or order (channel order id or order id) stands for."""
    s = scan.strip()
    open_states = [RmaStatus.AUTHORISED, RmaStatus.RECEIVING]
    base = select(ReturnAuthorisation).where(
        ReturnAuthorisation.warehouse_id == warehouse_id, ReturnAuthorisation.status.in_(open_states)
    )
    found = (await uow.session.execute(base.where(ReturnAuthorisation.number == s))).scalars().first()
    if found is None:
        orders = select(SalesOrder.id).where(SalesOrder.channel_order_id == s)
        if s.isdigit():
            orders = select(SalesOrder.id).where((SalesOrder.channel_order_id == s) | (SalesOrder.id == int(s)))
        found = (
            (
                await uow.session.execute(
                    base.where(ReturnAuthorisation.order_id.in_(orders)).order_by(ReturnAuthorisation.id)
                )
            )
            .scalars()
            .first()
        )
    if found is None:
        raise NotFound(f"No open return for {s!r}: scan the RMA label or the order number.", code="rma_not_found")
    uow.caller.check_owner(found.owner_id)
    return found


async def _location(uow: UnitOfWork, warehouse_id: int, types: tuple[LocationType, ...]) -> Location:
    """The first usable location of the first of ``types`` the warehouse has (by code)."""
    found = (
        await uow.session.execute(
            select(Location)
            .where(
                Location.warehouse_id == warehouse_id,
                Location.type.in_(list(types)),
                Location.active.is_(True),
                Location.blocked.is_(False),
            )
            .order_by(Location.code)
        )
    ).scalars()
    ranked = sorted(found, key=lambda loc: types.index(loc.type))
    if not ranked:
        names = " or ".join(t.value for t in types)
        raise Conflict(f"This warehouse has no {names} location for returns.", code="no_location")
    return ranked[0]


async def receive(uow: UnitOfWork, rma_id: int, data: ReceiveIn) -> tuple[ReturnAuthorisation, ReturnReceipt]:
    """Receive returned units of one SKU in one grade; they go where the disposition says, with ledger rows."""
    rma = await get_rma(uow, rma_id, lock=True)
    if rma.status not in (RmaStatus.AUTHORISED, RmaStatus.RECEIVING):
        raise Conflict(f"Return {rma.number} is {rma.status}; nothing more can be received.", code="rma_closed")
    scanned = await resolve_item(uow, data.item, rma.owner_id)
    lines = await rma_lines(uow, rma.id)
    line = next((ln for ln in lines if ln.sku_id == scanned.sku_id and ln.received_qty < ln.qty), None)
    if line is None:
        known = any(ln.sku_id == scanned.sku_id for ln in lines)
        raise Conflict(
            "Every authorised unit of this item was already received."
            if known
            else "This item is not on the return authorisation.",
            code="already_returned" if known else "not_on_rma",
        )
    qty = data.qty * scanned.units
    left = line.qty - line.received_qty
    if qty > left:
        raise Conflict(
            f"Only {left} more units of this item are authorised for return; {qty} scanned.",
            code="over_return",
            authorised=line.qty,
            received=line.received_qty,
        )
    disposition = data.disposition or rules.DEFAULT_DISPOSITION[data.grade]
    why = rules.check_disposition(data.grade, disposition)
    if why:
        raise InvalidInput(why[0].upper() + why[1:] + ".", code="invalid_disposition")
    sku = await uow.session.get(Sku, scanned.sku_id)
    assert sku is not None
    lot = data.lot if data.lot is not None else scanned.lot
    check_lot_rules(
        lot_controlled=sku.lot_controlled,
        expiry_controlled=sku.expiry_controlled,
        lot=lot,
        expiry=scanned.expiry,
        sku_code=sku.code,
    )
    supplier = (
        await vendor.supplier_for(uow, rma.owner_id, sku, data.supplier_id)
        if disposition == Disposition.RETURN_TO_VENDOR
        else None
    )
    inv = InventoryService(uow)
    doc = DocRef(RETURN_DOC, rma.number)
    note = f"return {rma.number} grade {data.grade.value}" + (f": {data.note}" if data.note else "")
    task_id = None
    if disposition == Disposition.RESTOCK:
        loc = await _location(uow, rma.warehouse_id, (LocationType.RECEIVING, LocationType.DOCK))
        status = StockStatus.AVAILABLE
    else:
        loc = await _location(uow, rma.warehouse_id, (LocationType.QUARANTINE,))
        status = {
            Disposition.QUARANTINE: StockStatus.QUARANTINE,
            Disposition.RETURN_TO_VENDOR: StockStatus.HOLD,
            Disposition.SCRAP: StockStatus.DAMAGED,
        }[disposition]
    key = StockKey(rma.owner_id, sku.id, loc.id, lot, scanned.expiry, rma.number[:40], status)
    stock = await inv.receive(key, qty, reason=MovementReason.RETURN, doc=doc, note=note)
    if disposition == Disposition.SCRAP:
        await inv.adjust(key, -qty, reason=MovementReason.SCRAP, note=note, doc=doc)
    elif disposition == Disposition.RESTOCK:
        try:
            choice = await suggest_for(uow, rma.warehouse_id, rma.owner_id, sku, lot, qty)
        except InvalidInput as exc:  # no walking layout yet: a supervisor names the place
            choice = Suggestion(None, exc.message)
        task = await tasks.create_task(
            uow,
            type=TaskType.PUTAWAY,
            warehouse_id=rma.warehouse_id,
            owner_id=rma.owner_id,
            priority=50,
            sku_id=sku.id,
            qty=qty,
            lot=lot,
            expiry=scanned.expiry,
            lpn=key.lpn,
            stock_id=stock.id,
            from_location_id=loc.id,
            to_location_id=choice.location_id,
            doc_type=RETURN_DOC,
            doc_ref=rma.number,
            details={"rma_id": rma.id, "no_location": choice.reason},
        )
        task_id = task.id
    receipt = ReturnReceipt(
        rma_id=rma.id,
        line_id=line.id,
        qty=qty,
        lot=lot,
        grade=data.grade,
        disposition=disposition,
        note=data.note,
        stock_id=stock.id if disposition != Disposition.SCRAP else None,
        location_id=loc.id,
        task_id=task_id,
        received_by_id=uow.caller.user_id,
    )
    uow.session.add(receipt)
    await uow.session.flush()
    if supplier is not None:  # held in quarantine on the supplier's open vendor return until it ships
        await vendor.add_line(
            uow,
            owner_id=rma.owner_id,
            warehouse_id=rma.warehouse_id,
            supplier=supplier,
            receipt_id=receipt.id,
            sku_id=sku.id,
            lot=lot,
            expiry=scanned.expiry,
            qty=qty,
            stock_id=stock.id,
        )
    line.received_qty += qty
    done = all(ln.received_qty >= ln.qty for ln in lines)
    rma.status = RmaStatus.RECEIVED if done else RmaStatus.RECEIVING
    if done:
        rma.received_at = utcnow()
    await uow.session.flush()
    if data.grade == Grade.B:
        await open_exception(
            uow,
            "return_damaged",
            warehouse_id=rma.warehouse_id,
            owner_id=rma.owner_id,
            ref_type="return",
            ref_id=str(rma.id),
            message=f"Return {rma.number}: {qty} x {sku.code} came back damaged (grade B) to {disposition.value}.",
            details={"rma_id": rma.id, "receipt_id": receipt.id, "sku": sku.code, "qty": qty, "note": data.note},
        )
    await _tell_source(uow, rma, receipt, line, sku)
    return rma, receipt


async def _tell_source(
    uow: UnitOfWork, rma: ReturnAuthorisation, receipt: ReturnReceipt, line: ReturnLine, sku: Sku
) -> None:
    """The order source hears what came back, in which grade and where it went, so that it can refund."""
    order = await uow.session.get(SalesOrder, rma.order_id)
    order_line = await uow.session.get(OrderLine, line.order_line_id)
    assert order is not None and order_line is not None
    outbox.record(
        uow,
        "return.received",
        {
            "rma_id": rma.id,
            "rma_number": rma.number,
            "rma_status": rma.status.value,
            "order_id": order.id,
            "channel": order.channel.value,
            "channel_order_id": order.channel_order_id,
            "line_no": order_line.line_no,
            "sku": sku.code,
            "qty": receipt.qty,
            "lot": receipt.lot,
            "grade": receipt.grade.value,
            "disposition": receipt.disposition.value,
            "note": receipt.note,
            "authorised_qty": line.qty,
            "returned_qty": line.received_qty,
        },
        owner_id=rma.owner_id,
        warehouse_id=rma.warehouse_id,
        key=f"order:{order.id}",
    )
    uow.emit(
        "returns",
        {
            "event": "received",
            "rma_id": rma.id,
            "owner_id": rma.owner_id,
            "status": rma.status.value,
            "qty": receipt.qty,
        },
    )


async def cancel(uow: UnitOfWork, rma_id: int, note: str) -> ReturnAuthorisation:
    rma = await get_rma(uow, rma_id, lock=True)
    if rma.status != RmaStatus.AUTHORISED:
        raise Conflict(
            f"Return {rma.number} is {rma.status}; only one not yet received can be cancelled.", code="rma_closed"
        )
    rma.status = RmaStatus.CANCELLED
    rma.reason = (rma.reason + f" (cancelled: {note})" if note else rma.reason)[:200]
    await uow.session.flush()
    return rma
