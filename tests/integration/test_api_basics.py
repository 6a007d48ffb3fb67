"""The API conventions on both databases: logins, problem replies, idempotency, stock changes, layout, catalog."""

from __future__ import annotations

import pytest

from tests.world import PASSWORD, login

pytestmark = pytest.mark.usefixtures("world")


async def test_login_me_logout(client, world):
    r = await client.post(
        "/api/v1/auth/login", json={"username": "picker", "password": PASSWORD, "device_code": "PDA-T1"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == "picker" and body["device_id"] is not None
    assert "wes_session" in r.headers.get("set-cookie", "")
    h = {"Authorization": f"Bearer {body['token']}"}
    assert (await client.get("/api/v1/auth/me", headers=h)).json()["username"] == "picker"
    assert (await client.post("/api/v1/auth/logout", headers=h)).status_code == 200
    r = await client.get("/api/v1/auth/me", headers=h)
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


async def test_cookie_login_works_for_the_board(client, world):
    r = await client.post("/api/v1/auth/login", json={"username": "supervisor", "password": PASSWORD})
    client.cookies.set("wes_session", r.json()["token"])
    try:
        assert (await client.get("/api/v1/auth/me")).json()["role"] == "supervisor"
    finally:
        client.cookies.clear()


async def test_bad_credentials(client, world):
    for body in (
        {"username": "picker", "password": "wrong"},
        {"username": "ghost", "password": "x"},
        {"username": "picker", "password": PASSWORD, "device_code": "NOPE"},
    ):
        r = await client.post("/api/v1/auth/login", json=body)
        assert r.status_code == 401 and r.json()["code"] == "bad_credentials"
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_problem_replies_never_500(client, world):
    h = await login(client, "supervisor")
    cases = [
        (
            client.post(
                "/api/v1/stock/moves",
                headers={**h, "content-type": "application/json"},
                content=b'{"stock_id": 1, "qty":',
            ),
            400,
            "malformed_json",
        ),
        (
            client.post("/api/v1/stock/moves", headers=h, json={"stock_id": "x", "qty": -1}),
            422,
            "invalid_input",
        ),
        (client.post("/api/v1/stock/moves", headers=h, json=[1, 2]), 422, "invalid_input"),
        (client.get("/api/v1/skus/999999", headers=h), 404, "sku_not_found"),
        (client.get("/api/v1/locations/999999", headers=h), 404, "location_not_found"),
        (client.get("/api/v1/nothing-here", headers=h), 404, "not_found"),
        (
            client.post(
                "/api/v1/stock/moves",
                headers=h,
                json={"stock_id": 999999, "qty": 1, "to_location": "A-01-03-A"},
            ),
            404,
            "stock_not_found",
        ),
        (client.post("/api/v1/skus", headers=h, content=b"x" * 3_000_000), 413, "payload_too_large"),
        (client.get("/api/v1/stock?limit=abc", headers=h), 422, "invalid_input"),
        (client.delete("/api/v1/skus/1", headers=h), 405, "method_not_allowed"),
    ]
    for call, status, code in cases:
        r = await call
        assert r.status_code == status, (code, r.text)
        body = r.json()
        assert body["code"] == code and body["detail"] and body["status"] == status


async def test_every_reply_has_a_request_id(client, world):
    r = await client.get("/health")
    assert len(r.headers["x-request-id"]) >= 16
    r = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"


async def test_move_adjust_status_and_ledger(client, world):
    h = await login(client, "supervisor")
    sid = world.stock["OWNA"]
    r = await client.post(
        "/api/v1/stock/moves", headers=h, json={"stock_id": sid, "qty": 30, "to_location": "a-01-05-a"}
    )
    assert r.status_code == 201, r.text
    moved = r.json()
    assert moved["location_code"] == "A-01-05-A" and moved["on_hand"] == 30
    r = await client.post(
        "/api/v1/stock/adjustments",
        headers=h,
        json={"stock_id": sid, "delta": -5, "reason": "damage", "note": "crushed"},
    )
    assert r.status_code == 201 and r.json()["on_hand"] == 65
    r = await client.post(
        "/api/v1/stock/status",
        headers=h,
        json={"stock_id": moved["id"], "qty": 10, "status": "hold", "note": "QA check"},
    )
    assert r.status_code == 201 and r.json()["status"] == "hold"
    # adjusting without a note or with a move reason is refused
    r = await client.post(
        "/api/v1/stock/adjustments",
        headers=h,
        json={"stock_id": sid, "delta": 1, "reason": "move", "note": "x"},
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_reason"
    led = (await client.get(f"/api/v1/movements?sku_id={world.skus['OWNA-SKU0']}", headers=h)).json()
    reasons = [m["reason"] for m in led["items"]]
    assert reasons[:3] == ["status", "damage", "move"] and reasons[-1] == "receipt"
    assert led["items"][0]["user_id"] is not None


async def test_over_move_is_409_and_changes_nothing(client, world):
    h = await login(client, "picker")
    sid = world.stock["OWNA"]
    r = await client.post(
        "/api/v1/stock/moves", headers=h, json={"stock_id": sid, "qty": 101, "to_location": "A-01-05-A"}
    )
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"
    assert r.json()["available"] == 100
    stock = (await client.get(f"/api/v1/stock/{sid}", headers=h)).json()
    assert stock["on_hand"] == 100
    assert (await client.get("/api/v1/stock?location=A-01-05-A&warehouse_id=1", headers=h)).json()["total"] == 0


async def test_move_to_unknown_or_blocked_location(client, world):
    h = await login(client, "supervisor")
    sid = world.stock["OWNA"]
    r = await client.post("/api/v1/stock/moves", headers=h, json={"stock_id": sid, "qty": 1, "to_location": "ZZ-9"})
    assert r.status_code == 404 and r.json()["code"] == "unknown_location"
    loc = world.locations["A-01-07-A"]
    assert (
        await client.patch(
            f"/api/v1/locations/{loc}/block", headers=h, json={"blocked": True, "reason": "damaged rack"}
        )
    ).status_code == 200
    r = await client.post("/api/v1/stock/moves", headers=h, json={"stock_id": sid, "qty": 1, "to_location_id": loc})
    assert r.status_code == 409 and r.json()["code"] == "location_blocked"


async def test_idempotent_replay_returns_first_reply_and_changes_nothing(client, world):
    h = {**(await login(client, "picker", device="PDA-T1")), "Idempotency-Key": "scan-0001"}
    body = {"stock_id": world.stock["OWNA"], "qty": 7, "to_location": "A-01-05-A"}
    first = await client.post("/api/v1/stock/moves", headers=h, json=body)
    again = await client.post("/api/v1/stock/moves", headers=h, json=body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("idempotent-replayed") == "true"
    src = (await client.get(f"/api/v1/stock/{world.stock['OWNA']}", headers=h)).json()
    assert src["on_hand"] == 93
    led = (await client.get(f"/api/v1/movements?sku_id={world.skus['OWNA-SKU0']}", headers=h)).json()
    assert [m["reason"] for m in led["items"]].count("move") == 1
    reused = await client.post("/api/v1/stock/moves", headers=h, json={**body, "qty": 8})
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    # the first reply of a refused request is replayed too
    h2 = {**h, "Idempotency-Key": "scan-0002"}
    big = {**body, "qty": 10_000}
    a = await client.post("/api/v1/stock/moves", headers=h2, json=big)
    b = await client.post("/api/v1/stock/moves", headers=h2, json=big)
    assert a.status_code == b.status_code == 409 and a.json() == b.json()


async def test_idempotency_keys_are_per_caller(client, world):
    body = {"stock_id": world.stock["OWNA"], "qty": 1, "to_location": "A-01-05-A"}
    for user in ("picker", "supervisor"):
        h = {**(await login(client, user)), "Idempotency-Key": "same-key"}
        r = await client.post("/api/v1/stock/moves", headers=h, json=body)
        assert r.status_code == 201 and "idempotent-replayed" not in r.headers
    h = await login(client, "picker")
    assert (await client.get(f"/api/v1/stock/{world.stock['OWNA']}", headers=h)).json()["on_hand"] == 98


async def test_lot_controlled_stock_needs_lot(client, world):
    h = await login(client, "supervisor")
    r = await client.post(
        "/api/v1/stock/adjustments",
        headers=h,
        json={
            "owner_id": world.owners["OWNA"],
            "sku_id": world.skus["OWNA-SKU2"],
            "location_id": world.locations["A-01-09-A"],
            "delta": 5,
            "reason": "adjust_found",
            "note": "found behind the rack",
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "lot_or_expiry_required"
    r = await client.post(
        "/api/v1/stock/adjustments",
        headers=h,
        json={
            "owner_id": world.owners["OWNA"],
            "sku_id": world.skus["OWNA-SKU2"],
            "location_id": world.locations["A-01-09-A"],
            "lot": "LOT9",
            "expiry": "2031-05-01",
            "delta": 5,
            "reason": "adjust_found",
            "note": "found behind the rack",
        },
    )
    assert r.status_code == 201 and r.json()["lot"] == "LOT9"


async def test_stock_lookup_by_barcode_lot_lpn(client, world):
    h = await login(client, "picker")
    sku = (await client.get(f"/api/v1/skus/{world.skus['OWNA-SKU0']}", headers=h)).json()
    gtin = sku["barcodes"][0]["value"]
    r = (await client.get(f"/api/v1/stock?sku={gtin.lstrip('0')}", headers=h)).json()
    assert r["total"] == 1 and r["items"][0]["sku_code"] == "OWNA-SKU0"
    r = (await client.get("/api/v1/stock?lot=LOT1", headers=h)).json()
    assert r["total"] == 2
    assert (await client.get("/api/v1/stock?lpn=NOPE", headers=h)).json()["total"] == 0


async def test_catalog_validation(client, world):
    h = await login(client, "supervisor")
    base = {"owner_id": world.owners["OWNA"], "code": "NEW-1", "name": "New"}
    r = await client.post("/api/v1/skus", headers=h, json={**base, "barcodes": [{"value": "5901234123458"}]})
    assert r.status_code == 422 and r.json()["code"] == "invalid_gtin"
    assert "check digit" in r.json()["detail"]
    r = await client.post("/api/v1/skus", headers=h, json={**base, "barcodes": [{"value": "5901234123457"}]})
    assert r.status_code == 201 and r.json()["barcodes"][0]["value"] == "05901234123457"
    r = await client.post("/api/v1/skus", headers=h, json=base)
    assert r.status_code == 409 and r.json()["code"] == "duplicate_sku"
    r = await client.post("/api/v1/skus", headers=h, json={"code": "X", "name": "no owner"})
    assert r.status_code == 422 and r.json()["code"] == "owner_required"
    r = await client.post("/api/v1/skus", headers=h, json={**base, "code": "NEG", "weight_kg": -1})
    assert r.status_code == 422


async def test_location_check_digits(client, world):
    h = await login(client, "picker")
    assert (await client.get("/api/v1/warehouses/1/locations/by-code/A-01-01-A", headers=h)).json()[
        "check_digits"
    ] is None  # a handheld must read them on the label, not from the API
    staff = await login(client, "supervisor")  # who prints the labels
    loc = (await client.get("/api/v1/warehouses/1/locations/by-code/A-01-01-A", headers=staff)).json()
    ok = await client.post(
        "/api/v1/warehouses/1/locations/check",
        headers=h,
        json={"code": "A-01-01-A", "check_digits": loc["check_digits"]},
    )
    assert ok.status_code == 200 and ok.json()["ok"] is True
    wrong = f"{(int(loc['check_digits']) + 1) % 100:02d}"
    bad = await client.post(
        "/api/v1/warehouses/1/locations/check", headers=h, json={"code": "A-01-01-A", "check_digits": wrong}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "wrong_check_digits"


async def test_csv_import_all_or_nothing(client, world):
    h = await login(client, "admin")
    h_csv = {**h, "content-type": "text/csv"}
    before = (await client.get("/api/v1/warehouses/1/locations?limit=1", headers=h)).json()["total"]
    bad = "code,zone,type,aisle\nC-01,C,reserve,0\nC-02,C,nonsense,0\nC-03,C,reserve,minus\n"
    r = await client.post("/api/v1/warehouses/1/locations/import", headers=h_csv, content=bad.encode())
    assert r.status_code == 422 and r.json()["code"] == "invalid_csv"
    assert {(e["row"], e["column"]) for e in r.json()["errors"]} == {(3, "type"), (4, "aisle")}
    assert (await client.get("/api/v1/warehouses/1/locations?limit=1", headers=h)).json()["total"] == before
    good = "code,zone,type,aisle,y_m\nC-01,C,reserve,0,1.5\nC-02,C,pick_face,0,2.5\n"
    r = await client.post("/api/v1/warehouses/1/locations/import", headers=h_csv, content=good.encode())
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2 and r.json()["zones_created"] == ["C"]
    r = await client.post("/api/v1/warehouses/1/locations/import", headers=h_csv, content=good.encode())
    assert r.json()["updated"] == 2  # re-import updates, keeps the check digits on the labels


async def test_layout_generate_and_filters(client, world):
    h = await login(client, "admin")
    r = await client.post("/api/v1/warehouses", headers=h, json={"code": "WH2", "name": "Second"})
    wid = r.json()["id"]
    r = await client.post(
        f"/api/v1/warehouses/{wid}/layout/generate",
        headers=h,
        json={"aisles": 3, "aisle_length_m": 6, "levels": 3, "cross_aisles": 3},
    )
    assert r.status_code == 200, r.text
    wh = next(w for w in (await client.get("/api/v1/warehouses", headers=h)).json()["items"] if w["id"] == wid)
    assert wh["layout"]["cross_aisles"] == 3
    faces = (
        await client.get(f"/api/v1/warehouses/{wid}/locations?type=pick_face&aisle=1&limit=1000", headers=h)
    ).json()
    assert faces["total"] > 0 and all(x["aisle"] == 1 and x["type"] == "pick_face" for x in faces["items"])
    r = await client.post(
        f"/api/v1/warehouses/{wid}/layout/generate",
        headers=h,
        json={"aisles": 3, "aisle_length_m": 6, "levels": 3, "zones": ["A", "B", "C", "D"]},
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_layout"


async def test_walking_graph_and_routes(client, world):
    h = await login(client, "picker")
    g = (await client.get("/api/v1/warehouses/1/walking-graph", headers=h)).json()
    assert g["aisle_x_m"] == [0.0, 3.0, 6.0, 9.0] and g["cross_aisle_y_m"] == [0.0, 10.0]
    assert g["locations"] == 160
    codes = ["B-04-19-A", "A-01-02-A", "B-03-10-B", "A-02-15-A", "A-01-20-A"]
    r = await client.post("/api/v1/warehouses/1/routes", headers=h, json={"locations": codes})
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(body["sequence"]) == sorted(codes) and body["optimal"] is True
    assert body["length_m"] <= body["location_order_m"]
    s_shape = (
        await client.post("/api/v1/warehouses/1/routes", headers=h, json={"locations": codes, "method": "s-shape"})
    ).json()
    assert s_shape["length_m"] >= body["length_m"]
    bad = await client.post("/api/v1/warehouses/1/routes", headers=h, json={"locations": ["A-01-02-A", "NOPE"]})
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_location" and "NOPE" in bad.json()["detail"]
    bad = await client.post("/api/v1/warehouses/1/routes", headers=h, json={"locations": codes, "method": "zigzag"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_route"


async def test_movements_since_a_day(client, world):
    sup = await login(client, "supervisor")
    for day, found in (("2000-01-01", True), ("4985-12-04", False)):
        r = await client.get("/api/v1/movements", params={"since": day}, headers=sup)
        assert r.status_code == 200, r.text
        assert (r.json()["total"] > 0) is found
