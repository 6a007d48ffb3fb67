"""The API client and workflows against the real server (in process, real database), with the network cut and
restored mid-batch, lost replies replayed, and refused writes shown to the user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from pda_client.core.api import ApiClient, Delivery
from pda_client.core.queue import OfflineQueue
from pda_client.core.workflows import MoveWorkflow, Tone, look_up
from server.app import create_app
from tests.conftest import make_settings
from tests.world import PASSWORD, World


class Network(httpx.AsyncBaseTransport):
    """Wi-Fi between the handheld and the server: can drop, or lose the reply after the server acted."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.up = True
        self.lose_next_reply = False
        self.delivered: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("network unreachable", request=request)
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.delivered.append(f"{request.method} {request.url.path} {response.status_code}")
        if self.lose_next_reply:
            self.lose_next_reply = False
            raise httpx.ReadError("connection reset", request=request)
        return response


@pytest.fixture
async def handheld(db_url: str, world: World, tmp_path: Path) -> AsyncIterator[tuple[ApiClient, Network, Any]]:
    app = create_app(make_settings(db_url))
    async with AsyncTestClient(app=app) as server:
        net = Network(server._transport)  # the in-process server, behind our switchable network
        api = ApiClient("http://testserver.local", OfflineQueue(tmp_path / "queue.db"), transport=net)
        await api.login("picker", PASSWORD, device_code="PDA-T1")
        yield api, net, server
        await api.aclose()


async def _on_hand(server: Any, stock_id: int) -> int:
    r = await server.get(f"/api/v1/stock/{stock_id}", headers={"X-API-Key": ""}, params={})
    if r.status_code == 401:  # read as staff
        login = await server.post("/api/v1/auth/login", json={"username": "supervisor", "password": PASSWORD})
        r = await server.get(f"/api/v1/stock/{stock_id}", headers={"Authorization": f"Bearer {login.json()['token']}"})
    return int(r.json()["on_hand"])


async def test_writes_queue_offline_and_replay_in_order(handheld, world: World) -> None:
    api, net, server = handheld
    sid = world.stock["OWNA"]
    first = await api.write("POST", "/api/v1/stock/moves", {"stock_id": sid, "qty": 1, "to_location": "A-01-05-A"})
    assert first.delivery == Delivery.SENT
    net.up = False  # Wi-Fi drops mid-batch
    queued = [
        await api.write("POST", "/api/v1/stock/moves", {"stock_id": sid, "qty": n, "to_location": "A-01-05-A"})
        for n in (2, 3)
    ]
    assert [q.delivery for q in queued] == [Delivery.QUEUED, Delivery.QUEUED]
    assert api.queue.counts()["pending"] == 2
    net.up = True
    assert await api.flush() == 2
    assert api.queue.counts() == {"pending": 0, "done": 3, "rejected": 0}
    moves = [d for d in net.delivered if d.startswith("POST /api/v1/stock/moves")]
    assert moves == ["POST /api/v1/stock/moves 201"] * 3  # in order, once each
    assert await _on_hand(server, sid) == 100 - 6


async def test_lost_reply_is_replayed_with_the_first_reply(handheld, world: World) -> None:
    api, net, server = handheld
    sid = world.stock["OWNA"]
    net.lose_next_reply = True  # the server moves the stock but the reply never arrives
    r = await api.write("POST", "/api/v1/stock/moves", {"stock_id": sid, "qty": 5, "to_location": "A-01-05-A"})
    assert r.delivery == Delivery.QUEUED
    assert await _on_hand(server, sid) == 95  # it did happen on the server
    await api.flush()  # replay with the same key
    entry = api.queue.get(r.entry.key)
    assert entry is not None and entry.status == 201 and entry.reply["on_hand"] == 5
    assert await _on_hand(server, sid) == 95  # and the replay changed nothing


async def test_refused_replay_is_shown_and_does_not_block_the_rest(handheld, world: World) -> None:
    api, net, _server = handheld
    sid = world.stock["OWNA"]
    net.up = False
    too_many = await api.write("POST", "/api/v1/stock/moves", {"stock_id": sid, "qty": 500, "to_location": "A-01-05-A"})
    fine = await api.write("POST", "/api/v1/stock/moves", {"stock_id": sid, "qty": 4, "to_location": "A-01-05-A"})
    net.up = True
    await api.flush()
    (rejected,) = api.queue.rejected()
    assert rejected.key == too_many.entry.key and "asked for 500" in rejected.problem
    done = api.queue.get(fine.entry.key)
    assert done is not None and done.status == 201


async def test_move_workflow_by_scans(handheld, world: World) -> None:
    api, net, server = handheld
    flow = MoveWorkflow(api)
    assert flow.prompt().step == "from_location"
    p = await flow.scan("ZZZZ")
    assert p.tone == Tone.ERROR
    p = await flow.scan("A-01-01-A")
    assert p.tone == Tone.OK and p.step == "item"
    wrong = await flow.scan("]C1" + "0106900000000017")  # valid GTIN of another item
    assert wrong.tone == Tone.ERROR and "not at A-01-01-A" in wrong.message
    sku = await api.get(f"/api/v1/skus/{world.skus['OWNA-SKU0']}")
    gtin = sku["barcodes"][0]["value"]
    p = await flow.scan(gtin[1:])  # the EAN-13 on the box
    assert p.tone == Tone.OK and p.step == "qty" and p.data["available"] == 100
    assert flow.enter_qty(101).tone == Tone.ERROR
    assert flow.enter_qty(10).step == "to_location"
    done = await flow.scan("a-01-09-a")
    assert done.tone == Tone.OK and done.key == "moved" and flow.step == "from_location"
    assert await _on_hand(server, world.stock["OWNA"]) == 90
    # offline: the move is kept on the handheld and the workflow goes on
    await flow.scan("A-01-01-A")
    await flow.scan(gtin[1:])
    flow.enter_qty(1)
    net.up = False
    queued = await flow.scan("A-01-09-A")
    assert queued.tone == Tone.QUEUED and flow.step == "from_location"
    net.up = True
    await api.flush()
    assert await _on_hand(server, world.stock["OWNA"]) == 89


async def test_stock_look_up(handheld, world: World) -> None:
    api, net, _ = handheld
    p = await look_up(api, "A-01-01-A")
    assert p.tone == Tone.OK and p.data["rows"][0]["sku_code"] == "OWNA-SKU0"
    p = await look_up(api, "LPN999999")
    assert p.tone == Tone.OK and p.data["rows"] == []
    net.up = False
    assert (await look_up(api, "A-01-01-A")).tone == Tone.ERROR
