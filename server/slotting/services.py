"""Slotting use cases: the slot assignment, re-slotting plans (plan → release as move tasks → confirmed moves
change the assignment) and the slot scores for putaway.

The assignment changes in the same transaction as the scan that finishes a move: a task-done hook
(``server.tasks.services.on_done``) sees a re-slotting move task finish and, once every task of that plan move is
done, rewrites the two assignment rows. Move tasks and their ledger rows are
``server.inventory.moves`` (through the InventoryService).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from optimizer import InputError
from optimizer.slotting_orders import ReslotPlanResult, plan_reslot, putaway_costs
from server.catalog.models import Sku
from server.cpu import run_in_process
from server.db.base import utcnow
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.inventory.models import Stock
from server.inventory.moves import create_move_task
from server.layout.models import Location, LocationType
from server.slotting.models import PlanMoveStatus, PlanStatus, SlotAssignment, SlottingPlan, SlottingPlanMove
from server.slotting.rules import PickLine, SkuFacts, Slot, build_problem, current_assignment, unit_m3
from server.tasks import services as tasks
from server.tasks.models import Task, TaskStatus, TaskType

RESLOT_DOC = "reslot"


async def slots(uow: UnitOfWork, warehouse_id: int) -> list[Slot]:
    rows = (
        await uow.session.execute(
            select(Location)
            .where(
                Location.warehouse_id == warehouse_id,
                Location.type == LocationType.PICK_FACE,
                Location.active.is_(True),
                Location.blocked.is_(False),
                Location.aisle.is_not(None),
            )
            .order_by(Location.id)
        )
    ).scalars()
    return [
        Slot(r.id, r.code, int(r.aisle or 0), r.x_m, r.y_m, r.level, float(r.capacity_m3), float(r.max_kg))
        for r in rows
    ]


async def assignment(uow: UnitOfWork, warehouse_id: int) -> dict[int, int]:
    """SKU id → slot location id. SKUs sitting alone in a pick slot without an assignment row get one first."""
    await _seed_from_stock(uow, warehouse_id)
    rows = (
        await uow.session.execute(
            select(SlotAssignment.sku_id, SlotAssignment.location_id).where(SlotAssignment.warehouse_id == warehouse_id)
        )
    ).all()
    return {int(s): int(loc) for s, loc in rows}


async def _seed_from_stock(uow: UnitOfWork, warehouse_id: int) -> None:
    taken = (
        await uow.session.execute(
            select(SlotAssignment.sku_id, SlotAssignment.location_id).where(SlotAssignment.warehouse_id == warehouse_id)
        )
    ).all()
    skus_taken = {s for s, _ in taken}
    locs_taken = {loc for _, loc in taken}
    rows = (
        await uow.session.execute(
            select(Stock.location_id, Stock.sku_id)
            .join(Location, Location.id == Stock.location_id)
            .where(
                Location.warehouse_id == warehouse_id,
                Location.type == LocationType.PICK_FACE,
                Stock.on_hand > 0,
            )
            .distinct()
        )
    ).all()
    by_loc: dict[int, set[int]] = {}
    for loc, sku in rows:
        by_loc.setdefault(loc, set()).add(sku)
    for loc, skus in sorted(by_loc.items()):
        if len(skus) == 1 and loc not in locs_taken:
            sku = next(iter(skus))
            if sku not in skus_taken:
                uow.session.add(SlotAssignment(warehouse_id=warehouse_id, sku_id=sku, location_id=loc))
                skus_taken.add(sku)
                locs_taken.add(loc)
    await uow.session.flush()


async def set_assignment(uow: UnitOfWork, warehouse_id: int, sku_id: int, location_id: int) -> None:
    """Slot a SKU (e.g. a new SKU put away by the slot-aware suggestion); one SKU per slot."""
    sku = await uow.session.get(Sku, sku_id)
    loc = await uow.session.get(Location, location_id)
    if sku is None:
        raise NotFound(f"SKU {sku_id} does not exist.", code="sku_not_found")
    if loc is None or loc.warehouse_id != warehouse_id:
        raise NotFound(f"Location {location_id} is not in warehouse {warehouse_id}.", code="location_not_found")
    uow.caller.check_owner(sku.owner_id)
    other = (
        await uow.session.execute(select(SlotAssignment).where(SlotAssignment.location_id == location_id))
    ).scalar_one_or_none()
    if other is not None and other.sku_id != sku_id:
        raise Conflict(f"Slot {loc.code} already holds SKU {other.sku_id}.", code="slot_taken")
    await uow.session.execute(
        delete(SlotAssignment).where(SlotAssignment.warehouse_id == warehouse_id, SlotAssignment.sku_id == sku_id)
    )
    uow.session.add(SlotAssignment(warehouse_id=warehouse_id, sku_id=sku_id, location_id=location_id))
    await uow.session.flush()


async def _sku_facts(uow: UnitOfWork, sku_ids: set[int]) -> list[SkuFacts]:
    rows = (await uow.session.execute(select(Sku).where(Sku.id.in_(sku_ids)).order_by(Sku.id))).scalars()
    return [SkuFacts(r.id, r.code, unit_m3(r.length_mm, r.width_mm, r.height_mm), float(r.weight_kg), 1) for r in rows]


async def pick_history(uow: UnitOfWork, warehouse_id: int, days: int) -> list[PickLine]:
    """Done pick tasks of the last ``days`` days, grouped by order (the order id a wave pick carries, else the
    pick document)."""
    since = utcnow() - timedelta(days=days)
    rows = (
        await uow.session.execute(
            select(Task.id, Task.sku_id, Task.qty, Task.doc_ref, Task.details).where(
                Task.warehouse_id == warehouse_id,
                Task.type == TaskType.PICK,
                Task.status == TaskStatus.DONE,
                Task.done_at >= since,
                Task.sku_id.is_not(None),
            )
        )
    ).all()
    out: list[PickLine] = []
    for tid, sku, qty, doc_ref, details in rows:
        order = (details or {}).get("order_id")
        key = f"order:{order}" if order is not None else f"doc:{doc_ref or tid}"
        out.append(PickLine(key, int(sku), int(qty)))
    return out


async def create_plan(
    uow: UnitOfWork,
    warehouse_id: int,
    *,
    days: int,
    max_moves: int | None,
    max_minutes: float | None,
    per_move_min: float,
    time_limit_s: float,
    replenishment_cost_m: float,
) -> SlottingPlan:
    current = await assignment(uow, warehouse_id)
    if not current:
        raise Conflict("No SKU is slotted in this warehouse yet: nothing to re-slot.", code="nothing_slotted")
    all_slots = await slots(uow, warehouse_id)
    slot_ids = {s.location_id for s in all_slots}
    current = {s: loc for s, loc in current.items() if loc in slot_ids}
    facts = await _sku_facts(uow, set(current))
    picks = await pick_history(uow, warehouse_id, days)
    try:
        problem, dropped = build_problem(all_slots, facts, picks, days, replenishment_cost_m)
        result: ReslotPlanResult = await run_in_process(
            plan_reslot,
            problem,
            current_assignment(current),
            max_moves=max_moves,
            max_minutes=max_minutes,
            per_move_min=per_move_min,
            time_limit_s=time_limit_s,
        )
    except InputError as e:
        raise InvalidInput(f"The slotting plan cannot be made: {e}", code="slotting_infeasible") from e
    plan = SlottingPlan(
        warehouse_id=warehouse_id,
        status=PlanStatus.DRAFT,
        created_by=uow.caller.user_id,
        summary={
            "history_days": days,
            "history_orders": len(problem.orders),
            "lines_not_slotted": dropped,
            "m_per_order_before": round(result.m_per_order_before, 3),
            "m_per_order_after": round(result.m_per_order_after, 3),
            "m_per_day_before": round(result.m_per_day_before, 2),
            "m_per_day_after": round(result.m_per_day_after, 2),
            "full_plan_m_per_day_saved": round(result.full_m_per_day_saved, 2),
            "curve": [[round(a, 4), round(b, 4)] for a, b in result.curve],
            "budget": {"max_moves": max_moves, "max_minutes": max_minutes, "per_move_min": per_move_min},
            "solve_ms": round(result.solve_ms, 1),
        },
    )
    uow.session.add(plan)
    await uow.session.flush()
    for m in result.moves:
        uow.session.add(
            SlottingPlanMove(
                plan_id=plan.id,
                rank=m.rank,
                sku_id=int(m.sku),
                from_location_id=int(m.from_id),
                to_location_id=int(m.to_id),
                swap_sku_id=int(m.swap_sku) if m.swap_sku else None,
                m_per_day_saved=m.m_per_day_saved,
                labour_min=m.labour_min,
                task_ids=[],
            )
        )
    await uow.session.flush()
    return plan


async def get_plan(uow: UnitOfWork, plan_id: int, *, lock: bool = False) -> SlottingPlan:
    stmt = select(SlottingPlan).where(SlottingPlan.id == plan_id)
    plan = (await uow.session.execute(for_update(stmt) if lock else stmt)).scalar_one_or_none()
    if plan is None:
        raise NotFound(f"Slotting plan {plan_id} does not exist.", code="plan_not_found")
    return plan


async def plan_moves(uow: UnitOfWork, plan_id: int) -> list[SlottingPlanMove]:
    rows = await uow.session.execute(
        select(SlottingPlanMove).where(SlottingPlanMove.plan_id == plan_id).order_by(SlottingPlanMove.rank)
    )
    return list(rows.scalars())


async def _carry(uow: UnitOfWork, sku_id: int, from_id: int, to_id: int, ref: str, move_id: int) -> list[int]:
    """Move tasks for every free unit of ``sku_id`` at ``from_id``; none if nothing is there."""
    rows = (
        await uow.session.execute(
            select(Stock)
            .where(Stock.sku_id == sku_id, Stock.location_id == from_id, Stock.on_hand > Stock.allocated)
            .order_by(Stock.id)
        )
    ).scalars()
    ids: list[int] = []
    for st in list(rows):
        task = await create_move_task(
            uow,
            stock_id=st.id,
            qty=st.on_hand - st.allocated,
            to_location_id=to_id,
            reason="re-slotting",
            doc_type=RESLOT_DOC,
            doc_ref=ref,
            details={"slotting_move_id": move_id},
        )
        ids.append(task.id)
    return ids


async def release_plan(uow: UnitOfWork, plan_id: int, ranks: list[int] | None = None) -> SlottingPlan:
    """Each planned move (or only ``ranks``) becomes move tasks for the handhelds; the others are skipped. A move
    with nothing to carry changes the assignment at once."""
    plan = await get_plan(uow, plan_id, lock=True)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(f"Slotting plan {plan_id} is already {plan.status}.", code="plan_not_draft")
    current = await assignment(uow, plan.warehouse_id)
    where = dict(current)
    for m in await plan_moves(uow, plan_id):
        if ranks is not None and m.rank not in ranks:
            m.status = PlanMoveStatus.SKIPPED
            continue
        if where.get(m.sku_id) != m.from_location_id or (
            m.swap_sku_id is not None and where.get(m.swap_sku_id) != m.to_location_id
        ):
            m.status = PlanMoveStatus.SKIPPED
            m.note = "the slots changed since the plan was made"
            continue
        ref = f"SLOT-{plan.id}-{m.rank}"
        ids = await _carry(uow, m.sku_id, m.from_location_id, m.to_location_id, ref, m.id)
        if m.swap_sku_id is not None:
            ids += await _carry(uow, m.swap_sku_id, m.to_location_id, m.from_location_id, ref, m.id)
        m.task_ids = ids
        m.status = PlanMoveStatus.RELEASED
        if not ids:
            await _apply(uow.session, m)
    plan.status = PlanStatus.RELEASED
    await uow.session.flush()
    await _close_if_done(uow.session, plan.id)
    return plan


async def _apply(session: Any, m: SlottingPlanMove) -> None:
    await session.run_sync(lambda s: _apply_sync(s, m.id))
    await session.refresh(m)


def _apply_sync(session: Session, move_id: int) -> None:
    """Rewrite the assignment rows of one finished plan move (delete, then insert: one SKU per slot holds at
    every statement) and mark the move done."""
    conn = session.connection()
    m = conn.execute(select(SlottingPlanMove.__table__).where(SlottingPlanMove.id == move_id)).mappings().one()
    if m["status"] == PlanMoveStatus.DONE.value:
        return
    plan = conn.execute(select(SlottingPlan.__table__).where(SlottingPlan.id == m["plan_id"])).mappings().one()
    wh = plan["warehouse_id"]
    skus = [m["sku_id"]] + ([m["swap_sku_id"]] if m["swap_sku_id"] is not None else [])
    conn.execute(delete(SlotAssignment).where(SlotAssignment.warehouse_id == wh, SlotAssignment.sku_id.in_(skus)))
    conn.execute(
        delete(SlotAssignment).where(
            SlotAssignment.location_id == m["to_location_id"], SlotAssignment.sku_id.not_in(skus)
        )
    )
    now = utcnow()
    new = [{"warehouse_id": wh, "sku_id": m["sku_id"], "location_id": m["to_location_id"]}]
    if m["swap_sku_id"] is not None:
        new.append({"warehouse_id": wh, "sku_id": m["swap_sku_id"], "location_id": m["from_location_id"]})
    conn.execute(insert(SlotAssignment), [{**r, "created_at": now, "updated_at": now} for r in new])
    conn.execute(
        update(SlottingPlanMove).where(SlottingPlanMove.id == move_id).values(status=PlanMoveStatus.DONE.value)
    )
    left = conn.execute(
        select(SlottingPlanMove.id).where(
            SlottingPlanMove.plan_id == m["plan_id"],
            SlottingPlanMove.status.in_([PlanMoveStatus.RELEASED.value, PlanMoveStatus.PLANNED.value]),
        )
    ).first()
    if left is None and plan["status"] == PlanStatus.RELEASED.value:
        conn.execute(update(SlottingPlan).where(SlottingPlan.id == plan["id"]).values(status=PlanStatus.DONE.value))


async def _close_if_done(session: Any, plan_id: int) -> None:
    def run(s: Session) -> None:
        conn = s.connection()
        left = conn.execute(
            select(SlottingPlanMove.id).where(
                SlottingPlanMove.plan_id == plan_id,
                SlottingPlanMove.status.in_([PlanMoveStatus.RELEASED.value, PlanMoveStatus.PLANNED.value]),
            )
        ).first()
        if left is None:
            conn.execute(update(SlottingPlan).where(SlottingPlan.id == plan_id).values(status=PlanStatus.DONE.value))

    await session.run_sync(run)
    plan = await session.get(SlottingPlan, plan_id)
    if plan is not None:
        await session.refresh(plan)


async def _move_task_done(uow: UnitOfWork, task: Task) -> None:
    """A re-slotting move task was confirmed: once every task of its plan move is done, the move applies (in the
    same transaction as the confirming scan)."""
    move_id = (task.details or {}).get("slotting_move_id")
    if move_id is None:
        return
    move = (
        await uow.session.execute(for_update(select(SlottingPlanMove).where(SlottingPlanMove.id == int(move_id))))
    ).scalar_one_or_none()
    if move is None or move.status == PlanMoveStatus.DONE:
        return
    others = (
        await uow.session.execute(select(Task.status).where(Task.id.in_(move.task_ids), Task.id != task.id))
    ).scalars()
    if all(st == TaskStatus.DONE for st in others):
        await _apply(uow.session, move)


tasks.on_done(RESLOT_DOC, _move_task_done)


async def putaway_slot(uow: UnitOfWork, warehouse_id: int, sku_id: int, candidate_ids: list[int]) -> int | None:
    """Slot-aware putaway for a SKU that has recent picks: its own slot if it has one among the candidates, else
    the free pick slot where its expected picks, its co-ordered SKUs' slots and its replenishment make it cheapest
    (the order-slotting objective). None: no history or no free pick slot, the caller's rule decides."""
    current = await assignment(uow, warehouse_id)
    if sku_id in current:
        return current[sku_id] if current[sku_id] in candidate_ids else None
    all_slots = await slots(uow, warehouse_id)
    taken = set(current.values())
    free = [s.location_id for s in all_slots if s.location_id in set(candidate_ids) and s.location_id not in taken]
    if not free:
        return None
    picks = await pick_history(uow, warehouse_id, 14)
    if not any(p.sku_id == sku_id for p in picks):
        return None
    facts = await _sku_facts(uow, set(current) | {sku_id})
    try:
        problem, _ = build_problem(all_slots, facts, picks, 14, 40.0)
        costs = putaway_costs(problem, current_assignment(current), str(sku_id), [str(f) for f in free])
    except InputError:
        return None
    if not costs:
        return None
    return int(min(costs, key=lambda k: (costs[k], k)))
