"""The handheld's task workflows (no Kivy) against the real server in process on PostgreSQL: picking a released
batch with a wrong location, item and tote, a short pick, the network cut and restored mid-batch, a lost reply
replayed, a refused replay brought back to the picker; putaway by LPN and check digits with an override asked
twice; receiving by ASN pallet and GS1-128 cases; the blind count; the queue surviving a killed app."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from pda_client.core.api import ApiClient
from pda_client.core.count import CountWorkflow
from pda_client.core.pick import PickWorkflow
from pda_client.core.putaway import PutawayWorkflow
from pda_client.core.queue import OfflineQueue
from pda_client.core.receive import ReceiveWorkflow
from pda_client.core.workflows import Tone
from server.app import create_app
from tests.conftest import make_settings
from tests.pda.floor import GTIN, check_digits, other_digits, purchase_documents, released_batch
from tests.pda.test_client_and_workflows import Network
from tests.servers import wes_audit
from tests.world import PASSWORD, World, add_inbound, build_world, login

ROOT = Path(__file__).resolve().parents[2]


class Floor:
    def __init__(self, server: Any, world: World, db_url: str, tmp: Path) -> None:
        self.server, self.world, self.db_url, self.tmp = server, world, db_url, tmp
        self.handhelds: list[ApiClient] = []

    async def handheld(self, user: str, name: str = "queue") -> tuple[ApiClient, Network]:
        net = Network(self.server._transport)
        api = ApiClient("http://testserver.local", OfflineQueue(self.tmp / f"{name}.db"), transport=net)
        await api.login(user, PASSWORD, device_code="PDA-T1")
        self.handhelds.append(api)
        return api, net

    async def stock(self, **params: Any) -> list[tuple[str, str, int]]:
        sup = await login(self.server, "supervisor")
        r = await self.server.get("/api/v1/stock", params={"limit": 500, **params}, headers=sup)
        return sorted((x["location_code"], x["sku_code"], x["on_hand"]) for x in r.json()["items"])


@pytest.fixture
async def floor(pg_url: str, tmp_path: Path) -> AsyncIterator[Floor]:
    world = await build_world(pg_url)
    app = create_app(make_settings(pg_url))
    async with AsyncTestClient(app=app) as server:
        f = Floor(server, world, pg_url, tmp_path)
        yield f
        for api in f.handhelds:
            await api.aclose()


def audit_ok(db_url: str) -> None:
    run = wes_audit(db_url)
    assert run.returncode == 0, run.stdout + run.stderr


def item_scan(pick: dict[str, Any]) -> str:
    """What the box's label gives: GS1-128 with lot (wedge-style '|' separator) for lot picks, else the EAN-13."""
    gtin = GTIN[pick["sku_code"]]
    return f"]C101{gtin.zfill(14)}10{pick['lot']}|" if pick["lot"] else gtin


