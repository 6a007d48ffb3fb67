"""Labels leave the server for real printers: an LPN label over the API, a location label from the board."""

from __future__ import annotations

import re
from pathlib import Path

from tests.board_helpers import board_login
from tests.world import World, add_inbound, login


async def test_lpn_label_prints_to_a_file_and_a_dead_printer_is_a_clear_409(
    client, world: World, db_url: str, tmp_path: Path
) -> None:
    world = await add_inbound(db_url, world)
    lpn = world.inbound["OWNA"]["lpn"]
    h = await login(client, "receiver")
    out = tmp_path / "lpn.zpl"
    r = await client.post(f"/api/v1/lpns/{lpn}/print", headers=h, json={"printer": f"file://{out}"})
    assert r.status_code == 200, r.text
    zpl = out.read_text()
    assert zpl.startswith("^XA") and lpn in zpl and zpl.rstrip().endswith("^XZ")
    dead = await client.post(f"/api/v1/lpns/{lpn}/print", headers=h, json={"printer": "tcp://127.0.0.1:1"})
    assert dead.status_code == 409 and dead.json()["code"] == "printer_unavailable"
    assert "127.0.0.1:1" in dead.json()["detail"]
    bad = await client.post(f"/api/v1/lpns/{lpn}/print", headers=h, json={"printer": "lpt1"})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_printer"


async def test_board_creates_a_purchase_order_or_lists_every_problem(client, world: World, db_url: str) -> None:
    world = await add_inbound(db_url, world)
    r = await board_login(client)
    assert r.status_code in (302, 303)
    page = (await client.get("/board/inbound")).text
    token = re.search(r'"X-CSRF-Token": "([0-9a-f]{64})"', page).group(1)  # type: ignore[union-attr]
    assert "PO-OWNA" in page  # existing orders are listed
    form = {
        "csrf": token,
        "owner_id": str(world.owners["OWNA"]),
        "warehouse_id": str(world.warehouse_id),
        "supplier": "SUP-OWNA",
        "number": "PO-BOARD-1",
        "lines": "OWNA-SKU0 12\nOWNA-SKU1 3",
        "open": "on",
    }
    bad = await client.post("/board/inbound/purchase-orders", data={**form, "lines": "OWNA-SKU0 12\nNOPE 4\nOWNA-SKU1"})
    assert bad.status_code == 422 and 'id="po-errors"' in bad.text and "line 3" in bad.text
    worse = await client.post("/board/inbound/purchase-orders", data={**form, "lines": "NOPE 4"})
    assert worse.status_code == 422 and "NOPE" in worse.text
    ok = await client.post("/board/inbound/purchase-orders", data=form)
    assert ok.status_code == 200 and 'id="po-created"' in ok.text and "PO-BOARD-1" in ok.text
    h = await login(client, "supervisor")
    pos = (await client.get("/api/v1/purchase-orders", headers=h)).json()["items"]
    created = [p for p in pos if p["number"] == "PO-BOARD-1"]
    assert len(created) == 1 and created[0]["status"] == "open"
    assert not [p for p in pos if p["number"] == "PO-BOARD-0"]
