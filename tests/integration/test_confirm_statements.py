"""The SQL one pick confirm sends, counted (not timed) so that the hot path of the floor cannot grow unnoticed.

A confirm with its idempotency key used to send 37 statements (the whole batch rebuilt for the reply, the stock row
locked in the middle of the transaction), then 27; it sends 13 or 14 now (the pick's rows read and locked in one
statement after the order's lock, the tote's row an upsert, the order's and the batch's completion read in one
statement). The count must not depend on the batch's size (no N+1), and the location's stock row is changed by the
last statement before the idempotent reply."""

from __future__ import annotations

import uuid

from litestar.testing import AsyncTestClient

from server.app import create_app
from server.bench.capture import StatementRecorder
from server.bench.scenario import add_orders, build_floor, item_scan, release_wave
from tests.conftest import make_settings

MAX_STATEMENTS = 15  # per confirm, authentication and the idempotent reply included
MAX_AVERAGE = 14


async def test_a_confirm_sends_a_bounded_number_of_statements(pg_url: str) -> None:
    floor = await build_floor(pg_url, skus=12, pickers=2, aisles=4)
    await add_orders(floor, 24, seed=3, lines=3)
    await release_wave(floor, time_limit_s=0.5)
    app = create_app(make_settings(pg_url))
    recorder = StatementRecorder()
    counts: list[int] = []
    async with AsyncTestClient(app=app) as c:
        recorder.attach(app.state.engine.sync_engine)
        r = await c.post("/api/v1/auth/login", json={"username": floor.pickers[0], "password": floor.password})
        h = {"Authorization": f"Bearer {r.json()['token']}"}
        r = await c.post("/api/v1/picking/claim", json={"warehouse_id": floor.warehouse_id}, headers=h)
        assert r.status_code == 200, r.text
        picks = sorted(r.json()["picks"], key=lambda p: p["seq"])
        assert len(picks) >= 6, "too small a batch to show an N+1"
        for pick in picks:
            body = {"location": pick["location_code"], "item": item_scan(floor.gtins, pick), "qty": pick["qty"]}
            recorder.start()
            r = await c.post(
                f"/api/v1/picking/picks/{pick['task_id']}/confirm",
                json=body,
                headers={**h, "Idempotency-Key": uuid.uuid4().hex},
            )
            statements = recorder.stop()
            assert r.status_code == 200, r.text
            counts.append(len(statements))
            assert statements[-1].startswith("INSERT INTO idempotent_replies")
            assert statements[-2].startswith("UPDATE stock SET on_hand"), statements[-3:]
            # the location's row is not locked before (the tote's own row is, found by its identity)
            assert not any("FROM stock WHERE stock.id" in s and "FOR UPDATE" in s for s in statements), statements
        assert r.json()["status"] == "done" and r.json()["pick"]["status"] == "done"
    assert max(counts) <= MAX_STATEMENTS, counts
    assert sum(counts) / len(counts) <= MAX_AVERAGE, counts