async def test_pick_a_batch_through_wrong_scans_short_pick_and_wifi_drops(floor: Floor) -> None:
    world = floor.world
    await released_batch(floor.server, world, floor.db_url)
    api, net = await floor.handheld("picker")
    flow = PickWorkflow(api)
    assert flow.prompt().actions == ("claim",)
    p = await flow.start()
    assert p.tone == Tone.OK and p.step == "location" and p.data["total"] == 4
    picks = {x["task_id"]: x for x in flow.picks}
    route = [x["task_id"] for x in flow.picks]

    async def pick_current(*, offline: bool = False, lose_reply: bool = False, short_by: int = 0) -> Any:
        cur = flow.current
        assert cur is not None
        assert (await flow.scan(cur["location_code"])).tone == Tone.OK
        assert (await flow.scan(item_scan(cur))).step == "qty"
        left = cur["qty"] - cur["picked_qty"]
        if short_by:
            p = await flow.scan(str(left - short_by))
            assert p.step == "short_confirm" and p.data["found"] == left - short_by
            p = await flow.scan(str(left - short_by))
        else:
            p = await flow.scan(str(left))
        assert p.step == "tote", p
        assert (await flow.scan("T-99")).key == "wrong_tote"
        net.up = not offline
        net.lose_next_reply = lose_reply
        p = await flow.scan(cur["tote"].rsplit("-", 1)[1])  # the slot number on the cart
        net.up = True
        return p

    # 1: a wrong location, item and tote are caught on the handheld; then picked, sent at once
    first = flow.current
    assert first is not None
    wrong = await flow.scan("B-04-10-B")
    assert wrong.tone == Tone.ERROR and wrong.key == "wrong_location" and flow.step == "location"
    assert (await flow.scan(first["location_code"])).step == "item"
    other = await flow.scan(GTIN["OWNB-SKU0"])
    assert other.tone == Tone.ERROR and other.key == "wrong_item" and flow.step == "item"
    assert (await flow.scan(item_scan(first))).step == "qty"
    assert (await flow.scan(str(first["qty"] + 1))).key == "over_pick"
    assert (await flow.scan(str(first["qty"]))).step == "tote"
    assert (await flow.scan("T-99")).key == "wrong_tote"
    p = await flow.scan(first["tote"])
    assert p.tone == Tone.OK and p.data["last_key"] == "picked" and p.data["position"] == 2
    # 2 and 3: the Wi-Fi drops; the picker goes on with the next pick while the confirms wait in the queue
    p = await pick_current(offline=True)
    assert p.tone == Tone.QUEUED and p.step == "location" and p.data["position"] == 3
    cur = flow.current
    assert cur is not None
    # the location of pick 3 is confirmed by its check digits (only the server can check them)
    digits = await check_digits(floor.server, world, cur["location_code"])
    net.up = False
    assert (await flow.scan(digits)).step == "item"
    assert (await flow.scan(item_scan(cur))).step == "qty"
    left = cur["qty"] - cur["picked_qty"]
    assert (await flow.scan(str(left))).step == "tote"
    p = await flow.scan(cur["tote"])
    assert p.tone == Tone.QUEUED and api.queue.counts()["pending"] == 2
    # 4: back online; the queue replays first, and one reply is lost after the server acted: sent again later
    net.up = True
    last = flow.current
    assert last is not None
    if last["qty"] >= 2:
        p = await pick_current(short_by=1, lose_reply=True)
    else:
        p = await pick_current(lose_reply=True)
    assert p.tone == Tone.QUEUED  # the reply was lost: kept, to be replayed
    done = await flow.act("send")
    assert done.step == "done" and done.actions == ("claim",), done
    assert api.queue.counts() == {"pending": 0, "done": 4, "rejected": 0}
    confirms = [d for d in net.delivered if "/api/v1/picking/picks/" in d]
    sent = [int(d.split("/picks/")[1].split("/")[0]) for d in confirms]
    # in route order, the queued ones in the order they were made; the one whose reply was lost, twice in a row
    assert len(sent) == len(route) + 1 and [t for n, t in enumerate(sent) if n == 0 or sent[n - 1] != t] == route
    assert all(d.endswith(" 200") for d in confirms)
    # the server agrees: the batch is picked, the last confirm counted once
    sup = await login(floor.server, "supervisor")
    batch = (await floor.server.get(f"/api/v1/picking/batches/{flow.batch['id']}", headers=sup)).json()  # type: ignore[index]
    assert batch["status"] == "done"
    picked = {x["task_id"]: x["picked_qty"] for x in batch["picks"]}
    for tid, x in picks.items():
        expect = x["qty"] - (1 if tid == last["task_id"] and last["qty"] >= 2 else 0)
        assert picked[tid] == expect, (tid, picked, picks)
    audit_ok(floor.db_url)


async def test_a_refused_replay_brings_the_pick_back_with_what_to_do(floor: Floor) -> None:
    world = floor.world
    await released_batch(floor.server, world, floor.db_url)
    api, net = await floor.handheld("picker")
    flow = PickWorkflow(api)
    await flow.start()
    cur = flow.current
    assert cur is not None
    wrong = other_digits(await check_digits(floor.server, world, cur["location_code"]))
    net.up = False  # offline, the check digits cannot be checked: the confirm is queued with them
    await flow.scan(wrong)
    await flow.scan(item_scan(cur))
    await flow.scan(str(cur["qty"]))
    p = await flow.scan(cur["tote"])
    assert p.tone == Tone.QUEUED and flow.current is not None and flow.current["task_id"] != cur["task_id"]
    net.up = True
    await api.flush()  # the queue replays: the server refuses the digits
    back = await flow.scan(flow.current["location_code"])
    assert back.tone == Tone.ERROR and back.key == "replay_refused", back
    assert "check digits" in back.data["detail"].lower() or "location" in back.data["detail"].lower()
    assert flow.current["task_id"] == cur["task_id"] and flow.step == "location"
    assert api.queue.rejected() == []  # shown on the pick screen, not left in the queue's list
    # done again properly: accepted
    await flow.scan(cur["location_code"])
    await flow.scan(item_scan(cur))
    await flow.scan(str(cur["qty"]))
    ok = await flow.scan(cur["tote"])
    assert ok.tone == Tone.OK and ok.data["last_key"] == "picked"


