"""Operations: /health, /metrics, OpenAPI served with no CDN, realtime events after commit (memory and Redis)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.testing import AsyncTestClient

from server.app import create_app
from tests.conftest import make_settings
from tests.world import build_world, login


async def test_health_and_metrics(client, world) -> None:
    r = await client.get("/health")
    assert r.status_code == 200 and r.json()["database"] == "ok"
    await client.get("/api/v1/auth/me")
    metrics = (await client.get("/metrics")).text
    assert "wes_requests_total" in metrics or "wes_request" in metrics


async def test_openapi_ui_has_no_cdn(client) -> None:
    page = (await client.get("/schema")).text
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
    assert urls and all(u.startswith("/") for u in urls), urls
    for u in urls:
        assert (await client.get(u)).status_code == 200, u
    spec = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/stock/moves" in spec["paths"]


async def _events_after_move(db_url: str, **settings: Any) -> tuple[list[dict[str, Any]], int]:
    await build_world(db_url)
    app = create_app(make_settings(db_url, **settings))
    received: list[dict[str, Any]] = []
    async with AsyncTestClient(app=app) as c:
        channels = app.plugins.get(ChannelsPlugin)
        async with channels.start_subscription(["stock"]) as sub:
            h = await login(c, "supervisor")
            bad = await c.post(
                "/api/v1/stock/moves",
                headers=h,
                json={"stock_id": 1, "qty": 10_000, "to_location": "A-01-05-A"},
            )
            ok = await c.post(
                "/api/v1/stock/moves", headers=h, json={"stock_id": 1, "qty": 2, "to_location": "A-01-05-A"}
            )
            assert bad.status_code == 409 and ok.status_code == 201

            async def collect() -> None:
                async for msg in sub.iter_events():
                    received.append(json.loads(msg))

            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(collect(), timeout=1.5)
    return received, ok.json()["location_id"]


async def test_events_published_after_commit_only(sqlite_url: str) -> None:
    events, dest = await _events_after_move(sqlite_url)
    assert [e["event"] for e in events] == ["moved"]  # the refused move published nothing
    assert events[0]["qty"] == 2 and events[0]["to_location_id"] == dest


async def test_events_cross_processes_through_redis(pg_url: str, redis_url: str) -> None:
    events, _ = await _events_after_move(pg_url, redis_url=redis_url)
    assert [e["event"] for e in events] == ["moved"]


async def test_health_reports_redis(sqlite_url: str, redis_url: str) -> None:
    app = create_app(make_settings(sqlite_url, redis_url=redis_url))
    async with AsyncTestClient(app=app) as c:
        assert (await c.get("/health")).json()["redis"] == "ok"
    app = create_app(make_settings(sqlite_url, redis_url="redis://127.0.0.1:1/0"))
    async with AsyncTestClient(app=app) as c:
        body = (await c.get("/health")).json()
        assert body["status"] == "degraded" and body["redis"].startswith("error")


async def test_every_request_is_logged_with_its_request_id(sqlite_url: str) -> None:
    from structlog.testing import capture_logs

    app = create_app(make_settings(sqlite_url, log_level="INFO"))
    async with AsyncTestClient(app=app) as c:
        with capture_logs() as logs:
            await c.get("/api/v1/auth/me", headers={"X-Request-ID": "trace-42"})
    (entry,) = [e for e in logs if e.get("event") == "request"]
    assert entry["status"] == 401 and entry["path"] == "/api/v1/auth/me" and entry["ms"] >= 0
