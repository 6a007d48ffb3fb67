"""Board waves and exceptions over HTTP on both databases: filter allocated orders, plan through the wave planner,
the route preview on the warehouse plan (drawn routes as long as the planner's metres), release, pick progress
after a confirm over the API, auto-release rules; exceptions listed with their actions and resolved; security
headers; a picker refused."""

from __future__ import annotations

import re
from typing import Any

from server.catalog.rules import make_gtin13
from tests.integration.test_board import _board_login, _csrf
from tests.outbound_helpers import order_body, receive
from tests.world import World, login

GTIN = {f"OWNA-SKU{i}": make_gtin13("690000", i) for i in range(3)}


async def _orders(client: Any, world: World, db_url: str, n: int = 6) -> list[int]:
    a = world.owners["OWNA"]
    for loc, sku in (("A-02-05-A", "OWNA-SKU1"), ("A-01-09-A", "OWNA-SKU1"), ("B-04-08-A", "OWNA-SKU0")):
        await receive(db_url, a, world.skus[sku], world.locations[loc], 50)
    key = {"X-API-Key": world.api_keys["OWNA"]}
    ids = []
    for i in range(n):
        carrier = "SF" if i < n - 1 else "YTO"
        lines = [("OWNA-SKU0", 2), ("OWNA-SKU1", 1 + i % 3)]
        r = await client.post(
            "/api/v1/orders", json=order_body(world, f"BF-{i}", lines, carrier=carrier, priority=i), headers=key
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    sup = await login(client, "supervisor")
    r = await client.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
    assert sorted(r.json()["allocated"]) == ids, r.text
    r = await client.post(
        f"/api/v1/warehouses/{world.warehouse_id}/cart-types",
        json={"code": "C2", "max_orders": 2, "max_lines": 20},
        headers=sup,
    )
    assert r.status_code == 201, r.text
    return ids


async def test_plan_preview_release_and_progress(client, world: World, db_url: str) -> None:
    await _orders(client, world, db_url)
    await _board_login(client)
    page = await client.get("/board/waves")
    assert page.status_code == 200
    token = _csrf(page.text)
    assert "BF-0" in page.text and "<b>6</b> orders" in page.text
    # filters run in SQL: carrier, priority, zone
    assert "<b>1</b> orders" in (await client.get("/board/waves", params={"carrier": "YTO"})).text
    assert "<b>3</b> orders" in (await client.get("/board/waves", params={"min_priority": "3"})).text
    assert "<b>6</b> orders" in (await client.get("/board/waves", params={"zone": "A"})).text
    assert "<b>0</b> orders" in (await client.get("/board/waves", params={"zone": "B"})).text
    # plan the SF orders through the wave planner
    r = await client.post(
        "/board/waves",
        data={"csrf": token, "warehouse_id": str(world.warehouse_id), "carrier": "SF", "time_limit_s": "0.5"},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303), r.text
    wave_url = r.headers["location"]
    wave_id = int(wave_url.rsplit("/", 1)[1])
    sup = await login(client, "supervisor")
    wave = (await client.get(f"/api/v1/waves/{wave_id}", headers=sup)).json()
    assert wave["status"] == "planned" and wave["preview"]["orders"] == 5 and wave["preview"]["carts"] == 3
    page = (await client.get(wave_url)).text
    token = _csrf(page)  # the API login above gave this client a new session cookie
    # one route per cart, each drawn exactly as long as the planner's metres
    drawn = [float(m) for m in re.findall(r'class="route" id="route-\d+" data-metres="([\d.]+)"', page)]
    assert len(drawn) == 3
    assert drawn == [round(b["route_m"], 2) for b in wave["preview"]["batches"]] or all(
        abs(d - b["route_m"]) < 0.05 for d, b in zip(drawn, wave["preview"]["batches"], strict=True)
    )
    assert page.count("<polyline") == 3 and 'id="wave-plan"' in page
    saved = round(wave["baseline_m"] - wave["total_m"])
    assert f"{saved} m · {wave['preview']['saving_pct']} %" in page
    # release from the board (no Redis here: in this request, like the API)
    refused = await client.post(f"/board/waves/{wave_id}/release", data={"csrf": "forged"})
    assert refused.status_code == 403
    r = await client.post(f"/board/waves/{wave_id}/release", headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and 'id="release-text">5 / 5' in r.text, r.text
    picks = int(re.search(r'id="pick-text">0 / (\d+)', r.text).group(1))  # type: ignore[union-attr]
    assert picks >= 10
    # a picker confirms a pick over the API: the progress partial counts it
    picker = await login(client, "picker", "PDA-T1")
    batch = (
        await client.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=picker)
    ).json()
    first = batch["picks"][0]
    r = await client.post(
        f"/api/v1/picking/picks/{first['task_id']}/confirm",
        json={"location": first["location_code"], "item": GTIN[first["sku_code"]], "qty": first["qty"]},
        headers=picker,
    )
    assert r.status_code == 200, r.text
    client.cookies.clear()  # the API logins set their own session cookie
    await _board_login(client)
    partial = (await client.get(f"/board/partials/waves/{wave_id}/progress")).text
    assert f'id="pick-text">1 / {picks}' in partial
    # the wave is listed, released
    listing = (await client.get("/board/waves")).text
    assert f"/board/waves/{wave_id}" in listing and "<b>1</b> orders" in listing  # the YTO order is left


async def test_auto_release_rules(client, world: World) -> None:
    await _board_login(client)
    token = _csrf((await client.get("/board/waves")).text)
    r = await client.post(
        "/board/waves/rules",
        data={"csrf": token, "warehouse_id": str(world.warehouse_id), "carrier": "SF", "lead_minutes": "45"},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303)
    page = (await client.get("/board/waves")).text
    rule = re.search(r"/board/waves/rules/(\d+)/active", page)
    assert rule and '<td>SF</td><td class="num">45</td>' in page
    dup = await client.post(
        "/board/waves/rules",
        data={"csrf": token, "warehouse_id": str(world.warehouse_id), "carrier": "SF", "lead_minutes": "30"},
    )
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate"
    bad = await client.post("/board/waves/rules", data={"csrf": token, "lead_minutes": "x"}, follow_redirects=False)
    assert bad.headers["location"].endswith("error=lead_minutes")
    r = await client.post(f"/board/waves/rules/{rule.group(1)}/active", data={"csrf": token}, follow_redirects=False)
    assert r.status_code in (302, 303)
    sup = await login(client, "supervisor")
    rules = (await client.get(f"/api/v1/warehouses/{world.warehouse_id}/wave-rules", headers=sup)).json()
    assert [(x["carrier"], x["lead_minutes"], x["active"]) for x in rules] == [("SF", 45, False)]


async def test_exceptions_listed_and_resolved(client, world: World, db_url: str) -> None:
    await _orders(client, world, db_url, n=2)
    sup = await login(client, "supervisor")
    r = await client.post("/api/v1/waves", json={"warehouse_id": world.warehouse_id, "time_limit_s": 0.3}, headers=sup)
    wave_id = r.json()["id"]
    await client.post(f"/api/v1/waves/{wave_id}/release", headers=sup)
    picker = await login(client, "picker", "PDA-T1")
    batch = (
        await client.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=picker)
    ).json()
    pick = next(p for p in batch["picks"] if p["qty"] >= 2)
    r = await client.post(
        f"/api/v1/picking/picks/{pick['task_id']}/short",
        json={"location": pick["location_code"], "found_qty": 1, "item": GTIN[pick["sku_code"]]},
        headers=picker,
    )
    assert r.status_code == 200, r.text
    client.cookies.clear()
    await _board_login(client)
    page = (await client.get("/board/exceptions")).text
    token = _csrf(page)
    exc_id = int(re.search(r'id="exception-(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert "Short pick" in page and pick["location_code"] in page and 'value="close"' in page
    refused = await client.post(f"/board/exceptions/{exc_id}/resolve", data={"csrf": "x", "action": "close"})
    assert refused.status_code == 403
    unknown = await client.post(f"/board/exceptions/{exc_id}/resolve", data={"csrf": token, "action": "explode"})
    assert unknown.status_code == 200 and 'id="exception-message"' in unknown.text
    assert f'id="exception-{exc_id}"' in unknown.text  # still open
    r = await client.post(
        f"/board/exceptions/{exc_id}/resolve", data={"csrf": token, "action": "close", "note": "recounted"}
    )
    assert r.status_code == 200 and f'id="exception-{exc_id}"' not in r.text and 'id="no-exceptions"' in r.text
    done = (await client.get("/board/exceptions", params={"status": "resolved"})).text
    assert f'id="exception-{exc_id}"' in done and "close · supervisor · recounted" in done
    api = (await client.get(f"/api/v1/exceptions/{exc_id}", headers=sup)).json()
    assert api["status"] == "resolved" and api["resolution"] == "close"


async def test_security_headers_and_picker_refused(client, world: World) -> None:
    await _board_login(client)
    for url in (
        "/board",
        "/board/waves",
        "/board/exceptions",
        "/board/tasks",
        "/board/stock",
        "/board/users",
        "/board/returns",
        "/board/webhooks",
    ):
        r = await client.get(url)
        assert r.status_code == 200, url
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in r.text and " onclick=" not in r.text and " style=" not in r.text
    client.cookies.clear()
    await _board_login(client, "picker")
    for url in ("/board/waves", "/board/exceptions", "/board/partials/exceptions"):
        assert (await client.get(url)).status_code == 403


async def test_cancel_a_planned_wave(client, world: World, db_url: str) -> None:
    await _orders(client, world, db_url, n=2)
    client.cookies.clear()
    await _board_login(client)
    token = _csrf((await client.get("/board/waves")).text)
    r = await client.post("/board/waves", data={"csrf": token, "time_limit_s": "0.3"}, follow_redirects=False)
    wave_id = int(r.headers["location"].rsplit("/", 1)[1])
    page = (await client.get(f"/board/waves/{wave_id}")).text
    assert 'id="cancel-wave"' in page and "<b>0</b> orders" in (await client.get("/board/waves")).text
    r = await client.post(f"/board/waves/{wave_id}/cancel", headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.headers["hx-redirect"] == f"/board/waves/{wave_id}"
    page = (await client.get(f"/board/waves/{wave_id}")).text
    assert 'id="wave-status">cancelled' in page and 'id="cancel-wave"' not in page
    assert "<b>2</b> orders" in (await client.get("/board/waves")).text  # back in the pool


async def test_users_devices_and_owners(client, world: World) -> None:
    await _board_login(client)  # a supervisor reads
    page = (await client.get("/board/users")).text
    token = _csrf(page)
    assert "PDA-T1" in page and "client-owna" in page and 'id="owner-rows"' in page and 'id="user-form"' not in page
    refused = await client.post(
        "/board/users", data={"csrf": token, "username": "x1", "password": "12345678", "role": "picker"}
    )
    assert refused.status_code == 403
    client.cookies.clear()
    await _board_login(client, "admin")  # an admin changes
    token = _csrf((await client.get("/board/users")).text)
    r = await client.post(
        "/board/users",
        data={"csrf": token, "username": "picker2", "password": "12345678", "role": "picker", "locale": "zh-CN"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/board/users?message=user_created"
    r = await client.post(
        "/board/users",
        data={"csrf": token, "username": "picker2", "password": "12345678", "role": "picker"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/board/users?error=duplicate_user"
    r = await client.post(
        "/board/devices",
        data={"csrf": token, "code": "pda-9", "name": "spare", "warehouse_id": str(world.warehouse_id)},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/board/users?message=device_created"
    owner = world.owners["OWNB"]
    r = await client.post(
        f"/board/owners/{owner}",
        data={"csrf": token, "name": "Owner B Ltd", "min_shelf_life_days": "30", "over_receipt_tolerance_pct": "5"},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303)
    page = (await client.get("/board/users")).text
    assert "picker2" in page and "PDA-9" in page and 'value="Owner B Ltd"' in page
    admin = await login(client, "admin")
    got = next(o for o in (await client.get("/api/v1/owners", headers=admin)).json()["items"] if o["id"] == owner)
    assert (got["name"], got["active"], got["min_shelf_life_days"], got["over_receipt_tolerance_pct"]) == (
        "Owner B Ltd",
        False,  # the box was left unticked
        30,
        5,
    )
    # the owner endpoint of the API: admins only, partial, validated
    r = await client.patch(f"/api/v1/owners/{owner}", json={"active": True}, headers=admin)
    assert r.status_code == 200 and r.json()["active"] is True and r.json()["name"] == "Owner B Ltd"
    bad = await client.patch(f"/api/v1/owners/{owner}", json={"min_shelf_life_days": -1}, headers=admin)
    assert bad.status_code == 400 or bad.status_code == 422
    nulled = await client.patch(f"/api/v1/owners/{owner}", json={"name": None}, headers=admin)
    assert nulled.status_code in (400, 422)
    missing = await client.patch("/api/v1/owners/99999", json={"name": "x"}, headers=admin)
    assert missing.status_code == 404 and missing.json()["code"] == "owner_not_found"
    sup = await login(client, "supervisor")
    assert (await client.patch(f"/api/v1/owners/{owner}", json={"name": "y"}, headers=sup)).status_code == 403


async def test_tasks_reprioritised_and_paged(client, world: World, db_url: str) -> None:
    from tests.integration.test_board import _make_task

    ids = [await _make_task(db_url, world, "putaway") for _ in range(3)]
    await _board_login(client)
    page = (await client.get("/board/tasks")).text
    token = _csrf(page)
    assert all(f'id="task-{i}"' in page for i in ids) and "1–3 / 3" in page
    r = await client.post(f"/board/tasks/{ids[2]}/priority", data={"csrf": token, "priority": "5"})
    assert r.status_code == 200
    order = [int(x) for x in re.findall(r'<tr id="task-(\d+)">', r.text)]
    assert order[0] == ids[2]  # the most urgent first
    bad = await client.post(f"/board/tasks/{ids[0]}/priority", data={"csrf": token, "priority": "500"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_priority"
    sup = await login(client, "supervisor")
    assert (await client.get(f"/api/v1/tasks/{ids[2]}", headers=sup)).json()["priority"] == 5


async def test_waves_filtered_by_owner_and_order_type(client, world: World, db_url: str) -> None:
    """Every filter the issue names is on the form (cut-off, carrier, priority, zone, owner, order type) and the
    owner and order type reach the wave planner, not only the list."""
    await _orders(client, world, db_url, n=3)  # OWNA, b2c
    key = {"X-API-Key": world.api_keys["OWNB"]}
    for i, order_type in enumerate(("b2b", "b2c")):
        body = order_body(world, f"BO-{i}", [("OWNB-SKU0", 1)], carrier="SF", order_type=order_type)
        r = await client.post("/api/v1/orders", json=body, headers=key)
        assert r.status_code == 201, r.text
    sup = await login(client, "supervisor")
    r = await client.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
    assert len(r.json()["allocated"]) == 2, r.text
    client.cookies.clear()
    await _board_login(client)
    page = (await client.get("/board/waves")).text
    for field in ("cutoff_before", "carrier", "min_priority", "zone", "owner_id", "order_type"):
        assert f'name="{field}"' in page, field
    assert "<b>5</b> orders" in page
    a, b = world.owners["OWNA"], world.owners["OWNB"]
    assert "<b>3</b> orders" in (await client.get("/board/waves", params={"owner_id": a})).text
    assert "<b>2</b> orders" in (await client.get("/board/waves", params={"owner_id": b})).text
    assert "<b>1</b> orders" in (await client.get("/board/waves", params={"order_type": "b2b"})).text
    both = (await client.get("/board/waves", params={"owner_id": b, "order_type": "b2c"})).text
    assert "<b>1</b> orders" in both and "BO-1" in both and "BO-0" not in both and f'value="{b}" selected' in both
    # planned with the owner filter: only that owner's orders go into the wave
    token = _csrf(page)
    r = await client.post(
        "/board/waves",
        data={"csrf": token, "owner_id": str(b), "time_limit_s": "0.3"},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303), r.text
    wave_id = int(r.headers["location"].rsplit("/", 1)[1])
    sup = await login(client, "supervisor")
    wave = (await client.get(f"/api/v1/waves/{wave_id}", headers=sup)).json()
    assert wave["preview"]["orders"] == 2 and wave["filters"].get("owner_ids") == [b], wave["filters"]
    orders = (await client.get("/api/v1/orders", params={"limit": 50}, headers=sup)).json()["items"]
    assert sorted(o["channel_order_id"] for o in orders if o.get("wave_id") == wave_id) == ["BO-0", "BO-1"]
