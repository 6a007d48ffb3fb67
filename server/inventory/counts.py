"""Cycle counting: count plans (location, zone, SKU, ABC on a schedule), counts after short picks and on demand,
blind counts from the handheld, recount by another user and supervisor approval of variances above the
warehouse's thresholds, adjustments with reason ``count``, re-allocation of reservations that disappeared, and
frozen locations while counting. Each function takes the request's unit of work and never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from server.catalog.models import Sku
from server.db.base import utcnow
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.exceptions.models import FloorException
from server.exceptions.services import open_exception, register_action, resolve_exception
from server.inventory import count_rules as rules
from server.inventory.control_schemas import CountLineIn, CountPlanIn
from server.inventory.models import (
    OPEN_COUNT,
    CountPlan,
    CountPlanKind,
    CountStatus,
    CycleCount,
    InventorySettings,
    MovementReason,
    SkuCost,
    Stock,
)
from server.inventory.reallocation import reallocate, release_reservations
from server.inventory.rules import StockKey, check_lot_rules
from server.inventory.scans import check_location, resolve_item
from server.inventory.services import DocRef, InventoryService
from server.layout.models import STORAGE_TYPES, Location, Zone
from server.tasks import services as tasks
from server.tasks.models import Task, TaskStatus, TaskType

COUNT_DOC = "cycle_count"
RECOUNT_DOC = "recount"
VARIANCE_KIND = "count_variance"


def count_ref(count: CycleCount) -> str:
    return f"CC-{count.id}"


async def settings_for(uow: UnitOfWork, warehouse_id: int) -> InventorySettings:
    """The warehouse's inventory-control settings (the defaults when none were saved)."""
    found = await uow.session.get(InventorySettings, warehouse_id)
    if found is not None:
        return found
    return InventorySettings(
        warehouse_id=warehouse_id,
        count_variance_units=0,
        count_variance_value=Decimal("100"),
        count_freeze=True,
        count_days_a=30,
        count_days_b=90,
        count_days_c=180,
    )


async def save_settings(uow: UnitOfWork, warehouse_id: int, values: dict[str, Any]) -> InventorySettings:
    row = await uow.session.get(InventorySettings, warehouse_id)
    if row is None:
        row = InventorySettings(warehouse_id=warehouse_id, **values)
        uow.session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    await uow.session.flush()
    return row


async def set_sku_cost(uow: UnitOfWork, sku_id: int, unit_cost: Decimal) -> SkuCost:
    sku = await uow.session.get(Sku, sku_id)
    if sku is None:
        raise NotFound(f"There is no SKU {sku_id}.", code="sku_not_found")
    uow.caller.check_owner(sku.owner_id)
    row = await uow.session.get(SkuCost, sku_id)
    if row is None:
        row = SkuCost(sku_id=sku_id, unit_cost=unit_cost)
        uow.session.add(row)
    else:
        row.unit_cost = unit_cost
    await uow.session.flush()
    return row


# -- freezing ------------------------------------------------------------------------------------------------------
def _freeze_reason(count: CycleCount) -> str:
    return f"cycle count {count_ref(count)}"


async def _freeze(uow: UnitOfWork, count: CycleCount) -> None:
    """Block the location while it is counted (allocation, putaway and moves then leave it alone)."""
    loc = await uow.session.get(Location, count.location_id, with_for_update=True)
    assert loc is not None
    count.frozen = True
    if not loc.blocked:
        loc.blocked = True
        loc.block_reason = _freeze_reason(count)