async def test_short_pick_of_nothing_and_the_blind_count_it_makes(floor: Floor) -> None:
    world = floor.world
    await released_batch(floor.server, world, floor.db_url)
    api, _net = await floor.handheld("picker")
    flow = PickWorkflow(api)
    await flow.start()
    cur = flow.current
    assert cur is not None
    await flow.scan(cur["location_code"])
    p = await flow.act("short")
    assert p.step == "short_confirm" and p.data["found"] == 0
    p = await flow.scan("0")
    assert p.tone == Tone.OK and p.data["last_key"] == "shorted"
    # the count task the short pick made, counted blind on the handheld
    count = CountWorkflow(api)
    p = await count.start()
    assert p.tone == Tone.OK and p.step == "location" and p.data["location"] == cur["location_code"]
    assert (await count.scan("B-04-10-B")).key == "wrong_location"
    assert (await count.scan(cur["location_code"])).step == "item"
    assert (await count.act("done")).step == "empty"  # nothing scanned: asked once more
    assert (await count.scan(item_scan(cur))).step == "qty"
    assert (await count.scan("x")).key == "type_qty"
    assert (await count.scan("3")).data["lines"] == 1
    await count.scan(item_scan(cur))
    p = await count.scan("2")
    assert p.data["counted"] == [(p.data["counted"][0][0], 5)]  # the same item twice: added up
    p = await count.act("done")
    assert p.tone == Tone.OK and p.key.startswith("count_"), p
    assert "expected" not in str(p.data) and count.step == "claim"
    audit_ok(floor.db_url)


async def test_putaway_by_lpn_and_check_digits_with_an_override_asked_twice(floor: Floor) -> None:
    world = await add_inbound(floor.db_url, floor.world)
    api, net = await floor.handheld("receiver")
    flow = PutawayWorkflow(api)
    p = await flow.start()
    assert p.tone == Tone.OK and p.step == "lpn" and p.data["qty"] == 20 and p.data["location"]
    task = flow.task
    assert task is not None
    assert (await flow.scan("LPN999999")).key == "wrong_lpn"
    assert (await flow.scan(task["lpn"])).step == "location"
    target = p.data["location"]
    # another location: asked first, wrong check digits refused by the server
    elsewhere = "B-04-10-B"
    asked = await flow.scan(elsewhere)
    assert asked.tone == Tone.ERROR and asked.key == "not_suggested" and flow.step == "location"
    digits = await check_digits(floor.server, world, target)
    refused = await flow.scan(other_digits(digits))
    assert refused.tone == Tone.ERROR and refused.key == "server_says" and "check digits" in refused.message.lower()
    assert api.queue.rejected() == []
    done = await flow.scan(digits)
    assert done.tone == Tone.OK and done.key == "put_away" and flow.step == "claim"
    on_hand = await floor.stock(location=target, warehouse_id=world.warehouse_id)
    assert any(q == 20 for _, _, q in on_hand), on_hand
    # a restart keeps the task in hand; the next one is confirmed offline and sent later
    p = await flow.act("claim")
    assert p.step == "lpn"
    again = PutawayWorkflow(api)
    assert (await again.start()).data["task"] == p.data["task"]
    await again.scan(again.task["lpn"])  # type: ignore[index]
    net.up = False
    q = await again.scan(again.data()["location"])
    assert q.tone == Tone.QUEUED and again.step == "claim"
    net.up = True
    assert await api.flush() == 1
    assert (await again.start()).key == "no_putaway"
    audit_ok(floor.db_url)


