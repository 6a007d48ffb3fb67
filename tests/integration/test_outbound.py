"""Outbound over the API on both databases: idempotent intake, bulk with every problem listed, holds, checked
transitions, cancellation releasing allocations, FEFO/FIFO allocation from pick faces first, partial and
backorders with every shortage in one answer, re-allocation when stock arrives."""

from __future__ import annotations

from datetime import date

from tests.outbound_helpers import ADDRESS, order_body, outbox_rows, receive
from tests.world import World, login


async def _stock(client, headers, stock_id: int) -> dict:
    r = await client.get(f"/api/v1/stock/{stock_id}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_intake_is_idempotent_and_changes_apply_before_release(client, world: World, db_url: str):
    key = {"X-API-Key": world.api_keys["OWNA"]}
    body = order_body(world, "WEB-1", [("OWNA-SKU0", 2)], carrier="SF", priority=5)
    r1 = await client.post("/api/v1/orders", json=body, headers=key)
    assert r1.status_code == 201, r1.text
    order = r1.json()
    assert order["owner_id"] == world.owners["OWNA"] and order["status"] == "received"
    assert [(ln["sku_code"], ln["qty"]) for ln in order["lines"]] == [("OWNA-SKU0", 2)]
    r2 = await client.post("/api/v1/orders", json=body, headers=key)
    assert r2.status_code == 200 and r2.json()["id"] == order["id"]
    assert r2.headers["x-intake-outcome"] == "unchanged"
    changed = {**body, "lines": [{"sku": "OWNA-SKU0", "qty": 3}, {"sku": "OWNA-SKU1", "qty": 1}]}
    r3 = await client.post("/api/v1/orders", json=changed, headers=key)
    assert r3.status_code == 200 and r3.headers["x-intake-outcome"] == "updated"
    assert [(ln["sku_code"], ln["qty"]) for ln in r3.json()["lines"]] == [("OWNA-SKU0", 3), ("OWNA-SKU1", 1)]
    # the same channel order id on another channel is another order
    r4 = await client.post("/api/v1/orders", json={**body, "channel": "marketplace"}, headers=key)
    assert r4.status_code == 201 and r4.json()["id"] != order["id"]
    listed = await client.get("/api/v1/orders", headers=key, params={"channel_order_id": "WEB-1"})
    assert listed.json()["total"] == 2
    # an owner's key cannot submit for another owner
    r5 = await client.post("/api/v1/orders", json={**body, "owner_id": world.owners["OWNB"]}, headers=key)
    assert r5.status_code == 403 and r5.json()["code"] == "other_owner"
    # the order source hears of each new order once, through the outbox, not of repeats
    received = await outbox_rows(db_url, "order.received")
    assert [(e["payload"]["channel"], e["payload"]["channel_order_id"]) for e in received] == [
        ("web", "WEB-1"),
        ("marketplace", "WEB-1"),
    ]
    assert {e["owner_id"] for e in received} == {world.owners["OWNA"]}
    assert received[0]["key"] == f"order:{order['id']}"


async def test_unknown_skus_are_all_listed(client, world: World):
    key = {"X-API-Key": world.api_keys["OWNA"]}
    body = order_body(world, "WEB-2", [("NOPE-1", 1), ("OWNA-SKU0", 1), ("OWNB-SKU0", 1)])
    r = await client.post("/api/v1/orders", json=body, headers=key)
    assert r.status_code == 422 and r.json()["code"] == "unknown_sku"
    fields = [e["field"] for e in r.json()["errors"]]
    assert fields == ["lines[0].sku", "lines[2].sku"]
    assert (await client.get("/api/v1/orders", headers=key)).json()["total"] == 0


async def test_bulk_accepts_valid_and_lists_every_problem(client, world: World):
    key = {"X-API-Key": world.api_keys["OWNB"]}
    good = order_body(world, "MP-1", [("OWNB-SKU0", 1)], channel="marketplace")
    bad_address = {k: v for k, v in ADDRESS.items() if k != "city"}
    bad = {
        **order_body(world, "MP-2", [("OWNB-SKU0", 0)], channel="marketplace"),
        "ship_to": bad_address,
    }
    unknown = order_body(world, "MP-3", [("GHOST", 1), ("GHOST-2", 2)], channel="marketplace")
    r = await client.post("/api/v1/orders/bulk", json={"orders": [good, bad, unknown, good]}, headers=key)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["accepted"], out["rejected"]) == (2, 2)
    res = out["results"]
    assert res[0]["outcome"] == "created" and res[3]["outcome"] == "unchanged"
    assert res[0]["order_id"] == res[3]["order_id"]
    assert res[1]["outcome"] == "rejected" and res[1]["status"] == 422
    assert {e["field"] for e in res[1]["errors"]} == {"ship_to.city", "lines.0.qty"}
    assert res[2]["code"] == "unknown_sku" and len(res[2]["errors"]) == 2
    assert (await client.get("/api/v1/orders", headers=key)).json()["total"] == 1
    # an owner's key naming another owner: that order is refused, nothing written for it
    evil = {**order_body(world, "MP-9", [("OWNA-SKU0", 1)]), "owner_id": world.owners["OWNA"]}
    r = await client.post("/api/v1/orders/bulk", json={"orders": [evil]}, headers=key)
    assert r.json()["results"][0]["status"] == 403 and r.json()["results"][0]["code"] == "other_owner"
    sup = await login(client, "supervisor")
    listed = await client.get("/api/v1/orders", headers=sup, params={"channel_order_id": "MP-9"})
    assert listed.json()["total"] == 0