async def _unfreeze(uow: UnitOfWork, count: CycleCount) -> None:
    if not count.frozen:
        return
    count.frozen = False
    loc = await uow.session.get(Location, count.location_id, with_for_update=True)
    assert loc is not None
    if loc.blocked and loc.block_reason == _freeze_reason(count):
        # another open count of the location keeps it frozen under its own name
        other = (
            await uow.session.execute(
                select(CycleCount).where(
                    CycleCount.location_id == loc.id,
                    CycleCount.id != count.id,
                    CycleCount.status.in_(list(OPEN_COUNT)),
                    CycleCount.frozen.is_(True),
                )
            )
        ).scalar_one_or_none()
        if other is not None:
            loc.block_reason = _freeze_reason(other)
        else:
            loc.blocked = False
            loc.block_reason = ""
    await uow.session.flush()


# -- opening counts ----------------------------------------------------------------------------------------------
async def _open_count_at(uow: UnitOfWork, location_id: int, owner_id: int) -> CycleCount | None:
    return (
        await uow.session.execute(
            select(CycleCount).where(
                CycleCount.location_id == location_id,
                CycleCount.owner_id == owner_id,
                CycleCount.status.in_(list(OPEN_COUNT)),
            )
        )
    ).scalar_one_or_none()


async def open_count(
    uow: UnitOfWork,
    *,
    location: Location,
    owner_id: int,
    sku_id: int | None,
    source: str,
    plan_id: int | None = None,
    priority: int = 30,
    task: Task | None = None,
) -> CycleCount | None:
    """A count of the owner's stock at a location (one SKU or all) with its count task; None when the location is
    already under an open count for that owner. ``task``: an existing count task (a short pick's)."""
    if await _open_count_at(uow, location.id, owner_id) is not None:
        return None
    count = CycleCount(
        warehouse_id=location.warehouse_id,
        owner_id=owner_id,
        location_id=location.id,
        sku_id=sku_id,
        plan_id=plan_id,
        source=source,
        status=CountStatus.OPEN,
        expected=[],
        counted=[],
        recounted=[],
        variance_units=0,
        variance_value=Decimal(0),
        frozen=False,
    )
    uow.session.add(count)
    await uow.session.flush()
    if task is None:
        task = await tasks.create_task(
            uow,
            type=TaskType.COUNT,
            warehouse_id=location.warehouse_id,
            owner_id=owner_id,
            priority=priority,
            sku_id=sku_id,
            from_location_id=location.id,
            doc_type=COUNT_DOC,
            doc_ref=count_ref(count),
            note=f"count {location.code}",
            details={"count_id": count.id, "source": source},
        )
    count.task_id = task.id
    if (await settings_for(uow, location.warehouse_id)).count_freeze:
        await _freeze(uow, count)
    await uow.session.flush()
    return count


async def count_on_demand(
    uow: UnitOfWork, *, location: Location, owner_id: int | None, sku_id: int | None, priority: int
) -> list[CycleCount]:
    """Counts of a location now: for the named owner, or for every owner with stock there."""
    owners = [owner_id] if owner_id is not None else await _owners_at(uow, location.id)
    if sku_id is not None:
        sku = await uow.session.get(Sku, sku_id)
        if sku is None:
            raise NotFound(f"There is no SKU {sku_id}.", code="sku_not_found")
        owners = [sku.owner_id]
    if not owners:
        raise InvalidInput(
            f"Location {location.code} holds no stock; name the owner whose stock should be there.",
            code="owner_required",
        )
    made = []
    for oid in owners:
        uow.caller.check_owner(oid)
        c = await open_count(uow, location=location, owner_id=oid, sku_id=sku_id, source="on_demand", priority=priority)
        if c is None:
            raise Conflict(f"Location {location.code} is already being counted.", code="count_open")
        made.append(c)
    return made


async def _owners_at(uow: UnitOfWork, location_id: int) -> list[int]:
    return sorted(
        set(
            (
                await uow.session.execute(
                    select(Stock.owner_id).where(Stock.location_id == location_id, Stock.on_hand > 0)
                )
            ).scalars()
        )
    )


