"""Wave use cases: plan (with a preview of batches and walking metres against the location-order baseline) and
release (pick batches on carts, pick tasks in route order). Never commits, except :func:`release_in_steps`,
which the job worker runs with its own sessions so that progress is visible while it runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from optimizer import Cart, Order, batch_orders, tour_length
from server.cpu import run_in_process
from server.db.base import utcnow
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.inventory.models import Stock
from server.layout.graph import WalkingModel, walking_model
from server.layout.models import Location, Zone
from server.outbound.models import (
    Allocation,
    BatchStatus,
    CartType,
    OrderStatus,
    PickBatch,
    SalesOrder,
    Wave,
    WaveRule,
    WaveStatus,
)
from server.outbound.schemas import CartTypeIn, WaveIn
from server.outbound.services import publish, set_status
from server.tasks.models import Task, TaskStatus, TaskType

if TYPE_CHECKING:
    from server.settings import Settings

DEFAULT_CART = Cart(max_orders=8, max_lines=40)
PICK_DOC = "pick_batch"


def wave_event(uow: UnitOfWork, wave: Wave, event: str) -> None:
    uow.emit(
        "waves",
        {
            "event": event,
            "wave_id": wave.id,
            "warehouse_id": wave.warehouse_id,
            "status": wave.status.value,
            "progress": wave.progress,
            "progress_total": wave.progress_total,
        },
    )


async def create_cart_type(uow: UnitOfWork, warehouse_id: int, data: CartTypeIn) -> CartType:
    ct = CartType(warehouse_id=warehouse_id, **data.model_dump())
    uow.session.add(ct)
    await uow.session.flush()
    return ct


async def cart_for(uow: UnitOfWork, warehouse_id: int, cart_type_id: int | None) -> tuple[Cart, int | None]:
    """The optimizer's cart limits from the warehouse's cart type (the named one, else its first, else 8×40)."""
    stmt = select(CartType).where(CartType.warehouse_id == warehouse_id)
    if cart_type_id is not None:
        stmt = stmt.where(CartType.id == cart_type_id)
    ct = (await uow.session.execute(stmt.order_by(CartType.id).limit(1))).scalar_one_or_none()
    if ct is None:
        if cart_type_id is not None:
            raise NotFound(f"There is no cart type {cart_type_id} in this warehouse.", code="cart_type_not_found")
        return DEFAULT_CART, None
    return (
        Cart(
            ct.max_orders,
            ct.max_lines,
            float(ct.max_volume_m3) if ct.max_volume_m3 is not None else None,
            float(ct.max_kg) if ct.max_kg is not None else None,
        ),
        ct.id,
    )


def location_order_m(model: WalkingModel, location_ids: Sequence[int]) -> float:
    """The common-practice walk: visit the locations sorted by code (the baseline the optimizer must beat)."""
    ordered = sorted(location_ids, key=lambda i: model.codes.get(i, ""))
    return tour_length(model.layout, [model.positions[i] for i in ordered])


async def _open_allocations(uow: UnitOfWork, order_ids: Sequence[int]) -> dict[int, list[Allocation]]:
    out: dict[int, list[Allocation]] = {i: [] for i in order_ids}
    rows = (
        await uow.session.execute(
            select(Allocation)
            .where(Allocation.order_id.in_(list(order_ids)), Allocation.qty > 0, Allocation.task_id.is_(None))
            .order_by(Allocation.id)
        )
    ).scalars()
    for a in rows:
        out[a.order_id].append(a)
    return out


async def _select_orders(
    uow: UnitOfWork, data: WaveIn, model: WalkingModel, cart: Cart
) -> tuple[list[SalesOrder], dict[int, list[Allocation]], list[dict[str, Any]]]:
    """The allocated, unheld orders outside any wave that match the filters (locked), their open allocations, and
    those the optimizer cannot place, with the reason."""
    stmt = select(SalesOrder).where(
        SalesOrder.warehouse_id == data.warehouse_id,
        SalesOrder.status == OrderStatus.ALLOCATED,
        SalesOrder.hold_reason == "",
        SalesOrder.wave_id.is_(None),
    )
    if data.cutoff_before is not None:
        stmt = stmt.where(SalesOrder.cutoff_at <= data.cutoff_before)
    if data.carriers:
        stmt = stmt.where(SalesOrder.carrier.in_(data.carriers))
    if data.min_priority is not None:
        stmt = stmt.where(SalesOrder.priority >= data.min_priority)
    if data.order_type is not None:
        stmt = stmt.where(SalesOrder.order_type == data.order_type)
    if data.owner_ids:
        stmt = stmt.where(SalesOrder.owner_id.in_(data.owner_ids))
    stmt = stmt.order_by(
        SalesOrder.cutoff_at.is_(None), SalesOrder.cutoff_at, SalesOrder.priority.desc(), SalesOrder.id
    )
    orders = list((await uow.session.execute(for_update(stmt))).scalars())
    allocs = await _open_allocations(uow, [o.id for o in orders])
    if data.zones:
        zone_of = dict(
            (
                await uow.session.execute(
                    select(Location.id, Zone.code)
                    .join(Zone, Zone.id == Location.zone_id)
                    .where(Location.id.in_({a.location_id for al in allocs.values() for a in al}))
                )
            ).all()
        )
        wanted = set(data.zones)
        orders = [o for o in orders if all(zone_of.get(a.location_id) in wanted for a in allocs[o.id])]
    left_out: list[dict[str, Any]] = []
    kept: list[SalesOrder] = []
    for o in orders:
        if not allocs[o.id]:
            continue  # everything already has a pick task
        if not all(a.location_id in model.positions for a in allocs[o.id]):
            left_out.append({"order_id": o.id, "reason": "stock outside the walking grid"})
        elif len(allocs[o.id]) > cart.max_lines:
            left_out.append({"order_id": o.id, "reason": f"more picks than a cart's {cart.max_lines} lines"})
        else:
            kept.append(o)
    orders = kept[: data.max_orders]
    if not orders:
        raise Conflict("No allocated order matches these filters.", code="no_orders")
    return orders, allocs, left_out


def _picks_of(orders: Sequence[SalesOrder], allocs: dict[int, list[Allocation]]) -> dict[int, list[tuple[int, int]]]:
    """The plain data :func:`_optimize` needs: per order, in the orders' sequence, (allocation id, location id)."""
    return {o.id: [(a.id, a.location_id) for a in allocs[o.id]] for o in orders}


