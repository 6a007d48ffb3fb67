"""The count-plan scheduler end to end against PostgreSQL and Redis: plans made over HTTP (a real two-process
server), the SAQ worker runs the `run_due_count_plans_job` cron job, and the tasks it opened are read back over
HTTP. An ABC plan and a location plan scheduled every 3 days run on the first pass; a plan without a schedule never
does; an immediate second pass finds nothing due; eight days on (the counts closed meanwhile) the ABC plan is due
again (its A class every 7 days) and opens a count of the A SKU only, not of the C SKU (every 90 days); the
location plan is due but its location is still being counted. The inventory settings answer matches the served
OpenAPI schema (money as a decimal string). `wes audit` holds."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import jsonschema_rs
from saq import Queue

from server.jobs.queue import make_worker
from tests.conftest import make_settings
from tests.integration.test_concurrency import pg_world, server
from tests.inventory_helpers import GTIN, gs1, token
from tests.servers import wes_audit
from tests.world import World

__all__ = ["pg_world", "server"]


async def run_job(pg_url: str, redis_url: str, **kwargs: Any) -> dict[str, Any]:
    """Queue the scheduler job on a fresh queue and let a real worker run it."""
    queue = Queue.from_url(redis_url, name=f"wes-test-{uuid.uuid4().hex[:8]}")
    job = await queue.enqueue("run_due_count_plans_job", **kwargs)
    assert job is not None
    worker = make_worker(make_settings(pg_url, redis_url=redis_url), queue)
    running = asyncio.create_task(worker.start())
    try:
        for _ in range(600):
            await job.refresh()
            if job.status in ("complete", "failed"):
                break
            await asyncio.sleep(0.1)
    finally:
        await worker.stop()
        running.cancel()
        await queue.disconnect()
    assert job.status == "complete", job.error
    result: dict[str, Any] = job.result
    return result


def test_scheduler_job_runs_due_count_plans(server: str, pg_world: tuple[str, World], redis_url: str) -> None:
    url, world = pg_world
    a, loc = world.owners["OWNA"], world.locations

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server, timeout=120) as c:
            sup, picker = await token(c, "supervisor"), await token(c, "picker")
            doc = (await c.get("/schema/openapi.json")).json()
            settings_path = f"/api/v1/warehouses/{world.warehouse_id}/inventory-settings"
            r = await c.put(
                settings_path,
                json={"count_variance_units": 5, "count_variance_value": 250.5, "count_days_a": 7, "count_days_c": 90},
                headers=sup,
            )
            assert r.status_code == 200, r.text
            # the answer is what the served schema says: money as a decimal string
            out = {"$ref": "#/components/schemas/InventorySettingsOut", "components": doc["components"]}
            jsonschema_rs.validate(out, r.json())
            assert Decimal(r.json()["count_variance_value"]) == Decimal("250.5")
            r = await c.get(settings_path, headers=sup)
            jsonschema_rs.validate(out, r.json())
            assert r.json()["count_variance_value"] == "250.50"

            r = await c.patch(f"/api/v1/skus/{world.skus['OWNA-SKU0']}", json={"demand_class": "A"}, headers=sup)
            assert r.status_code == 200, r.text
            plans = {}
            for name, body in (
                ("abc", {"owner_id": a, "kind": "abc"}),
                ("every3", {"kind": "location", "targets": [loc["B-03-01-A"]], "every_days": 3}),
                ("on_demand", {"kind": "location", "targets": [loc["A-01-01-A"]]}),
            ):
                r = await c.post(
                    "/api/v1/count-plans", json={"warehouse_id": world.warehouse_id, "name": name, **body}, headers=sup
                )
                assert r.status_code == 201, r.text
                plans[name] = r.json()["id"]
            r = await c.post(
                "/api/v1/count-plans",
                json={"warehouse_id": world.warehouse_id, "name": "x", "kind": "abc", "every_days": 3},
                headers=sup,
            )
            assert r.status_code == 422 and r.json()["code"] == "invalid_schedule", r.text

            # 1. the first pass: both scheduled plans were never run, so they are due
            now = datetime.now(UTC)
            result = await run_job(url, redis_url, as_of=now.isoformat())
            assert result["failed"] == [] and set(result["by_plan"]) == {str(plans["abc"]), str(plans["every3"])}
            listed = {p["id"]: p for p in (await c.get("/api/v1/count-plans", headers=sup)).json()["items"]}
            assert listed[plans["on_demand"]]["last_run_at"] is None
            assert listed[plans["abc"]]["last_run_at"] is not None and listed[plans["every3"]]["every_days"] == 3
            counts = (await c.get("/api/v1/tasks", params={"type": "count", "limit": 100}, headers=sup)).json()
            tasks = {(t["from_location_id"], t["sku_id"]): t for t in counts["items"]}
            # ABC: OWNA's SKU0 (class A) at its pick face and SKU2 (class C) at its own; the location plan: B-03-01-A
            assert set(tasks) == {
                (loc["A-01-01-A"], world.skus["OWNA-SKU0"]),
                (loc["A-01-02-A"], world.skus["OWNA-SKU2"]),
                (loc["B-03-01-A"], None),
            }, tasks
            assert result["tasks"] == 3

            # 2. at once again: nothing is due
            result = await run_job(url, redis_url, as_of=(now + timedelta(minutes=5)).isoformat())
            assert result["plans"] == 0 and result["tasks"] == 0

            # the ABC counts are done (book and shelf agree)
            for code, sku, item, qty in (
                ("A-01-01-A", "OWNA-SKU0", GTIN["OWNA-SKU0"], 100),
                ("A-01-02-A", "OWNA-SKU2", gs1("OWNA-SKU2", "LOT1", date(2030, 1, 31)), 40),
            ):
                t = tasks[(loc[code], world.skus[sku])]
                assert (await c.post(f"/api/v1/tasks/{t['id']}/claim", headers=picker)).status_code == 201
                r = await c.post(
                    f"/api/v1/counts/tasks/{t['id']}/submit",
                    json={"location": code, "lines": [{"item": item, "qty": qty}]},
                    headers=picker,
                )
                assert r.status_code == 200 and r.json()["status"] == "counted", r.text

            # 3. eight days on: class A (every 7 days) is due again, class C (every 90) is not; the location plan
            # (every 3 days) is due but B-03-01-A is still under its open count
            result = await run_job(url, redis_url, as_of=(now + timedelta(days=8)).isoformat())
            assert result["by_plan"] == {str(plans["abc"]): 1, str(plans["every3"]): 0}, result
            counts = (await c.get("/api/v1/tasks", params={"type": "count", "limit": 100}, headers=sup)).json()
            new = [t for t in counts["items"] if t["id"] not in {x["id"] for x in tasks.values()}]
            assert [(t["from_location_id"], t["sku_id"]) for t in new] == [(loc["A-01-01-A"], world.skus["OWNA-SKU0"])]

    asyncio.run(run())
    audit = wes_audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