# -- plans -------------------------------------------------------------------------------------------------------
async def create_plan(uow: UnitOfWork, data: CountPlanIn) -> CountPlan:
    if data.owner_id is not None:
        uow.caller.check_owner(data.owner_id)
    if data.kind == CountPlanKind.ABC and any(str(t) not in {"A", "B", "C"} for t in data.targets):
        raise InvalidInput("An ABC plan's targets are demand classes A, B, C.", code="invalid_targets")
    if data.kind in (CountPlanKind.LOCATION, CountPlanKind.SKU) and (
        not data.targets or not all(isinstance(t, int) for t in data.targets)
    ):
        raise InvalidInput(f"A {data.kind} plan needs the ids to count (targets).", code="invalid_targets")
    if data.kind == CountPlanKind.ZONE and not data.targets:
        raise InvalidInput("A zone plan needs zone codes (targets).", code="invalid_targets")
    if data.kind == CountPlanKind.ABC and data.every_days is not None:
        raise InvalidInput(
            "An ABC plan follows the warehouse's class intervals (count_days_a/b/c); leave every_days out.",
            code="invalid_schedule",
            errors=[{"field": "every_days", "message": "not for an ABC plan"}],
        )
    plan = CountPlan(
        warehouse_id=data.warehouse_id,
        owner_id=data.owner_id,
        name=data.name,
        kind=data.kind,
        targets=list(data.targets),
        active=True,
        every_days=data.every_days,
    )
    uow.session.add(plan)
    await uow.session.flush()
    return plan


async def _stock_places(
    uow: UnitOfWork, warehouse_id: int, owner_id: int | None, *where: Any
) -> list[tuple[int, int, int]]:
    """(location id, owner id, sku id) of stock in the warehouse's storage locations."""
    stmt = (
        select(Stock.location_id, Stock.owner_id, Stock.sku_id)
        .join(Location, Location.id == Stock.location_id)
        .where(
            Location.warehouse_id == warehouse_id,
            Location.type.in_(list(STORAGE_TYPES)),
            Stock.on_hand > 0,
            *where,
        )
        .distinct()
    )
    if owner_id is not None:
        stmt = stmt.where(Stock.owner_id == owner_id)
    return [(int(a), int(b), int(c)) for a, b, c in (await uow.session.execute(stmt)).all()]


async def last_counted(uow: UnitOfWork, sku_ids: Sequence[int]) -> dict[int, datetime]:
    """When each SKU was last counted (closed counts scoped to the SKU), as the day the count was opened: a
    schedule does not drift by however long the count took to close."""
    rows = await uow.session.execute(
        select(CycleCount.sku_id, func.max(CycleCount.created_at))
        .where(CycleCount.sku_id.in_(list(sku_ids)), CycleCount.closed_at.is_not(None))
        .group_by(CycleCount.sku_id)
    )
    out: dict[int, datetime] = {}
    for sku_id, at in rows.all():
        if isinstance(at, str):  # SQLite aggregates lose the column type
            at = datetime.fromisoformat(at)
        if sku_id is None or at is None:
            continue
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        out[int(sku_id)] = at
    return out


