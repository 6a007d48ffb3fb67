"""Replenishment of pick faces from reserve: min/max per SKU and pick face. A face is refilled to its max when it
falls below its min (checked after every pick and on demand), and before a wave is released when the wave's demand
would take it below its min or exceeds what it holds. Replenishment tasks are ``replenish`` tasks ahead of every
pick in the queue (priority 0) and are confirmed like moves (:func:`server.inventory.moves.confirm_move`). A face is
never filled beyond what fits in it (its unit count, cube and weight limits and the SKU's dimensions)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.catalog.models import Sku
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.inventory import moves
from server.inventory.control_schemas import PickFaceRuleIn
from server.inventory.models import PickFaceRule, Stock, StockStatus
from server.layout.models import Location, LocationType
from server.tasks.models import Task, TaskStatus, TaskType

REPLENISH_DOC = "replenish"
PRIORITY = 0  # ahead of every pick (picks are 100 - the order's priority)
_OPEN = (TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class FaceLevel:
    """A pick face's units: on hand, on the way (open replenishment tasks), and about to be picked (demand)."""

    on_hand: int
    inbound: int
    face_demand: int = 0  # units of a wave allocated at this face
    sku_demand: int = 0  # units of the SKU the wave needs, wherever allocated
    capacity: int | None = None  # units of the SKU the face can hold beside the other goods in it (None: no limit)


@dataclass(frozen=True, slots=True)
class Space:
    """What a location holds at most (0: not limited that way)."""

    capacity_units: int = 0
    capacity_m3: float = 0.0
    max_kg: float = 0.0


def units_that_fit(
    space: Space,
    unit_m3: float,
    unit_kg: float,
    *,
    other_units: int = 0,
    other_m3: float = 0.0,
    other_kg: float = 0.0,
) -> int | None:
    """Units of a SKU (of ``unit_m3`` and ``unit_kg`` each) a location can hold beside the other goods in it, by its
    unit count, cube and weight limits, the tightest of them (None: no limit applies; a SKU without dimensions is
    limited by the unit count only). Pure."""
    limits: list[int] = []
    if space.capacity_units > 0:
        limits.append(space.capacity_units - other_units)
    if space.capacity_m3 > 0 and unit_m3 > 0:
        limits.append(math.floor((space.capacity_m3 - other_m3) / unit_m3 + 1e-9))
    if space.max_kg > 0 and unit_kg > 0:
        limits.append(math.floor((space.max_kg - other_kg) / unit_kg + 1e-9))
    return max(0, min(limits)) if limits else None


def replenish_qty(min_qty: int, max_qty: int, level: FaceLevel) -> int:
    """Units to bring from reserve: up to max after the demand, when the face would drop below min or cannot
    cover the wave's demand of the SKU; 0 otherwise. Never more than fits in the face beside what is there and on
    its way (``level.capacity``). Pure."""
    after = level.on_hand + level.inbound - level.face_demand
    short = level.sku_demand > level.on_hand + level.inbound
    if after >= min_qty and not short:
        return 0
    want = max(0, max_qty - after)
    if level.capacity is not None:
        want = min(want, max(0, level.capacity - level.on_hand - level.inbound))
    return want


async def face_capacity(uow: UnitOfWork, location: Location, sku: Sku) -> int | None:
    """Units of the SKU the location can hold in all, beside every other stock row in it (other SKUs and owners,
    and the SKU's own units not available: held, quarantined, damaged)."""
    cube = Sku.length_mm * Sku.width_mm * Sku.height_mm
    others = (
        await uow.session.execute(
            select(Stock.on_hand, cube, Sku.weight_kg)
            .join(Sku, Sku.id == Stock.sku_id)
            .where(
                Stock.location_id == location.id,
                Stock.on_hand > 0,
                ~((Stock.sku_id == sku.id) & (Stock.status == StockStatus.AVAILABLE)),
            )
        )
    ).all()
    return units_that_fit(
        Space(location.capacity_units, float(location.capacity_m3), float(location.max_kg)),
        sku.unit_m3,
        float(sku.weight_kg),
        other_units=sum(int(n) for n, _, _ in others),
        other_m3=sum(int(n) * float(mm3) / 1e9 for n, mm3, _ in others),
        other_kg=sum(int(n) * float(kg) for n, _, kg in others),
    )