async def _plan(
    model: WalkingModel,
    orders: Sequence[SalesOrder],
    allocs: dict[int, list[Allocation]],
    cart: Cart,
    time_limit_s: float,
    left_out: list[dict[str, Any]],
) -> dict[str, Any]:
    """The optimizer's seconds of CPU in the helper process (:mod:`server.cpu`), not in this event loop's."""
    return await run_in_process(_optimize, model, _picks_of(orders, allocs), cart, time_limit_s, left_out)


def _optimize(
    model: WalkingModel,
    picks: dict[int, list[tuple[int, int]]],
    cart: Cart,
    time_limit_s: float,
    left_out: list[dict[str, Any]],
) -> dict[str, Any]:
    """Batch the orders onto carts and route each cart; the preview: batches with route and baseline metres,
    totals and the saving. ``picks``: per order id, its (allocation id, location id) pairs."""
    opt_orders = [Order(str(oid), tuple(model.positions[loc] for _, loc in pp)) for oid, pp in picks.items()]
    result = batch_orders(model.layout, opt_orders, cart, "seed-ls", time_limit_s=time_limit_s)
    baseline = batch_orders(model.layout, opt_orders, cart, "fcfs", time_limit_s=time_limit_s)

    def walk(order_ids: Sequence[str]) -> float:
        return location_order_m(model, [loc for oid in order_ids for _, loc in picks[int(oid)]])

    baseline_m = sum(walk(b.orders) for b in baseline.batches)
    batches: list[dict[str, Any]] = []
    for b in result.batches:
        seq = [picks[int(oid)][k][0] for oid, k in b.sequence]
        batches.append(
            {
                "orders": [int(x) for x in b.orders],
                "lines": len(seq),
                "route_m": round(b.length_m, 2),
                "baseline_m": round(walk(b.orders), 2),
                "sequence": seq,
            }
        )
    return {
        "orders": len(picks),
        "lines": sum(len(pp) for pp in picks.values()),
        "carts": len(batches),
        "total_m": round(result.total_length_m, 2),
        "baseline_m": round(baseline_m, 2),
        "saving_pct": round(100 * (1 - result.total_length_m / baseline_m), 1) if baseline_m else 0.0,
        "solve_ms": round(result.solve_ms, 1),
        "cart": {"max_orders": cart.max_orders, "max_lines": cart.max_lines},
        "batches": batches,
        "left_out": left_out,
    }


