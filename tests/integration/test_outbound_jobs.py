"""A wave released on the SAQ worker (Redis + PostgreSQL): the request only queues it, the worker creates the
batches committing progress as it goes, and the wave's status endpoint shows it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from saq import Queue

import server.jobs.queue as job_queue
from server.app import create_app
from server.jobs.queue import make_worker
from tests.conftest import make_settings
from tests.outbound_helpers import order_body
from tests.world import build_world, login


async def test_release_runs_on_the_worker(pg_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    world = await build_world(pg_url)
    settings = make_settings(pg_url, redis_url=redis_url)
    name = f"wes-test-{uuid.uuid4().hex[:8]}"
    queue = Queue.from_url(redis_url, name=name)

    def own_queue(_: Any) -> Queue:  # this test's own queue, so no other run's worker takes the job
        return Queue.from_url(redis_url, name=name)

    monkeypatch.setattr(job_queue, "make_queue", own_queue)
    async with AsyncTestClient(app=create_app(settings)) as client:
        key = {"X-API-Key": world.api_keys["OWNA"]}
        for i in range(6):
            body = order_body(world, f"J-{i}", [("OWNA-SKU0", 1), ("OWNA-SKU2", 1)])
            assert (await client.post("/api/v1/orders", json=body, headers=key)).status_code == 201
        sup = await login(client, "supervisor")
        r = await client.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
        assert len(r.json()["allocated"]) == 6
        await client.post(
            f"/api/v1/warehouses/{world.warehouse_id}/cart-types",
            json={"code": "C2", "max_orders": 2, "max_lines": 10},
            headers=sup,
        )
        # the optimizer run goes to the worker: the request sets the orders aside and answers at once
        body = {"warehouse_id": world.warehouse_id, "time_limit_s": 0.3, "background": True}
        wave = (await client.post("/api/v1/waves", json=body, headers=sup)).json()
        assert wave["status"] == "planning" and wave["progress_total"] == 6 and "batches" not in wave["preview"]
        r = await client.post(f"/api/v1/waves/{wave['id']}/release", headers=sup)
        assert r.status_code == 409 and r.json()["code"] == "wave_not_planned"  # not before it is planned

        async def wait_while(state: str) -> dict[str, Any]:
            for _ in range(300):
                status = (await client.get(f"/api/v1/waves/{wave['id']}", headers=sup)).json()
                if status["status"] != state:
                    return dict(status)
                await asyncio.sleep(0.1)
            raise AssertionError(f"wave still {state}")

        worker = make_worker(settings, queue)
        running = asyncio.create_task(worker.start())
        try:
            wave = await wait_while("planning")
            assert wave["status"] == "planned" and wave["preview"]["carts"] == 3
            r = await client.post(f"/api/v1/waves/{wave['id']}/release", headers=sup)
            assert r.status_code == 200, r.text
            assert r.json()["queued"] is True and r.json()["wave"]["status"] == "releasing"
            status = await wait_while("releasing")
        finally:
            await worker.stop()
            running.cancel()
        assert status["status"] == "released" and status["progress"] == status["progress_total"] == 6
        batches = (await client.get("/api/v1/picking/batches", headers=sup)).json()
        assert batches["total"] == wave["preview"]["carts"] == 3
        orders = (await client.get("/api/v1/orders", headers=sup)).json()["items"]
        assert {o["status"] for o in orders} == {"released"}
    await queue.disconnect()


async def test_backorders_are_reallocated_when_stock_arrives(db_url: str) -> None:
    from server.db.engine import create_engine, create_session_factory
    from server.db.uow import UnitOfWork
    from server.identity.principal import SYSTEM
    from server.outbound import services
    from server.outbound.jobs import reallocate_backorders_job
    from server.outbound.models import OrderStatus, SalesOrder
    from server.outbound.schemas import OrderIn
    from tests.outbound_helpers import receive

    world = await build_world(db_url)
    engine = create_engine(db_url)
    factory = create_session_factory(engine)
    a = world.owners["OWNA"]
    async with factory() as session:
        uow = UnitOfWork(session, SYSTEM)
        body = order_body(world, "BO-1", [("OWNA-SKU0", 130), ("OWNA-SKU1", 5)], owner_id=a)
        order, _ = await services.submit_order(uow, OrderIn.model_validate(body))
        await services.allocate_orders(uow, world.warehouse_id, [order.id])
        await session.commit()
        assert order.status == OrderStatus.BACKORDERED
    ctx = {"session_factory": factory}
    assert await reallocate_backorders_job(ctx) == {"allocated": 0, "backordered": 1}
    await receive(db_url, a, world.skus["OWNA-SKU0"], world.locations["A-02-05-A"], 30)
    await receive(db_url, a, world.skus["OWNA-SKU1"], world.locations["A-02-06-A"], 5)
    assert await reallocate_backorders_job(ctx) == {"allocated": 1, "backordered": 0}
    async with factory() as session:
        again = await session.get(SalesOrder, order.id)
        assert again is not None and again.status == OrderStatus.ALLOCATED
    await engine.dispose()


def test_bench_release_cli(tmp_path: Any) -> None:
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    r = subprocess.run(
        [sys.executable, "-m", "server.cli", "bench", "release", "--json", "--orders", "30", "--time-limit-s", "0.2"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "WES_LOG_LEVEL": "WARNING"},
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["orders"] == 30 and result["lines"] == 120 and result["shortages"] == 0
    assert result["carts"] >= 3 and 0 < result["total_m"] <= result["baseline_m"]
    assert result["plan_and_release_s"] > 0


async def test_auto_release_rule_releases_due_orders(client, world, db_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    from server.db.engine import create_engine, create_session_factory
    from server.outbound.jobs import auto_release_job

    sup = await login(client, "supervisor")
    r = await client.post(
        f"/api/v1/warehouses/{world.warehouse_id}/wave-rules", json={"carrier": "SF", "lead_minutes": 60}, headers=sup
    )
    assert r.status_code == 201, r.text
    dup = await client.post(f"/api/v1/warehouses/{world.warehouse_id}/wave-rules", json={"carrier": "SF"}, headers=sup)
    assert dup.status_code == 409
    now = datetime.now(UTC)
    key = {"X-API-Key": world.api_keys["OWNA"]}
    plan = [("D-1", "SF", 30), ("D-2", "SF", 45), ("L-1", "SF", 600), ("Y-1", "YTO", 20)]
    ids = {}
    for ref, carrier, minutes in plan:
        body = order_body(
            world, ref, [("OWNA-SKU0", 1)], carrier=carrier, cutoff_at=(now + timedelta(minutes=minutes)).isoformat()
        )
        ids[ref] = (await client.post("/api/v1/orders", json=body, headers=key)).json()["id"]
    await client.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
    engine = create_engine(db_url)
    try:
        result = await auto_release_job({"session_factory": create_session_factory(engine)})
        assert result == {"rules": 1, "waves": 1}
        again = await auto_release_job({"session_factory": create_session_factory(engine)})
        assert again == {"rules": 1, "waves": 0}  # nothing more is due
    finally:
        await engine.dispose()
    status = {ref: (await client.get(f"/api/v1/orders/{i}", headers=sup)).json()["status"] for ref, i in ids.items()}
    assert status == {"D-1": "released", "D-2": "released", "L-1": "allocated", "Y-1": "allocated"}
    waves = (await client.get("/api/v1/waves", headers=sup)).json()["items"]
    assert len(waves) == 1 and waves[0]["status"] == "released" and waves[0]["preview"]["orders"] == 2
    rules = (await client.get(f"/api/v1/warehouses/{world.warehouse_id}/wave-rules", headers=sup)).json()
    assert rules[0]["last_run_at"] is not None