async def run_plan(uow: UnitOfWork, plan_id: int, *, now: datetime | None = None) -> tuple[list[int], int]:
    """Open the counts the plan calls for now; returns the new count task ids and how many places were skipped
    because they are already being counted."""
    now = now or utcnow()
    plan = (
        await uow.session.execute(for_update(select(CountPlan).where(CountPlan.id == plan_id)))
    ).scalar_one_or_none()
    if plan is None:
        raise NotFound(f"There is no count plan {plan_id}.", code="count_plan_not_found")
    if plan.owner_id is not None:
        uow.caller.check_owner(plan.owner_id)
    elif uow.caller.owner_id is not None:
        raise NotFound(f"There is no count plan {plan_id}.", code="count_plan_not_found")
    owner = plan.owner_id
    places: list[tuple[int, int, int | None]] = []  # (location, owner, sku scope)
    if plan.kind == CountPlanKind.LOCATION:
        ids = [int(t) for t in plan.targets]
        places = sorted(
            {
                (loc, o, None)
                for loc, o, _ in await _stock_places(uow, plan.warehouse_id, owner, Stock.location_id.in_(ids))
            }
        )
    elif plan.kind == CountPlanKind.ZONE:
        zone_locs = (
            select(Location.id)
            .join(Zone, Zone.id == Location.zone_id)
            .where(Zone.warehouse_id == plan.warehouse_id, Zone.code.in_([str(t) for t in plan.targets]))
        )
        places = sorted(
            {
                (loc, o, None)
                for loc, o, _ in await _stock_places(uow, plan.warehouse_id, owner, Stock.location_id.in_(zone_locs))
            }
        )
    elif plan.kind == CountPlanKind.SKU:
        ids = [int(t) for t in plan.targets]
        places = sorted(set(await _stock_places(uow, plan.warehouse_id, owner, Stock.sku_id.in_(ids))))
    else:
        settings = await settings_for(uow, plan.warehouse_id)
        classes = [str(t) for t in plan.targets] or ["A", "B", "C"]
        stocked = await _stock_places(uow, plan.warehouse_id, owner)
        sku_ids = sorted({s for _, _, s in stocked})
        skus = [
            (int(i), str(c))
            for i, c in (
                await uow.session.execute(
                    select(Sku.id, Sku.demand_class).where(Sku.id.in_(sku_ids), Sku.demand_class.in_(classes))
                )
            ).all()
        ]
        days = {"A": settings.count_days_a, "B": settings.count_days_b, "C": settings.count_days_c}
        due = set(rules.due_skus(skus, await last_counted(uow, [s for s, _ in skus]), days, now))
        places = sorted({p for p in stocked if p[2] in due})
    created: list[int] = []
    skipped = 0
    locs = {
        loc.id: loc
        for loc in (
            await uow.session.execute(select(Location).where(Location.id.in_({p[0] for p in places})))
        ).scalars()
    }
    for loc_id, oid, sku_id in places:
        count = await open_count(
            uow, location=locs[loc_id], owner_id=oid, sku_id=sku_id, source="plan", plan_id=plan.id
        )
        if count is None:
            skipped += 1
        elif count.task_id is not None:
            created.append(count.task_id)
    plan.last_run_at = now
    await uow.session.flush()
    return created, skipped


async def due_plans(uow: UnitOfWork, now: datetime) -> list[int]:
    """Active count plans whose schedule makes them due now (see :func:`count_rules.plan_due`), oldest first."""
    plans = list(
        (await uow.session.execute(select(CountPlan).where(CountPlan.active.is_(True)).order_by(CountPlan.id)))
        .scalars()
        .all()
    )
    settings: dict[int, InventorySettings] = {}
    due: list[int] = []
    for plan in plans:
        if plan.warehouse_id not in settings:
            settings[plan.warehouse_id] = await settings_for(uow, plan.warehouse_id)
        st = settings[plan.warehouse_id]
        interval = rules.plan_interval_days(
            plan.kind.value,
            plan.every_days,
            [str(t) for t in plan.targets],
            {"A": st.count_days_a, "B": st.count_days_b, "C": st.count_days_c},
        )
        last = plan.last_run_at
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        if rules.plan_due(last, interval, now):
            due.append(plan.id)
    return due


# -- the blind count ---------------------------------------------------------------------------------------------
async def _count_for_task(uow: UnitOfWork, task: Task) -> CycleCount:
    count = (
        await uow.session.execute(
            for_update(
                select(CycleCount).where((CycleCount.task_id == task.id) | (CycleCount.recount_task_id == task.id))
            )
        )
    ).scalar_one_or_none()
    if count is not None:
        return count
    # a count task made elsewhere (a short pick's): its count starts now
    if task.from_location_id is None:
        raise Conflict(f"Count task {task.id} names no location.", code="no_location")
    loc = await uow.session.get(Location, task.from_location_id)
    assert loc is not None
    made = await open_count(
        uow, location=loc, owner_id=task.owner_id, sku_id=task.sku_id, source=task.doc_type or "on_demand", task=task
    )
    if made is None:
        other = await _open_count_at(uow, loc.id, task.owner_id)
        raise Conflict(
            f"Location {loc.code} is already being counted (count {other.id if other else '?'}).", code="count_open"
        )
    return made


