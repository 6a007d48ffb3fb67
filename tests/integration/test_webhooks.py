"""Webhooks end to end on PostgreSQL: a real local HTTP receiver, signatures verified, retries with back-off,
dead letter and re-send over the API, and a real `wes worker` killed mid-delivery losing nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from server.app import create_app
from server.db.engine import create_engine, create_session_factory
from server.integration import rules
from server.integration.delivery import run_deliveries
from server.integration.webhook_models import WebhookDelivery
from tests.conftest import make_settings
from tests.world import World, build_world, login

SECRET = "s3cret-for-tests"


class Receiver:
    """A local HTTP server: /ok answers 200, /flaky fails the first 3 tries of each event, /down always fails,
    /slow holds the first try of each event until released."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.counts: dict[str, int] = {}
        self.release = threading.Event()
        self.slow_arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                path = self.path
                counter = f"{path}#{json.loads(body)['id']}"  # tries per path and event
                n = receiver.counts[counter] = receiver.counts.get(counter, 0) + 1
                receiver.requests.append({"path": path, "headers": dict(self.headers), "body": body, "n": n})
                status = 200
                if (path == "/flaky" and n <= 3) or path == "/down":
                    status = 503
                if path == "/slow" and n == 1:
                    receiver.slow_arrived.set()
                    receiver.release.wait(30)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def on(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.release.set()
    r.server.shutdown()


def settings_for(pg_url: str, **extra: Any) -> Any:
    values = {"webhook_allow_private": True, "webhook_backoff_base_s": 0.05, "webhook_max_attempts": 5}
    return make_settings(pg_url, **{**values, **extra})


async def new_order(client: Any, world: World, owner: str, ref: str) -> int:
    r = await client.post(
        "/api/v1/orders",
        headers={"X-API-Key": world.api_keys[owner]},
        json={
            "warehouse_id": world.warehouse_id,
            "channel": "web",
            "channel_order_id": ref,
            "ship_to": {"name": "x", "line1": "x", "city": "x", "postcode": "1", "country": "CN"},
            "lines": [{"sku": f"{owner}-SKU0", "qty": 1}],
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def subscribe(
    client: Any, world: World, owner: str, url: str, events: tuple[str, ...] = ("order.received",)
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/webhooks",
        headers={"X-API-Key": world.api_keys[owner]},
        json={"url": url, "events": list(events), "secret": SECRET},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def check_signature(req: dict[str, Any]) -> None:
    h = {k.lower(): v for k, v in req["headers"].items()}
    ts = int(h[rules.TIMESTAMP_HEADER.lower()])
    assert rules.verify(SECRET, ts, req["body"], h[rules.SIGNATURE_HEADER.lower()], now=int(time.time()))
    assert not rules.verify("wrong", ts, req["body"], h[rules.SIGNATURE_HEADER.lower()], now=int(time.time()))
    assert not rules.verify(SECRET, ts, req["body"] + b" ", h[rules.SIGNATURE_HEADER.lower()], now=int(time.time()))


async def pump(settings: Any, until: Any, *, seconds: float = 20) -> None:
    engine = create_engine(settings.database_url)
    try:
        factory = create_session_factory(engine)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await run_deliveries(factory, settings)
            if until():
                return
            await asyncio.sleep(0.05)
        raise AssertionError("deliveries did not reach the expected state in time")
    finally:
        await engine.dispose()


async def deliveries(pg_url: str) -> list[WebhookDelivery]:
    engine = create_engine(pg_url)
    try:
        async with create_session_factory(engine)() as s:
            return list((await s.execute(select(WebhookDelivery).order_by(WebhookDelivery.id))).scalars())
    finally:
        await engine.dispose()


async def test_signed_retried_dead_lettered_and_resent(pg_url: str, receiver: Receiver) -> None:
    world = await build_world(pg_url)
    settings = settings_for(pg_url)
    async with AsyncTestClient(app=create_app(settings)) as client:
        await subscribe(client, world, "OWNA", f"{receiver.url}/ok")
        flaky_sub = await subscribe(
            client, world, "OWNA", f"{receiver.url}/flaky", ("order.received", "order.cancelled")
        )
        down = await subscribe(client, world, "OWNB", f"{receiver.url}/down")
        a1 = await new_order(client, world, "OWNA", "WH-1")
        a2 = await new_order(client, world, "OWNA", "WH-2")
        b1 = await new_order(client, world, "OWNB", "WH-3")
        r = await client.post(
            f"/api/v1/orders/{a1}/cancel", headers={"X-API-Key": world.api_keys["OWNA"]}, json={"reason": "x"}
        )
        assert r.status_code in (200, 201), r.text

        # received a1, received a2, cancelled a1: 4 tries each
        await pump(settings, lambda: len(receiver.on("/flaky")) >= 12 and len(receiver.on("/down")) >= 5)
        # /ok: both of A's orders, in order, signed; nothing of B's
        ok = receiver.on("/ok")
        assert [json.loads(req["body"])["data"]["order_id"] for req in ok] == [a1, a2]
        for req in ok:
            check_signature(req)
        # /flaky: every event failed 3 times and arrived on the 4th try; a1's cancellation (same key) was not
        # sent before its reception had been delivered
        flaky = [
            (json.loads(r["body"])["type"], json.loads(r["body"])["data"]["order_id"], r["n"])
            for r in receiver.on("/flaky")
        ]
        received_a1_ok = flaky.index(("order.received", a1, 4))
        cancel_tries = [i for i, f in enumerate(flaky) if f[0] == "order.cancelled"]
        assert cancel_tries and min(cancel_tries) > received_a1_ok
        rows = await deliveries(pg_url)
        by_sub: dict[int, list[WebhookDelivery]] = {}
        for d in rows:
            by_sub.setdefault(d.subscription_id, []).append(d)
        assert [(d.status, d.attempts) for d in by_sub[flaky_sub["id"]]] == [("delivered", 4)] * 3
        # /down: dead after 5 tries, B's event only
        dead = by_sub[down["id"]]
        assert [d.status for d in dead] == ["dead"] and dead[0].attempts == 5
        assert {json.loads(r["body"])["data"]["order_id"] for r in receiver.on("/down")} == {b1}

        # A's login cannot see or re-send B's dead letter; B's can
        r = await client.post(
            f"/api/v1/webhooks/deliveries/{dead[0].id}/resend", headers={"X-API-Key": world.api_keys["OWNA"]}
        )
        assert r.status_code == 403 and r.json()["code"] == "other_owner"
        listed = await client.get(
            "/api/v1/webhooks/deliveries", params={"status": "dead"}, headers={"X-API-Key": world.api_keys["OWNB"]}
        )
        assert [d["id"] for d in listed.json()["items"]] == [dead[0].id]
        a_key = {"X-API-Key": world.api_keys["OWNA"]}
        mine = (await client.get("/api/v1/webhooks/deliveries", headers=a_key)).json()["items"]
        assert mine and {d["owner_id"] for d in mine} == {world.owners["OWNA"]}
        subs = (await client.get("/api/v1/webhooks", headers=a_key)).json()["items"]
        assert len(subs) == 2 and "secret" not in subs[0]
        for path in ("/api/v1/webhooks", "/api/v1/webhooks/deliveries"):
            r = await client.get(path, headers=a_key, params={"owner_id": world.owners["OWNB"]})
            assert r.status_code == 403 and r.json()["code"] == "other_owner"
        r = await client.post(
            f"/api/v1/webhooks/deliveries/{dead[0].id}/resend", headers={"X-API-Key": world.api_keys["OWNB"]}
        )
        assert r.status_code == 200 and r.json()["status"] == "pending" and r.json()["attempts"] == 0
        before = len(receiver.on("/down"))
        await pump(settings, lambda: len(receiver.on("/down")) > before)
        check_signature(receiver.on("/down")[-1])

    # a loopback target is refused unless the setting allows it
    async with AsyncTestClient(app=create_app(make_settings(pg_url))) as strict:
        r = await strict.post(
            "/api/v1/webhooks",
            headers={"X-API-Key": world.api_keys["OWNA"]},
            json={"url": f"{receiver.url}/ok", "events": ["order.received"]},
        )
        assert r.status_code == 422 and r.json()["code"] == "webhook_target_refused"
        r = await strict.post(
            "/api/v1/webhooks",
            headers={"X-API-Key": world.api_keys["OWNA"]},
            json={"url": "http://10.0.0.8/hook"},
        )
        assert r.status_code == 422 and r.json()["code"] == "webhook_target_refused"


def start_worker(pg_url: str, redis_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "WES_DATABASE_URL": pg_url,
        "WES_REDIS_URL": redis_url,
        "WES_WEBHOOK_ALLOW_PRIVATE": "true",
        "WES_WEBHOOK_BACKOFF_BASE_S": "0.05",
        "WES_LOG_JSON": "false",
    }
    wes = Path(sys.executable).parent / "wes"
    return subprocess.Popen([str(wes), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def test_killed_worker_loses_no_event(pg_url: str, redis_url: str, receiver: Receiver) -> None:
    world = await build_world(pg_url)
    settings = settings_for(pg_url)
    async with AsyncTestClient(app=create_app(settings)) as client:
        await subscribe(client, world, "OWNA", f"{receiver.url}/slow")
        first = await new_order(client, world, "OWNA", "K-1")
        second = await new_order(client, world, "OWNA", "K-2")
    worker = start_worker(pg_url, redis_url)
    try:
        assert await asyncio.to_thread(receiver.slow_arrived.wait, 60), "the worker never delivered"
        os.kill(worker.pid, signal.SIGKILL)  # mid-delivery: the receiver holds the request open
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    receiver.release.set()
    rows = await deliveries(pg_url)
    assert [d.status for d in rows] == ["pending", "pending"]  # nothing marked delivered, nothing lost
    worker = start_worker(pg_url, redis_url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rows = await deliveries(pg_url)
            if all(d.status == "delivered" for d in rows):
                break
            await asyncio.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert [d.status for d in rows] == ["delivered", "delivered"]
    got = [json.loads(r["body"])["data"]["order_id"] for r in receiver.on("/slow")]
    # at least once, in order: the first event again (its first try was cut), then the second
    assert got[:2] == [first, first] and got[-1] == second and set(got) == {first, second}


async def test_atp_changes_since_a_cursor_match_the_ledger(pg_url: str) -> None:
    from server.inventory.models import Movement

    world = await build_world(pg_url)
    async with AsyncTestClient(app=create_app(settings_for(pg_url))) as client:
        a_key = {"X-API-Key": world.api_keys["OWNA"]}
        snap = (await client.get("/api/v1/atp", headers=a_key)).json()
        assert snap["items"] and {i["owner_id"] for i in snap["items"]} == {world.owners["OWNA"]}
        before = {i["sku_id"]: i for i in snap["items"]}
        sku = world.skus["OWNA-SKU0"]
        assert before[sku]["atp"] == before[sku]["on_hand"] - before[sku]["allocated"] - before[sku]["held"]
        m0 = int(snap["cursor"].split(".")[0])
        staff = await login(client, "supervisor")
        r = await client.post(
            "/api/v1/stock/adjustments",
            headers=staff,
            json={"stock_id": world.stock["OWNA"], "delta": -7, "reason": "adjust_lost", "note": "t"},
        )
        assert r.status_code in (200, 201), r.text
        r = await client.post(
            "/api/v1/stock/status",
            headers=staff,
            json={"stock_id": world.stock["OWNA"], "qty": 5, "status": "hold", "note": "t"},
        )
        assert r.status_code in (200, 201), r.text
        # B's changes never show in A's feed
        r = await client.post(
            "/api/v1/stock/adjustments",
            headers=staff,
            json={"stock_id": world.stock["OWNB"], "delta": -1, "reason": "adjust_lost", "note": "t"},
        )
        assert r.status_code in (200, 201), r.text
        ch = (await client.get("/api/v1/atp/changes", headers=a_key, params={"cursor": snap["cursor"]})).json()
        assert [i["sku_id"] for i in ch["items"]] == [sku]
        after = ch["items"][0]
        # the ledger since the cursor, summed by hand: units that entered or left the books, and went on hold
        engine = create_engine(pg_url)
        async with create_session_factory(engine)() as s:
            moves = list(
                (
                    await s.execute(select(Movement).where(Movement.id > m0, Movement.owner_id == world.owners["OWNA"]))
                ).scalars()
            )
        await engine.dispose()
        on_hand_delta = sum(m.qty * ((m.to_location_id is not None) - (m.from_location_id is not None)) for m in moves)
        held_delta = sum(
            m.qty * ((m.to_status not in (None, "available")) - (m.from_status not in (None, "available")))
            for m in moves
        )
        assert on_hand_delta == -7 and held_delta == 5
        assert after["on_hand"] == before[sku]["on_hand"] + on_hand_delta
        assert after["held"] == before[sku]["held"] + held_delta
        assert after["atp"] == before[sku]["atp"] + on_hand_delta - held_delta
        # nothing since the new cursor; an allocation (no ledger row) shows through the outbox
        again = (await client.get("/api/v1/atp/changes", headers=a_key, params={"cursor": ch["cursor"]})).json()
        assert again["items"] == []
        order = await new_order(client, world, "OWNA", "ATP-1")
        r = await client.post(f"/api/v1/orders/{order}/allocate", headers=staff, json={})
        assert r.status_code in (200, 201), r.text
        alloc = (await client.get("/api/v1/atp/changes", headers=a_key, params={"cursor": ch["cursor"]})).json()
        assert [i["sku_id"] for i in alloc["items"]] == [sku]
        assert alloc["items"][0]["allocated"] == after["allocated"] + 1
        assert alloc["items"][0]["atp"] == after["atp"] - 1
        bad = await client.get("/api/v1/atp/changes", headers=a_key, params={"cursor": "nope"})
        assert bad.status_code == 422 and bad.json()["code"] == "bad_cursor"
