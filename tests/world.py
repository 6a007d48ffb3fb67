"""A small warehouse for tests: two owners, a 4-aisle layout, users of every role, API keys, SKUs, stock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from server.catalog.models import BarcodeKind
from server.catalog.rules import make_gtin13
from server.catalog.services import create_sku
from server.db.engine import create_engine, create_session_factory
from server.db.uow import UnitOfWork
from server.identity import services as identity
from server.identity.models import Role
from server.identity.principal import SYSTEM
from server.inventory.rules import StockKey
from server.inventory.services import InventoryService
from server.layout import services as layout
from server.layout.rules import RectangularLayout

PASSWORD = "secret-pass-1"


@dataclass
class World:
    warehouse_id: int
    owners: dict[str, int]
    skus: dict[str, int]
    stock: dict[str, int]
    locations: dict[str, int]
    api_keys: dict[str, str]
    users: dict[str, str] = field(default_factory=dict)  # username -> role
    inbound: dict[str, dict[str, Any]] = field(default_factory=dict)  # owner code -> ids (see add_inbound)
    outbound: dict[str, dict[str, Any]] = field(default_factory=dict)  # owner code -> ids (see add_outbound)


async def build_world(url: str) -> World:
    from server.identity.security import configure_password_hashing

    configure_password_hashing(1, 64)
    engine = create_engine(url)
    factory = create_session_factory(engine)
    async with factory() as session:
        uow = UnitOfWork(session, SYSTEM)
        wh = await identity.create_warehouse(uow, "WH1", "Test warehouse")
        await layout.generate(uow, wh.id, RectangularLayout(aisles=4, aisle_length_m=10, levels=2, zones=("A", "B")))
        owners = {c: (await identity.create_owner(uow, c, f"Owner {c}")).id for c in ("OWNA", "OWNB")}
        users = {}
        for role in (Role.ADMIN, Role.SUPERVISOR, Role.RECEIVER, Role.PICKER, Role.PACKER):
            await identity.create_user(
                uow,
                username=role.value,
                display_name=role.value,
                password=PASSWORD,
                role=role,
                warehouse_id=wh.id,
            )
            users[role.value] = role.value
        for code, oid in owners.items():
            await identity.create_user(
                uow,
                username=f"client-{code.lower()}",
                display_name=code,
                password=PASSWORD,
                role=Role.CLIENT,
                owner_id=oid,
            )
        await identity.create_device(uow, code="PDA-T1", name="test handheld", warehouse_id=wh.id)
        keys = {code: (await identity.create_api_key(uow, owner_id=oid, name="oms"))[1] for code, oid in owners.items()}
        skus = {}
        for n, (code, oid) in enumerate(owners.items()):
            for i in range(3):
                sku = await create_sku(
                    uow,
                    oid,
                    {
                        "code": f"{code}-SKU{i}",
                        "name": f"Item {i}",
                        "length_mm": 100,
                        "width_mm": 80,
                        "height_mm": 50,
                        "weight_kg": Decimal("0.5"),
                        "lot_controlled": i == 2,
                        "expiry_controlled": i == 2,
                    },
                    [{"value": make_gtin13("690000", n * 10 + i), "kind": BarcodeKind.GTIN, "units": 1}],
                )
                skus[f"{code}-SKU{i}"] = sku.id
        from sqlalchemy import select

        from server.layout.models import Location

        locs = dict((await session.execute(select(Location.code, Location.id))).all())
        inv = InventoryService(uow)
        stock = {}
        for code, oid in owners.items():
            loc = "A-01-01-A" if code == "OWNA" else "B-03-01-A"
            row = await inv.receive(StockKey(oid, skus[f"{code}-SKU0"], locs[loc]), 100)
            stock[code] = row.id
            lot_row = await inv.receive(
                StockKey(oid, skus[f"{code}-SKU2"], locs[loc.replace("-01-A", "-02-A")], "LOT1", date(2030, 1, 31)),
                40,
            )
            stock[f"{code}-lot"] = lot_row.id
        await session.commit()
    await engine.dispose()
    return World(warehouse_id=wh.id, owners=owners, skus=skus, stock=stock, locations=locs, api_keys=keys, users=users)


async def login(client: Any, username: str, device: str | None = None) -> dict[str, str]:
    """Log in through the API and return headers with the bearer token."""
    body: dict[str, Any] = {"username": username, "password": PASSWORD}
    if device:
        body["device_code"] = device
    r = await client.post("/api/v1/auth/login", json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def sscc_for(serial: int) -> str:
    """A valid SSCC (extension 0, company prefix 690000) for test pallets."""
    from server.catalog.rules import gtin_check_digit

    payload = f"0690000{serial:010d}"
    return payload + str(gtin_check_digit(payload))


async def add_inbound(url: str, world: World) -> World:
    """Per owner: a supplier, an open PO, an ASN with one pallet, a receipt of that pallet (an LPN on the dock)
    and its putaway task. Kept out of ``build_world`` so that tests counting stock see the small world only."""
    from server.inbound import services as inbound
    from server.inbound.schemas import AsnIn, PoIn, ReceiveIn, SupplierIn

    engine = create_engine(url)
    factory = create_session_factory(engine)
    async with factory() as session:
        uow = UnitOfWork(session, SYSTEM)
        for n, (code, oid) in enumerate(world.owners.items()):
            sup = await inbound.create_supplier(uow, SupplierIn(owner_id=oid, code=f"SUP-{code}", name="Supplier"))
            po = await inbound.create_po(
                uow,
                PoIn.model_validate(
                    {
                        "owner_id": oid,
                        "warehouse_id": world.warehouse_id,
                        "supplier_id": sup.id,
                        "number": f"PO-{code}",
                        "open": True,
                        "lines": [{"sku_code": f"{code}-SKU0", "qty": 50}],
                    }
                ),
            )
            pallet = sscc_for(900 + n)
            asn = await inbound.create_asn(
                uow,
                AsnIn.model_validate(
                    {
                        "owner_id": oid,
                        "warehouse_id": world.warehouse_id,
                        "number": f"ASN-{code}",
                        "units": [
                            {
                                "sscc": pallet,
                                "items": [
                                    {"po_number": f"PO-{code}", "po_line_no": 1, "sku_code": f"{code}-SKU0", "qty": 20}
                                ],
                            }
                        ],
                    }
                ),
            )
            receipt = await inbound.start_receipt(
                uow, world.warehouse_id, asn_id=asn.id, po_id=None, owner_id=None, dock_location=None
            )
            got = await inbound.receive(uow, receipt.id, ReceiveIn(scan=pallet))
            world.inbound[code] = {
                "supplier": sup.id,
                "po": po.id,
                "asn": asn.id,
                "receipt": receipt.id,
                "lpn": got.lpn,
                "task": got.tasks[0].id,
            }
        await session.commit()
    await engine.dispose()
    return world
