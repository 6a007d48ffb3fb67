"""Drill: the handheld's offline queue (pda_client/core/queue.py) during a network cut. Confirms made while the
network is down wait on the device; when it is back they are sent once. The same queue replayed again (a device
restored from a copy of its queue file) changes nothing: every reply is a replay, the books are unchanged."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from pda_client.core.api import ApiClient, Delivery
from pda_client.core.queue import EntryState, OfflineQueue
from server.bench.checks import check_picks
from server.bench.handheld import Confirmed
from server.bench.scenario import add_orders, build_floor, item_scan, release_wave
from server.db.engine import create_engine, create_session_factory
from tests.drills.faults import ServerProcess, TcpProxy
from tests.servers import wes_audit

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


async def _books(url: str, owner_id: int) -> dict[str, Any]:
    from server.idempotency.models import IdempotentReply
    from server.inventory.models import Movement, Stock
    from server.tasks.models import Task

    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as s:
            stock = (await s.execute(select(Stock.id, Stock.on_hand, Stock.allocated).order_by(Stock.id))).all()
            return {
                "stock": [tuple(r) for r in stock],
                "movements": (await s.execute(select(func.count()).select_from(Movement))).scalar_one(),
                "replies": (await s.execute(select(func.count()).select_from(IdempotentReply))).scalar_one(),
                "tasks": sorted(
                    (t.id, t.status, dict(t.details))
                    for t in (await s.execute(select(Task).where(Task.owner_id == owner_id))).scalars()
                ),
            }
    finally:
        await engine.dispose()


def _copy_queue(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(str(src) + suffix).exists():
            shutil.copy(str(src) + suffix, str(dst) + suffix)


def test_offline_queue_replayed_twice_changes_nothing_the_second_time(pg_url: str, tmp_path: Path) -> None:
    floor = asyncio.run(build_floor(pg_url, skus=12, pickers=1, aisles=4, aisle_length_m=10))
    asyncio.run(add_orders(floor, 4, lines=2))
    asyncio.run(release_wave(floor, time_limit_s=0.3))
    server = ServerProcess(pg_url).start()
    proxy = TcpProxy("127.0.0.1", server.port)
    qfile, copy = tmp_path / "queue.db", tmp_path / "queue-copy.db"

    async def drive() -> tuple[list[Confirmed], dict[str, Any], dict[str, Any]]:
        api = ApiClient(f"http://127.0.0.1:{proxy.port}", OfflineQueue(qfile), timeout_s=5)
        try:
            await api.login(floor.pickers[0], floor.password)
            claimed = await api.write("POST", "/api/v1/picking/claim", {"warehouse_id": floor.warehouse_id})
            assert claimed.delivery == Delivery.SENT, claimed.entry
            picks = [p for p in claimed.reply["picks"] if p["status"] != "done"]
            proxy.cut()  # the Wi-Fi drops
            queued = []
            for p in picks:
                body = {"location": p["location_code"], "item": item_scan(floor.gtins, p), "qty": p["qty"]}
                w = await api.write("POST", f"/api/v1/picking/picks/{p['task_id']}/confirm", body, label="pick")
                assert w.delivery == Delivery.QUEUED
                queued.append((w.entry.key, p))
            api.queue.close()
            _copy_queue(qfile, copy)  # the same pending writes, as a restored device would hold them
            api.queue = OfflineQueue(qfile)
            proxy.restore()
            assert await api.flush() == len(queued)
            entries = [api.queue.get(k) for k, _ in queued]
            assert all(e is not None and e.state == EntryState.DONE and e.status == 200 for e in entries), entries
            first = await _books(floor.database_url, floor.owner_id)
            # second replay of the very same writes
            api.queue.close()
            api.queue = OfflineQueue(copy)
            assert len(api.queue.pending()) == len(queued)
            assert await api.flush() == len(queued)
            again = [api.queue.get(k) for k, _ in queued]
            assert [(e.status, e.reply) for e in again if e] == [(e.status, e.reply) for e in entries if e]
            second = await _books(floor.database_url, floor.owner_id)
            accepted = [Confirmed(k, int(p["task_id"]), int(p["qty"]), False, 2) for k, p in queued]
            return accepted, first, second
        finally:
            api.queue.close()
            await api.aclose()

    try:
        accepted, first, second = asyncio.run(drive())
    finally:
        proxy.close()
        server.stop()
    assert second == first
    assert asyncio.run(check_picks(pg_url, floor.owner_id, accepted)) == []
    audit = wes_audit(pg_url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