def _apply_preview(wave: Wave, preview: dict[str, Any]) -> None:
    wave.preview = preview
    wave.total_m = preview["total_m"]
    wave.baseline_m = preview["baseline_m"]
    wave.progress_total = preview["orders"]


async def _new_wave(uow: UnitOfWork, data: WaveIn, status: WaveStatus, cart_type_id: int | None, n: int) -> Wave:
    wave = Wave(
        warehouse_id=data.warehouse_id,
        code=f"W{utcnow():%y%m%d%H%M%S%f}",
        status=status,
        cart_type_id=cart_type_id,
        filters=data.model_dump(mode="json"),
        total_m=0.0,
        baseline_m=0.0,
        progress=0,
        progress_total=n,
        preview={},
    )
    uow.session.add(wave)
    await uow.session.flush()
    return wave


async def plan_wave(uow: UnitOfWork, data: WaveIn) -> Wave:
    """Pick allocated orders by the filters, batch them onto carts and route each batch; nothing released yet."""
    model = await walking_model(uow, data.warehouse_id)
    cart, cart_type_id = await cart_for(uow, data.warehouse_id, data.cart_type_id)
    orders, allocs, left_out = await _select_orders(uow, data, model, cart)
    preview = await _plan(model, orders, allocs, cart, data.time_limit_s, left_out)
    wave = await _new_wave(uow, data, WaveStatus.PLANNED, cart_type_id, len(orders))
    _apply_preview(wave, preview)
    for o in orders:
        o.wave_id = wave.id
    await uow.session.flush()
    wave_event(uow, wave, "planned")
    return wave


async def start_planning(uow: UnitOfWork, data: WaveIn) -> Wave:
    """The background path: the matching orders are set aside for a wave marked planning; the job worker's
    :func:`finish_planning` batches and routes them."""
    model = await walking_model(uow, data.warehouse_id)
    cart, cart_type_id = await cart_for(uow, data.warehouse_id, data.cart_type_id)
    orders, _, left_out = await _select_orders(uow, data, model, cart)
    wave = await _new_wave(uow, data, WaveStatus.PLANNING, cart_type_id, len(orders))
    wave.preview = {"left_out": left_out}
    for o in orders:
        o.wave_id = wave.id
    await uow.session.flush()
    wave_event(uow, wave, "planning")
    return wave


async def finish_planning(uow: UnitOfWork, wave_id: int) -> Wave:
    """Batch and route the orders set aside for a planning wave (orders changed meanwhile drop out)."""
    wave = await get_wave(uow, wave_id, lock=True)
    if wave.status != WaveStatus.PLANNING:
        return wave  # cancelled meanwhile, or a retried job after success
    data = WaveIn.model_validate(wave.filters)
    model = await walking_model(uow, wave.warehouse_id)
    cart, _ = await cart_for(uow, wave.warehouse_id, wave.cart_type_id)
    stmt = (
        select(SalesOrder)
        .where(SalesOrder.wave_id == wave.id)
        .order_by(SalesOrder.cutoff_at.is_(None), SalesOrder.cutoff_at, SalesOrder.priority.desc(), SalesOrder.id)
    )
    orders = []
    for o in (await uow.session.execute(for_update(stmt))).scalars():
        if o.status == OrderStatus.ALLOCATED and not o.hold_reason:
            orders.append(o)
        else:
            o.wave_id = None
    allocs = await _open_allocations(uow, [o.id for o in orders])
    orders = [o for o in orders if allocs[o.id]]
    if not orders:
        wave.status = WaveStatus.CANCELLED
        wave.error = "no order left to plan"
    else:
        left_out = list(wave.preview.get("left_out", []))
        preview = await _plan(model, orders, allocs, cart, data.time_limit_s, left_out)
        _apply_preview(wave, preview)
        wave.status = WaveStatus.PLANNED
    await uow.session.flush()
    wave_event(uow, wave, "planned")
    return wave