async def _book(uow: UnitOfWork, count: CycleCount) -> None:
    """The book at count time: every stock row of the owner (and SKU) at the location, whatever its status."""
    stmt = select(Stock).where(
        Stock.location_id == count.location_id, Stock.owner_id == count.owner_id, Stock.on_hand > 0
    )
    if count.sku_id is not None:
        stmt = stmt.where(Stock.sku_id == count.sku_id)
    rows = list((await uow.session.execute(stmt)).scalars())
    count.expected = rules.to_json(
        rules.totals((rules.Ident(r.sku_id, r.lot, r.expiry, r.lpn), r.on_hand) for r in rows)
    )


async def _read_lines(uow: UnitOfWork, count: CycleCount, lines: Sequence[CountLineIn]) -> dict[rules.Ident, int]:
    out: list[tuple[rules.Ident, int]] = []
    skus: dict[int, Sku] = {}
    for n, ln in enumerate(lines):
        scanned = await resolve_item(
            uow, ln.item, count.owner_id, location_id=count.location_id, field=f"lines[{n}].item"
        )
        if count.sku_id is not None and scanned.sku_id != count.sku_id:
            raise InvalidInput(
                f"This count is for one SKU only; line {n + 1} scanned another.",
                code="wrong_item",
                errors=[{"field": f"lines[{n}].item", "message": "another SKU"}],
            )
        sku = skus.get(scanned.sku_id) or await uow.session.get(Sku, scanned.sku_id)
        assert sku is not None
        skus[sku.id] = sku
        lot = ln.lot if ln.lot is not None else scanned.lot
        expiry = ln.expiry if ln.expiry is not None else scanned.expiry
        try:
            check_lot_rules(
                lot_controlled=sku.lot_controlled,
                expiry_controlled=sku.expiry_controlled,
                lot=lot,
                expiry=expiry,
                sku_code=sku.code,
            )
        except InvalidInput as exc:
            exc.errors = [{**e, "field": f"lines[{n}].{e['field']}"} for e in exc.errors]
            raise
        out.append(
            (rules.Ident(sku.id, lot, expiry if sku.expiry_controlled else None, scanned.lpn), ln.qty * scanned.units)
        )
    return rules.totals(out)


async def _costs(uow: UnitOfWork, sku_ids: set[int]) -> dict[int, Decimal]:
    return dict(
        (await uow.session.execute(select(SkuCost.sku_id, SkuCost.unit_cost).where(SkuCost.sku_id.in_(sku_ids)))).all()
    )