async def create_rule(uow: UnitOfWork, data: PickFaceRuleIn) -> PickFaceRule:
    sku = await uow.session.get(Sku, data.sku_id)
    if sku is None:
        raise NotFound(f"There is no SKU {data.sku_id}.", code="sku_not_found")
    uow.caller.check_owner(sku.owner_id)
    loc = await uow.session.get(Location, data.location_id)
    if loc is None:
        raise NotFound(f"There is no location {data.location_id}.", code="location_not_found")
    if loc.type != LocationType.PICK_FACE:
        raise InvalidInput(f"Location {loc.code} is a {loc.type} location, not a pick face.", code="not_a_pick_face")
    fit = await face_capacity(uow, loc, sku)
    if fit is not None and data.max_qty > fit:
        raise InvalidInput(
            f"Only {fit} units of {sku.code} fit in {loc.code} (its units, cube and weight limits, beside what else "
            f"is there); a max of {data.max_qty} cannot be filled.",
            code="over_capacity",
            errors=[{"field": "max_qty", "message": f"at most {fit}"}],
        )
    rule = PickFaceRule(
        warehouse_id=loc.warehouse_id,
        owner_id=sku.owner_id,
        sku_id=sku.id,
        location_id=loc.id,
        min_qty=data.min_qty,
        max_qty=data.max_qty,
        active=True,
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(rule)
            await uow.session.flush()
    except IntegrityError:
        raise Conflict(f"SKU {sku.code} already has a min/max at {loc.code}.", code="duplicate") from None
    return rule


async def _level(uow: UnitOfWork, rule: PickFaceRule, face_demand: int = 0, sku_demand: int = 0) -> FaceLevel:
    on_hand = (
        await uow.session.execute(
            select(func.coalesce(func.sum(Stock.on_hand), 0)).where(
                Stock.sku_id == rule.sku_id,
                Stock.location_id == rule.location_id,
                Stock.status == StockStatus.AVAILABLE,
            )
        )
    ).scalar_one()
    open_tasks = (
        await uow.session.execute(
            select(Task).where(
                Task.type == TaskType.REPLENISH,
                Task.to_location_id == rule.location_id,
                Task.sku_id == rule.sku_id,
                Task.status.in_(_OPEN),
            )
        )
    ).scalars()
    inbound = sum(t.qty - int(t.details.get("moved", 0)) for t in open_tasks)
    loc = await uow.session.get(Location, rule.location_id)
    sku = await uow.session.get(Sku, rule.sku_id)
    assert loc is not None and sku is not None
    return FaceLevel(int(on_hand), inbound, face_demand, sku_demand, await face_capacity(uow, loc, sku))


async def _reserve_stock(uow: UnitOfWork, rule: PickFaceRule) -> list[Stock]:
    """Free available units of the SKU in reserve locations that are in use (first expiry, then oldest first)."""
    rows = (
        await uow.session.execute(
            select(Stock)
            .join(Location, Location.id == Stock.location_id)
            .where(
                Stock.sku_id == rule.sku_id,
                Stock.status == StockStatus.AVAILABLE,
                Stock.on_hand > Stock.allocated,
                Location.warehouse_id == rule.warehouse_id,
                Location.type == LocationType.RESERVE,
                Location.active.is_(True),
                Location.blocked.is_(False),
            )
            .order_by(Stock.expiry.is_(None), Stock.expiry, Stock.received_at, Stock.id)
        )
    ).scalars()
    return list(rows)


async def replenish(
    uow: UnitOfWork, rule: PickFaceRule, *, face_demand: int = 0, sku_demand: int = 0, wave_id: int | None = None
) -> list[Task]:
    """Replenishment tasks for one pick face, when its level calls for them (none otherwise)."""
    level = await _level(uow, rule, face_demand, sku_demand)
    want = replenish_qty(rule.min_qty, rule.max_qty, level)
    made: list[Task] = []
    for s in await _reserve_stock(uow, rule):
        if want <= 0:
            break
        q = min(want, s.on_hand - s.allocated)
        made.append(
            await moves.create_move_task(
                uow,
                stock_id=s.id,
                qty=q,
                to_location_id=rule.location_id,
                reason="replenish",
                doc_type=REPLENISH_DOC,
                doc_ref=f"PF-{rule.id}" if wave_id is None else f"WAVE-{wave_id}",
                priority=PRIORITY,
                task_type=TaskType.REPLENISH,
                details={"rule_id": rule.id, "wave_id": wave_id, "min": rule.min_qty, "max": rule.max_qty},
            )
        )
        want -= q
    return made


async def _rules(uow: UnitOfWork, *where: object) -> list[PickFaceRule]:
    return list(
        (
            await uow.session.execute(
                select(PickFaceRule).where(PickFaceRule.active.is_(True), *where).order_by(PickFaceRule.id)  # type: ignore[arg-type]
            )
        ).scalars()
    )


async def run(uow: UnitOfWork, warehouse_id: int) -> list[Task]:
    """Check every pick face of the warehouse against its min."""
    made: list[Task] = []
    for rule in await _rules(uow, PickFaceRule.warehouse_id == warehouse_id):
        made += await replenish(uow, rule)
    return made


async def face_rules(uow: UnitOfWork, location_id: int, sku_id: int) -> list[PickFaceRule]:
    """The rules of a pick face for a SKU (read before a pick takes its units; :func:`replenish` after)."""
    return await _rules(uow, PickFaceRule.location_id == location_id, PickFaceRule.sku_id == sku_id)


async def after_pick(uow: UnitOfWork, location_id: int, sku_id: int) -> list[Task]:
    """A pick took units from a location: refill it if it is a pick face now below its min."""
    made: list[Task] = []
    for rule in await face_rules(uow, location_id, sku_id):
        made += await replenish(uow, rule)
    return made


async def for_wave(uow: UnitOfWork, wave_id: int, allocations: Sequence[tuple[int, int, int]]) -> list[Task]:
    """Before a wave is released: ``allocations`` are its picks as (sku id, location id, qty). Faces the wave
    would take below min, or whose SKU the wave needs more of than they hold, get replenishment tasks first."""
    sku_demand: dict[int, int] = {}
    face_demand: dict[tuple[int, int], int] = {}
    for sku_id, loc_id, qty in allocations:
        sku_demand[sku_id] = sku_demand.get(sku_id, 0) + qty
        face_demand[(sku_id, loc_id)] = face_demand.get((sku_id, loc_id), 0) + qty
    if not sku_demand:
        return []
    made: list[Task] = []
    for rule in await _rules(uow, PickFaceRule.sku_id.in_(sorted(sku_demand))):
        made += await replenish(
            uow,
            rule,
            face_demand=face_demand.get((rule.sku_id, rule.location_id), 0),
            sku_demand=sku_demand[rule.sku_id],
            wave_id=wave_id,
        )
    return made


async def before_wave_release(uow: UnitOfWork, wave_id: int) -> list[Task]:
    """The hook the wave release calls: the wave's open allocations, then :func:`for_wave`."""
    from server.outbound.models import Allocation, SalesOrder

    rows = (
        await uow.session.execute(
            select(Stock.sku_id, Allocation.location_id, Allocation.qty)
            .join(Allocation, Allocation.stock_id == Stock.id)
            .join(SalesOrder, SalesOrder.id == Allocation.order_id)
            .where(SalesOrder.wave_id == wave_id, Allocation.qty > 0, Allocation.task_id.is_(None))
        )
    ).all()
    return await for_wave(uow, wave_id, [(int(s), int(loc), int(q)) for s, loc, q in rows])
