"""Helpers that take orders through the outbound flow and then pack and ship them, all over HTTP (an
``httpx.AsyncClient`` on a real server or Litestar's ``AsyncTestClient``; both have the same calls).

    h = await token(c, "supervisor")
    setup = await setup_shipping(c, world, h, printer="file:///tmp/labels.zpl")
    ids = await pick_orders(c, world, [("OWNA", "R-1", [("OWNA-SKU0", 2)])])
    shipped = await ship_orders(c, world, ids, setup)   # order id -> tracking numbers of its cartons

Other areas (returns, billing) use ``pick_orders`` + ``ship_orders`` to get shipped orders with ledger rows and
``order.shipped`` outbox events written the way production writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labels.gs1 import validate_gtin
from tests.outbound_helpers import order_body
from tests.unit.labels.test_transports import FakePrinter
from tests.world import PASSWORD

TABLE_RATE = {
    "zones": {"CN": "1", "CN:2": "1", "*": "3"},
    "rates": {"1": [[1.0, 8.0], [5.0, 12.0], [20.0, 25.0]], "3": [[1.0, 60.0], [5.0, 120.0]]},
    "per_kg_over": 2.0,
    "tracking": {"prefix": "EA", "suffix": "CN", "first": 1000, "last": 999999},
}
CARTONS = [
    {
        "code": "S",
        "length_mm": 220,
        "width_mm": 170,
        "height_mm": 110,
        "tare_kg": "0.150",
        "max_kg": "10",
        "cost": "0.8",
    },
    {
        "code": "M",
        "length_mm": 320,
        "width_mm": 250,
        "height_mm": 160,
        "tare_kg": "0.250",
        "max_kg": "20",
        "cost": "1.3",
    },
    {
        "code": "L",
        "length_mm": 450,
        "width_mm": 350,
        "height_mm": 300,
        "tare_kg": "0.450",
        "max_kg": "30",
        "cost": "2.2",
    },
]


class SocketPrinter(FakePrinter):
    """The labels tests' raw-9100 listener, without its idle time-out (a flow may be quiet for a while)."""

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
                self.jobs.append(b"".join(chunks))

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"


async def token(c: Any, username: str) -> dict[str, str]:
    r = await c.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@dataclass
class ShippingSetup:
    station_id: int
    station_location_id: int
    carriers: list[str]
    headers: dict[str, str]  # a supervisor's
    printer: str
    extra: dict[str, Any] = field(default_factory=dict)


async def setup_shipping(
    c: Any, world: Any, sup: dict[str, str], *, printer: str, ewaybill: bool = False, station: str = "P1"
) -> ShippingSetup:
    """A pack station printing to ``printer``, three carton types, the table-rate carrier ``POST`` (express and
    standard) and, with ``ewaybill``, the aggregator carrier ``ZTO`` (needs WES_EWAYBILL_* on the server)."""
    r = await c.post(
        "/api/v1/pack-stations",
        json={"warehouse_id": world.warehouse_id, "code": station, "printer_uri": printer},
        headers=sup,
    )
    assert r.status_code == 201, r.text
    st = r.json()
    for ct in CARTONS:
        r = await c.post(f"/api/v1/warehouses/{world.warehouse_id}/carton-types", json=ct, headers=sup)
        assert r.status_code in (201, 409), r.text
    carriers = [
        {
            "warehouse_id": world.warehouse_id,
            "code": "POST",
            "name": "China Post EMS",
            "kind": "table_rate",
            "config": TABLE_RATE,
            "services": [
                {"code": "EXPRESS", "level": 1, "cutoff": "18:00", "rate_factor": "1.5"},
                {"code": "STD", "level": 2, "cutoff": "20:00"},
            ],
        }
    ]
    if ewaybill:
        carriers.append(
            {
                "warehouse_id": world.warehouse_id,
                "code": "ZTO",
                "name": "中通快递 ZTO",
                "kind": "ewaybill",
                "config": {
                    "shipper_code": "ZTO",
                    "zones": {"CN": "1"},
                    "rates": {"1": [[1.0, 6.5], [5.0, 10.0]]},
                    "per_kg_over": 1.5,
                },
                "services": [{"code": "STD", "level": 2, "cutoff": "19:00"}],
            }
        )
    for body in carriers:
        r = await c.post("/api/v1/carriers", json=body, headers=sup)
        assert r.status_code in (201, 409), r.text
    return ShippingSetup(st["id"], st["location_id"], [b["code"] for b in carriers], sup, printer)


async def gtins(c: Any, sup: dict[str, str], sku_ids: set[int]) -> dict[int, str]:
    """The 14-digit GTIN of each SKU, as a scanner reads it off the item."""
    out = {}
    for sid in sku_ids:
        sku = (await c.get(f"/api/v1/skus/{sid}", headers=sup)).json()
        value = next(b["value"] for b in sku["barcodes"] if b["kind"] == "gtin")
        out[sid] = validate_gtin(value)
    return out