async def test_receive_an_asn_pallet_and_gs1_cases_on_a_po(floor: Floor) -> None:
    world = floor.world
    docs = await purchase_documents(floor.server, world)
    api, net = await floor.handheld("receiver")
    flow = ReceiveWorkflow(api)
    assert (await flow.start()).step == "document"
    assert (await flow.scan("NOPE-1")).key == "no_document"
    # the pallet's own label finds its ASN, starts the receipt and receives the pallet onto a new LPN
    p = await flow.scan("]C100" + docs["sscc"])
    assert p.tone == Tone.OK and p.key == "pallet_received" and p.data["new_lpn"].startswith("LPN"), p
    assert flow.receipt is not None and flow.receipt["asn_id"] == docs["asn"]
    again = await flow.scan(docs["sscc"])
    assert again.tone == Tone.ERROR and api.queue.rejected() == []
    assert (await flow.act("close")).key == "receipt_closed"
    # cases by their GS1-128 labels (lot, expiry, count) on the PO; one typed the wedge way, one with the real GS
    assert (await flow.scan("po-h2")).step == "receive"
    p = await flow.act("new_lpn")
    assert p.key == "new_lpn_made" and flow.lpn
    gs1 = f"]C101{GTIN['OWNA-SKU2'].zfill(14)}17301231" + "10L77|375"
    p = await flow.scan(gs1)
    assert p.step == "qty" and p.data["count"] == 5 and p.data["lot"] == "L77"
    assert (await flow.scan("5")).key == "items_received"
    net.up = False
    await flow.scan(f"01{GTIN['OWNA-SKU2'].zfill(14)}17301231" + "10L77\x1d377")
    assert (await flow.scan("7")).tone == Tone.QUEUED
    net.up = True
    assert (await flow.act("close")).key == "receipt_closed"  # sends the queued scan first, in order
    sup = await login(floor.server, "supervisor")
    po = (await floor.server.get(f"/api/v1/purchase-orders/{docs['pos']['PO-H2']}", headers=sup)).json()
    assert po["lines"][0]["qty_received"] == 12, po
    lot_rows = [r for r in await floor.stock(sku_id=world.skus["OWNA-SKU2"]) if r[2] == 12]
    assert lot_rows, await floor.stock(sku_id=world.skus["OWNA-SKU2"])
    audit_ok(floor.db_url)


async def test_a_write_survives_the_app_killed_between_enqueue_and_send(floor: Floor) -> None:
    """A real handheld process stores a move and is killed (SIGKILL) before it can send it; the app started
    again sends it once, and sending again changes nothing."""
    db = floor.tmp / "killed.db"
    sid = floor.world.stock["OWNA"]
    code = (
        "import sys, time; from pda_client.core.queue import OfflineQueue\n"
        f"q = OfflineQueue({str(db)!r})\n"
        f"e = q.enqueue('POST', '/api/v1/stock/moves', {{'stock_id': {sid}, 'qty': 7, 'to_location': 'A-01-05-A'}})\n"
        "print(e.key, flush=True)\n"
        "time.sleep(60)  # the send would come here\n"
    )
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code, cwd=ROOT, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    key = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
    os.kill(proc.pid, signal.SIGKILL)
    assert await asyncio.wait_for(proc.wait(), 10) == -signal.SIGKILL and key
    api, _net = await floor.handheld("picker", name="killed")
    (entry,) = api.queue.pending()
    assert entry.key == key
    assert await api.flush() == 1
    assert api.queue.get(key).status == 201  # type: ignore[union-attr]
    # the same key again (a second device restart replaying an old copy): the first reply, no second move
    r = await floor.server.post("/api/v1/stock/moves", json=entry.body, headers=api._headers(key))
    assert r.headers.get("idempotent-replayed") == "true"
    assert [q for loc, _, q in await floor.stock(location="A-01-05-A", warehouse_id=floor.world.warehouse_id)] == [7]


async def test_asking_for_a_batch_again_keeps_the_picks_waiting_in_the_queue(floor: Floor) -> None:
    await released_batch(floor.server, floor.world, floor.db_url)
    api, net = await floor.handheld("picker")
    flow = PickWorkflow(api)
    await flow.start()
    net.up = False
    while flow.current is not None:  # the whole batch picked with the Wi-Fi down
        cur = flow.current
        await flow.scan(cur["location_code"])
        await flow.scan(item_scan(cur))
        await flow.scan(str(cur["qty"]))
        assert (await flow.scan(cur["tote"])).tone == Tone.QUEUED
    assert flow.step == "done_pending" and flow.prompt().actions == ("send", "claim")
    net.up = True
    again = await flow.act("claim")  # the server still sees the batch open: the same batch, nothing to redo
    assert again.step == "done_pending" and flow.open_picks() == [], again
    done = await flow.act("send")
    assert done.step == "done" and api.queue.counts()["done"] == 4
    assert (await flow.act("claim")).key == "no_batch"


async def test_writes_wait_for_a_new_login_when_the_old_one_expired(floor: Floor) -> None:
    api, _net = await floor.handheld("picker")
    sid = floor.world.stock["OWNA"]
    api.token = "expired-while-offline"
    r = await api.write("POST", "/api/v1/stock/moves", {"stock_id": sid, "qty": 2, "to_location": "A-01-05-A"})
    assert r.delivery.value == "queued" and api.queue.rejected() == []
    await api.login("picker", PASSWORD, device_code="PDA-T1")
    assert await api.flush() == 1 and api.queue.counts()["done"] == 1
