"""Replenishment and lot recall end to end over HTTP against PostgreSQL (a real two-process server).

Replenishment: a pick face below its min is refilled from reserve when the wave that picks from it is released;
the replenishment task is ahead of the wave's picks in the queue (created before them, lower priority number), a
worker takes it from the queue and confirms it by scans, then the picker picks from the refilled face.

Recall: a lot that was shipped in one order, is on a cart in another, is reserved for a third and sits on the
shelf is recalled: every unit is held (the cart's too), the report lists where it is and which shipped orders had
it, the reserved order is re-allocated from another lot, and a new order's allocation skips the held lot.
`wes audit` holds after each."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import httpx

from tests.integration.test_concurrency import pg_world, server
from tests.inventory_helpers import GTIN, gs1, token
from tests.outbound_helpers import order_body, receive
from tests.servers import wes_audit
from tests.shipping_helpers import pick_orders, setup_shipping, ship_orders
from tests.world import World

__all__ = ["pg_world", "server"]


def test_pick_face_replenished_before_the_waves_pick(server: str, pg_world: tuple[str, World]) -> None:
    url, world = pg_world
    a, loc = world.owners["OWNA"], world.locations
    sku1 = world.skus["OWNA-SKU1"]
    face_row = asyncio.run(receive(url, a, sku1, loc["A-01-05-A"], 8))
    asyncio.run(receive(url, a, sku1, loc["A-02-08-B"], 100))

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server, timeout=120) as c:
            sup, picker, worker = await token(c, "supervisor"), await token(c, "picker"), await token(c, "receiver")
            r = await c.post(
                "/api/v1/pick-face-rules",
                json={"sku_id": sku1, "location_id": loc["A-01-05-A"], "min_qty": 10, "max_qty": 30},
                headers=sup,
            )
            assert r.status_code == 201, r.text
            r = await c.post(
                "/api/v1/pick-face-rules",
                json={"sku_id": sku1, "location_id": loc["A-02-08-B"], "min_qty": 1, "max_qty": 2},
                headers=sup,
            )
            assert r.status_code == 422 and r.json()["code"] == "not_a_pick_face"
            r = await c.post(
                "/api/v1/orders",
                json=order_body(world, "RP-1", [("OWNA-SKU1", 6)]),
                headers={"X-API-Key": world.api_keys["OWNA"]},
            )
            assert r.status_code == 201, r.text
            order_id = r.json()["id"]
            r = await c.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
            assert r.status_code == 200, r.text
            assert (await c.get(f"/api/v1/stock/{face_row}", headers=sup)).json()["allocated"] == 6  # face first
            r = await c.post("/api/v1/waves", json={"warehouse_id": world.warehouse_id, "time_limit_s": 1}, headers=sup)
            assert r.status_code == 201, r.text
            wave = r.json()["id"]
            # nothing is replenished before the release: 8 on the face is not below its min of 10 yet
            r = await c.get("/api/v1/tasks", params={"type": "replenish"}, headers=sup)
            assert r.json()["total"] == 0
            r = await c.post(f"/api/v1/waves/{wave}/release", headers=sup)
            assert r.status_code == 200, r.text
            rep = (await c.get("/api/v1/tasks", params={"type": "replenish"}, headers=sup)).json()["items"]
            picks = (await c.get("/api/v1/tasks", params={"type": "pick"}, headers=sup)).json()["items"]
            assert len(rep) == 1 and len(picks) == 1
            rep_task = rep[0]
            # after the wave's 6 the face would hold 2 (< min 10): refill to max 30 = 28 units from reserve
            assert rep_task["qty"] == 28 and rep_task["to_location_code"] == "A-01-05-A"
            assert rep_task["from_location_id"] == loc["A-02-08-B"] and rep_task["doc_ref"] == f"WAVE-{wave}"
            assert rep_task["id"] < picks[0]["id"] and rep_task["priority"] < picks[0]["priority"]
            # the queue hands the replenishment out first
            r = await c.post("/api/v1/tasks/claim", json={"warehouse_id": world.warehouse_id}, headers=worker)
            assert r.status_code == 201 and r.json()["id"] == rep_task["id"], r.text
            r = await c.post(
                f"/api/v1/moves/tasks/{rep_task['id']}/confirm",
                json={"from_location": "A-02-08-B", "item": GTIN["OWNA-SKU1"], "qty": 28, "to_location": "A-01-05-A"},
                headers={**worker, "Idempotency-Key": "rep-1"},
            )
            assert r.status_code == 200 and r.json()["status"] == "done", r.text
            face = (await c.get(f"/api/v1/stock/{face_row}", headers=sup)).json()
            assert (face["on_hand"], face["allocated"]) == (36, 6)
            ledger = (await c.get("/api/v1/movements", params={"doc_ref": f"WAVE-{wave}"}, headers=sup)).json()
            assert [(m["reason"], m["qty"]) for m in ledger["items"]] == [("replenish", 28)]
            # the picker picks the wave from the refilled face
            r = await c.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=picker)
            assert r.status_code == 200, r.text
            p = r.json()["picks"][0]
            assert p["location_code"] == "A-01-05-A"
            r = await c.post(
                f"/api/v1/picking/picks/{p['task_id']}/confirm",
                json={"location": "A-01-05-A", "item": GTIN["OWNA-SKU1"], "qty": 6},
                headers=picker,
            )
            assert r.status_code == 200, r.text
            assert (await c.get(f"/api/v1/orders/{order_id}", headers=sup)).json()["status"] == "picked"
            assert (await c.get(f"/api/v1/stock/{face_row}", headers=sup)).json()["on_hand"] == 30
            # at max again: the pick triggered nothing more; an explicit run finds nothing below min either
            r = await c.post("/api/v1/replenishment/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
            assert r.status_code == 200 and r.json()["task_ids"] == [], r.text

    asyncio.run(run())
    audit = wes_audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_lot_recall_holds_every_unit_and_allocation_skips_it(
    server: str, pg_world: tuple[str, World], tmp_path: Path
) -> None:
    url, world = pg_world
    a, loc = world.owners["OWNA"], world.locations
    sku2 = world.skus["OWNA-SKU2"]  # lot and expiry controlled; world: 40 of LOT1 (exp. 2030-01-31) at A-01-02-A
    lot2_row = asyncio.run(receive(url, a, sku2, loc["A-02-04-A"], 20, "LOT2", date(2031, 6, 30)))

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server, timeout=180) as c:
            sup = await token(c, "supervisor")
            api = {"X-API-Key": world.api_keys["OWNA"]}
            setup = await setup_shipping(c, world, sup, printer=f"file://{tmp_path}/labels.zpl")
            [shipped_id] = await pick_orders(c, world, [("OWNA", "RC-SHIP", [("OWNA-SKU2", 3)], {"carrier": "POST"})])
            await ship_orders(c, world, [shipped_id], setup)
            assert (await c.get(f"/api/v1/orders/{shipped_id}", headers=sup)).json()["status"] == "shipped"
            [on_cart_id] = await pick_orders(c, world, [("OWNA", "RC-CART", [("OWNA-SKU2", 2)], {})])
            r = await c.post("/api/v1/orders", json=order_body(world, "RC-RES", [("OWNA-SKU2", 5)]), headers=api)
            reserved_id = r.json()["id"]
            r = await c.post(f"/api/v1/orders/{reserved_id}/allocate", json={}, headers=sup)
            assert r.status_code in (200, 201), r.text
            lot1 = (await c.get(f"/api/v1/stock/{world.stock['OWNA-lot']}", headers=sup)).json()
            assert (lot1["on_hand"], lot1["allocated"]) == (35, 5)  # FEFO took the first-expiring lot

            r = await c.post(
                "/api/v1/recalls",
                json={"warehouse_id": world.warehouse_id, "sku_id": sku2, "lot": "LOT1", "reason": "supplier recall"},
                headers=sup,
            )
            assert r.status_code == 201, r.text
            rec = r.json()
            assert rec["held_units"] == 37 and rec["hold"]["recall"] is True
            assert {(x["location_type"], x["status"], x["on_hand"]) for x in rec["locations"]} == {
                ("pick_face", "hold", 35),
                ("staging", "hold", 2),
            }
            assert [(o["order_id"], o["units"]) for o in rec["shipped_orders"]] == [(shipped_id, 3)]
            assert [(o["order_id"], o["status"]) for o in rec["open_orders"]] == [(on_cart_id, "picked")]
            assert rec["reallocated_orders"] == [reserved_id]
            # the reserved order now holds the other lot; nothing of LOT1 is available or reserved
            assert (await c.get(f"/api/v1/stock/{lot2_row}", headers=sup)).json()["allocated"] == 5
            order = (await c.get(f"/api/v1/orders/{reserved_id}", headers=sup)).json()
            assert order["status"] == "allocated" and order["lines"][0]["allocated_qty"] == 5
            lot1_rows = (
                await c.get("/api/v1/stock", params={"sku_id": sku2, "lot": "LOT1", "limit": 100}, headers=sup)
            ).json()["items"]
            assert {s["status"] for s in lot1_rows} == {"hold"} and sum(s["allocated"] for s in lot1_rows) == 0
            # a new order's allocation skips the held lot
            r = await c.post("/api/v1/orders", json=order_body(world, "RC-NEW", [("OWNA-SKU2", 16)]), headers=api)
            new_id = r.json()["id"]
            r = await c.post(f"/api/v1/orders/{new_id}/allocate", params={"partial": "true"}, headers=sup)
            assert r.status_code in (200, 201, 409), r.text
            new = (await c.get(f"/api/v1/orders/{new_id}", headers=sup)).json()
            assert new["lines"][0]["allocated_qty"] == 15  # only LOT2's 15 free units, never the held lot
            # the ledger says why
            moves = (
                await c.get("/api/v1/movements", params={"doc_ref": f"HOLD-{rec['hold']['id']}"}, headers=sup)
            ).json()
            assert sorted(m["qty"] for m in moves["items"]) == [2, 35]
            assert {m["to_status"] for m in moves["items"]} == {"hold"}

    asyncio.run(run())
    audit = wes_audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_hold_placed_before_the_stock_arrives_holds_it(server: str, pg_world: tuple[str, World]) -> None:
    """A lot hold placed before the lot is in the warehouse holds it when it is received (and the hold follows it
    through putaway); a location hold holds what is moved there later; allocation never takes held units; releasing
    the lot hold gives the units back where they are now."""
    url, world = pg_world
    a, loc = world.owners["OWNA"], world.locations
    sku2 = world.skus["OWNA-SKU2"]  # lot/expiry controlled; the world has 40 of LOT1 at A-01-02-A

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server, timeout=120) as c:
            sup, receiver = await token(c, "supervisor"), await token(c, "receiver")
            api = {"X-API-Key": world.api_keys["OWNA"]}
            r = await c.post(
                "/api/v1/holds",
                json={
                    "warehouse_id": world.warehouse_id,
                    "scope": "lot",
                    "sku_id": sku2,
                    "lot": "LOT9",
                    "reason": "QA",
                },
                headers=sup,
            )
            assert r.status_code == 201 and r.json()["units"] == 0, r.text
            lot_hold = r.json()["id"]
            r = await c.post(
                "/api/v1/holds",
                json={
                    "warehouse_id": world.warehouse_id,
                    "scope": "location",
                    "location_id": loc["A-02-06-A"],
                    "reason": "rack damaged",
                },
                headers=sup,
            )
            assert r.status_code == 201 and r.json()["units"] == 0, r.text
            loc_hold = r.json()["id"]

            # 1. receive lot LOT9: held on arrival at the dock
            r = await c.post(
                "/api/v1/receipts", json={"warehouse_id": world.warehouse_id, "owner_id": a}, headers=receiver
            )
            assert r.status_code == 201, r.text
            receipt = r.json()
            r = await c.post(
                f"/api/v1/receipts/{receipt['id']}/scans",
                json={"scan": gs1("OWNA-SKU2", "LOT9", date(2031, 3, 31)), "qty": 10},
                headers=receiver,
            )
            assert r.status_code == 201, r.text
            rows = (await c.get("/api/v1/stock", params={"sku_id": sku2, "lot": "LOT9"}, headers=sup)).json()["items"]
            assert [(s["status"], s["on_hand"]) for s in rows] == [("hold", 10)]
            # 2. put away: the held units go to their shelf still held
            [task] = (
                await c.get("/api/v1/tasks", params={"doc_ref": receipt["number"], "type": "putaway"}, headers=sup)
            ).json()["items"]
            assert task["to_location_code"], task
            assert (await c.post(f"/api/v1/tasks/{task['id']}/claim", headers=receiver)).status_code == 201
            r = await c.post(
                f"/api/v1/putaway-tasks/{task['id']}/confirm",
                json={"location": task["to_location_code"]},
                headers=receiver,
            )
            assert r.status_code == 200, r.text
            rows = (await c.get("/api/v1/stock", params={"sku_id": sku2, "lot": "LOT9"}, headers=sup)).json()["items"]
            assert [(s["location_id"], s["status"], s["on_hand"]) for s in rows] == [
                (task["to_location_id"], "hold", 10)
            ]
            # 3. allocate: only LOT1's 40 units, never the held LOT9
            r = await c.post("/api/v1/orders", json=order_body(world, "HA-1", [("OWNA-SKU2", 45)]), headers=api)
            order_id = r.json()["id"]
            r = await c.post(f"/api/v1/orders/{order_id}/allocate", params={"partial": "true"}, headers=sup)
            assert r.status_code in (200, 201, 409), r.text
            order = (await c.get(f"/api/v1/orders/{order_id}", headers=sup)).json()
            assert order["lines"][0]["allocated_qty"] == 40
            rows = (await c.get("/api/v1/stock", params={"sku_id": sku2, "lot": "LOT9"}, headers=sup)).json()["items"]
            assert sum(s["allocated"] for s in rows) == 0

            # 4. a move into the held location: held there
            r = await c.post(
                "/api/v1/stock/moves",
                json={"stock_id": world.stock["OWNA"], "qty": 5, "to_location_id": loc["A-02-06-A"]},
                headers=sup,
            )
            assert r.status_code == 201, r.text
            there = (await c.get("/api/v1/stock", params={"location_id": loc["A-02-06-A"]}, headers=sup)).json()
            assert [(s["status"], s["on_hand"]) for s in there["items"]] == [("hold", 5)]
            holds = {h["id"]: h for h in (await c.get("/api/v1/holds", headers=sup)).json()["items"]}
            assert (holds[lot_hold]["units"], holds[loc_hold]["units"]) == (10, 5)

            # 5. releasing the lot hold gives the units back on the shelf they were put away to
            r = await c.post(f"/api/v1/holds/{lot_hold}/release", json={"note": "QA passed"}, headers=sup)
            assert r.status_code == 200, r.text
            rows = (await c.get("/api/v1/stock", params={"sku_id": sku2, "lot": "LOT9"}, headers=sup)).json()["items"]
            assert [(s["location_id"], s["status"], s["on_hand"]) for s in rows] == [
                (task["to_location_id"], "available", 10)
            ]
            ledger = (await c.get("/api/v1/movements", params={"doc_ref": f"HOLD-{lot_hold}"}, headers=sup)).json()
            assert sorted((m["from_status"], m["to_status"], m["qty"]) for m in ledger["items"]) == [
                ("available", "hold", 10),
                ("hold", "available", 10),
            ]

    asyncio.run(run())
    audit = wes_audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_replenishment_fills_a_pick_face_only_as_far_as_it_holds(server: str, pg_world: tuple[str, World]) -> None:
    """A pick face that holds 25 units: a max above that is refused; with 5 units of other goods in it, a face at 5
    of its SKU is refilled with 15 (to the 25 it holds), not up to its max of 25 units of the SKU."""
    url, world = pg_world
    a = world.owners["OWNA"]
    sku1 = world.skus["OWNA-SKU1"]
    reserve_row = asyncio.run(receive(url, a, sku1, world.locations["A-02-08-B"], 100))

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server, timeout=120) as c:
            sup = await token(c, "supervisor")
            zones = (await c.get(f"/api/v1/warehouses/{world.warehouse_id}/zones", headers=sup)).json()
            r = await c.post(
                f"/api/v1/warehouses/{world.warehouse_id}/locations",
                json={
                    "code": "A-09-01-A",
                    "zone_id": zones["items"][0]["id"],
                    "type": "pick_face",
                    "capacity_units": 25,
                },
                headers=sup,
            )
            assert r.status_code == 201, r.text
            face = r.json()["id"]
            rule = {"sku_id": sku1, "location_id": face, "min_qty": 10, "max_qty": 30}
            r = await c.post("/api/v1/pick-face-rules", json=rule, headers=sup)
            assert r.status_code == 422 and r.json()["code"] == "over_capacity" and "25" in r.json()["detail"], r.text
            r = await c.post("/api/v1/pick-face-rules", json={**rule, "max_qty": 25}, headers=sup)
            assert r.status_code == 201, r.text
            # 5 units of SKU0 share the face; 5 of SKU1 are on it
            for stock_id in (world.stock["OWNA"], reserve_row):
                r = await c.post(
                    "/api/v1/stock/moves", json={"stock_id": stock_id, "qty": 5, "to_location_id": face}, headers=sup
                )
                assert r.status_code == 201, r.text
            r = await c.post("/api/v1/replenishment/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
            assert r.status_code == 200, r.text
            [task_id] = r.json()["task_ids"]
            task = (await c.get(f"/api/v1/tasks/{task_id}", headers=sup)).json()
            # max 25 with 5 on hand wants 20, but the 5 units of SKU0 take room: 15 fit
            assert (task["qty"], task["to_location_id"], task["from_location_id"]) == (
                15,
                face,
                world.locations["A-02-08-B"],
            ), task

    asyncio.run(run())
    audit = wes_audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
