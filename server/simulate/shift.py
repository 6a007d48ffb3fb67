"""``wes simulate``: a discrete-event simulation of one picking shift in a generated warehouse.

The same stream of orders (arrivals through the day, Zipf-like SKU popularity, carrier cut-offs) goes through the
server's real code every wave interval: order intake (``submit_order``), allocation (``allocate_orders``) and wave
planning (``plan_wave``: the optimizer's batching and exact routing). Three ways of picking are compared on it:

- ``location_order``: first-come batches (orders in arrival order, filled to the cart) walked in location order,
  the common practice, on a warehouse slotted at random;
- ``optimized``: our batching and routing (the wave plan) on the same random slotting;
- ``optimized_slotted``: the same on a warehouse slotted by the optimizer from the SKUs' expected picks.

Pickers (a fixed crew) take the released batch with the earliest cut-off when free; a batch takes a set-up time,
its walk at ``walk_m_per_s`` and ``pick_s_per_line`` a line. An order is done when its batch is."""

from __future__ import annotations

import heapq
import random
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Progress = Callable[[str, float, float], None]
SHIFT_START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@dataclass
class ShiftConfig:
    hours: float = 8.0
    orders: int = 600
    max_lines: int = 5
    skus: int = 200
    zipf: float = 1.1
    pickers: int = 5
    aisles: int = 12
    aisle_length_m: float = 20.0
    cart_orders: int = 8
    cart_lines: int = 30
    wave_every_min: float = 30.0
    walk_m_per_s: float = 1.0
    pick_s_per_line: float = 12.0
    batch_setup_s: float = 90.0
    cutoffs_h: tuple[float, ...] = (3.0, 5.5, 8.0)
    time_limit_s: float = 1.0
    seed: int = 7


@dataclass
class SimOrder:
    ref: str
    arrive_s: float
    cutoff_s: float
    lines: list[tuple[int, int]]  # (sku index, qty)


@dataclass
class SimBatch:
    ready_s: float
    cutoff_s: float
    walk_m: float
    lines: int
    orders: list[str]


@dataclass
class Outcome:
    batches: list[SimBatch] = field(default_factory=list)
    done_s: dict[str, float] = field(default_factory=dict)
    starts: list[tuple[float, float, float]] = field(default_factory=list)  # (start, end, walk_m)


def order_stream(cfg: ShiftConfig) -> list[SimOrder]:
    """Orders through the first 90 % of the shift, busier in the morning; each due at the next cut-off that leaves
    at least an hour."""
    from server.bench.scenario import popularity

    rng = random.Random(cfg.seed)
    weights = popularity(cfg.skus, cfg.zipf)
    out = []
    span = cfg.hours * 3600 * 0.9
    for n in range(cfg.orders):
        arrive = span * (rng.random() ** 1.3)
        cutoff = next((c * 3600 for c in cfg.cutoffs_h if c * 3600 >= arrive + 3600), cfg.hours * 3600)
        k = min(cfg.max_lines, 1 + int(rng.expovariate(0.6)))
        skus: set[int] = set()
        while len(skus) < k:
            skus.add(rng.choices(range(cfg.skus), weights)[0])
        out.append(SimOrder(f"SIM-{n:05d}", arrive, cutoff, [(s, 1 + rng.randrange(3)) for s in sorted(skus)]))
    out.sort(key=lambda o: o.arrive_s)
    return out


