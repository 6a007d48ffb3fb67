"""Drill: Redis (a throwaway instance) dies mid-run. Scans keep being accepted, /health says degraded, and a wave
release queued before the outage is run by `wes worker` once Redis is back; nothing is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from server.bench.checks import check_picks
from server.bench.handheld import Stats, login, run_handheld
from server.bench.scenario import add_orders, build_floor, release_wave
from tests.drills.faults import RedisProcess, ServerProcess, WorkerProcess, until, wait_until
from tests.servers import wes_audit

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def test_redis_dies_scans_go_on_and_queued_jobs_resume(pg_url: str, tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path).start()
    floor = asyncio.run(build_floor(pg_url, skus=30, pickers=4, aisles=6, aisle_length_m=10))
    asyncio.run(add_orders(floor, 32, lines=3))
    asyncio.run(release_wave(floor, time_limit_s=0.3))  # wave 1: batches on the floor now
    asyncio.run(add_orders(floor, 12, lines=2, prefix="LATE"))
    queued_wave = asyncio.run(release_wave(floor, time_limit_s=0.3, queue_only=True))  # wave 2: planned only
    server = ServerProcess(pg_url, redis_url=redis.url).start()
    worker: WorkerProcess | None = None
    stats = Stats()
    seen: dict[str, int] = {}

    async def drive() -> None:
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as c:
            sup = await login(c, floor.supervisor, floor.password)
            r = await c.post(f"/api/v1/waves/{queued_wave}/release", headers=sup)
            assert r.status_code == 200 and r.json()["queued"] is True, r.text  # in Redis; no worker runs yet
            stop = asyncio.Event()
            handhelds = [
                asyncio.create_task(run_handheld(server.base, floor, n, stats, stop=stop, seed=i, until_empty=True))
                for i, n in enumerate(floor.pickers)
            ]
            await until("the first confirms", lambda: stats.confirms >= 10)
            await asyncio.to_thread(redis.kill9)
            seen["at_outage"] = stats.confirms
            health = (await c.get("/health")).json()
            assert health["status"] == "degraded" and health["redis"].startswith("error"), health
            await until(
                "confirms while Redis is down",
                lambda: stats.confirms >= seen["at_outage"] + 10 or all(h.done() for h in handhelds),
            )
            seen["during_outage"] = stats.confirms - seen["at_outage"]
            await asyncio.to_thread(redis.start)
            await asyncio.wait_for(asyncio.gather(*handhelds), timeout=60)
            # the server's Redis client reconnects on its next use; give it a few seconds after the restart
            for _ in range(100):
                if (await c.get("/health")).json()["status"] == "ok":
                    break
                await asyncio.sleep(0.1)
            assert (await c.get("/health")).json()["status"] == "ok"

    try:
        asyncio.run(drive())
        assert seen["during_outage"] > 0, "no scan was accepted while Redis was down"
        worker = WorkerProcess(pg_url, redis.url).start()

        def released() -> bool:
            with httpx.Client(base_url=server.base, timeout=5) as c:
                r = c.post("/api/v1/auth/login", json={"username": floor.supervisor, "password": floor.password})
                h = {"Authorization": f"Bearer {r.json()['token']}"}
                return bool(c.get(f"/api/v1/waves/{queued_wave}", headers=h).json()["status"] == "released")

        wait_until("the queued release to run after Redis came back", released, timeout_s=90, every_s=1)
    finally:
        if worker is not None:
            worker.stop()
        server.stop()
        redis.kill9()
    assert not stats.errors, stats.errors
    assert asyncio.run(check_picks(pg_url, floor.owner_id, stats.confirmed)) == []
    audit = wes_audit(pg_url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
