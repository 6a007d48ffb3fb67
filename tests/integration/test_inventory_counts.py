"""Cycle counting end to end over HTTP against PostgreSQL (a real two-process server): an ABC count plan generates
count tasks (and on a later day only the A SKUs are due again); a blind count finds units missing under stock that
is allocated to an order; the variance triggers a recount that the first counter may not do; another user's recount
confirms it; the supervisor approves through the exceptions API; the adjustment is booked with reason `count`, the
order's lost reservation is re-allocated from reserve, the location is unfrozen, and `wes audit` holds."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import httpx

from tests.integration.test_concurrency import pg_world, server
from tests.inventory_helpers import GTIN, gs1, new_user, token
from tests.outbound_helpers import order_body, receive
from tests.servers import wes_audit
from tests.world import World

__all__ = ["pg_world", "server"]


def test_abc_plan_blind_count_recount_approval_and_reallocation(server: str, pg_world: tuple[str, World]) -> None:
    url, world = pg_world
    a = world.owners["OWNA"]
    loc = world.locations
    # SKU0: 100 at the pick face A-01-01-A (world) + 50 in reserve; SKU1: 20 at a pick face; SKU2 (lot/expiry): world
    reserve_row = asyncio.run(receive(url, a, world.skus["OWNA-SKU0"], loc["A-02-03-B"], 50))
    asyncio.run(receive(url, a, world.skus["OWNA-SKU1"], loc["A-01-05-A"], 20))

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server, timeout=120) as c:
            sup, admin = await token(c, "supervisor"), await token(c, "admin")
            await new_user(c, admin, "counter2", "picker", world.warehouse_id)
            picker, counter2 = await token(c, "picker"), await token(c, "counter2")
            api = {"X-API-Key": world.api_keys["OWNA"]}
            r = await c.put(
                f"/api/v1/warehouses/{world.warehouse_id}/inventory-settings",
                json={"count_variance_units": 5, "count_variance_value": "1000", "count_days_a": 7, "count_days_c": 90},
                headers=sup,
            )
            assert r.status_code == 200, r.text
            r = await c.patch(f"/api/v1/skus/{world.skus['OWNA-SKU0']}", json={"demand_class": "A"}, headers=sup)
            assert r.status_code == 200, r.text
            # an order takes 90 of the pick face's 100
            r = await c.post("/api/v1/orders", json=order_body(world, "CC-1", [("OWNA-SKU0", 90)]), headers=api)
            assert r.status_code == 201, r.text
            order_id = r.json()["id"]
            r = await c.post(f"/api/v1/orders/{order_id}/allocate", json={}, headers=sup)
            assert r.status_code in (200, 201), r.text
            face = (await c.get(f"/api/v1/stock/{world.stock['OWNA']}", headers=sup)).json()
            assert face["allocated"] == 90

            # 1. the ABC plan: every stocked SKU of the owner is due the first time
            r = await c.post(
                "/api/v1/count-plans",
                json={"warehouse_id": world.warehouse_id, "owner_id": a, "name": "ABC", "kind": "abc"},
                headers=sup,
            )
            assert r.status_code == 201, r.text
            plan = r.json()["id"]
            r = await c.post(f"/api/v1/count-plans/{plan}/run", headers=sup)
            assert r.status_code == 200, r.text
            assert r.json()["tasks_created"] == 4  # SKU0 x 2 locations, SKU1, SKU2
            task_ids = r.json()["task_ids"]
            tasks = [(await c.get(f"/api/v1/tasks/{t}", headers=sup)).json() for t in task_ids]
            assert {t["type"] for t in tasks} == {"count"} and all(t["qty"] == 0 for t in tasks)
            by_loc = {t["from_location_id"]: t["id"] for t in tasks}
            # frozen while counted: the location is blocked for putaway and allocation
            assert (await c.get(f"/api/v1/locations/{loc['A-01-01-A']}", headers=sup)).json()["blocked"] is True

            # 2. the blind count of the pick face: 60 found where the book says 100 (90 of them allocated)
            t1 = by_loc[loc["A-01-01-A"]]
            assert (await c.post(f"/api/v1/tasks/{t1}/claim", headers=picker)).status_code == 201
            submit = f"/api/v1/counts/tasks/{t1}/submit"
            r = await c.post(submit, json={"location": "A-01-02-A", "lines": []}, headers=picker)
            assert r.status_code == 422 and r.json()["code"] == "wrong_location"
            r = await c.post(
                submit,
                json={"location": "A-01-01-A", "lines": [{"item": GTIN["OWNA-SKU0"], "qty": 60}]},
                headers={**picker, "Idempotency-Key": "count-1"},
            )
            assert r.status_code == 200, r.text
            out = r.json()
            assert out["status"] == "recount" and "expected" not in r.text and "variance" not in r.text
            recount = out["recount_task_id"]
            # the first counter may not recount
            assert (await c.post(f"/api/v1/tasks/{recount}/claim", headers=picker)).status_code == 201
            body = {"location": "A-01-01-A", "lines": [{"item": GTIN["OWNA-SKU0"], "qty": 60}]}
            r = await c.post(f"/api/v1/counts/tasks/{recount}/submit", json=body, headers=picker)
            assert r.status_code == 409 and r.json()["code"] == "recount_same_user", r.text
            r = await c.post(f"/api/v1/tasks/{recount}/reassign", json={"user_id": None}, headers=sup)
            assert r.status_code in (200, 201), r.text
            assert (await c.post(f"/api/v1/tasks/{recount}/claim", headers=counter2)).status_code == 201
            r = await c.post(f"/api/v1/counts/tasks/{recount}/submit", json=body, headers=counter2)
            assert r.status_code == 200 and r.json()["status"] == "approval", r.text
            count_id = r.json()["count_id"]
            # the book is unchanged until a supervisor decides
            assert (await c.get(f"/api/v1/stock/{world.stock['OWNA']}", headers=sup)).json()["on_hand"] == 100

            # 3. the other counts agree with the book (the reserve must be unfrozen before it can be re-allocated
            # from); the lot/expiry SKU needs its lot and expiry
            for loc_code, item, qty in (
                ("A-02-03-B", GTIN["OWNA-SKU0"], 50),
                ("A-01-05-A", GTIN["OWNA-SKU1"], 20),
                ("A-01-02-A", gs1("OWNA-SKU2", "LOT1", date(2030, 1, 31)), 40),
            ):
                t = by_loc[loc[loc_code]]
                assert (await c.post(f"/api/v1/tasks/{t}/claim", headers=counter2)).status_code == 201
                if loc_code == "A-01-02-A":
                    bad = {"location": loc_code, "lines": [{"item": GTIN["OWNA-SKU2"], "qty": qty}]}
                    r = await c.post(f"/api/v1/counts/tasks/{t}/submit", json=bad, headers=counter2)
                    assert r.status_code == 422 and r.json()["code"] == "lot_or_expiry_required", r.text
                body = {"location": loc_code, "lines": [{"item": item, "qty": qty}]}
                r = await c.post(f"/api/v1/counts/tasks/{t}/submit", json=body, headers=counter2)
                assert r.status_code == 200 and r.json()["status"] == "counted", r.text

            # 4. the supervisor approves through the exceptions registry
            exc = (await c.get("/api/v1/exceptions", params={"kind": "count_variance"}, headers=sup)).json()["items"]
            assert len(exc) == 1 and {x["name"] for x in exc[0]["actions"]} >= {"approve", "reject"}
            r = await c.post(
                f"/api/v1/exceptions/{exc[0]['id']}/resolve", json={"action": "approve", "note": "ok"}, headers=sup
            )
            assert r.status_code in (200, 201), r.text
            count = (await c.get(f"/api/v1/counts/{count_id}", headers=sup)).json()
            assert count["status"] == "approved" and count["variance_units"] == 40
            face = (await c.get(f"/api/v1/stock/{world.stock['OWNA']}", headers=sup)).json()
            assert (face["on_hand"], face["allocated"]) == (60, 60)
            reserve = (await c.get(f"/api/v1/stock/{reserve_row}", headers=sup)).json()
            assert reserve["allocated"] == 30  # the 30 reserved units that vanished, re-allocated from reserve
            order = (await c.get(f"/api/v1/orders/{order_id}", headers=sup)).json()
            assert order["status"] == "allocated" and order["lines"][0]["allocated_qty"] == 90
            moves = (await c.get("/api/v1/movements", params={"doc_ref": f"CC-{count_id}"}, headers=sup)).json()
            assert [(m["reason"], m["qty"], m["to_location_id"]) for m in moves["items"]] == [("count", 40, None)]
            assert (await c.get(f"/api/v1/locations/{loc['A-01-01-A']}", headers=sup)).json()["blocked"] is False

            # 5. the schedule: ten days on, only the A SKU is due again (class A every 7 days, C every 90)
            later = (datetime.now(UTC) + timedelta(days=10)).isoformat()
            r = await c.post(f"/api/v1/count-plans/{plan}/run", params={"as_of": later}, headers=sup)
            assert r.status_code == 200, r.text
            again = [(await c.get(f"/api/v1/tasks/{t}", headers=sup)).json() for t in r.json()["task_ids"]]
            assert {t["sku_id"] for t in again} == {world.skus["OWNA-SKU0"]} and len(again) == 2

    asyncio.run(run())
    audit = wes_audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_count_loss_under_a_released_wave_moves_the_pick_or_flags_it_short(
    server: str, pg_world: tuple[str, World]
) -> None:
    """An order released in a wave has its pick of 90 at the pick face (100 on the book); a count finds 50 there,
    another user's recount confirms it and the supervisor approves: the pick shrinks to the 50 still there, a new pick
    in the same batch takes the 20 the reserve has, and the 20 found nowhere are backordered on the line with a
    `reallocation_short` exception. The picker then picks the batch and the order is picked with 70 units."""
    url, world = pg_world
    a, loc = world.owners["OWNA"], world.locations
    sku0 = world.skus["OWNA-SKU0"]
    reserve_row = asyncio.run(receive(url, a, sku0, loc["A-02-03-B"], 20))

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server, timeout=120) as c:
            sup, admin = await token(c, "supervisor"), await token(c, "admin")
            await new_user(c, admin, "counter2", "receiver", world.warehouse_id)
            picker, counter, counter2 = await token(c, "picker"), await token(c, "receiver"), await token(c, "counter2")
            api = {"X-API-Key": world.api_keys["OWNA"]}
            r = await c.post("/api/v1/orders", json=order_body(world, "RW-1", [("OWNA-SKU0", 90)]), headers=api)
            assert r.status_code == 201, r.text
            order_id = r.json()["id"]
            r = await c.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
            assert r.status_code == 200, r.text
            assert (await c.get(f"/api/v1/stock/{world.stock['OWNA']}", headers=sup)).json()["allocated"] == 90
            r = await c.post("/api/v1/waves", json={"warehouse_id": world.warehouse_id, "time_limit_s": 1}, headers=sup)
            assert r.status_code == 201, r.text
            r = await c.post(f"/api/v1/waves/{r.json()['id']}/release", headers=sup)
            assert r.status_code == 200, r.text
            assert (await c.get(f"/api/v1/orders/{order_id}", headers=sup)).json()["status"] == "released"
            [pick] = (await c.get("/api/v1/tasks", params={"type": "pick"}, headers=sup)).json()["items"]
            assert (pick["qty"], pick["from_location_id"]) == (90, loc["A-01-01-A"])

            # the count: 50 found where the book says 100; recount by another user; the supervisor approves
            r = await c.post(
                "/api/v1/counts", json={"warehouse_id": world.warehouse_id, "location": "A-01-01-A"}, headers=sup
            )
            assert r.status_code == 201, r.text
            [count] = r.json()
            body = {"location": "A-01-01-A", "lines": [{"item": GTIN["OWNA-SKU0"], "qty": 50}]}
            assert (await c.post(f"/api/v1/tasks/{count['task_id']}/claim", headers=counter)).status_code == 201
            r = await c.post(f"/api/v1/counts/tasks/{count['task_id']}/submit", json=body, headers=counter)
            assert r.status_code == 200 and r.json()["status"] == "recount", r.text
            recount = r.json()["recount_task_id"]
            assert (await c.post(f"/api/v1/tasks/{recount}/claim", headers=counter2)).status_code == 201
            r = await c.post(f"/api/v1/counts/tasks/{recount}/submit", json=body, headers=counter2)
            assert r.status_code == 200 and r.json()["status"] == "approval", r.text
            r = await c.post(f"/api/v1/counts/{count['id']}/approve", json={"note": "ok"}, headers=sup)
            assert r.status_code == 200 and r.json()["status"] == "approved", r.text

            # the loss took the 10 free units, then 40 of the reservation: the pick shrank to 50, a new pick of the
            # reserve's 20 joined the batch, 20 are backordered and flagged
            face = (await c.get(f"/api/v1/stock/{world.stock['OWNA']}", headers=sup)).json()
            assert (face["on_hand"], face["allocated"]) == (50, 50)
            assert (await c.get(f"/api/v1/stock/{reserve_row}", headers=sup)).json()["allocated"] == 20
            picks = (await c.get("/api/v1/tasks", params={"type": "pick"}, headers=sup)).json()["items"]
            open_picks = sorted(
                (t["from_location_id"], t["qty"], t["doc_ref"], t["status"])
                for t in picks
                if t["status"] != "cancelled"
            )
            assert open_picks == sorted(
                [
                    (loc["A-01-01-A"], 50, pick["doc_ref"], pick["status"]),
                    (loc["A-02-03-B"], 20, pick["doc_ref"], pick["status"]),
                ]
            ), picks
            order = (await c.get(f"/api/v1/orders/{order_id}", headers=sup)).json()
            line = order["lines"][0]
            assert (line["allocated_qty"], line["backordered_qty"], order["status"]) == (70, 20, "released"), order
            exc = (await c.get("/api/v1/exceptions", params={"kind": "reallocation_short"}, headers=sup)).json()
            assert exc["total"] == 1 and "20" in exc["items"][0]["message"], exc

            # the picker picks the batch: both picks, the order is picked with what was there
            r = await c.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=picker)
            assert r.status_code == 200, r.text
            todo = [p for p in r.json()["picks"] if p["status"] in ("open", "claimed", "in_progress")]
            assert sorted((p["location_code"], p["qty"]) for p in todo) == [("A-01-01-A", 50), ("A-02-03-B", 20)], todo
            for p in todo:
                r = await c.post(
                    f"/api/v1/picking/picks/{p['task_id']}/confirm",
                    json={"location": p["location_code"], "item": GTIN["OWNA-SKU0"], "qty": p["qty"]},
                    headers=picker,
                )
                assert r.status_code == 200, r.text
            order = (await c.get(f"/api/v1/orders/{order_id}", headers=sup)).json()
            assert order["status"] == "picked" and order["lines"][0]["picked_qty"] == 70, order

    asyncio.run(run())
    audit = wes_audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
