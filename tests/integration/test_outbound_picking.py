"""Waves and picking over the API on both databases: plan with a preview against the location-order baseline,
release, claim, confirm by scans (wrong location, item, lot and over-pick refused and changing nothing), replayed
confirms, short pick with count task and re-allocation in route order, pause and hand-over, orders picked."""

from __future__ import annotations

from typing import Any

from server.catalog.rules import make_gtin13
from tests.outbound_helpers import order_body, receive
from tests.world import World, login

GTIN = {f"OWNA-SKU{i}": make_gtin13("690000", i) for i in range(3)} | {
    f"OWNB-SKU{i}": make_gtin13("690000", 10 + i) for i in range(3)
}


def item_scan(pick: dict[str, Any]) -> str:
    gtin = GTIN[pick["sku_code"]].zfill(14)
    return f"(01){gtin}(10){pick['lot']}" if pick["lot"] else gtin


async def _setup(client: Any, world: World, db_url: str, n_orders: int = 6) -> tuple[dict[str, str], list[int]]:
    a = world.owners["OWNA"]
    for loc, sku in (("A-02-05-A", "OWNA-SKU1"), ("A-01-09-A", "OWNA-SKU1"), ("A-02-08-A", "OWNA-SKU0")):
        await receive(db_url, a, world.skus[sku], world.locations[loc], 50)
    key = {"X-API-Key": world.api_keys["OWNA"]}
    ids = []
    for i in range(n_orders):
        lines = [("OWNA-SKU0", 2), ("OWNA-SKU1", 1 + i % 3), ("OWNA-SKU2", 1)]
        r = await client.post("/api/v1/orders", json=order_body(world, f"P-{i}", lines, carrier="SF"), headers=key)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    sup = await login(client, "supervisor")
    r = await client.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
    assert sorted(r.json()["allocated"]) == ids, r.text
    return sup, ids


async def _plan_and_release(client: Any, world: World, sup: dict[str, str], cart_orders: int = 3) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/warehouses/{world.warehouse_id}/cart-types",
        json={"code": "C3", "max_orders": cart_orders, "max_lines": 20},
        headers=sup,
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/waves", json={"warehouse_id": world.warehouse_id, "carriers": ["SF"], "time_limit_s": 0.5}, headers=sup
    )
    assert r.status_code == 201, r.text
    wave = r.json()
    preview = wave["preview"]
    assert wave["status"] == "planned" and preview["carts"] == len(preview["batches"]) >= 2
    assert all(len(b["orders"]) <= cart_orders for b in preview["batches"])
    assert (
        wave["total_m"] == round(sum(b["route_m"] for b in preview["batches"]), 2)
        or abs(wave["total_m"] - sum(b["route_m"] for b in preview["batches"])) < 0.05
    )
    assert wave["total_m"] <= wave["baseline_m"]
    assert all(b["route_m"] <= b["baseline_m"] + 1e-6 for b in preview["batches"])
    r = await client.post(f"/api/v1/waves/{wave['id']}/release", headers=sup)
    assert r.status_code == 200, r.text
    assert r.json()["queued"] is False and r.json()["wave"]["status"] == "released"
    assert r.json()["wave"]["progress"] == r.json()["wave"]["progress_total"] == preview["orders"]
    # released twice is refused
    assert (await client.post(f"/api/v1/waves/{wave['id']}/release", headers=sup)).json()["code"] == "wave_not_planned"
    return dict(r.json()["wave"])


