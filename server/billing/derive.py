"""Billable events derived from what happened: completed receipts, shipped orders, received returns, finished
value-added-service tasks and the daily storage snapshots. Nobody types them in.

Each event is keyed by (owner, charge code, cause), so deriving a period again adds nothing and changes nothing
that is already on an issued invoice. The day of an event is the UTC day its cause happened: a receipt's
completion (its ``receipt.completed`` outbox row, written with the change and never altered), a shipment's
``shipped_at``, a return receipt's time, a task's ``done_at``, a snapshot's day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from server.billing import rules
from server.billing.models import BillableEvent, InvoiceLineEvent, StorageSnapshot
from server.billing.services import lock_owner
from server.billing.storage import day_start
from server.db.uow import UnitOfWork
from server.inbound.models import Receipt, ReceiptLine
from server.integration.models import OutboxEvent
from server.outbound.models import OrderLine, SalesOrder
from server.returns.models import ReturnAuthorisation, ReturnReceipt
from server.shipping.models import Carton, LabelPrint, PackedItem, Shipment
from server.tasks.models import Task, TaskStatus, TaskType

VAS_PREFIX = "vas."


@dataclass(frozen=True, slots=True)
class Derived:
    """An event as derived, before it is a row: whose, where, and a name people know its cause by."""

    owner_id: int
    warehouse_id: int | None
    event: rules.Event
    ref: str


@dataclass(frozen=True, slots=True)
class SyncResult:
    created: int
    updated: int
    unchanged: int


def _ev(code: str, qty: int | Decimal, day: date, source_type: str, source_id: int | str) -> rules.Event:
    return rules.Event(code, Decimal(qty), day, source_type, str(source_id))


def _owner_filter(column: object, owner_id: int | None) -> list[object]:
    return [] if owner_id is None else [column == owner_id]


async def _receipts(uow: UnitOfWork, start: date, end: date, owner_id: int | None) -> list[Derived]:
    stmt = select(OutboxEvent).where(
        OutboxEvent.event_type == "receipt.completed",
        OutboxEvent.created_at >= day_start(start),
        OutboxEvent.created_at < day_start(end + timedelta(days=1)),
        *_owner_filter(OutboxEvent.owner_id, owner_id),  # type: ignore[arg-type]
    )
    completed = {int(e.payload["receipt_id"]): e.created_at.date() for e in (await uow.session.execute(stmt)).scalars()}
    if not completed:
        return []
    receipts = {
        r.id: r for r in (await uow.session.execute(select(Receipt).where(Receipt.id.in_(completed)))).scalars()
    }
    lines: dict[int, list[ReceiptLine]] = defaultdict(list)
    for ln in (await uow.session.execute(select(ReceiptLine).where(ReceiptLine.receipt_id.in_(completed)))).scalars():
        lines[ln.receipt_id].append(ln)
    out: list[Derived] = []
    for rid, day in sorted(completed.items()):
        r = receipts[rid]
        got = lines.get(rid, [])
        figures = {
            "inbound.receipt": 1,
            "inbound.line": len({(ln.sku_id, ln.lot) for ln in got}),
            "inbound.unit": sum(ln.qty for ln in got),
            "inbound.lpn": len({ln.lpn for ln in got if ln.lpn}),
        }
        out += [
            Derived(r.owner_id, r.warehouse_id, _ev(code, qty, day, "receipt", rid), r.number)
            for code, qty in figures.items()
            if qty > 0
        ]
    return out


async def _shipments(uow: UnitOfWork, start: date, end: date, owner_id: int | None) -> list[Derived]:
    stmt = select(Shipment).where(
        Shipment.shipped_at.is_not(None),
        Shipment.shipped_at >= day_start(start),
        Shipment.shipped_at < day_start(end + timedelta(days=1)),
        *_owner_filter(Shipment.owner_id, owner_id),  # type: ignore[arg-type]
    )
    shipments = list((await uow.session.execute(stmt)).scalars())
    if not shipments:
        return []
    order_ids = [s.order_id for s in shipments]
    orders = {
        o.id: o for o in (await uow.session.execute(select(SalesOrder).where(SalesOrder.id.in_(order_ids)))).scalars()
    }
    lines = dict(
        (
            await uow.session.execute(
                select(OrderLine.order_id, func.count())
                .where(OrderLine.order_id.in_(order_ids), OrderLine.picked_qty > 0)
                .group_by(OrderLine.order_id)
            )
        ).all()
    )
    cartons: dict[int, list[int]] = defaultdict(list)
    for sid, cid in (
        await uow.session.execute(
            select(Carton.shipment_id, Carton.id).where(Carton.shipment_id.in_([s.id for s in shipments]))
        )
    ).all():
        cartons[sid].append(cid)
    all_cartons = [c for cs in cartons.values() for c in cs]
    units = dict(
        (
            await uow.session.execute(
                select(PackedItem.carton_id, func.sum(PackedItem.qty))
                .where(PackedItem.carton_id.in_(all_cartons))
                .group_by(PackedItem.carton_id)
            )
        ).all()
    )
    labels = dict(
        (
            await uow.session.execute(
                select(LabelPrint.carton_id, func.count())
                .where(LabelPrint.carton_id.in_(all_cartons), LabelPrint.reprint.is_(False))
                .group_by(LabelPrint.carton_id)
            )
        ).all()
    )
    out: list[Derived] = []
    for sh in sorted(shipments, key=lambda s: s.order_id):
        assert sh.shipped_at is not None
        day = sh.shipped_at.date()
        cs = cartons.get(sh.id, [])
        figures = {
            "outbound.order": 1,
            "outbound.line": int(lines.get(sh.order_id, 0)),
            "outbound.unit": sum(int(units.get(c, 0)) for c in cs),
            "outbound.carton": len(cs),
            "outbound.label": sum(int(labels.get(c, 0)) for c in cs),  # reprints are the warehouse's cost
        }
        order = orders[sh.order_id]
        out += [
            Derived(sh.owner_id, sh.warehouse_id, _ev(code, qty, day, "order", sh.order_id), order.channel_order_id)
            for code, qty in figures.items()
            if qty > 0
        ]
    return out


async def _returns(uow: UnitOfWork, start: date, end: date, owner_id: int | None) -> list[Derived]:
    in_period = (
        select(ReturnReceipt.rma_id)
        .join(ReturnAuthorisation, ReturnAuthorisation.id == ReturnReceipt.rma_id)
        .where(
            ReturnReceipt.created_at >= day_start(start),
            ReturnReceipt.created_at < day_start(end + timedelta(days=1)),
            *_owner_filter(ReturnAuthorisation.owner_id, owner_id),  # type: ignore[arg-type]
        )
    )
    rows = (  # every receipt of those returns: the first one says on which day the return was handled
        await uow.session.execute(
            select(ReturnReceipt, ReturnAuthorisation)
            .join(ReturnAuthorisation, ReturnAuthorisation.id == ReturnReceipt.rma_id)
            .where(ReturnReceipt.rma_id.in_(in_period))
            .order_by(ReturnReceipt.id)
        )
    ).all()
    out: list[Derived] = []
    first: dict[int, tuple[date, ReturnAuthorisation]] = {}
    for rec, rma in rows:
        day = rec.created_at.date()
        first.setdefault(rma.id, (day, rma))
        if start <= day <= end:
            out.append(
                Derived(
                    rma.owner_id,
                    rma.warehouse_id,
                    _ev("returns.unit", rec.qty, day, "return_receipt", rec.id),
                    rma.number,
                )
            )
    for rma_id, (day, rma) in sorted(first.items()):
        if start <= day <= end:  # a return is handled once, on the day its first item came back
            out.append(
                Derived(rma.owner_id, rma.warehouse_id, _ev("returns.receipt", 1, day, "rma", rma_id), rma.number)
            )
    return out


async def _vas(uow: UnitOfWork, start: date, end: date, owner_id: int | None) -> list[Derived]:
    stmt = select(Task).where(
        Task.type == TaskType.VAS,
        Task.status == TaskStatus.DONE,
        Task.done_at >= day_start(start),
        Task.done_at < day_start(end + timedelta(days=1)),
        *_owner_filter(Task.owner_id, owner_id),  # type: ignore[arg-type]
    )
    out: list[Derived] = []
    for t in (await uow.session.execute(stmt.order_by(Task.id))).scalars():
        code = str(t.details.get("service_code", ""))
        if not code or t.done_at is None:
            continue
        out.append(
            Derived(t.owner_id, t.warehouse_id, _ev(VAS_PREFIX + code, t.qty, t.done_at.date(), "task", t.id), code)
        )
    return out


async def _storage(uow: UnitOfWork, start: date, end: date, owner_id: int | None) -> list[Derived]:
    stmt = select(StorageSnapshot).where(
        StorageSnapshot.day >= start,
        StorageSnapshot.day <= end,
        *_owner_filter(StorageSnapshot.owner_id, owner_id),  # type: ignore[arg-type]
    )
    out: list[Derived] = []
    for s in (await uow.session.execute(stmt.order_by(StorageSnapshot.id))).scalars():
        fig = rules.StorageFigures(s.pallets, s.locations, s.volume_m3, s.units)
        out += [
            Derived(s.owner_id, s.warehouse_id, ev, s.day.isoformat())
            for ev in rules.storage_events(fig, s.day, str(s.id))
        ]
    return out


async def derive(uow: UnitOfWork, start: date, end: date, owner_id: int | None = None) -> list[Derived]:
    """Every billable event of the days ``start``..``end`` (inclusive), of one owner or of all."""
    out: list[Derived] = []
    for source in (_receipts, _shipments, _returns, _vas, _storage):
        out += await source(uow, start, end, owner_id)
    return out


def _key(owner_id: int, ev: rules.Event) -> tuple[int, str, str, str]:
    return (owner_id, ev.charge_code, ev.source_type, ev.source_id)


async def sync_events(uow: UnitOfWork, start: date, end: date, owner_id: int | None = None) -> SyncResult:
    """Derive the period's events and store them: new ones are added; one whose figure changed (a snapshot taken
    again) is corrected unless an issued invoice already bills it; the rest stay as they are."""
    derived = await derive(uow, start, end, owner_id)
    existing: dict[tuple[int, str, str, str], BillableEvent] = {}
    if derived:
        owners = {d.owner_id for d in derived}
        for oid in sorted(owners):  # one writer per owner (in id order: two derivations never deadlock)
            await lock_owner(uow, oid)
        for found in (
            await uow.session.execute(
                select(BillableEvent).where(
                    BillableEvent.owner_id.in_(owners),
                    BillableEvent.source_type.in_({d.event.source_type for d in derived}),
                    BillableEvent.source_id.in_({d.event.source_id for d in derived}),
                )
            )
        ).scalars():
            existing[(found.owner_id, found.charge_code, found.source_type, found.source_id)] = found
    invoiced: set[int] = set()
    if existing:
        ids = [e.id for e in existing.values()]
        invoiced = set(
            (await uow.session.execute(select(InvoiceLineEvent.event_id).where(InvoiceLineEvent.event_id.in_(ids))))
            .scalars()
            .all()
        )
    created = updated = unchanged = 0
    for d in derived:
        row = existing.get(_key(d.owner_id, d.event))
        if row is None:
            uow.session.add(
                BillableEvent(
                    owner_id=d.owner_id,
                    warehouse_id=d.warehouse_id,
                    charge_code=d.event.charge_code,
                    qty=d.event.qty,
                    day=d.event.day,
                    source_type=d.event.source_type,
                    source_id=d.event.source_id,
                    source_ref=d.ref[:80],
                )
            )
            created += 1
        elif (row.qty != d.event.qty or row.day != d.event.day) and row.id not in invoiced:
            row.qty, row.day = d.event.qty, d.event.day
            updated += 1
        else:
            unchanged += 1
    await uow.session.flush()
    return SyncResult(created, updated, unchanged)


async def period_events(uow: UnitOfWork, owner_id: int, start: date, end: date) -> list[BillableEvent]:
    stmt = select(BillableEvent).where(
        BillableEvent.owner_id == owner_id, BillableEvent.day >= start, BillableEvent.day <= end
    )
    return list((await uow.session.execute(stmt.order_by(BillableEvent.day, BillableEvent.id))).scalars())
