"""Invariant 1 under real parallel requests: a multi-process server on PostgreSQL, 50 requests at once on the
same stock. Stock never goes negative, stock equals the ledger (`wes audit`), every refusal is a clear 409."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tests.servers import ROOT, free_port, running_server
from tests.world import PASSWORD, World, build_world

_free_port = free_port  # other tests import it from here


@pytest.fixture
def pg_world(pg_url: str) -> tuple[str, World]:
    return pg_url, asyncio.run(build_world(pg_url))


@pytest.fixture
def server(pg_world: tuple[str, World]) -> Iterator[str]:
    with running_server(pg_world[0], extra_env={"WES_DB_POOL_SIZE": "10"}) as base:
        yield base


async def _token(c: httpx.AsyncClient, user: str) -> dict[str, str]:
    r = await c.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_fifty_parallel_moves_and_adjustments(server: str, pg_world: tuple[str, World]) -> None:
    url, world = pg_world
    sid = world.stock["OWNA"]  # 100 units
    dests = [world.locations[c] for c in ("A-01-03-A", "A-01-04-A", "A-02-05-A")]

    async def run() -> tuple[list[httpx.Response], dict[str, str]]:
        async with httpx.AsyncClient(base_url=server, timeout=60) as c:
            h = await _token(c, "supervisor")
            calls = []
            for i in range(50):
                if i % 5 == 4:
                    body = {
                        "stock_id": sid,
                        "delta": -6 if i % 2 else 3,
                        "reason": "adjust_lost" if i % 2 else "adjust_found",
                        "note": f"drill {i}",
                    }
                    calls.append(c.post("/api/v1/stock/adjustments", json=body, headers=h))
                else:
                    body = {"stock_id": sid, "qty": 3, "to_location_id": dests[i % 3]}
                    calls.append(c.post("/api/v1/stock/moves", json=body, headers=h))
            return list(await asyncio.gather(*calls)), h

    replies, headers = asyncio.run(run())
    statuses = Counter(r.status_code for r in replies)
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] > 0 and statuses[409] > 0  # the demand (more than 100 units) must exceed the stock
    for r in replies:
        if r.status_code == 409:
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["code"] in {"insufficient_stock", "concurrent_update"} and r.json()["detail"]

    async def after() -> list[dict[str, int]]:
        async with httpx.AsyncClient(base_url=server, timeout=30) as c:
            r = await c.get(
                f"/api/v1/stock?sku_id={world.skus['OWNA-SKU0']}&include_empty=true&limit=100",
                headers=headers,
            )
            return list(r.json()["items"])

    rows = asyncio.run(after())
    assert all(r["on_hand"] >= 0 for r in rows)
    ok_adjust = sum(
        (3 if "found" in r.request.content.decode() else -6)
        for r in replies
        if r.status_code == 201 and r.request.url.path.endswith("adjustments")
    )
    assert sum(r["on_hand"] for r in rows) == 100 + ok_adjust  # units are neither made nor lost
    audit = subprocess.run(
        [sys.executable, "-m", "server.cli", "audit"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "WES_DATABASE_URL": url},
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "Audit clean" in audit.stdout


def test_parallel_replays_of_one_key_apply_once(server: str, pg_world: tuple[str, World]) -> None:
    _, world = pg_world
    sid = world.stock["OWNA"]

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server, timeout=60) as c:
            h = {**(await _token(c, "picker")), "Idempotency-Key": "replay-storm-1"}
            body = {"stock_id": sid, "qty": 4, "to_location_id": world.locations["A-01-03-A"]}
            return list(await asyncio.gather(*[c.post("/api/v1/stock/moves", json=body, headers=h) for _ in range(10)]))

    replies = asyncio.run(run())
    assert {r.status_code for r in replies} == {201}
    assert len({r.text for r in replies}) == 1  # every replay got the first reply
    r = httpx.get(f"{server}/api/v1/stock/{sid}", headers={"X-API-Key": world.api_keys["OWNA"]})
    assert r.json()["on_hand"] == 96
