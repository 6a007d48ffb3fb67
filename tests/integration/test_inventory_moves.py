"""Move tasks over HTTP against PostgreSQL (a real two-process server): a supervisor creates a move of units and a
move of a whole LPN (with a case nested on it), a worker claims and confirms them by scans; wrong scans are
refused and change nothing; every unit moved is a ledger row and `wes audit` holds."""

from __future__ import annotations

import asyncio

import httpx

from tests.integration.test_concurrency import pg_world, server
from tests.inventory_helpers import GTIN, token
from tests.servers import wes_audit
from tests.world import World

__all__ = ["pg_world", "server"]


async def _receive_on_lpn(url: str, world: World, sku: str, loc: str, qty: int, lpn: str) -> int:
    from server.db.engine import create_engine, create_session_factory
    from server.db.uow import UnitOfWork
    from server.identity.principal import SYSTEM
    from server.inventory.rules import StockKey
    from server.inventory.services import InventoryService

    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            key = StockKey(world.owners["OWNA"], world.skus[sku], world.locations[loc], lpn=lpn)
            row = await InventoryService(UnitOfWork(session, SYSTEM)).receive(key, qty)
            await session.commit()
            return row.id
    finally:
        await engine.dispose()


def test_move_tasks_by_scans(server: str, pg_world: tuple[str, World]) -> None:
    url, world = pg_world
    sid = world.stock["OWNA"]  # 100 of OWNA-SKU0 at A-01-01-A
    pallet = asyncio.run(_receive_on_lpn(url, world, "OWNA-SKU1", "A-02-01-B", 30, "LPN-PALLET-1"))
    asyncio.run(_receive_on_lpn(url, world, "OWNA-SKU1", "A-02-01-B", 6, "LPN-CASE-1"))
    assert pallet

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server, timeout=60) as c:
            sup = await token(c, "supervisor")
            picker = await token(c, "picker")
            dest = world.locations["A-01-03-B"]
            r = await c.post(
                "/api/v1/moves/tasks",
                json={"stock_id": sid, "qty": 40, "to_location_id": dest, "reason": "reslot"},
                headers=sup,
            )
            assert r.status_code == 201, r.text
            task = r.json()
            assert task["type"] == "move" and task["to_location_code"] == "A-01-03-B"
            # a picker may not create one; the owner's API key may not confirm one
            r = await c.post(
                "/api/v1/moves/tasks", json={"stock_id": sid, "qty": 1, "to_location_id": dest}, headers=picker
            )
            assert r.status_code == 403
            r = await c.post(f"/api/v1/tasks/{task['id']}/claim", headers=picker)
            assert r.status_code == 201, r.text
            confirm = f"/api/v1/moves/tasks/{task['id']}/confirm"
            good = {"from_location": "A-01-01-A", "item": GTIN["OWNA-SKU0"], "qty": 25, "to_location": "A-01-03-B"}
            for bad, code in (
                ({"from_location": "A-01-02-A"}, "wrong_location"),
                ({"item": GTIN["OWNA-SKU1"]}, "wrong_item"),
                ({"to_location": "A-01-04-B"}, "wrong_location"),
                ({"qty": 41}, "over_move"),
            ):
                r = await c.post(confirm, json={**good, **bad}, headers=picker)
                assert r.status_code == 422 and r.json()["code"] == code, r.text
            h = {**picker, "Idempotency-Key": "move-1"}
            r = await c.post(confirm, json=good, headers=h)
            assert r.status_code == 200 and r.json()["status"] == "in_progress", r.text
            r = await c.post(confirm, json=good, headers=h)  # a replay changes nothing
            assert r.headers.get("Idempotent-Replayed") == "true"
            r = await c.post(confirm, json={**good, "qty": 15}, headers=picker)
            assert r.status_code == 200 and r.json()["status"] == "done", r.text
            src = (await c.get(f"/api/v1/stock/{sid}", headers=sup)).json()
            assert src["on_hand"] == 60
            moved = (
                await c.get(
                    "/api/v1/stock", headers=sup, params={"location_id": dest, "sku_id": world.skus["OWNA-SKU0"]}
                )
            ).json()["items"]
            assert [m["on_hand"] for m in moved] == [40]
            ledger = (
                await c.get("/api/v1/movements", headers=sup, params={"doc_ref": "TASK-" + str(task["id"])})
            ).json()
            assert sorted(m["qty"] for m in ledger["items"]) == [15, 25]
            assert {m["reason"] for m in ledger["items"]} == {"move"}

            # a case nested on a pallet, then the whole pallet moved by one scan of its LPN
            r = await c.post(
                "/api/v1/moves/nesting",
                json={"warehouse_id": world.warehouse_id, "lpn": "LPN-CASE-1", "parent_lpn": "LPN-PALLET-1"},
                headers=picker,
            )
            assert r.status_code == 200, r.text
            r = await c.post(
                "/api/v1/moves/tasks",
                json={
                    "lpn": "LPN-PALLET-1",
                    "from_location_id": world.locations["A-02-01-B"],
                    "to_location_id": world.locations["A-02-02-B"],
                    "reason": "consolidate",
                },
                headers=sup,
            )
            assert r.status_code == 201 and r.json()["qty"] == 36, r.text
            lpn_task = r.json()["id"]
            await c.post(f"/api/v1/tasks/{lpn_task}/claim", headers=picker)
            body = {"from_location": "A-02-01-B", "item": "LPN-WRONG", "to_location": "A-02-02-B"}
            r = await c.post(f"/api/v1/moves/tasks/{lpn_task}/confirm", json=body, headers=picker)
            assert r.status_code == 422 and r.json()["code"] == "wrong_item"
            body["item"] = "LPN-PALLET-1"
            r = await c.post(f"/api/v1/moves/tasks/{lpn_task}/confirm", json=body, headers=picker)
            assert r.status_code == 200 and r.json()["status"] == "done", r.text
            there = (
                await c.get("/api/v1/stock", headers=sup, params={"location_id": world.locations["A-02-02-B"]})
            ).json()["items"]
            assert sorted((s["lpn"], s["on_hand"]) for s in there) == [("LPN-CASE-1", 6), ("LPN-PALLET-1", 30)]

    asyncio.run(run())
    audit = wes_audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