async def test_hold_cancel_and_checked_transitions(client, world: World):
    sup = await login(client, "supervisor")
    key = {"X-API-Key": world.api_keys["OWNA"]}
    oid = (await client.post("/api/v1/orders", json=order_body(world, "H-1", [("OWNA-SKU0", 30)]), headers=key)).json()[
        "id"
    ]
    r = await client.post(f"/api/v1/orders/{oid}/hold", json={"reason": "payment"}, headers=key)
    assert r.status_code == 201 and r.json()["hold_reason"] == "payment"
    r = await client.post(f"/api/v1/orders/{oid}/allocate", headers=sup)
    assert r.status_code == 409 and r.json()["code"] == "order_on_hold"
    assert (await client.post(f"/api/v1/orders/{oid}/unhold", headers=key)).status_code == 201
    r = await client.post(f"/api/v1/orders/{oid}/allocate", headers=sup)
    assert r.status_code == 201 and r.json()["status"] == "allocated", r.text
    assert r.json()["lines"][0]["allocated_qty"] == 30
    assert (await _stock(client, sup, world.stock["OWNA"]))["allocated"] == 30
    r = await client.post(f"/api/v1/orders/{oid}/cancel", json={"reason": "customer"}, headers=key)
    assert r.status_code == 201 and r.json()["status"] == "cancelled"
    assert (await _stock(client, sup, world.stock["OWNA"]))["allocated"] == 0
    r = await client.post(f"/api/v1/orders/{oid}/cancel", json={}, headers=key)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = await client.post(f"/api/v1/orders/{oid}/hold", json={"reason": "payment"}, headers=key)
    assert r.status_code == 409


async def test_allocation_fefo_pick_face_first_and_every_shortage(client, world: World, db_url: str):
    sup = await login(client, "supervisor")
    a = world.owners["OWNA"]
    sku2 = world.skus["OWNA-SKU2"]
    # world: 40 of LOT1 (expiry 2030-01-31) at pick face A-01-02-A; add an earlier lot in reserve and a later
    # one on a pick face
    early = await receive(db_url, a, sku2, world.locations["A-02-03-B"], 10, "LOT0", date(2029, 6, 30))
    late = await receive(db_url, a, sku2, world.locations["A-02-04-A"], 10, "LOT2", date(2031, 1, 1))
    key = {"X-API-Key": world.api_keys["OWNA"]}
    oid = (await client.post("/api/v1/orders", json=order_body(world, "F-1", [("OWNA-SKU2", 45)]), headers=key)).json()[
        "id"
    ]
    r = await client.post(f"/api/v1/orders/{oid}/allocate", headers=sup)
    assert r.status_code == 201, r.text
    # pick faces first, FEFO among them: all 40 of LOT1, then 5 of LOT2; the reserve lot stays for replenishment
    assert (await _stock(client, sup, world.stock["OWNA-lot"]))["allocated"] == 40
    assert (await _stock(client, sup, late))["allocated"] == 5
    assert (await _stock(client, sup, early))["allocated"] == 0
    # an order short on two lines: one answer listing both, nothing reserved
    body = order_body(world, "F-2", [("OWNA-SKU0", 500), ("OWNA-SKU2", 20), ("OWNA-SKU1", 1)])
    oid2 = (await client.post("/api/v1/orders", json=body, headers=key)).json()["id"]
    r = await client.post(f"/api/v1/orders/{oid2}/allocate", headers=sup)
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"
    short = {(e["sku"], e["requested"], e["available"]) for e in r.json()["errors"]}
    assert short == {("OWNA-SKU0", 500, 100), ("OWNA-SKU2", 20, 15), ("OWNA-SKU1", 1, 0)}
    assert (await _stock(client, sup, world.stock["OWNA"]))["allocated"] == 0
    # partial: keep what there is, backorder the rest
    r = await client.post(f"/api/v1/orders/{oid2}/allocate", headers=sup, params={"partial": "true"})
    assert r.status_code == 201 and r.json()["status"] == "backordered"
    assert [ln["allocated_qty"] for ln in r.json()["lines"]] == [100, 15, 0]
    # stock arrives: the run re-allocates the backorder
    await receive(db_url, a, world.skus["OWNA-SKU0"], world.locations["A-02-05-A"], 400)
    await receive(db_url, a, sku2, world.locations["A-02-06-A"], 5, "LOT3", date(2032, 1, 1))
    await receive(db_url, a, world.skus["OWNA-SKU1"], world.locations["A-02-07-A"], 1)
    r = await client.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
    assert r.status_code == 200, r.text
    assert r.json()["allocated"] == [oid2] and r.json()["shortages"] == []
    order = (await client.get(f"/api/v1/orders/{oid2}", headers=sup)).json()
    assert order["status"] == "allocated" and [ln["allocated_qty"] for ln in order["lines"]] == [500, 20, 1]