async def fail_planning(uow: UnitOfWork, wave_id: int, error: str) -> None:
    """The planning job gave up: the wave says why, and its orders go back to the pool."""
    wave = await get_wave(uow, wave_id, lock=True)
    if wave.status != WaveStatus.PLANNING:
        return
    wave.status = WaveStatus.FAILED
    wave.error = error[:500]
    for o in (await uow.session.execute(for_update(select(SalesOrder).where(SalesOrder.wave_id == wave.id)))).scalars():
        o.wave_id = None
    await uow.session.flush()
    wave_event(uow, wave, "failed")


async def get_wave(uow: UnitOfWork, wave_id: int, *, lock: bool = False) -> Wave:
    stmt = select(Wave).where(Wave.id == wave_id)
    if lock:
        stmt = for_update(stmt)
    wave = (await uow.session.execute(stmt)).scalar_one_or_none()
    if wave is None:
        raise NotFound(f"There is no wave {wave_id}.", code="wave_not_found")
    return wave


async def start_release(uow: UnitOfWork, wave_id: int) -> Wave:
    """Mark a planned wave as releasing; a failed release may be started again and resumes where it stopped."""
    wave = await get_wave(uow, wave_id, lock=True)
    if wave.status not in (WaveStatus.PLANNED, WaveStatus.FAILED) or "batches" not in wave.preview:
        raise Conflict(
            f"Wave {wave.code} is {wave.status}; only a planned (or failed) wave can be released.",
            code="wave_not_planned",
        )
    wave.status = WaveStatus.RELEASING
    wave.error = ""
    from server.inventory.replenishment import before_wave_release  # pick faces refilled ahead of the picks

    await before_wave_release(uow, wave.id)
    await uow.session.flush()
    wave_event(uow, wave, "releasing")
    return wave


async def release_batches(uow: UnitOfWork, wave: Wave, batch_indexes: Sequence[int]) -> None:
    """Create the pick batches ``batch_indexes`` of the wave's plan: one cart each, a tote per order, one pick
    task per allocation in route order. Orders that changed since planning (held, cancelled, re-allocated) are
    left out and go back to the pool; orders already on a batch are never released twice."""
    plan = wave.preview["batches"]
    for bi in batch_indexes:
        spec = plan[bi]
        orders = {
            o.id: o
            for o in (
                await uow.session.execute(
                    for_update(select(SalesOrder).where(SalesOrder.id.in_(spec["orders"])).order_by(SalesOrder.id))
                )
            ).scalars()
        }
        allocs = {
            a.id: a
            for a in (
                await uow.session.execute(
                    for_update(select(Allocation).where(Allocation.id.in_(spec["sequence"])).order_by(Allocation.id))
                )
            ).scalars()
        }
        ok = {
            oid
            for oid, o in orders.items()
            if o.status == OrderStatus.ALLOCATED and o.wave_id == wave.id and not o.hold_reason and o.batch_id is None
        }
        seq = [
            aid
            for aid in spec["sequence"]
            if aid in allocs and allocs[aid].order_id in ok and allocs[aid].qty > 0 and allocs[aid].task_id is None
        ]
        ok = {allocs[aid].order_id for aid in seq}
        for oid, o in orders.items():
            if oid not in ok and o.wave_id == wave.id and o.batch_id is None:
                o.wave_id = None  # changed, held or cancelled since the plan: back to the pool
        if not seq:
            continue
        batch = PickBatch(
            warehouse_id=wave.warehouse_id,
            wave_id=wave.id,
            code=f"{wave.code}-{bi + 1:03d}",
            status=BatchStatus.OPEN,
            priority=max(orders[o].priority for o in ok),
            cutoff_at=min((c for o in ok if (c := orders[o].cutoff_at) is not None), default=None),
            route_m=spec["route_m"],
            baseline_m=spec["baseline_m"],
        )
        uow.session.add(batch)
        await uow.session.flush()
        totes: dict[int, str] = {}
        for oid in [allocs[aid].order_id for aid in seq]:
            totes.setdefault(oid, f"{batch.code}-{len(totes) + 1}")
        for oid in ok:
            o = orders[oid]
            set_status(o, OrderStatus.RELEASED)
            o.batch_id = batch.id
            o.tote = totes[oid]
        stock = {
            s.id: s
            for s in (
                await uow.session.execute(select(Stock).where(Stock.id.in_({allocs[a].stock_id for a in seq})))
            ).scalars()
        }
        tasks: list[tuple[Allocation, Task]] = []
        for n, aid in enumerate(seq):
            a = allocs[aid]
            s = stock[a.stock_id]
            o = orders[a.order_id]
            t = Task(
                type=TaskType.PICK,
                status=TaskStatus.OPEN,
                warehouse_id=wave.warehouse_id,
                owner_id=o.owner_id,
                priority=100 - o.priority,
                sku_id=s.sku_id,
                qty=a.qty,
                lot=s.lot,
                expiry=s.expiry,
                lpn=s.lpn,
                stock_id=s.id,
                from_location_id=a.location_id,
                doc_type=PICK_DOC,
                doc_ref=batch.code,
                details={
                    "batch_id": batch.id,
                    "seq": n,
                    "order_id": o.id,
                    "line_id": a.line_id,
                    "allocation_id": a.id,
                    "tote": totes[o.id],
                    "picked": 0,
                },
            )
            uow.session.add(t)
            tasks.append((a, t))
        await uow.session.flush()
        for a, t in tasks:
            a.task_id = t.id
        for oid in ok:
            publish(uow, orders[oid], "released", batch_id=batch.id)
    await uow.session.flush()