async def _stock_rows(client: Any, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/stock", headers=headers, params={"limit": 1000, **params})
    return list(r.json()["items"])


async def test_wave_release_and_scan_confirmed_picking(client, world: World, db_url: str):
    sup, order_ids = await _setup(client, world, db_url)
    wave = await _plan_and_release(client, world, sup)
    picker = await login(client, "picker", "PDA-T1")
    r = await client.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=picker)
    assert r.status_code == 200, r.text
    batch = r.json()
    assert batch["status"] == "claimed" and batch["wave_id"] == wave["id"] and batch["cart_location_id"]
    assert [p["seq"] for p in batch["picks"]] == list(range(len(batch["picks"])))
    assert {p["tote"] for p in batch["picks"]} == {o["tote"] for o in batch["orders"]}
    # asking again gives the batch in hand
    again = await client.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=picker)
    assert again.json()["id"] == batch["id"]
    first = batch["picks"][0]
    before = await _stock_rows(client, sup, location_id=first["location_id"], sku_id=first["sku_id"])
    url = f"/api/v1/picking/picks/{first['task_id']}/confirm"
    wrong_sku = "OWNB-SKU0"
    refusals = [
        ({"location": "Z-99-99-Z", "item": item_scan(first), "qty": 1}, "wrong_location"),
        ({"location": first["location_code"], "item": GTIN[wrong_sku], "qty": 1}, "wrong_item"),
        ({"location": first["location_code"], "item": item_scan(first), "qty": first["qty"] + 1}, "over_pick"),
    ]
    for body, code in refusals:
        r = await client.post(url, json=body, headers=picker)
        assert r.status_code == 422 and r.json()["code"] == code, (code, r.text)
    assert await _stock_rows(client, sup, location_id=first["location_id"], sku_id=first["sku_id"]) == before
    # a stranger cannot confirm a pick held by the picker
    other = await login(client, "packer")
    r = await client.post(url, json={**refusals[0][0], "location": first["location_code"]}, headers=other)
    assert r.status_code == 409 and r.json()["code"] == "task_held_by_other"
    # lot picks: a GS1-128 with another lot is refused
    lot_pick = next(p for p in batch["picks"] if p["lot"])
    r = await client.post(
        f"/api/v1/picking/picks/{lot_pick['task_id']}/confirm",
        json={
            "location": lot_pick["location_code"],
            "item": f"(01){GTIN['OWNA-SKU2'].zfill(14)}(10)LOTX",
            "qty": 1,
        },
        headers=picker,
    )
    assert r.status_code == 422 and r.json()["code"] == "wrong_lot"
    # confirm the first pick with check digits instead of the code; replay it with the same key
    loc = (await client.get(f"/api/v1/locations/{first['location_id']}", headers=sup)).json()
    body = {"location": loc["check_digits"], "item": item_scan(first), "qty": first["qty"]}
    h = {**picker, "Idempotency-Key": f"confirm-{first['task_id']}"}
    r1 = await client.post(url, json=body, headers=h)
    assert r1.status_code == 200, r1.text
    r2 = await client.post(url, json=body, headers=h)
    assert r2.status_code == 200 and r2.headers.get("idempotent-replayed") == "true" and r2.text == r1.text
    after = await _stock_rows(client, sup, location_id=first["location_id"], sku_id=first["sku_id"])
    assert sum(s["on_hand"] for s in after) == sum(s["on_hand"] for s in before) - first["qty"]
    on_cart = await _stock_rows(client, sup, location_id=batch["cart_location_id"])
    assert [(s["lpn"], s["on_hand"]) for s in on_cart] == [(first["tote"], first["qty"])]
    # a new confirm (another key) of a done pick is refused
    r = await client.post(url, json=body, headers=picker)
    assert r.status_code == 409
    # the confirm's reply is the pick as it is now and its batch's status (the handheld holds the list)
    assert r1.json()["id"] == batch["id"] and r1.json()["status"] == "claimed"
    assert r1.json()["pick"] == {
        "task_id": first["task_id"],
        "status": "done",
        "qty": first["qty"],
        "picked_qty": first["qty"],
    }
    # short pick on the next pick of SKU0 / SKU1: pick one, the rest comes from another location
    now = (await client.get(f"/api/v1/picking/batches/{batch['id']}", headers=sup)).json()
    todo = [p for p in now["picks"] if p["status"] != "done"]
    short = next(p for p in todo if p["sku_code"] in ("OWNA-SKU0", "OWNA-SKU1") and p["qty"] >= 2)
    r = await client.post(
        f"/api/v1/picking/picks/{short['task_id']}/short",
        json={"location": short["location_code"], "found_qty": 1, "item": item_scan(short)},
        headers=picker,
    )
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["picked"] == 1 and res["reallocated"] == short["qty"] - 1 and res["backordered"] == 0
    count = (await client.get(f"/api/v1/tasks/{res['count_task_id']}", headers=sup)).json()
    assert count["type"] == "count" and count["from_location_id"] == short["location_id"]
    new_picks = [p for p in res["batch"]["picks"] if p["line_id"] == short["line_id"] and p["status"] != "done"]
    assert len(new_picks) == 1 and new_picks[0]["location_id"] != short["location_id"]
    # the supervisor sees the short pick as an open exception, and resolves it once
    exc = (await client.get("/api/v1/exceptions", params={"status": "open", "kind": "short_pick"}, headers=sup)).json()
    assert exc["total"] == 1 and exc["items"][0]["details"]["count_task_id"] == res["count_task_id"]
    assert "close" in [a["name"] for a in exc["items"][0]["actions"]]
    url_resolve = f"/api/v1/exceptions/{exc['items'][0]['id']}/resolve"
    r = await client.post(url_resolve, json={"action": "shrug"}, headers=sup)
    assert r.status_code == 422 and r.json()["code"] == "unknown_action"
    r = await client.post(url_resolve, json={"action": "close", "note": "recount ordered"}, headers=sup)
    assert r.status_code == 200 and r.json()["status"] == "resolved" and r.json()["actions"] == []
    r = await client.post(url_resolve, json={"action": "close"}, headers=sup)
    assert r.status_code == 409 and r.json()["code"] == "exception_resolved"
    assert (await client.get("/api/v1/exceptions", headers=picker)).status_code == 403
    # pause and hand over: another picker gets the batch with what was picked still on the cart
    r = await client.post(f"/api/v1/picking/batches/{batch['id']}/release", headers=picker)
    assert r.status_code == 200 and r.json()["status"] == "open"
    second = await login(client, "admin")
    r = await client.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=second)
    assert r.json()["id"] == batch["id"] and r.json()["cart_location_id"] == batch["cart_location_id"]
    # finish every batch in route order
    for _ in range(10):
        r = await client.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=second)
        if r.status_code == 404:
            assert r.json()["code"] == "no_batch"
            break
        for p in r.json()["picks"]:
            if p["status"] == "done":
                continue
            c = await client.post(
                f"/api/v1/picking/picks/{p['task_id']}/confirm",
                json={"location": p["location_code"], "item": item_scan(p), "qty": p["qty"] - p["picked_qty"]},
                headers=second,
            )
            assert c.status_code == 200, c.text
        assert c.json()["status"] == "done"
    orders = [(await client.get(f"/api/v1/orders/{i}", headers=sup)).json() for i in order_ids]
    assert {o["status"] for o in orders} == {"picked"}
    assert all(ln["picked_qty"] == ln["qty"] and ln["allocated_qty"] == 0 for o in orders for ln in o["lines"])
    rows = await _stock_rows(client, sup, owner_id=world.owners["OWNA"])
    assert sum(s["allocated"] for s in rows) == 0  # no allocation left dangling
    picked_units = sum(ln["qty"] for o in orders for ln in o["lines"])
    carts = {o["tote"] for o in orders}
    assert sum(s["on_hand"] for s in rows if s["lpn"] in carts) == picked_units