async def _plan_day(
    url: str, cfg: ShiftConfig, stream: list[SimOrder], slotting: str, progress: Progress | None, label: str
) -> dict[str, list[SimBatch]]:
    """Run the shift's waves through the real services; the batches of our plan and of the first-come baseline."""
    from sqlalchemy import select

    from optimizer import Cart, Order, batch_orders
    from server.bench.scenario import build_floor
    from server.db.engine import create_engine, create_session_factory
    from server.db.uow import UnitOfWork
    from server.errors import Conflict
    from server.identity.principal import SYSTEM
    from server.layout.graph import walking_model
    from server.outbound import services, waves
    from server.outbound.models import Allocation, SalesOrder
    from server.outbound.schemas import CartTypeIn, OrderIn, WaveIn

    floor = await build_floor(
        url,
        skus=cfg.skus,
        pickers=0,
        aisles=cfg.aisles,
        aisle_length_m=cfg.aisle_length_m,
        slotting=slotting,
        zipf=cfg.zipf,
        seed=cfg.seed,
    )
    codes = list(floor.gtins)
    by_ref = {o.ref: o for o in stream}
    plans: dict[str, list[SimBatch]] = {"optimized": [], "location_order": []}
    engine = create_engine(url)
    factory = create_session_factory(engine)
    try:
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            cart_id = (
                await waves.create_cart_type(
                    uow,
                    floor.warehouse_id,
                    CartTypeIn(code="SIM", max_orders=cfg.cart_orders, max_lines=cfg.cart_lines),
                )
            ).id
            await session.commit()
        step = cfg.wave_every_min * 60
        t, k = step, 0
        end = cfg.hours * 3600
        while t <= end + 1e-6:
            async with factory() as session:
                uow = UnitOfWork(session, SYSTEM)
                while k < len(stream) and stream[k].arrive_s <= t:
                    o = stream[k]
                    body = {
                        "owner_id": floor.owner_id,
                        "warehouse_id": floor.warehouse_id,
                        "channel": "web",
                        "channel_order_id": o.ref,
                        "carrier": "SF",
                        "cutoff_at": (SHIFT_START + timedelta(seconds=o.cutoff_s)).isoformat(),
                        "ship_to": {
                            "name": "x",
                            "line1": "1 Road",
                            "city": "Shanghai",
                            "postcode": "200001",
                            "country": "CN",
                        },
                        "lines": [{"sku": codes[s], "qty": q} for s, q in o.lines],
                    }
                    await services.submit_order(uow, OrderIn.model_validate(body))
                    k += 1
                await services.allocate_orders(uow, floor.warehouse_id)
                await session.commit()
            async with factory() as session:
                uow = UnitOfWork(session, SYSTEM)
                try:
                    wave = await waves.plan_wave(
                        uow,
                        WaveIn(
                            warehouse_id=floor.warehouse_id,
                            cart_type_id=cart_id,
                            max_orders=5000,
                            time_limit_s=cfg.time_limit_s,
                        ),
                    )
                except Conflict:
                    wave = None
                if wave is not None:
                    refs = dict(
                        (
                            await session.execute(
                                select(SalesOrder.id, SalesOrder.channel_order_id).where(SalesOrder.wave_id == wave.id)
                            )
                        ).all()
                    )
                    for b in wave.preview["batches"]:
                        members = [refs[i] for i in b["orders"]]
                        plans["optimized"].append(
                            SimBatch(t, min(by_ref[r].cutoff_s for r in members), b["route_m"], b["lines"], members)
                        )
                    # the baseline on the very same orders: first come first served, walked in location order
                    model = await walking_model(uow, floor.warehouse_id)
                    ids = sorted(refs, key=lambda i: by_ref[refs[i]].arrive_s)
                    rows = (
                        await session.execute(
                            select(Allocation.order_id, Allocation.location_id).where(
                                Allocation.order_id.in_(ids), Allocation.qty > 0
                            )
                        )
                    ).all()
                    locs: dict[int, list[int]] = {i: [] for i in ids}
                    for oid, lid in rows:
                        locs[oid].append(lid)
                    opt = [Order(str(i), tuple(model.positions[x] for x in locs[i])) for i in ids if locs[i]]
                    fcfs = batch_orders(
                        model.layout, opt, Cart(max_orders=cfg.cart_orders, max_lines=cfg.cart_lines), "fcfs"
                    )
                    for fb in fcfs.batches:
                        members = [refs[int(x)] for x in fb.orders]
                        stops = [x for oid in fb.orders for x in locs[int(oid)]]
                        plans["location_order"].append(
                            SimBatch(
                                t,
                                min(by_ref[r].cutoff_s for r in members),
                                waves.location_order_m(model, stops),
                                len(stops),
                                members,
                            )
                        )
                    await session.commit()
            if progress is not None:
                progress(label, min(t, end), end)
            t += step
    finally:
        await engine.dispose()
    return plans