def _mark_done(wave: Wave, batches_done: int) -> None:
    """Progress is counted in the plan's batches, so a resumed release neither skips nor repeats one."""
    plan = wave.preview["batches"]
    wave.batches_done = batches_done
    wave.progress = sum(len(b["orders"]) for b in plan[:batches_done])


async def finish_release(uow: UnitOfWork, wave: Wave) -> Wave:
    wave.status = WaveStatus.RELEASED
    wave.released_at = utcnow()
    _mark_done(wave, len(wave.preview["batches"]))
    await uow.session.flush()
    wave_event(uow, wave, "released")
    return wave


async def release_now(uow: UnitOfWork, wave_id: int) -> Wave:
    """Release in this unit of work (the embedded default, without a job worker): all of it or nothing."""
    wave = await start_release(uow, wave_id)
    await release_batches(uow, wave, range(wave.batches_done, len(wave.preview["batches"])))
    return await finish_release(uow, wave)


async def release(uow: UnitOfWork, wave_id: int, settings: Settings) -> tuple[Wave, bool]:
    """Release a planned wave, the one way the API and the board do it: on the job worker when Redis is set (the
    wave is marked releasing here and its job queued once that is committed, so the worker always finds it; a lost
    enqueue is resumed by the sweeper), else here and now in this unit of work. Returns the wave and whether its
    release was queued."""
    if settings.redis_url:
        from server.outbound.jobs import enqueue_release

        wave = await start_release(uow, wave_id)
        uow.on_commit(lambda: enqueue_release(settings, wave_id))
        return wave, True
    return await release_now(uow, wave_id), False


async def release_in_steps(
    new_uow: Callable[[], Awaitable[tuple[UnitOfWork, Callable[[], Awaitable[None]]]]],
    wave_id: int,
    *,
    step: int = 10,
) -> dict[str, Any]:
    """Release a wave marked releasing, ``step`` batches per transaction, each committing its batches together
    with the count of batches done. Run again after a crash (a retried job, the sweeper) it resumes after the
    last committed step: every batch is released exactly once. Stops when the wave was cancelled meanwhile.

    ``new_uow`` gives a fresh unit of work and its commit; the job worker uses it."""
    started: datetime = utcnow()
    n = done_before = -1
    while True:
        uow, commit = await new_uow()
        wave = await get_wave(uow, wave_id, lock=True)
        if wave.status != WaveStatus.RELEASING:
            if n < 0:
                raise InvalidInput(f"Wave {wave.code} is {wave.status}, not releasing.", code="wave_not_releasing")
            return {"wave_id": wave_id, "status": wave.status.value, "batches": n}
        n = len(wave.preview["batches"])
        if done_before < 0:
            done_before = wave.batches_done
        if wave.batches_done >= n:
            await finish_release(uow, wave)
            await commit()
            break
        end = min(n, wave.batches_done + step)
        await release_batches(uow, wave, range(wave.batches_done, end))
        _mark_done(wave, end)
        wave_event(uow, wave, "progress")
        await commit()
    return {
        "wave_id": wave_id,
        "status": WaveStatus.RELEASED.value,
        "batches": n,
        "resumed_at_batch": done_before,
        "seconds": round((utcnow() - started).total_seconds(), 3),
    }


