"""A generated warehouse for load runs and fault drills, built through the server's own services.

``build_floor`` makes a warehouse (rectangular layout), one owner with an API key, SKUs with GTINs, stock on pick
faces, a supervisor and ``pickers`` picker users; ``add_orders`` takes in orders, and ``release_wave`` allocates,
plans and releases them so that handhelds have batches to claim. Everything goes through the same service functions
the API calls (allocation, wave planning with the optimizer, release), so the load is the real one."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from server.catalog.models import BarcodeKind
from server.catalog.rules import make_gtin13
from server.db.engine import create_engine, create_session_factory
from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM

PASSWORD = "bench-pass-1"
GTIN_PREFIX = "693000"
ADDRESS = {"name": "王小明", "line1": "1 Nanjing Road", "city": "Shanghai", "postcode": "200001", "country": "CN"}


@dataclass
class Floor:
    """What a load run or a drill needs to know about the generated warehouse."""

    database_url: str
    warehouse_id: int
    owner_id: int
    api_key: str
    gtins: dict[str, str]  # sku code -> GTIN-13
    pickers: list[str]
    supervisor: str = "bench-sup"
    password: str = PASSWORD
    orders: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def gtin_for(index: int) -> str:
    return make_gtin13(GTIN_PREFIX, index)


def item_scan(gtins: dict[str, str], pick: dict[str, Any]) -> str:
    """What a handheld scans for a pick: the GTIN, or a GS1-128 with the lot for lot-controlled stock."""
    gtin = gtins[pick["sku_code"]].zfill(14)
    return f"(01){gtin}(10){pick['lot']}" if pick.get("lot") else gtin


async def build_floor(
    database_url: str,
    *,
    skus: int = 200,
    pickers: int = 32,
    aisles: int = 12,
    aisle_length_m: float = 20.0,
    units_per_sku: int = 100_000,
    seed: int = 7,
    slotting: str = "random",
    zipf: float = 1.0,
) -> Floor:
    """A fresh warehouse with a unique code in an already migrated database."""
    from sqlalchemy import select

    from server.catalog.services import create_sku
    from server.identity import services as identity
    from server.identity.models import Role
    from server.identity.security import configure_password_hashing
    from server.inventory.rules import StockKey
    from server.inventory.services import InventoryService
    from server.layout import services as layout
    from server.layout.models import Location, LocationType
    from server.layout.rules import RectangularLayout
    from server.outbound import waves
    from server.outbound.schemas import CartTypeIn

    configure_password_hashing(1, 64)  # many users; their logins are not what is measured
    rng = random.Random(seed)
    tag = f"{int(time.time() * 1000) % 10**8:08d}"
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            uow = UnitOfWork(session, SYSTEM)
            wh = await identity.create_warehouse(uow, f"BW{tag}", "Benchmark warehouse")
            await layout.generate(uow, wh.id, RectangularLayout(aisles=aisles, aisle_length_m=aisle_length_m, levels=2))
            owner = await identity.create_owner(uow, f"BO{tag}", "Benchmark owner")
            _, api_key = await identity.create_api_key(uow, owner_id=owner.id, name="bench")
            faces = list(
                (
                    await session.execute(
                        select(Location.id)
                        .where(Location.warehouse_id == wh.id, Location.type == LocationType.PICK_FACE)
                        .order_by(Location.id)
                    )
                ).scalars()
            )
            rng.shuffle(faces)
            if slotting != "random":
                faces = await slotted_faces(uow, wh.id, faces, skus, zipf, slotting)
            inv = InventoryService(uow)
            gtins: dict[str, str] = {}
            for i in range(skus):
                code = f"S{tag[-4:]}-{i:05d}"
                gtin = gtin_for(int(tag[-2:]) * 10_000 + i)
                sku = await create_sku(
                    uow,
                    owner.id,
                    {"code": code, "name": f"Item {i}"},
                    [{"value": gtin, "kind": BarcodeKind.GTIN, "units": 1}],
                )
                gtins[code] = gtin
                await inv.receive(StockKey(owner.id, sku.id, faces[i % len(faces)]), units_per_sku)
            await identity.create_user(
                uow,
                username=f"bench-sup-{tag}",
                display_name="Bench supervisor",
                password=PASSWORD,
                role=Role.SUPERVISOR,
                warehouse_id=wh.id,
            )
            roles: dict[str, str] = {"supervisor": f"bench-sup-{tag}"}
            for role in (Role.ADMIN, Role.RECEIVER, Role.PACKER):
                roles[role.value] = f"bench-{role.value}-{tag}"
                await identity.create_user(
                    uow,
                    username=roles[role.value],
                    display_name=role.value,
                    password=PASSWORD,
                    role=role,
                    warehouse_id=wh.id,
                )
            roles["client"] = f"bench-client-{tag}"
            await identity.create_user(
                uow,
                username=roles["client"],
                display_name="client",
                password=PASSWORD,
                role=Role.CLIENT,
                owner_id=owner.id,
            )
            names = []
            for p in range(pickers):
                name = f"bench-picker-{tag}-{p:03d}"
                await identity.create_user(
                    uow, username=name, display_name=name, password=PASSWORD, role=Role.PICKER, warehouse_id=wh.id
                )
                names.append(name)
            await waves.create_cart_type(uow, wh.id, CartTypeIn(code="BENCH", max_orders=4, max_lines=24))
            await session.commit()
            return Floor(
                database_url=database_url,
                warehouse_id=wh.id,
                owner_id=owner.id,
                api_key=api_key,
                gtins=gtins,
                pickers=names,
                supervisor=f"bench-sup-{tag}",
                extra={"users": roles | {"picker": names[0] if names else ""}},
            )
    finally:
        await engine.dispose()


def popularity(skus: int, zipf: float = 1.0) -> list[float]:
    """Zipf-like weights of SKU k (0 = the fastest mover)."""
    return [1.0 / (k + 1) ** zipf for k in range(skus)]


async def slotted_faces(
    uow: Any, warehouse_id: int, faces: list[int], skus: int, zipf: float, method: str
) -> list[int]:
    """Pick faces for SKUs 0..n-1 chosen by the optimizer's slotting from their expected picks."""
    from optimizer import SlotLocation, SlotSku, slot
    from server.layout.graph import walking_model

    model = await walking_model(uow, warehouse_id)
    usable = [f for f in faces if f in model.positions]
    locs = [SlotLocation(str(f), model.positions[f].aisle, model.positions[f].y, 0, 1.0, 1000.0) for f in usable]
    weights = popularity(skus, zipf)
    demand = [SlotSku(str(i), 1000 * weights[i], 0.01, 1.0) for i in range(skus)]
    result = slot(model.layout, locs, demand, method)
    return [int(result.assignment[str(i)]) for i in range(skus)]


