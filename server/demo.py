"""`wes demo`: a warehouse to try everything on — 3 owners, 2 zones, 2,016 locations, 500 SKUs, stock,
users of every role, 2 handhelds and an API key per owner."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import func, select

from server.catalog.models import Barcode, BarcodeKind, Sku
from server.catalog.rules import make_gtin13
from server.db.uow import UnitOfWork
from server.identity import services as identity
from server.identity.models import Owner, Role, Warehouse
from server.inventory.models import MovementReason
from server.inventory.rules import StockKey
from server.inventory.services import DocRef, InventoryService
from server.layout import services as layout
from server.layout.models import Location, LocationType
from server.layout.rules import RectangularLayout

DEMO_OWNERS = [
    ("ACME", "Acme Outdoor 探索户外", 0, "6901234"),
    ("BLOOM", "Bloom Cosmetics 花开美妆", 90, "6923456"),
    ("TEA", "Tea House 茶语", 180, "6934567"),
]
DEMO_LAYOUT = RectangularLayout(
    aisles=20,
    aisle_length_m=25.0,
    aisle_pitch_m=3.0,
    cross_aisles=2,
    bay_width_m=1.0,
    levels=2,
    zones=("A", "B"),
)
WORDS = [
    "Trail",
    "Summit",
    "River",
    "Lotus",
    "Jade",
    "Silk",
    "Cedar",
    "Harbor",
    "Maple",
    "Oolong",
    "Pearl",
    "Bamboo",
    "Delta",
    "Aurora",
    "Ember",
    "Willow",
]
ITEMS = [
    "Backpack",
    "Jacket",
    "Lip Balm",
    "Face Cream",
    "Green Tea 250g",
    "Tea Set",
    "Water Bottle",
    "Headlamp",
    "Serum 30ml",
    "Black Tea 100g",
    "Trekking Pole",
    "Shampoo 500ml",
    "Gloves",
    "Tent 2P",
    "Mug",
]


@dataclass
class DemoLogins:
    password: str
    users: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, owner
    devices: list[str] = field(default_factory=list)
    api_keys: list[tuple[str, str]] = field(default_factory=list)  # owner, key


async def demo_exists(uow: UnitOfWork) -> bool:
    return (await uow.session.execute(select(func.count(Owner.id)))).scalar_one() > 0


async def seed_demo(
    uow: UnitOfWork,
    password: str,
    *,
    skus_per_owner: tuple[int, ...] = (200, 170, 130),
    seed: int = 7,
    progress: Progress | None = None,
) -> DemoLogins:
    """Create the demo warehouse in ``uow`` (the caller commits)."""
    rng = random.Random(seed)
    logins = DemoLogins(password=password)
    wh = await identity.create_warehouse(uow, "SH1", "Shanghai DC 上海一号仓", "Asia/Shanghai")
    await layout.generate(uow, wh.id, DEMO_LAYOUT)
    owners: list[Owner] = []
    for code, name, shelf_life, _ in DEMO_OWNERS:
        owners.append(await identity.create_owner(uow, code, name, shelf_life))

    staff = [
        ("admin", Role.ADMIN, "Admin 管理员"),
        ("supervisor", Role.SUPERVISOR, "Sam Supervisor 主管"),
        ("receiver", Role.RECEIVER, "Rita Receiver 收货员"),
        ("picker1", Role.PICKER, "Pat Picker 拣货员"),
        ("picker2", Role.PICKER, "Li Wei 李伟"),
        ("packer", Role.PACKER, "Paul Packer 打包员"),
    ]
    for username, role, display in staff:
        await identity.create_user(
            uow,
            username=username,
            display_name=display,
            password=password,
            role=role,
            warehouse_id=wh.id,
            locale="zh-CN" if username == "picker2" else "en",
        )
        logins.users.append((username, role.value, ""))
    for owner in owners:
        username = f"client-{owner.code.lower()}"
        await identity.create_user(
            uow,
            username=username,
            display_name=f"{owner.name} portal",
            password=password,
            role=Role.CLIENT,
            owner_id=owner.id,
        )
        logins.users.append((username, Role.CLIENT.value, owner.code))
        _, key = await identity.create_api_key(uow, owner_id=owner.id, name=f"{owner.code} OMS")
        logins.api_keys.append((owner.code, key))
    for code in ("PDA-01", "PDA-02"):
        await identity.create_device(uow, code=code, name=f"Handheld {code}", warehouse_id=wh.id)
        logins.devices.append(code)

    skus: list[Sku] = []
    for owner, (_, _, _, prefix), count in zip(owners, DEMO_OWNERS, skus_per_owner, strict=True):
        for i in range(count):
            food = owner.code == "TEA" or (owner.code == "BLOOM" and i % 2 == 0)
            sku = Sku(
                owner_id=owner.id,
                code=f"{owner.code}-{i + 1:04d}",
                name=f"{rng.choice(WORDS)} {rng.choice(ITEMS)}",
                case_pack=rng.choice([1, 6, 12, 24]),
                length_mm=rng.randint(40, 450),
                width_mm=rng.randint(30, 300),
                height_mm=rng.randint(10, 250),
                weight_kg=Decimal(rng.randint(50, 9000)) / 1000,
                lot_controlled=food,
                expiry_controlled=food,
                demand_class="A" if i < count * 0.2 else ("B" if i < count * 0.5 else "C"),
            )
            uow.session.add(sku)
            skus.append(sku)
        await uow.session.flush()
        for i, sku in enumerate(skus[-count:]):
            uow.session.add(
                Barcode(
                    owner_id=owner.id,
                    sku_id=sku.id,
                    value=make_gtin13(prefix, i + 1).zfill(14),
                    kind=BarcodeKind.GTIN,
                    units=1,
                )
            )
    await uow.session.flush()

    faces = (
        (
            await uow.session.execute(
                select(Location.id)
                .where(Location.warehouse_id == wh.id, Location.type == LocationType.PICK_FACE)
                .order_by(Location.code)
            )
        )
        .scalars()
        .all()
    )
    reserve = (
        (
            await uow.session.execute(
                select(Location.id)
                .where(Location.warehouse_id == wh.id, Location.type == LocationType.RESERVE)
                .order_by(Location.code)
            )
        )
        .scalars()
        .all()
    )
    inv = InventoryService(uow)
    task = progress.add_task("Putting demo stock on the shelves", total=len(skus)) if progress else None
    today = date.today()
    for n, sku in enumerate(skus):
        lot = f"L{today:%y%m}{n % 7:02d}" if sku.lot_controlled else ""
        expiry = today + timedelta(days=rng.randint(120, 720)) if sku.expiry_controlled else None
        doc = DocRef("demo", "OPENING-STOCK")
        await inv.receive(
            StockKey(sku.owner_id, sku.id, faces[n % len(faces)], lot, expiry),
            rng.randint(10, 120),
            reason=MovementReason.RECEIPT,
            doc=doc,
            note="opening stock",
        )
        if n % 2 == 0:
            lpn = f"LPN{n + 1:08d}"
            await inv.receive(
                StockKey(sku.owner_id, sku.id, reserve[n % len(reserve)], lot, expiry, lpn),
                sku.case_pack * rng.randint(4, 20),
                reason=MovementReason.RECEIPT,
                doc=doc,
                note="opening stock",
            )
        if progress and task is not None:
            progress.advance(task)
    from server.shipping.demo import seed_shipping  # pack stations, cartons, carriers

    await seed_shipping(uow, wh.id, Path("var/labels"))
    return logins


async def warehouse_code(uow: UnitOfWork) -> str:
    wh = (await uow.session.execute(select(Warehouse).order_by(Warehouse.id))).scalars().first()
    return wh.code if wh else ""
