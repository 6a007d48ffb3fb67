"""Re-slotting end to end over HTTP: recent picks → ranked plan → release as move tasks → a worker confirms them by
scans → the slot assignment and the ledger change (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.db.base import utcnow
from server.db.engine import create_engine, create_session_factory
from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from server.inventory.rules import StockKey
from server.inventory.services import InventoryService
from server.tasks.models import Task, TaskStatus, TaskType
from tests.board_helpers import board_login
from tests.inventory_helpers import GTIN
from tests.world import World, login


async def _history(url: str, world: World) -> None:
    """OWNA-SKU1 sits at the far end of aisle 2 but is in nearly every order with OWNA-SKU0 (front of aisle 1)."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            uow = UnitOfWork(session, SYSTEM)
            owner = world.owners["OWNA"]
            await InventoryService(uow).receive(
                StockKey(owner, world.skus["OWNA-SKU1"], world.locations["A-02-10-A"]), 20
            )
            done = utcnow() - timedelta(days=1)
            for k in range(60):
                lines = (
                    [("OWNA-SKU0", "A-01-01-A"), ("OWNA-SKU1", "A-02-10-A")] if k % 4 else [("OWNA-SKU1", "A-02-10-A")]
                )
                for sku, loc in lines:
                    session.add(
                        Task(
                            type=TaskType.PICK,
                            status=TaskStatus.DONE,
                            warehouse_id=world.warehouse_id,
                            owner_id=owner,
                            sku_id=world.skus[sku],
                            qty=1,
                            from_location_id=world.locations[loc],
                            doc_type="pick",
                            doc_ref=f"B{k}",
                            details={"order_id": 1000 + k},
                            done_at=done,
                        )
                    )
            await session.commit()
    finally:
        await engine.dispose()


async def test_reslot_plan_release_and_confirm(client: Any, world: World, db_url: str) -> None:
    await _history(db_url, world)
    sup = await login(client, "supervisor")
    picker = await login(client, "picker")
    wh = world.warehouse_id
    r = await client.get("/api/v1/slotting/assignments", params={"warehouse_id": wh}, headers=sup)
    assert r.status_code == 200, r.text
    before = {a["sku_code"]: a["location_code"] for a in r.json()}
    assert before["OWNA-SKU1"] == "A-02-10-A" and before["OWNA-SKU0"] == "A-01-01-A"
    # a picker may not plan; a bad budget is refused with a field error
    r = await client.post("/api/v1/slotting/plans", json={"warehouse_id": wh}, headers=picker)
    assert r.status_code == 403
    r = await client.post("/api/v1/slotting/plans", json={"warehouse_id": wh, "max_moves": -1}, headers=sup)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "max_moves", r.text

    r = await client.post(
        "/api/v1/slotting/plans", json={"warehouse_id": wh, "time_limit_s": 1.0, "max_moves": 1}, headers=sup
    )
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["status"] == "draft" and len(plan["moves"]) == 1
    s = plan["summary"]
    assert s["history_orders"] == 60 and s["m_per_day_after"] < s["m_per_day_before"]
    assert s["curve"][0] == [0.0, 0.0] and s["curve"][-1][1] == 1.0
    move = plan["moves"][0]
    assert move["sku_code"] == "OWNA-SKU1" and move["from_code"] == "A-02-10-A" and move["m_per_day_saved"] > 0
    target = move["to_code"]

    # the supervisor reviews it on the board: both plans of the warehouse and the move with its saving
    r = await board_login(client)
    assert r.status_code in (302, 303), r.text
    r = await client.get(f"/board/slotting?plan_id={plan['id']}")
    assert r.status_code == 200, r.text
    assert r.text.count("<svg") >= 2 and "OWNA-SKU1" in r.text and str(move["m_per_day_saved"]) in r.text
    client.cookies.clear()

    r = await client.post(f"/api/v1/slotting/plans/{plan['id']}/release", json={}, headers=sup)
    assert r.status_code == 201, r.text
    released = r.json()
    assert released["status"] == "released"
    task_ids = released["moves"][0]["task_ids"]
    assert released["moves"][0]["status"] == "released" and len(task_ids) >= 1
    r = await client.post(f"/api/v1/slotting/plans/{plan['id']}/release", json={}, headers=sup)
    assert r.status_code == 409 and r.json()["code"] == "plan_not_draft"
    # nothing changes until the move is confirmed
    r = await client.get("/api/v1/slotting/assignments", params={"warehouse_id": wh}, headers=sup)
    assert {a["sku_code"]: a["location_code"] for a in r.json()}["OWNA-SKU1"] == "A-02-10-A"

    for tid in task_ids:
        r = await client.post(f"/api/v1/tasks/{tid}/claim", headers=picker)
        assert r.status_code == 201, r.text
        task = r.json()
        code = {v: k for k, v in world.locations.items()}
        sku = {v: k for k, v in world.skus.items()}[task["sku_id"]]
        body = {"from_location": code[task["from_location_id"]], "item": GTIN[sku], "qty": task["qty"]}
        r = await client.post(
            f"/api/v1/moves/tasks/{tid}/confirm",
            json={**body, "to_location": task["to_location_code"]},
            headers={**picker, "Idempotency-Key": f"reslot-{tid}"},
        )
        assert r.status_code == 200 and r.json()["status"] == "done", r.text

    r = await client.get("/api/v1/slotting/assignments", params={"warehouse_id": wh}, headers=sup)
    after = {a["sku_code"]: a["location_code"] for a in r.json()}
    assert after["OWNA-SKU1"] == target
    if move["swap_sku_code"]:
        assert after[move["swap_sku_code"]] == "A-02-10-A"
    r = await client.get(f"/api/v1/slotting/plans/{plan['id']}", headers=sup)
    assert r.json()["status"] == "done" and r.json()["moves"][0]["status"] == "done"
    # the ledger holds the move of all 20 units into the new slot
    r = await client.get("/api/v1/movements", params={"sku_id": world.skus["OWNA-SKU1"], "reason": "move"}, headers=sup)
    assert r.status_code == 200, r.text
    rows = r.json()["items"] if isinstance(r.json(), dict) else r.json()
    moved = [m for m in rows if m["to_location_id"] == world.locations[target]]
    assert sum(m["qty"] for m in moved) == 20