def order_body(
    floor: Floor, ref: str, rng: random.Random, lines: int = 3, zipf: float = 1.0, weights: list[float] | None = None
) -> dict[str, Any]:
    """An order with Zipf-like SKU popularity (a few fast movers, a long tail)."""
    codes = list(floor.gtins)
    weights = weights or popularity(len(codes), zipf)
    picked: set[str] = set()
    while len(picked) < min(lines, len(codes)):
        picked.add(rng.choices(codes, weights)[0])
    return {
        "warehouse_id": floor.warehouse_id,
        "channel": "web",
        "channel_order_id": ref,
        "carrier": "SF",
        "ship_to": ADDRESS,
        "lines": [{"sku": c, "qty": 1 + rng.randrange(3)} for c in sorted(picked)],
    }


async def add_orders(floor: Floor, n: int, *, seed: int = 11, lines: int = 3, prefix: str = "BO") -> list[int]:
    from server.outbound import services
    from server.outbound.schemas import OrderIn

    rng = random.Random(seed)
    engine = create_engine(floor.database_url)
    ids: list[int] = []
    try:
        async with create_session_factory(engine)() as session:
            uow = UnitOfWork(session, SYSTEM)
            for k in range(n):
                body = {**order_body(floor, f"{prefix}-{floor.orders + k:06d}", rng, lines), "owner_id": floor.owner_id}
                order, _ = await services.submit_order(uow, OrderIn.model_validate(body))
                ids.append(order.id)
            await session.commit()
        floor.orders += n
        return ids
    finally:
        await engine.dispose()


async def release_wave(floor: Floor, *, time_limit_s: float = 1.0, queue_only: bool = False) -> int:
    """Allocate every open order, plan one wave and release it (or only mark it for a worker); the wave id."""
    from server.outbound import services, waves
    from server.outbound.schemas import WaveIn

    engine = create_engine(floor.database_url)
    try:
        factory = create_session_factory(engine)
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            await services.allocate_orders(uow, floor.warehouse_id)
            await session.commit()
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            wave = await waves.plan_wave(
                uow, WaveIn(warehouse_id=floor.warehouse_id, max_orders=5000, time_limit_s=time_limit_s)
            )
            wave_id = int(wave.id)
            await session.commit()
        if not queue_only:
            async with factory() as session:
                await waves.release_now(UnitOfWork(session, SYSTEM), wave_id)
                await session.commit()
        return wave_id
    finally:
        await engine.dispose()
