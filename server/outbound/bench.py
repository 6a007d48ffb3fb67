"""``wes bench release``: how long planning and releasing a big wave takes on this machine.

Builds a fresh warehouse (its own database unless one is given), takes in ``orders`` orders of ``lines_per_order``
lines, allocates them, then times planning the wave (optimizer batching and routing, the location-order baseline)
and releasing it (batches, totes, pick tasks), each in its own committed transaction."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from server.db.engine import create_engine, create_session_factory
from server.db.uow import UnitOfWork
from server.identity import services as identity
from server.identity.principal import SYSTEM

Progress = Callable[[str, int, int], None]


async def bench_release(
    database_url: str,
    *,
    orders: int = 500,
    lines_per_order: int = 4,
    skus: int = 500,
    aisles: int = 20,
    aisle_length_m: float = 30.0,
    cart_orders: int = 10,
    cart_lines: int = 60,
    time_limit_s: float = 4.0,
    seed: int = 7,
    progress: Progress | None = None,
) -> dict[str, Any]:
    from sqlalchemy import select

    from server.catalog.services import create_sku
    from server.inventory.rules import StockKey
    from server.inventory.services import InventoryService
    from server.layout import services as layout
    from server.layout.models import Location, LocationType
    from server.layout.rules import RectangularLayout
    from server.outbound import services, waves
    from server.outbound.schemas import CartTypeIn, OrderIn, WaveIn

    def step(what: str, done: int, total: int) -> None:
        if progress is not None:
            progress(what, done, total)

    rng = random.Random(seed)
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    try:
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            code = f"BW{int(time.time() * 1000) % 10**8}"
            wh = await identity.create_warehouse(uow, code, "Benchmark warehouse")
            await layout.generate(uow, wh.id, RectangularLayout(aisles=aisles, aisle_length_m=aisle_length_m, levels=2))
            owner = await identity.create_owner(uow, f"O{code}", "Benchmark owner")
            faces = list(
                (
                    await session.execute(
                        select(Location.id).where(
                            Location.warehouse_id == wh.id, Location.type == LocationType.PICK_FACE
                        )
                    )
                ).scalars()
            )
            rng.shuffle(faces)
            inv = InventoryService(uow)
            for i in range(skus):
                sku = await create_sku(uow, owner.id, {"code": f"S{i:05d}", "name": f"Item {i}"}, [])
                await inv.receive(StockKey(owner.id, sku.id, faces[i % len(faces)]), 10_000)
                if i % 50 == 49:
                    step("SKUs and stock", i + 1, skus)
            await waves.create_cart_type(
                uow, wh.id, CartTypeIn(code="BENCH", max_orders=cart_orders, max_lines=cart_lines)
            )
            await session.commit()
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            weights = [1.0 / (k + 1) ** 0.8 for k in range(skus)]  # a few fast movers, a long tail
            for n in range(orders):
                picked: set[int] = set()
                while len(picked) < min(lines_per_order, skus):
                    picked.add(rng.choices(range(skus), weights)[0])
                body = {
                    "owner_id": owner.id,
                    "warehouse_id": wh.id,
                    "channel": "web",
                    "channel_order_id": f"B-{n:06d}",
                    "carrier": "SF",
                    "ship_to": {"name": "x", "line1": "x", "city": "Shanghai", "postcode": "200001", "country": "CN"},
                    "lines": [{"sku": f"S{k:05d}", "qty": 1 + rng.randrange(3)} for k in sorted(picked)],
                }
                await services.submit_order(uow, OrderIn.model_validate(body))
                if n % 50 == 49:
                    step("orders", n + 1, orders)
            await session.commit()
        t0 = time.perf_counter()
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            allocated, shortages = await services.allocate_orders(uow, wh.id)
            await session.commit()
        t1 = time.perf_counter()
        step("allocated", orders, orders)
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            wave = await waves.plan_wave(uow, WaveIn(warehouse_id=wh.id, max_orders=orders, time_limit_s=time_limit_s))
            wave_id = wave.id
            preview = dict(wave.preview)
            await session.commit()
        t2 = time.perf_counter()
        step("planned", orders, orders)
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            await waves.release_now(uow, wave_id)
            await session.commit()
        t3 = time.perf_counter()
        step("released", orders, orders)
        return {
            "database": database_url.split("://", 1)[0],
            "orders": preview["orders"],
            "lines": preview["lines"],
            "carts": preview["carts"],
            "allocated_orders": len(allocated),
            "shortages": len(shortages),
            "allocate_s": round(t1 - t0, 3),
            "plan_s": round(t2 - t1, 3),
            "release_s": round(t3 - t2, 3),
            "plan_and_release_s": round(t3 - t1, 3),
            "optimizer_ms": preview["solve_ms"],
            "total_m": preview["total_m"],
            "baseline_m": preview["baseline_m"],
            "saving_pct": preview["saving_pct"],
            "time_limit_s": time_limit_s,
        }
    finally:
        await engine.dispose()