async def test_cancel_after_release_cancels_open_picks(client, world: World, db_url: str):
    sup, order_ids = await _setup(client, world, db_url, n_orders=2)
    await _plan_and_release(client, world, sup, cart_orders=1)
    key = {"X-API-Key": world.api_keys["OWNA"]}
    changed = order_body(world, "P-0", [("OWNA-SKU0", 9)], carrier="SF")
    r = await client.post("/api/v1/orders", json=changed, headers=key)
    assert r.status_code == 409 and r.json()["code"] == "order_locked"
    r = await client.post(f"/api/v1/orders/{order_ids[0]}/cancel", json={"reason": "customer"}, headers=key)
    assert r.status_code == 201 and r.json()["status"] == "cancelled"
    tasks = (await client.get("/api/v1/tasks", headers=sup, params={"type": "pick", "limit": 100})).json()["items"]
    mine = [t for t in tasks if t["details"]["order_id"] == order_ids[0]]
    assert mine and {t["status"] for t in mine} == {"cancelled"}
    rows = await _stock_rows(client, sup, owner_id=world.owners["OWNA"])
    open_alloc = sum(
        ln["qty"] for ln in (await client.get(f"/api/v1/orders/{order_ids[1]}", headers=sup)).json()["lines"]
    )
    assert sum(s["allocated"] for s in rows) == open_alloc