async def pick_orders(
    c: Any, world: Any, orders: list[tuple[str, str, list[tuple[str, int]], dict[str, Any]]]
) -> list[int]:
    """Intake (owner's API key), allocation, a released wave, and a picker confirming every pick by scans: the
    orders end ``picked`` with their units on the cart in their totes. ``orders``: (owner, ref, lines, extra)."""
    sup = await token(c, "supervisor")
    ids = []
    for owner, ref, lines, extra in orders:
        r = await c.post(
            "/api/v1/orders",
            json=order_body(world, ref, lines, **extra),
            headers={"X-API-Key": world.api_keys[owner]},
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = await c.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
    assert r.status_code == 200 and set(ids) <= set(r.json()["allocated"]), r.text
    r = await c.post(
        f"/api/v1/warehouses/{world.warehouse_id}/cart-types",
        json={"code": "SHIPCART", "max_orders": 8, "max_lines": 40},
        headers=sup,
    )
    assert r.status_code in (201, 409), r.text
    r = await c.post("/api/v1/waves", json={"warehouse_id": world.warehouse_id, "time_limit_s": 1}, headers=sup)
    assert r.status_code == 201, r.text
    r = await c.post(f"/api/v1/waves/{r.json()['id']}/release", headers=sup)
    assert r.status_code == 200, r.text
    picker = await token(c, "picker")
    codes: dict[int, str] = {}
    while True:
        r = await c.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=picker)
        if r.status_code == 404:
            break
        assert r.status_code == 200, r.text
        batch = r.json()
        codes.update(await gtins(c, sup, {p["sku_id"] for p in batch["picks"]} - codes.keys()))
        for p in batch["picks"]:
            if p["status"] == "done":
                continue
            item = f"(01){codes[p['sku_id']]}(10){p['lot']}" if p["lot"] else codes[p["sku_id"]]
            body = {"location": p["location_code"], "item": item, "qty": p["qty"] - p["picked_qty"]}
            r = await c.post(
                f"/api/v1/picking/picks/{p['task_id']}/confirm",
                json=body,
                headers={**picker, "Idempotency-Key": f"pick-{p['task_id']}"},
            )
            assert r.status_code == 200, r.text
    for oid in ids:
        o = (await c.get(f"/api/v1/orders/{oid}", headers=sup)).json()
        assert o["status"] == "picked", o
    return ids


async def pack_order(
    c: Any, setup: ShippingSetup, order_id: int, *, packer: dict[str, str], carton_type: str | None = None
) -> dict[str, Any]:
    """Pack one picked order at the station: scan the tote, scan every unit into the suggested carton (or
    ``carton_type``), weigh it at its expected weight and close it (labels printed). The packed shipment."""
    sup = setup.headers
    order = (await c.get(f"/api/v1/orders/{order_id}", headers=sup)).json()
    r = await c.post(
        "/api/v1/packing/start",
        json={"station_id": setup.station_id, "scan": order["tote"]},
        headers={**packer, "Idempotency-Key": f"pack-start-{order_id}"},
    )
    assert r.status_code == 200, r.text
    sh = r.json()
    codes = await gtins(c, sup, {ln["sku_id"] for ln in sh["lines"]})
    r = await c.post(
        f"/api/v1/shipments/{sh['id']}/cartons",
        json={"carton_type": carton_type},
        headers={**packer, "Idempotency-Key": f"pack-open-{order_id}"},
    )
    assert r.status_code == 201, r.text
    n = 0
    for ln in sh["lines"]:
        for _ in range(ln["remaining"]):
            n += 1
            r = await c.post(
                f"/api/v1/shipments/{sh['id']}/scans",
                json={"item": codes[ln["sku_id"]]},
                headers={**packer, "Idempotency-Key": f"pack-scan-{order_id}-{n}"},
            )
            assert r.status_code == 200, r.text
    sh = r.json()
    carton = next(ct for ct in sh["cartons"] if ct["status"] == "open")
    expected = await expected_weight(c, sup, sh, carton)
    r = await c.post(
        f"/api/v1/cartons/{carton['id']}/close",
        json={"weight_kg": str(expected)},
        headers={**packer, "Idempotency-Key": f"pack-close-{order_id}"},
    )
    assert r.status_code == 200 and r.json()["weight_ok"], r.text
    return dict(r.json()["shipment"])


async def expected_weight(c: Any, sup: dict[str, str], shipment: dict[str, Any], carton: dict[str, Any]) -> Any:
    """What the scale should read: the carton's tare plus its units' weights (kg)."""
    from decimal import Decimal

    types = {
        t["id"]: t
        for t in (await c.get(f"/api/v1/warehouses/{shipment['warehouse_id']}/carton-types", headers=sup)).json()
    }
    total = Decimal(types[carton["carton_type_id"]]["tare_kg"])
    for it in carton["items"]:
        sku = (await c.get(f"/api/v1/skus/{it['sku_id']}", headers=sup)).json()
        total += Decimal(str(sku["weight_kg"])) * it["qty"]
    return total


async def ship_orders(
    c: Any, world: Any, order_ids: list[int], setup: ShippingSetup, *, door: str = "DOOR-1"
) -> dict[int, list[str]]:
    """Pack every order, load every carton onto ``door`` and close each carrier's manifest: the orders are
    shipped. Returns order id -> tracking numbers of its cartons."""
    packer = await token(c, "packer")
    shipments = [await pack_order(c, setup, oid, packer=packer) for oid in order_ids]
    carriers = set()
    for sh in shipments:
        carriers.add(sh["carrier"])
        for ct in sh["cartons"]:
            r = await c.post(
                "/api/v1/dispatch/load",
                json={"warehouse_id": world.warehouse_id, "scan": ct["sscc"], "door": door},
                headers={**packer, "Idempotency-Key": f"load-{ct['id']}"},
            )
            assert r.status_code == 200, r.text
    for code in sorted(carriers):
        r = await c.post(
            "/api/v1/manifests", json={"warehouse_id": world.warehouse_id, "carrier": code}, headers=setup.headers
        )
        assert r.status_code == 201, r.text
    return {sh["order_id"]: [ct["tracking_number"] for ct in sh["cartons"]] for sh in shipments}
