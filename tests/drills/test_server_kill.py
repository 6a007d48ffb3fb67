"""Drill: kill -9 the server (every process of it) while handhelds confirm picks with retries and idempotency keys,
then start it again. Every confirm that got a 2xx exists exactly once, retried ones were applied once, no stock
moved twice, and `wes audit` is clean."""

from __future__ import annotations

import asyncio

import pytest

from server.bench.checks import check_picks
from server.bench.handheld import Stats, run_handheld
from server.bench.scenario import add_orders, build_floor, release_wave
from tests.drills.faults import ServerProcess, until
from tests.servers import wes_audit

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_kill9_server_while_handhelds_confirm(pg_url: str) -> None:
    floor = asyncio.run(build_floor(pg_url, skus=40, pickers=6, aisles=6, aisle_length_m=10))
    asyncio.run(add_orders(floor, 48, lines=3))
    asyncio.run(release_wave(floor, time_limit_s=0.3))
    server = ServerProcess(pg_url, workers=2).start()
    stats = Stats()
    seen: dict[str, int] = {}

    async def drive() -> None:
        stop = asyncio.Event()
        handhelds = [
            asyncio.create_task(
                run_handheld(server.base, floor, name, stats, stop=stop, seed=i, short_share=0.05, until_empty=True)
            )
            for i, name in enumerate(floor.pickers)
        ]
        await until("the first confirms", lambda: stats.confirms >= 20)
        seen["before_kill"] = stats.confirms
        await asyncio.to_thread(server.kill9)
        await asyncio.sleep(0.5)  # handhelds keep retrying into a dead port
        await asyncio.to_thread(server.start)
        await asyncio.wait_for(asyncio.gather(*handhelds), timeout=60)

    try:
        asyncio.run(drive())
    finally:
        server.stop()
    transport_errors = sum(n for k, n in stats.errors.items() if k.startswith("transport:"))
    assert transport_errors > 0, "the kill happened after the work was done; the drill proved nothing"
    assert stats.confirms > seen["before_kill"], "no confirm after the restart"
    assert stats.retries > 0
    assert not [k for k in stats.errors if not k.startswith(("transport:", "503:"))], stats.errors
    problems = asyncio.run(check_picks(pg_url, floor.owner_id, stats.confirmed))
    assert problems == []
    audit = wes_audit(pg_url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