async def submit(uow: UnitOfWork, task_id: int, location: str, lines: Sequence[CountLineIn]) -> tuple[CycleCount, Task]:
    """A blind count (or recount) from the handheld. The answer says only what happens next."""
    task = await tasks.get_task(uow, task_id, lock=True)
    if task.type != TaskType.COUNT:
        raise NotFound(f"Task {task_id} is not a count.", code="task_not_found")
    if task.status in tasks.FINAL:
        raise Conflict(f"Count task {task_id} is already {task.status}.", code="task_final")
    tasks.check_holder(uow, task)
    count = await _count_for_task(uow, task)
    loc = await uow.session.get(Location, count.location_id)
    assert loc is not None
    check_location(location, loc)
    found = await _read_lines(uow, count, lines)
    recount = task.id == count.recount_task_id
    if recount and uow.caller.user_id == count.counted_by_id:
        raise Conflict(
            "A recount is done by another user than the first count; hand this task to a colleague.",
            code="recount_same_user",
        )
    await _book(uow, count)
    book = rules.from_json(count.expected)
    found = rules.match_lpns(book, found)
    diff = rules.deltas(book, found)
    settings = await settings_for(uow, count.warehouse_id)
    var = rules.variance(diff, await _costs(uow, {i.sku_id for i in diff}))
    over = rules.needs_review(var, max_units=settings.count_variance_units, max_value=settings.count_variance_value)
    count.variance_units, count.variance_value = var.units, var.value
    if recount:
        count.recounted = rules.to_json(found)
        count.recounted_by_id = uow.caller.user_id
    else:
        count.counted = rules.to_json(found)
        count.counted_by_id = uow.caller.user_id
    task.done_location_id = loc.id
    await tasks.finish(uow, task)
    if over and not recount:
        count.status = CountStatus.RECOUNT
        again = await tasks.create_task(
            uow,
            type=TaskType.COUNT,
            warehouse_id=count.warehouse_id,
            owner_id=count.owner_id,
            priority=max(0, task.priority - 5),
            sku_id=count.sku_id,
            from_location_id=count.location_id,
            doc_type=RECOUNT_DOC,
            doc_ref=count_ref(count),
            note=f"recount {loc.code} (another user than the first count)",
            details={"count_id": count.id, "not_user_id": count.counted_by_id},
        )
        count.recount_task_id = again.id
    elif over:
        count.status = CountStatus.APPROVAL
        exc = await open_exception(
            uow,
            VARIANCE_KIND,
            warehouse_id=count.warehouse_id,
            owner_id=count.owner_id,
            ref_type="cycle_count",
            ref_id=str(count.id),
            message=(
                f"Count {count_ref(count)} at {loc.code}: the recount confirms a variance of {var.units} units "
                f"({var.value}); approve the adjustment or reject it."
            ),
            details={
                "count_id": count.id,
                "location": loc.code,
                "variance_units": var.units,
                "variance_value": str(var.value),
                "lines": [{**i.as_json(d), "delta": d} for i, d in sorted(diff.items())],
            },
        )
        count.exception_id = exc.id
    else:
        await _apply(uow, count, found, note=f"cycle count {count_ref(count)} at {loc.code}")
        count.status = CountStatus.COUNTED
        count.closed_at = utcnow()
    await uow.session.flush()
    uow.emit(
        "inventory",
        {"event": "count_" + count.status.value, "count_id": count.id, "warehouse_id": count.warehouse_id},
    )
    return count, task


async def _apply(uow: UnitOfWork, count: CycleCount, found: dict[rules.Ident, int], *, note: str) -> None:
    """Unfreeze the location and write the adjustments (reason ``count``) that make the book what was found;
    reservations of units that are gone are taken back and their order lines allocated again."""
    await _unfreeze(uow, count)
    stmt = select(Stock).where(
        Stock.location_id == count.location_id, Stock.owner_id == count.owner_id, Stock.on_hand > 0
    )
    if count.sku_id is not None:
        stmt = stmt.where(Stock.sku_id == count.sku_id)
    rows = list((await uow.session.execute(for_update(stmt.order_by(Stock.id)))).scalars())
    book = rules.totals((rules.Ident(r.sku_id, r.lot, r.expiry, r.lpn), r.on_hand) for r in rows)
    diff = rules.deltas(book, found)
    inv = InventoryService(uow)
    doc = DocRef(COUNT_DOC, count_ref(count))
    touched: dict[int, Task | None] = {}
    short_rows: list[int] = []
    for ident, delta in sorted(diff.items()):
        if delta > 0:
            key = StockKey(count.owner_id, ident.sku_id, count.location_id, ident.lot, ident.expiry, ident.lpn)
            await inv.adjust(key, delta, reason=MovementReason.COUNT, note=note, doc=doc)
            continue
        mine = [r for r in rows if rules.Ident(r.sku_id, r.lot, r.expiry, r.lpn) == ident]
        takes = rules.take_loss([rules.Row(r.id, r.status, r.on_hand, r.allocated) for r in mine], -delta)
        by_id = {r.id: r for r in mine}
        for t in takes:
            r = by_id[t.stock_id]
            if t.unreserve:
                touched.update(await release_reservations(uow, r.id, t.unreserve, "not found by a count"))
                short_rows.append(r.id)
            key = StockKey(r.owner_id, r.sku_id, r.location_id, r.lot, r.expiry, r.lpn, r.status)
            await inv.adjust(key, -t.qty, reason=MovementReason.COUNT, note=note, doc=doc)
    await reallocate(uow, touched, exclude_stock=short_rows, why=f"not found by count {count_ref(count)}")


