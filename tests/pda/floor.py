"""Server-side state for the handheld's tests, made over the API like the board and the order systems make it:
a released pick batch, purchase orders and ASNs to receive, location check digits as a manager reads them.
Works with the in-process test client and with httpx against a real server."""

from __future__ import annotations

from typing import Any

from server.catalog.rules import make_gtin13
from tests.outbound_helpers import order_body, receive
from tests.world import World, login, sscc_for

GTIN = {f"OWNA-SKU{i}": make_gtin13("690000", i) for i in range(3)} | {
    f"OWNB-SKU{i}": make_gtin13("690000", 10 + i) for i in range(3)
}


async def released_batch(http: Any, world: World, db_url: str) -> dict[str, Any]:
    """Two OWNA orders (SKU0 ×2 + SKU1 ×1; SKU0 ×1 + SKU2 ×1 of lot LOT1) on one cart, released: a batch of four
    picks for a picker to claim."""
    a = world.owners["OWNA"]
    await receive(db_url, a, world.skus["OWNA-SKU1"], world.locations["A-02-05-A"], 50)
    key = {"X-API-Key": world.api_keys["OWNA"]}
    for ref, lines in (("H-1", [("OWNA-SKU0", 2), ("OWNA-SKU1", 1)]), ("H-2", [("OWNA-SKU0", 1), ("OWNA-SKU2", 1)])):
        r = await http.post("/api/v1/orders", json=order_body(world, ref, lines, carrier="SF"), headers=key)
        assert r.status_code == 201, r.text
    sup = await login(http, "supervisor")
    r = await http.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
    assert r.status_code == 200 and len(r.json()["allocated"]) == 2, r.text
    r = await http.post(
        f"/api/v1/warehouses/{world.warehouse_id}/cart-types",
        json={"code": "C4", "max_orders": 4, "max_lines": 20},
        headers=sup,
    )
    assert r.status_code == 201, r.text
    r = await http.post(
        "/api/v1/waves", json={"warehouse_id": world.warehouse_id, "carriers": ["SF"], "time_limit_s": 0.5}, headers=sup
    )
    assert r.status_code == 201, r.text
    r = await http.post(f"/api/v1/waves/{r.json()['id']}/release", headers=sup)
    assert r.status_code == 200 and r.json()["wave"]["status"] == "released", r.text
    return dict(r.json()["wave"])


async def check_digits(http: Any, world: World, location_code: str) -> str:
    """A location's check digits, as a supervisor reads them (the floor roles never get them)."""
    sup = await login(http, "supervisor")
    r = await http.get(
        f"/api/v1/warehouses/{world.warehouse_id}/locations", params={"code_prefix": location_code}, headers=sup
    )
    assert r.status_code == 200, r.text
    (loc,) = [x for x in r.json()["items"] if x["code"] == location_code]
    return str(loc["check_digits"])


def other_digits(digits: str) -> str:
    return f"{(int(digits) + 1) % 100:02d}"


async def purchase_documents(http: Any, world: World) -> dict[str, Any]:
    """OWNA orders SKU0 (20, on one announced pallet) and SKU2 (12, lot-controlled): PO-H1 with ASN-H1 for the
    pallet, and PO-H2 for the loose cases received by their GS1-128 labels."""
    key = {"X-API-Key": world.api_keys["OWNA"]}
    a, wh = world.owners["OWNA"], world.warehouse_id
    r = await http.post("/api/v1/suppliers", json={"owner_id": a, "code": "SUP-H", "name": "Supplier"}, headers=key)
    assert r.status_code == 201, r.text
    sup_id = r.json()["id"]
    pos = {}
    for number, sku, qty in (("PO-H1", "OWNA-SKU0", 20), ("PO-H2", "OWNA-SKU2", 12)):
        body = {
            "owner_id": a,
            "warehouse_id": wh,
            "supplier_id": sup_id,
            "number": number,
            "open": True,
            "lines": [{"sku_code": sku, "qty": qty}],
        }
        r = await http.post("/api/v1/purchase-orders", json=body, headers=key)
        assert r.status_code == 201, r.text
        pos[number] = r.json()["id"]
    pallet = sscc_for(4242)
    asn = {
        "owner_id": a,
        "warehouse_id": wh,
        "number": "ASN-H1",
        "units": [
            {"sscc": pallet, "items": [{"po_number": "PO-H1", "po_line_no": 1, "sku_code": "OWNA-SKU0", "qty": 20}]}
        ],
    }
    r = await http.post("/api/v1/asns", json=asn, headers=key)
    assert r.status_code == 201, r.text
    return {"pos": pos, "asn": r.json()["id"], "sscc": pallet}