async def cancel_wave(uow: UnitOfWork, wave_id: int, reason: str = "") -> dict[str, Any]:
    """Call a wave back. Its orders not yet on a cart go back to the pool; batches nobody has started are
    cancelled with their pick tasks and their orders go back to allocated (the stock stays reserved for them);
    batches a picker holds or has picked from are left to finish and listed."""
    wave = await get_wave(uow, wave_id, lock=True)
    if wave.status in (WaveStatus.CANCELLED,):
        raise Conflict(f"Wave {wave.code} is already cancelled.", code="wave_cancelled")
    batches = list(
        (
            await uow.session.execute(
                for_update(select(PickBatch).where(PickBatch.wave_id == wave.id).order_by(PickBatch.id))
            )
        ).scalars()
    )
    kept: list[str] = []
    cancelled: list[str] = []
    for batch in batches:
        if batch.status != BatchStatus.OPEN:
            if batch.status == BatchStatus.CLAIMED:
                kept.append(batch.code)
            continue
        picks = list(
            (
                await uow.session.execute(
                    for_update(
                        select(Task).where(Task.doc_type == PICK_DOC, Task.doc_ref == batch.code).order_by(Task.id)
                    )
                )
            ).scalars()
        )
        if any(t.status == TaskStatus.DONE or int(t.details.get("picked", 0)) > 0 for t in picks):
            kept.append(batch.code)  # paused with goods on the cart: finish it rather than unpick
            continue
        for t in picks:
            if t.status != TaskStatus.CANCELLED:
                t.status = TaskStatus.CANCELLED
                t.note = f"wave {wave.code} cancelled"
        task_ids = [t.id for t in picks]
        if task_ids:
            for a in (
                await uow.session.execute(for_update(select(Allocation).where(Allocation.task_id.in_(task_ids))))
            ).scalars():
                a.task_id = None
        for o in (
            await uow.session.execute(
                for_update(select(SalesOrder).where(SalesOrder.batch_id == batch.id).order_by(SalesOrder.id))
            )
        ).scalars():
            if o.status == OrderStatus.RELEASED:
                set_status(o, OrderStatus.ALLOCATED)  # back to before release: nothing was picked
                o.batch_id = None
                o.tote = ""
                o.wave_id = None
                publish(uow, o, "unreleased", wave_id=wave.id)
        batch.status = BatchStatus.CANCELLED
        cancelled.append(batch.code)
    for o in (
        await uow.session.execute(
            for_update(
                select(SalesOrder)
                .where(SalesOrder.wave_id == wave.id, SalesOrder.batch_id.is_(None))
                .order_by(SalesOrder.id)
            )
        )
    ).scalars():
        o.wave_id = None
    wave.status = WaveStatus.CANCELLED if not kept else WaveStatus.RELEASED
    wave.error = (f"cancelled: {reason}" if reason else "cancelled")[:500] if not kept else wave.error
    await uow.session.flush()
    wave_event(uow, wave, "cancelled" if not kept else "partly_cancelled")
    return {"wave": wave, "cancelled_batches": cancelled, "kept_batches": kept}


async def create_wave_rule(uow: UnitOfWork, warehouse_id: int, carrier: str, lead_minutes: int) -> WaveRule:
    rule = WaveRule(warehouse_id=warehouse_id, carrier=carrier, lead_minutes=lead_minutes, active=True)
    uow.session.add(rule)
    try:
        async with uow.session.begin_nested():
            await uow.session.flush()
    except IntegrityError:
        raise Conflict(
            f"There is already a wave rule for carrier {carrier or '(any)'} in this warehouse.", code="duplicate"
        ) from None
    return rule


async def auto_release(uow: UnitOfWork, rule: WaveRule, *, now: datetime | None = None) -> Wave | None:
    """Apply one auto-release rule: plan and release a wave of the allocated orders of its carrier whose cut-off
    falls within its lead time. None when no order is due."""
    now = now or utcnow()
    rule.last_run_at = now
    data = WaveIn(
        warehouse_id=rule.warehouse_id,
        carriers=[rule.carrier] if rule.carrier else None,
        cutoff_before=now + timedelta(minutes=rule.lead_minutes),
    )
    try:
        async with uow.session.begin_nested():
            wave = await plan_wave(uow, data)
    except Conflict as exc:
        if exc.code == "no_orders":
            return None
        raise
    return await release_now(uow, wave.id)
