"""``wes bench board``: how fast the board's pages answer with a busy warehouse in the database.

Builds a fresh warehouse of about ``locations`` locations, ``skus`` SKUs with stock, ``orders`` orders (most taken in
through bulk inserts in their final states, the open ones allocated by the real allocation service), a released wave
with pick tasks, some picks confirmed and open exceptions; then asks every board page ``repeat`` times in process
(no network) as a supervisor and reports the median and worst milliseconds per page, and the slowest page."""

from __future__ import annotations

import hashlib
import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from server.db.base import utcnow
from server.db.engine import create_engine, create_session_factory
from server.db.uow import UnitOfWork
from server.identity import services as identity
from server.identity.models import Role
from server.identity.principal import SYSTEM

Progress = Callable[[str, int, int], None]
PASSWORD = "bench-board-1"


async def seed(
    database_url: str,
    *,
    orders: int,
    locations: int,
    skus: int,
    open_share: float,
    seed: int,
    progress: Progress,
) -> dict[str, Any]:
    from server.catalog.services import create_sku
    from server.exceptions.services import open_exception
    from server.inventory.rules import StockKey
    from server.inventory.services import InventoryService
    from server.layout import services as layout
    from server.layout.models import Location, LocationType
    from server.layout.rules import RectangularLayout
    from server.outbound import services, waves
    from server.outbound.models import Channel, OrderLine, OrderStatus, OrderType, SalesOrder
    from server.outbound.schemas import CartTypeIn, WaveIn
    from server.tasks.models import Task, TaskStatus, TaskType

    rng = random.Random(seed)
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    try:
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            code = f"BB{int(time.time() * 1000) % 10**8}"
            wh = await identity.create_warehouse(uow, code, "Board benchmark")
            # 2 levels, two sides, 1 m bays: aisles x length x 4 locations
            length = 50.0
            aisles = max(1, round(locations / (length * 4)))
            await layout.generate(
                uow, wh.id, RectangularLayout(aisles=aisles, aisle_length_m=length, levels=2, zones=("A", "B"))
            )
            owners = [await identity.create_owner(uow, f"O{code}{i}", f"Owner {i}") for i in range(3)]
            await identity.create_user(
                uow,
                username=f"sup-{code.lower()}",
                display_name="bench",
                password=PASSWORD,
                role=Role.SUPERVISOR,
                warehouse_id=wh.id,
            )
            faces = list(
                (
                    await session.execute(
                        select(Location.id).where(
                            Location.warehouse_id == wh.id, Location.type == LocationType.PICK_FACE
                        )
                    )
                ).scalars()
            )
            n_locations = len(
                list((await session.execute(select(Location.id).where(Location.warehouse_id == wh.id))).scalars())
            )
            rng.shuffle(faces)
            inv = InventoryService(uow)
            sku_ids: list[tuple[int, int]] = []
            for i in range(skus):
                owner = owners[i % len(owners)]
                sku = await create_sku(uow, owner.id, {"code": f"{code}-S{i:05d}", "name": f"Item {i}"}, [])
                await inv.receive(StockKey(owner.id, sku.id, faces[i % len(faces)]), 100_000)
                sku_ids.append((owner.id, sku.id))
                if i % 100 == 99:
                    progress("SKUs and stock", i + 1, skus)
            await waves.create_cart_type(uow, wh.id, CartTypeIn(code="BENCH", max_orders=10, max_lines=60))
            await session.commit()
        # orders in bulk: the closed ones straight in their final state, the open ones received for allocation
        now = utcnow()
        closed = [OrderStatus.SHIPPED, OrderStatus.PACKED, OrderStatus.PICKED, OrderStatus.CANCELLED]
        for start in range(0, orders, 1000):
            async with factory() as session:
                batch: list[SalesOrder] = []
                for n in range(start, min(orders, start + 1000)):
                    owner_id, _ = sku_ids[n % len(sku_ids)]
                    is_open = rng.random() < open_share
                    batch.append(
                        SalesOrder(
                            owner_id=owner_id,
                            warehouse_id=wh.id,
                            channel=Channel.WEB,
                            channel_order_id=f"{code}-{n:06d}",
                            status=OrderStatus.RECEIVED if is_open else rng.choice(closed),
                            order_type=OrderType.B2B if n % 10 == 0 else OrderType.B2C,
                            priority=rng.randrange(4),
                            cutoff_at=now + timedelta(minutes=rng.randrange(-60, 16 * 60)),
                            carrier=rng.choice(["SF", "YTO", "ZTO", "JD"]),
                            ship_to={"name": "x", "city": "Shanghai", "country": "CN"},
                            content_hash=hashlib.sha256(f"{code}-{n}".encode()).hexdigest(),
                        )
                    )
                session.add_all(batch)
                await session.flush()
                for o in batch:
                    same_owner = [s for ow, s in sku_ids if ow == o.owner_id]
                    for k, sku_id in enumerate(rng.sample(same_owner, 3)):
                        session.add(OrderLine(order_id=o.id, line_no=k + 1, sku_id=sku_id, qty=1 + rng.randrange(3)))
                await session.commit()
            progress("orders", min(orders, start + 1000), orders)
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            allocated, _ = await services.allocate_orders(uow, wh.id)
            await session.commit()
        progress("allocated", len(allocated), len(allocated))
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            wave = await waves.plan_wave(uow, WaveIn(warehouse_id=wh.id, max_orders=300, time_limit_s=2.0))
            await waves.release_now(uow, wave.id)
            wave_id = wave.id
            await session.commit()
        progress("wave released", 1, 1)
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            # a share of the wave's picks done over the last hours (bench data: the status only, no stock moved)
            picks = list(
                (await session.execute(select(Task.id).where(Task.type == TaskType.PICK).order_by(Task.id))).scalars()
            )
            for k, task_id in enumerate(picks[: len(picks) // 3]):
                await session.execute(
                    update(Task)
                    .where(Task.id == task_id)
                    .values(status=TaskStatus.DONE, done_at=now - timedelta(minutes=k % (12 * 60)))
                )
            for k in range(60):
                await open_exception(
                    uow,
                    ("short_pick", "weight_mismatch", "receipt_discrepancy")[k % 3],
                    warehouse_id=wh.id,
                    owner_id=owners[k % 3].id,
                    ref_type="task",
                    ref_id=str(picks[k % len(picks)] if picks else k),
                    message=f"bench exception {k}",
                )
            await session.commit()
        return {
            "warehouse_id": wh.id,
            "username": f"sup-{code.lower()}",
            "wave_id": wave_id,
            "locations": n_locations,
            "allocated_orders": len(allocated),
            "sku": f"{code}-S00001",
            "owner_id": owners[0].id,
        }
    finally:
        await engine.dispose()


async def bench_board(
    database_url: str,
    *,
    orders: int = 10_000,
    locations: int = 2_000,
    skus: int = 300,
    open_share: float = 0.4,
    repeat: int = 5,
    seed_value: int = 11,
    progress: Progress | None = None,
) -> dict[str, Any]:
    from server.identity.security import configure_password_hashing

    def step(what: str, done: int, total: int) -> None:
        if progress is not None:
            progress(what, done, total)

    configure_password_hashing(1, 64)
    t0 = time.perf_counter()
    world = await seed(
        database_url,
        orders=orders,
        locations=locations,
        skus=skus,
        open_share=open_share,
        seed=seed_value,
        progress=step,
    )
    seed_s = time.perf_counter() - t0
    timings = await time_pages(database_url, world, repeat=repeat, progress=step)
    per_page = {
        url: {"median_ms": round(statistics.median(v), 1), "max_ms": round(max(v), 1)} for url, v in timings.items()
    }
    slowest = max(per_page, key=lambda u: per_page[u]["median_ms"])
    return {
        "database": database_url.split("://", 1)[0],
        "orders": orders,
        "open_orders_allocated": world["allocated_orders"],
        "locations": world["locations"],
        "skus": skus,
        "seed_s": round(seed_s, 1),
        "repeat": repeat,
        "pages": per_page,
        "slowest_page": slowest,
        "slowest_median_ms": per_page[slowest]["median_ms"],
    }


async def time_pages(
    database_url: str, world: dict[str, Any], *, repeat: int, progress: Progress | None = None
) -> dict[str, list[float]]:
    """Ask every board page ``repeat`` times in process as the seeded supervisor: milliseconds per page."""
    import re

    from litestar.testing import AsyncTestClient

    from server.app import create_app
    from server.settings import Settings

    settings = Settings(database_url=database_url, log_level="WARNING", password_time_cost=1, password_memory_kib=64)
    app = create_app(settings)
    wid = world["warehouse_id"]
    timings: dict[str, list[float]] = {}
    async with AsyncTestClient(app=app) as client:
        form = (await client.get("/board/login")).text  # the login form's token, as a browser gets it
        token = re.search(r'name="csrf" value="([0-9a-f]{64})"', form)
        login = {"username": world["username"], "password": PASSWORD, "next": "/board", "csrf": token and token[1]}
        await client.post("/board/login", data=login)
        stock_page = (await client.get("/board/stock", params={"q": world["sku"]})).text
        history = re.search(r"/board/stock/(\d+)/history", stock_page)
        pages = [
            "/board",
            "/board/partials/overview",
            f"/board/waves?warehouse_id={wid}",
            f"/board/waves?warehouse_id={wid}&carrier=SF&zone=A&offset=500",
            f"/board/waves?warehouse_id={wid}&owner_id={world.get('owner_id', '')}&order_type=b2b&min_priority=1",
            f"/board/waves/{world['wave_id']}",
            f"/board/partials/waves/{world['wave_id']}/progress",
            "/board/tasks",
            "/board/tasks?type=pick&offset=500",
            "/board/exceptions",
            f"/board/stock?q={world['sku']}",
            *([f"/board/stock/{history.group(1)}/history"] if history else []),
            "/board/inbound",
            "/board/users",
            "/board/returns",
            "/board/webhooks?status=all",
        ]
        for n in range(repeat):
            for url in pages:
                t = time.perf_counter()
                r = await client.get(url)
                ms = (time.perf_counter() - t) * 1000
                if r.status_code != 200:
                    raise RuntimeError(f"{url} answered {r.status_code}: {r.text[:300]}")
                timings.setdefault(url, []).append(ms)
            if progress is not None:
                progress("pages", n + 1, repeat)
    return timings
