"""Drill: PostgreSQL goes away and comes back (a TCP proxy between the server and the database is cut: every
connection drops and new ones are refused, as in a restart). Requests during the outage get a clear 503 with a
code; afterwards the same server process serves again (its pool recovers) and nothing was half-written."""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

import httpx
import pytest

from server.bench.checks import check_picks
from server.bench.handheld import Stats, login, pick_batch
from server.bench.scenario import add_orders, build_floor, item_scan, release_wave
from tests.drills.faults import ServerProcess, TcpProxy, wait_until
from tests.servers import wes_audit

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_database_restart_gives_503_then_the_pool_recovers(pg_url: str) -> None:
    import random

    floor = asyncio.run(build_floor(pg_url, skus=20, pickers=2, aisles=4, aisle_length_m=10))
    asyncio.run(add_orders(floor, 12, lines=2))
    asyncio.run(release_wave(floor, time_limit_s=0.3))
    u = urlparse(pg_url.replace("+asyncpg", ""))
    proxy = TcpProxy(u.hostname or "127.0.0.1", u.port or 5432)
    proxied = pg_url.replace(f"{u.hostname}:{u.port or 5432}", f"127.0.0.1:{proxy.port}")
    server = ServerProcess(proxied).start()
    pid = server.proc.pid if server.proc else None
    stats = Stats()
    try:
        with httpx.Client(base_url=server.base, timeout=15) as c:
            r = c.post("/api/v1/auth/login", json={"username": floor.pickers[0], "password": floor.password})
            h = {"Authorization": f"Bearer {r.json()['token']}"}
            batch = c.post("/api/v1/picking/claim", json={"warehouse_id": floor.warehouse_id}, headers=h).json()
            pick = batch["picks"][0]
            body = {"location": pick["location_code"], "item": item_scan(floor.gtins, pick), "qty": pick["qty"]}
            proxy.cut()
            during = [
                c.post(
                    f"/api/v1/picking/picks/{pick['task_id']}/confirm",
                    json=body,
                    headers={**h, "Idempotency-Key": "outage-confirm-1"},
                ),
                c.get(f"/api/v1/picking/batches/{batch['id']}", headers=h),
                c.get("/health"),
            ]
            for reply in during[:2]:
                assert reply.status_code == 503, reply.text
                assert reply.headers["content-type"].startswith("application/problem+json")
                assert reply.json()["code"] == "service_unavailable" and reply.json()["detail"]
                assert reply.headers.get("retry-after")
            assert during[2].status_code == 503 and during[2].json()["status"] == "down", during[2].text
            proxy.restore()
            wait_until("the server to reach the database again", lambda: c.get("/health").status_code == 200)
            # the write refused during the outage went nowhere: sending it again (same key) applies it now, once
            again = c.post(
                f"/api/v1/picking/picks/{pick['task_id']}/confirm",
                json=body,
                headers={**h, "Idempotency-Key": "outage-confirm-1"},
            )
            assert again.status_code == 200, again.text
            assert again.headers.get("idempotent-replayed") is None

        async def finish() -> None:
            async with httpx.AsyncClient(base_url=server.base, timeout=15) as ac:
                headers = await login(ac, floor.pickers[0], floor.password)
                while await pick_batch(ac, floor, headers, stats, random.Random(1)):
                    pass

        asyncio.run(finish())
        assert server.proc is not None and server.proc.pid == pid and server.proc.poll() is None  # never restarted
    finally:
        server.stop()
        proxy.close()
    assert stats.confirms > 0 and not stats.errors, stats.errors
    assert asyncio.run(check_picks(pg_url, floor.owner_id, stats.confirmed)) == []
    audit = wes_audit(pg_url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