def run_pickers(cfg: ShiftConfig, batches: list[SimBatch]) -> Outcome:
    """The crew over the day: each free picker takes the ready batch with the earliest cut-off."""
    out = Outcome(batches=batches)
    pending = sorted(batches, key=lambda b: b.ready_s)
    free = [0.0] * cfg.pickers
    heapq.heapify(free)
    ready: list[tuple[float, float, int]] = []
    i = 0
    while i < len(pending) or ready:
        now = heapq.heappop(free)
        while i < len(pending) and pending[i].ready_s <= now:
            heapq.heappush(ready, (pending[i].cutoff_s, pending[i].ready_s, i))
            i += 1
        if not ready:
            now = max(now, pending[i].ready_s)
            heapq.heappush(free, now)
            continue
        _, _, j = heapq.heappop(ready)
        b = pending[j]
        end = now + cfg.batch_setup_s + b.walk_m / cfg.walk_m_per_s + b.lines * cfg.pick_s_per_line
        out.starts.append((now, end, b.walk_m))
        for ref in b.orders:
            out.done_s[ref] = end
        heapq.heappush(free, end)
    return out


def summarize(cfg: ShiftConfig, stream: list[SimOrder], out: Outcome) -> dict[str, Any]:
    lines = sum(b.lines for b in out.batches)
    walk = sum(b.walk_m for b in out.batches)
    busy_h = sum(e - s for s, e, _ in out.starts) / 3600
    late = sum(1 for o in stream if out.done_s.get(o.ref, float("inf")) > o.cutoff_s)
    hours = int(cfg.hours + 4)
    walked = [0.0] * hours
    for s, e, m in out.starts:
        walked[min(hours - 1, int((s + e) / 2 // 3600))] += m
    backlog = []
    done = sorted(out.done_s.values())
    arrivals = sorted(o.arrive_s for o in stream)
    for minute in range(0, hours * 60 + 1, 10):
        t = minute * 60
        backlog.append(sum(1 for a in arrivals if a <= t) - sum(1 for d in done if d <= t))
    finish = max((e for _, e, _ in out.starts), default=0.0)
    return {
        "batches": len(out.batches),
        "lines": lines,
        "walk_m": round(walk, 1),
        "metres_per_line": round(walk / lines, 2) if lines else 0.0,
        "lines_per_picker_hour": round(lines / busy_h, 1) if busy_h else 0.0,
        "late_orders": late,
        "late_pct": round(100 * late / len(stream), 1) if stream else 0.0,
        "last_batch_done_h": round(finish / 3600, 2),
        "walked_m_per_hour": [round(x, 1) for x in walked],
        "backlog_every_10_min": backlog,
    }


def simulate(cfg: ShiftConfig, progress: Progress | None = None) -> dict[str, Any]:
    """Run the shift (each warehouse in its own temporary SQLite database) and compare the three ways."""
    import asyncio

    from server.bench.scenario import popularity
    from server.db.migrate import upgrade

    stream = order_stream(cfg)
    with tempfile.TemporaryDirectory() as tmp:
        urls = {name: f"sqlite+aiosqlite:///{tmp}/{name}.db" for name in ("random", "slotted")}
        for url in urls.values():
            upgrade(url)
        random_plans = asyncio.run(_plan_day(urls["random"], cfg, stream, "random", progress, "waves, random slotting"))
        slotted_plans = asyncio.run(_plan_day(urls["slotted"], cfg, stream, "optimal", progress, "waves, slotted"))
    strategies = {
        "location_order": random_plans["location_order"],
        "optimized": random_plans["optimized"],
        "optimized_slotted": slotted_plans["optimized"],
    }
    results = {name: summarize(cfg, stream, run_pickers(cfg, batches)) for name, batches in strategies.items()}
    base = results["location_order"]["metres_per_line"]
    weights = popularity(cfg.skus, cfg.zipf)
    top = sum(sorted(weights, reverse=True)[: max(1, cfg.skus // 5)]) / sum(weights)
    lines_by_sku: dict[int, int] = {}
    for o in stream:
        for s, _ in o.lines:
            lines_by_sku[s] = lines_by_sku.get(s, 0) + 1
    top_lines = sum(sorted(lines_by_sku.values(), reverse=True)[: max(1, cfg.skus // 5)])
    return {
        "config": asdict(cfg),
        "orders": len(stream),
        "order_lines": sum(len(o.lines) for o in stream),
        "top_20pct_skus_share_of_lines": round(top_lines / max(1, sum(lines_by_sku.values())), 3),
        "top_20pct_skus_expected_share": round(top, 3),
        "strategies": results,
        "metres_per_line_saving_pct": {
            name: round(100 * (1 - r["metres_per_line"] / base), 1) if base else 0.0
            for name, r in results.items()
            if name != "location_order"
        },
        "target_saving_ge_30pct": bool(
            base and 100 * (1 - results["optimized_slotted"]["metres_per_line"] / base) >= 30
        ),
    }
