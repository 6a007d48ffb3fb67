"""Outbound end to end over HTTP against PostgreSQL with a two-process server: 50 orders from two owners and two
channels (one duplicate) -> allocation -> a wave planned, previewed and released -> two pickers pick their batches
in route order with scans (a wrong item refused, a short pick re-allocated) -> orders picked, stock equal to the
ledger (`wes audit`), no allocation left dangling, replayed confirms change nothing.

And invariant 1 for allocation: 20 orders competing in parallel for the same scarce stock."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from typing import Any

import httpx

from server.catalog.rules import make_gtin13
from tests.integration.test_concurrency import _token, pg_world, server
from tests.outbound_helpers import order_body, receive
from tests.servers import ROOT
from tests.world import PASSWORD, World

__all__ = ["pg_world", "server"]  # fixtures used here

GTIN = {
    f"{o}-SKU{i}": make_gtin13("690000", n * 10 + i).zfill(14) for n, o in enumerate(("OWNA", "OWNB")) for i in range(3)
}


def _scan(p: dict[str, Any]) -> str:
    return f"(01){GTIN[p['sku_code']]}(10){p['lot']}" if p["lot"] else GTIN[p["sku_code"]]


def _audit(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "audit"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "WES_DATABASE_URL": url},
    )


async def _all_stock(c: httpx.AsyncClient, h: dict[str, str]) -> list[dict[str, Any]]:
    r = await c.get("/api/v1/stock", headers=h, params={"limit": 1000, "include_empty": "true"})
    return list(r.json()["items"])


def test_outbound_end_to_end(server: str, pg_world: tuple[str, World]) -> None:
    url, world = pg_world
    a, b = world.owners["OWNA"], world.owners["OWNB"]
    extra = {  # SKU1 in several places, SKU0 a second place per owner (the short pick's fallback)
        "OWNA": [("OWNA-SKU1", "A-01-05-A"), ("OWNA-SKU1", "A-02-07-A"), ("OWNA-SKU0", "A-02-09-A")],
        "OWNB": [("OWNB-SKU1", "B-03-06-A"), ("OWNB-SKU1", "B-04-03-A"), ("OWNB-SKU0", "B-04-08-A")],
    }
    for owner, rows in extra.items():
        for sku, loc in rows:
            asyncio.run(receive(url, world.owners[owner], world.skus[sku], world.locations[loc], 60))

    async def run() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=server, timeout=120) as c:
            sup = await _token(c, "supervisor")
            admin = await _token(c, "admin")
            r = await c.post(
                "/api/v1/users",
                json={
                    "username": "picker2",
                    "display_name": "Picker two",
                    "password": PASSWORD,
                    "role": "picker",
                    "warehouse_id": world.warehouse_id,
                },
                headers=admin,
            )
            assert r.status_code == 201, r.text
            # 1. intake: 50 orders, two owners x two channels, in parallel, plus one duplicate
            bodies = []
            for i in range(50):
                owner = "OWNA" if i % 2 == 0 else "OWNB"
                lines = [(f"{owner}-SKU0", 1 + i % 2), (f"{owner}-SKU1", 1)] + (
                    [(f"{owner}-SKU2", 1)] if i % 5 == 0 else []
                )
                body = order_body(
                    world,
                    f"E2E-{i:03d}",
                    lines,
                    channel="web" if i % 4 < 2 else "marketplace",
                    carrier="SF",
                    priority=i % 3,
                )
                bodies.append((owner, body))
            replies = await asyncio.gather(
                *[c.post("/api/v1/orders", json=body, headers={"X-API-Key": world.api_keys[o]}) for o, body in bodies]
            )
            assert [r.status_code for r in replies] == [201] * 50, [r.text for r in replies if r.status_code != 201]
            ids = [r.json()["id"] for r in replies]
            dup = await c.post("/api/v1/orders", json=bodies[7][1], headers={"X-API-Key": world.api_keys["OWNB"]})
            assert dup.status_code == 200 and dup.json()["id"] == ids[7]
            assert (await c.get("/api/v1/orders", headers=sup, params={"limit": 1})).json()["total"] == 50
            # 2. allocation
            r = await c.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
            assert r.status_code == 200 and sorted(r.json()["allocated"]) == sorted(ids), r.text
            # 3. wave: plan, preview, release
            r = await c.post(
                f"/api/v1/warehouses/{world.warehouse_id}/cart-types",
                json={"code": "CART8", "max_orders": 8, "max_lines": 40},
                headers=sup,
            )
            assert r.status_code == 201
            r = await c.post(
                "/api/v1/waves",
                json={"warehouse_id": world.warehouse_id, "carriers": ["SF"], "time_limit_s": 2},
                headers=sup,
            )
            assert r.status_code == 201, r.text
            wave = r.json()
            assert wave["preview"]["orders"] == 50 and wave["preview"]["carts"] >= 7
            assert 0 < wave["total_m"] < wave["baseline_m"]
            preview = (await c.get(f"/api/v1/waves/{wave['id']}", headers=sup)).json()
            assert preview["preview"]["batches"] == wave["preview"]["batches"]
            r = await c.post(f"/api/v1/waves/{wave['id']}/release", headers=sup)
            assert r.status_code == 200 and r.json()["wave"]["status"] == "released", r.text
            batches = (await c.get("/api/v1/picking/batches", headers=sup, params={"wave_id": wave["id"]})).json()
            assert batches["total"] == wave["preview"]["carts"]
            # 4. two pickers at once
            h1 = await _token(c, "picker")
            h2 = await _token(c, "picker2")
            first = await asyncio.gather(
                *[
                    c.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=h)
                    for h in (h1, h2)
                ]
            )
            assert [r.status_code for r in first] == [200, 200]
            assert first[0].json()["id"] != first[1].json()["id"]  # one holder per batch
            confirms: list[tuple[str, dict[str, Any], dict[str, str], str]] = []
            events = {"wrong_item": 0, "short": 0}

            async def pick_all(h: dict[str, str], name: str, misbehave: bool) -> int:
                done_batches = 0
                while True:
                    r = await c.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=h)
                    if r.status_code == 404:
                        assert r.json()["code"] == "no_batch"
                        return done_batches
                    assert r.status_code == 200, r.text
                    batch = r.json()
                    seqs = [p["seq"] for p in batch["picks"]]
                    assert seqs == sorted(seqs)
                    while True:
                        todo = [p for p in batch["picks"] if p["status"] != "done"]
                        if not todo:
                            break
                        p = todo[0]  # the next pick in route order
                        if misbehave and not events["wrong_item"]:
                            wrong = next(s for s in GTIN if s != p["sku_code"])
                            body = {"location": p["location_code"], "item": GTIN[wrong], "qty": 1}
                            r = await c.post(f"/api/v1/picking/picks/{p['task_id']}/confirm", json=body, headers=h)
                            assert r.status_code == 422 and r.json()["code"] == "wrong_item", r.text
                            events["wrong_item"] += 1
                        if misbehave and not events["short"] and p["sku_code"].endswith("SKU1"):
                            body = {"location": p["location_code"], "found_qty": 0}
                            r = await c.post(
                                f"/api/v1/picking/picks/{p['task_id']}/short",
                                json=body,
                                headers={**h, "Idempotency-Key": f"short-{p['task_id']}"},
                            )
                            assert r.status_code == 200, r.text
                            res = r.json()
                            assert res["reallocated"] == p["qty"] and res["backordered"] == 0
                            new = [
                                q
                                for q in res["batch"]["picks"]
                                if q["line_id"] == p["line_id"] and q["status"] != "done"
                            ]
                            assert len(new) == 1 and new[0]["location_id"] != p["location_id"]
                            events["short"] += 1
                            batch = res["batch"]
                            continue
                        body = {"location": p["location_code"], "item": _scan(p), "qty": p["qty"] - p["picked_qty"]}
                        key = f"{name}-confirm-{p['task_id']}"
                        hk = {**h, "Idempotency-Key": key}
                        r = await c.post(f"/api/v1/picking/picks/{p['task_id']}/confirm", json=body, headers=hk)
                        assert r.status_code == 200, r.text
                        confirms.append((f"/api/v1/picking/picks/{p['task_id']}/confirm", body, hk, r.text))
                        # the reply is this pick as it is now and the batch's status: applied to the list in hand
                        done = r.json()
                        assert done["id"] == batch["id"] and done["pick"]["task_id"] == p["task_id"]
                        picked = {"status": done["pick"]["status"], "picked_qty": done["pick"]["picked_qty"]}
                        batch = {
                            **batch,
                            "status": done["status"],
                            "picks": [{**q, **picked} if q["task_id"] == p["task_id"] else q for q in batch["picks"]],
                        }
                    assert batch["status"] == "done"
                    done_batches += 1

            counts = await asyncio.gather(pick_all(h1, "p1", True), pick_all(h2, "p2", False))
            assert counts[0] > 0 and counts[1] > 0 and sum(counts) == batches["total"]
            assert events == {"wrong_item": 1, "short": 1}
            # 5. everything picked, nothing dangling, replays change nothing
            orders = (await c.get("/api/v1/orders", headers=sup, params={"limit": 100})).json()["items"]
            assert {o["status"] for o in orders} == {"picked"}
            assert all(ln["picked_qty"] == ln["qty"] and ln["allocated_qty"] == 0 for o in orders for ln in o["lines"])
            before = await _all_stock(c, sup)
            assert sum(s["allocated"] for s in before) == 0
            replays = await asyncio.gather(*[c.post(u, json=body, headers=hk) for u, body, hk, _ in confirms[:20]])
            for r, (_, _, _, first_text) in zip(replays, confirms[:20], strict=True):
                assert r.status_code == 200 and r.headers["idempotent-replayed"] == "true" and r.text == first_text
            after = await _all_stock(c, sup)
            assert after == before
            count_tasks = (await c.get("/api/v1/tasks", headers=sup, params={"type": "count"})).json()
            assert count_tasks["total"] == 1
            return {"stock": after, "orders": orders}

    result = asyncio.run(run())
    units = sum(ln["qty"] for o in result["orders"] for ln in o["lines"])
    totes = {o["tote"] for o in result["orders"]}
    assert sum(s["on_hand"] for s in result["stock"] if s["lpn"] in totes) == units
    assert sum(s["on_hand"] for s in result["stock"] if s["owner_id"] == a) == 100 + 40 + 180
    assert sum(s["on_hand"] for s in result["stock"] if s["owner_id"] == b) == 100 + 40 + 180
    audit = _audit(url)
    assert audit.returncode == 0 and "Audit clean" in audit.stdout, audit.stdout + audit.stderr


def test_twenty_orders_compete_for_scarce_stock(server: str, pg_world: tuple[str, World]) -> None:
    url, world = pg_world
    a = world.owners["OWNA"]
    # SKU0: 100 in the world + 30 elsewhere = 130; SKU1: 60. Demand: 20 orders x (8 SKU0 + 3 SKU1).
    second = asyncio.run(receive(url, a, world.skus["OWNA-SKU0"], world.locations["A-02-09-A"], 30))
    asyncio.run(receive(url, a, world.skus["OWNA-SKU1"], world.locations["A-01-05-A"], 60))

    async def run() -> tuple[list[httpx.Response], list[dict[str, Any]]]:
        async with httpx.AsyncClient(base_url=server, timeout=120) as c:
            key = {"X-API-Key": world.api_keys["OWNA"]}
            ids = []
            for i in range(20):
                body = order_body(world, f"RACE-{i}", [("OWNA-SKU0", 8), ("OWNA-SKU1", 3)])
                r = await c.post("/api/v1/orders", json=body, headers=key)
                ids.append(r.json()["id"])
            sup = await _token(c, "supervisor")
            replies = await asyncio.gather(*[c.post(f"/api/v1/orders/{i}/allocate", headers=sup) for i in ids])
            return list(replies), await _all_stock(c, sup)

    replies, stock = asyncio.run(run())
    statuses = Counter(r.status_code for r in replies)
    assert set(statuses) == {201, 409}, statuses
    assert statuses[201] == 16  # 130 // 8; SKU1 (60 // 3 = 20) is never the limit
    for r in replies:
        if r.status_code == 409:
            assert r.json()["code"] == "insufficient_stock"
            assert [e["sku"] for e in r.json()["errors"]] == ["OWNA-SKU0"]
    sku0 = [s for s in stock if s["sku_id"] == world.skus["OWNA-SKU0"]]
    sku1 = [s for s in stock if s["sku_id"] == world.skus["OWNA-SKU1"]]
    assert all(0 <= s["allocated"] <= s["on_hand"] for s in stock)
    assert sum(s["allocated"] for s in sku0) == 16 * 8 and sum(s["on_hand"] for s in sku0) == 130
    assert sum(s["allocated"] for s in sku1) == 16 * 3
    assert any(s["id"] == second and s["allocated"] > 0 for s in sku0)
    audit = _audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