async def get_count(uow: UnitOfWork, count_id: int, *, lock: bool = False) -> CycleCount:
    stmt = select(CycleCount).where(CycleCount.id == count_id)
    count = (await uow.session.execute(for_update(stmt) if lock else stmt)).scalar_one_or_none()
    if count is None or (uow.caller.owner_id is not None and uow.caller.owner_id != count.owner_id):
        raise NotFound(f"There is no count {count_id}.", code="count_not_found")
    return count


async def _decide(uow: UnitOfWork, exc: FloorException, note: str, *, approve: bool) -> None:
    count = await get_count(uow, int(exc.details["count_id"]), lock=True)
    if count.status != CountStatus.APPROVAL:
        raise Conflict(f"Count {count_ref(count)} is {count.status}; nothing to approve.", code="count_not_pending")
    if approve:
        found = rules.from_json(count.recounted)
        loc = await uow.session.get(Location, count.location_id)
        await _apply(
            uow,
            count,
            found,
            note=f"cycle count {count_ref(count)} at {loc.code if loc else ''} approved"
            + (f": {note}" if note else ""),
        )
        count.status = CountStatus.APPROVED
    else:
        await _unfreeze(uow, count)
        count.status = CountStatus.REJECTED
    count.closed_at = utcnow()
    await uow.session.flush()


async def _approve(uow: UnitOfWork, exc: FloorException, note: str) -> None:
    await _decide(uow, exc, note, approve=True)


async def _reject(uow: UnitOfWork, exc: FloorException, note: str) -> None:
    await _decide(uow, exc, note, approve=False)


register_action(VARIANCE_KIND, "approve", "Approve the adjustment", "批准调整", _approve)
register_action(VARIANCE_KIND, "reject", "Reject (keep the book)", "驳回(保持账面)", _reject)


async def decide(uow: UnitOfWork, count_id: int, action: str, note: str) -> CycleCount:
    """Approve or reject a count waiting for a supervisor (the same as resolving its exception)."""
    count = await get_count(uow, count_id)
    if count.status != CountStatus.APPROVAL or count.exception_id is None:
        raise Conflict(f"Count {count_ref(count)} is {count.status}; nothing to decide.", code="count_not_pending")
    await resolve_exception(uow, count.exception_id, action, note)
    return await get_count(uow, count_id)


async def cancel_count(uow: UnitOfWork, count_id: int, note: str) -> CycleCount:
    count = await get_count(uow, count_id, lock=True)
    if count.status not in OPEN_COUNT:
        raise Conflict(f"Count {count_ref(count)} is already {count.status}.", code="count_closed")
    for tid in (count.task_id, count.recount_task_id):
        if tid is None:
            continue
        t = await uow.session.get(Task, tid, with_for_update=True)
        if t is not None and t.status not in tasks.FINAL:
            t.status = TaskStatus.CANCELLED
            t.note = note[:500]
    if count.exception_id is not None and count.status == CountStatus.APPROVAL:
        await resolve_exception(uow, count.exception_id, "reject", note or "count cancelled")
        return count
    await _unfreeze(uow, count)
    count.status = CountStatus.CANCELLED
    count.closed_at = utcnow()
    await uow.session.flush()
    return count