async def test_orders_too_big_for_a_cart_are_left_out_and_listed(client, world: World, db_url: str):
    sup, order_ids = await _setup(client, world, db_url, n_orders=2)
    r = await client.post(
        f"/api/v1/warehouses/{world.warehouse_id}/cart-types",
        json={"code": "TINY", "max_orders": 2, "max_lines": 2},
        headers=sup,
    )
    r = await client.post(
        "/api/v1/waves",
        json={"warehouse_id": world.warehouse_id, "cart_type_id": r.json()["id"], "time_limit_s": 0.2},
        headers=sup,
    )
    assert r.status_code == 409 and r.json()["code"] == "no_orders"  # both orders have 3 lines
    small = order_body(world, "SMALL-1", [("OWNA-SKU0", 1)], carrier="SF")
    small_id = (await client.post("/api/v1/orders", json=small, headers={"X-API-Key": world.api_keys["OWNA"]})).json()[
        "id"
    ]
    await client.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
    wave = (
        await client.post("/api/v1/waves", json={"warehouse_id": world.warehouse_id, "time_limit_s": 0.2}, headers=sup)
    ).json()
    assert [b["orders"] for b in wave["preview"]["batches"]] == [[small_id]]
    assert sorted(x["order_id"] for x in wave["preview"]["left_out"]) == sorted(order_ids)


async def test_cancel_after_picking_puts_the_picked_units_back(client, world: World, db_url: str):
    """An order cancelled while its goods are on the cart: a put-back task per tote row, confirmed by scans, returns
    them to the shelf they came from (off the tote), and the books still agree."""
    from tests.servers import wes_audit

    sup, _ = await _setup(client, world, db_url, n_orders=2)
    await _plan_and_release(client, world, sup, cart_orders=1)
    picker = await login(client, "picker")
    batch = (
        await client.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=picker)
    ).json()
    first, second = batch["picks"][0], batch["picks"][1]
    for p in (first, second):
        r = await client.post(
            f"/api/v1/picking/picks/{p['task_id']}/confirm",
            json={"location": p["location_code"], "item": item_scan(p), "qty": p["qty"]},
            headers=picker,
        )
        assert r.status_code == 200, r.text
    order_id = batch["orders"][0]["order_id"]
    r = await client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "customer"}, headers=sup)
    assert r.status_code == 201 and r.json()["status"] == "cancelled", r.text
    moves = (await client.get("/api/v1/tasks", headers=sup, params={"type": "move", "limit": 100})).json()["items"]
    assert sorted((t["from_location_id"], t["to_location_id"], t["qty"]) for t in moves) == sorted(
        (batch["cart_location_id"], p["location_id"], p["qty"]) for p in (first, second)
    )
    assert {t["doc_type"] for t in moves} == {"order_cancelled"}
    cart_code = (await client.get(f"/api/v1/locations/{batch['cart_location_id']}", headers=sup)).json()["code"]
    for t in moves:
        p = first if t["to_location_id"] == first["location_id"] else second
        assert (await client.post(f"/api/v1/tasks/{t['id']}/claim", headers=picker)).status_code in (200, 201)
        r = await client.post(
            f"/api/v1/moves/tasks/{t['id']}/confirm",
            json={"from_location": cart_code, "item": item_scan(p), "qty": t["qty"], "to_location": p["location_code"]},
            headers=picker,
        )
        assert r.status_code == 200, r.text
    on_cart = await _stock_rows(client, sup, location_id=batch["cart_location_id"])
    assert sum(s["on_hand"] for s in on_cart) == 0
    for p in (first, second):
        back = await _stock_rows(client, sup, location_id=p["location_id"], sku_id=p["sku_id"])
        assert all(s["lpn"] == "" for s in back if s["on_hand"])
    audit = wes_audit(db_url)  # ledger and reservations: the other order's allocations are all still held
    assert audit.returncode == 0, audit.stdout
