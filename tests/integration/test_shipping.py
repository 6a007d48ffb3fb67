"""Pack and ship in one process (the app on PostgreSQL and SQLite): packing refuses wrong and surplus items, a weight
mismatch opens a recheck, labels go to the station's printer, reprints are audited, the e-waybill platform's
numbers, errors and time-outs, tracking pushes (signature checked, repeats harmless) and the poller, a carton
missing at close-out, the manifest as CSV and PDF, stock and ledger in agreement."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from server.db.engine import create_engine, create_session_factory
from server.inventory.services import audit_stock
from tests.board_helpers import board_login
from tests.conftest import make_settings
from tests.ewaybill_server import APP_KEY, BUSINESS_ID, FakeAggregator
from tests.outbound_helpers import outbox_rows
from tests.shipping_helpers import (
    expected_weight,
    gtins,
    pack_order,
    pick_orders,
    setup_shipping,
    ship_orders,
    token,
)
from tests.world import World


@pytest.fixture
def aggregator() -> Iterator[FakeAggregator]:
    fake = FakeAggregator()
    yield fake
    fake.close()


@pytest.fixture
async def shipping_client(db_url: str, aggregator: FakeAggregator) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    from server.app import create_app

    settings = make_settings(
        db_url,
        ewaybill_url=aggregator.url,
        ewaybill_business_id=BUSINESS_ID,
        ewaybill_app_key=APP_KEY,
        ewaybill_timeout_s=1.0,
    )
    async with AsyncTestClient(app=create_app(settings)) as c:
        yield c


async def _audit(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            return await audit_stock(session)
    finally:
        await engine.dispose()


async def test_packing_checks_every_scan_and_the_weight(
    shipping_client: Any, world: World, db_url: str, tmp_path: Path
) -> None:
    c = shipping_client
    sup = await token(c, "supervisor")
    labels_file = tmp_path / "labels.zpl"
    setup = await setup_shipping(c, world, sup, printer=f"file://{labels_file}")
    [oid] = await pick_orders(
        c, world, [("OWNA", "PK-1", [("OWNA-SKU0", 2), ("OWNA-SKU2", 1)], {"carrier": "POST", "service": "STD"})]
    )
    packer = await token(c, "packer")
    order = (await c.get(f"/api/v1/orders/{oid}", headers=sup)).json()
    r = await c.post(
        "/api/v1/packing/start", json={"station_id": setup.station_id, "scan": order["tote"]}, headers=packer
    )
    assert r.status_code == 200, r.text
    sh = r.json()
    assert sh["carrier"] == "POST" and sh["service"] == "STD" and sh["suggestion"], sh
    assert {ln["sku_code"]: ln["remaining"] for ln in sh["lines"]} == {"OWNA-SKU0": 2, "OWNA-SKU2": 1}
    codes = await gtins(c, sup, {world.skus["OWNA-SKU0"], world.skus["OWNA-SKU1"], world.skus["OWNA-SKU2"]})
    # a wrong item (not in the order) and another owner's item are refused, and nothing moved
    for wrong in (codes[world.skus["OWNA-SKU1"]], "0000000000000"):
        r = await c.post(f"/api/v1/shipments/{sh['id']}/scans", json={"item": wrong}, headers=packer)
        assert r.status_code == 422 and r.json()["code"] == "wrong_item", r.text
    sku0 = codes[world.skus["OWNA-SKU0"]]
    r = await c.post(f"/api/v1/shipments/{sh['id']}/scans", json={"item": sku0, "qty": 3}, headers=packer)
    assert r.status_code == 422 and r.json()["code"] == "surplus_item"
    # the lot-controlled unit by GS1-128 with a lot the tote does not hold: refused; with the right lot: packed
    lot_scan = f"(01){codes[world.skus['OWNA-SKU2']]}(10)NOPE"
    r = await c.post(f"/api/v1/shipments/{sh['id']}/scans", json={"item": lot_scan}, headers=packer)
    assert r.status_code == 422 and r.json()["code"] == "wrong_lot", r.text
    r = await c.post(
        f"/api/v1/shipments/{sh['id']}/scans",
        json={"item": f"(01){codes[world.skus['OWNA-SKU2']]}(10)LOT1"},
        headers=packer,
    )
    assert r.status_code == 200, r.text
    r = await c.post(
        f"/api/v1/shipments/{sh['id']}/scans",
        json={"item": sku0, "qty": 2},
        headers={**packer, "Idempotency-Key": "scan-sku0"},
    )
    assert r.status_code == 200, r.text
    replay = await c.post(
        f"/api/v1/shipments/{sh['id']}/scans",
        json={"item": sku0, "qty": 2},
        headers={**packer, "Idempotency-Key": "scan-sku0"},
    )
    assert replay.headers.get("Idempotent-Replayed") == "true"
    sh = r.json()
    assert all(ln["remaining"] == 0 for ln in sh["lines"])
    carton = sh["cartons"][0]
    assert carton["suggested"] and carton["code"].startswith("CTN")
    # a weight far off: a weight_mismatch exception with a recheck, the carton stays open, nothing printed
    r = await c.post(f"/api/v1/cartons/{carton['id']}/close", json={"weight_kg": "9.5"}, headers=packer)
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["weight_ok"] is False and res["exception_id"] and "Weight mismatch" in res["message"]
    assert "重量不符" in res["message_zh"] and res["carton"]["status"] == "open"
    assert not labels_file.exists()
    exc = (await c.get(f"/api/v1/exceptions/{res['exception_id']}", headers=sup)).json()
    assert exc["kind"] == "weight_mismatch" and "recheck" in [a["name"] for a in exc["actions"]], exc
    # weighed again, right: closed, SSCC and an S10 tracking number, both labels printed, the exception resolved
    right = await expected_weight(c, sup, sh, carton)
    r = await c.post(
        f"/api/v1/cartons/{carton['id']}/close", json={"weight_kg": str(right + Decimal("0.05"))}, headers=packer
    )
    assert r.status_code == 200 and r.json()["weight_ok"], r.text
    closed = r.json()["carton"]
    assert (
        len(closed["sscc"]) == 18
        and closed["tracking_number"].startswith("EA")
        and closed["tracking_number"].endswith("CN")
    )
    from server.shipping.rules import s10_valid

    assert s10_valid(closed["tracking_number"])
    assert r.json()["shipment"]["status"] == "label_created" and r.json()["shipment"]["order_status"] == "packed"
    zpl = labels_file.read_text()
    assert closed["tracking_number"] in zpl  # the last job written is the waybill
    exc = (await c.get(f"/api/v1/exceptions/{res['exception_id']}", headers=sup)).json()
    assert exc["status"] == "resolved" and exc["resolution"] == "recheck"
    # reprint: a reason is required, and each reprint is an audit row
    r = await c.post(f"/api/v1/cartons/{carton['id']}/reprint", json={"reason": " "}, headers=packer)
    assert r.status_code == 422
    r = await c.post(
        f"/api/v1/cartons/{carton['id']}/reprint", json={"reason": "label torn", "labels": ["waybill"]}, headers=packer
    )
    assert r.status_code == 200, r.text
    prints = (await c.get(f"/api/v1/cartons/{carton['id']}/labels", headers=sup)).json()["prints"]
    assert [(p["kind"], p["reprint"]) for p in prints] == [("sscc", False), ("waybill", False), ("waybill", True)]
    assert prints[-1]["reason"] == "label torn"
    # stock: off the tote, on the carton at the station, ledger rows with reason pack
    stock = (await c.get("/api/v1/stock", headers=sup, params={"location_id": setup.station_location_id})).json()
    assert sum(s["on_hand"] for s in stock["items"] if s["lpn"] == carton["code"]) == 3, stock
    assert await _audit(db_url) == []


async def test_ewaybill_numbers_errors_timeouts_tracking_and_missing_carton(
    shipping_client: Any, world: World, db_url: str, tmp_path: Path, aggregator: FakeAggregator
) -> None:
    c = shipping_client
    sup = await token(c, "supervisor")
    setup = await setup_shipping(c, world, sup, printer=f"file://{tmp_path / 'l.zpl'}", ewaybill=True)
    ids = await pick_orders(
        c,
        world,
        [
            ("OWNA", "EW-1", [("OWNA-SKU0", 1)], {"carrier": "ZTO"}),
            ("OWNA", "EW-2", [("OWNA-SKU0", 1)], {"carrier": "ZTO"}),
            ("OWNB", "EW-3", [("OWNB-SKU0", 1)], {}),  # no carrier: rate shopping picks ZTO (6.50 < 8.00)
        ],
    )
    packer = await token(c, "packer")
    rates = await c.post(
        "/api/v1/shipping/rates",
        json={"warehouse_id": world.warehouse_id, "weight_kg": "0.8", "country": "CN", "postcode": "200001"},
        headers=sup,
    )
    assert [(q["carrier"], q["service"], q["cost"]) for q in rates.json()] == [
        ("ZTO", "STD", "6.50"),
        ("POST", "STD", "8.00"),
        ("POST", "EXPRESS", "12.00"),
    ]
    fast = await c.post(
        "/api/v1/shipping/rates",
        json={"warehouse_id": world.warehouse_id, "weight_kg": "0.8", "country": "CN", "max_level": 1},
        headers=sup,
    )
    assert [q["service"] for q in fast.json()] == ["EXPRESS"]
    # the platform refuses, then answers too late: clear 409s, the carton stays open, then the retry works
    order = (await c.get(f"/api/v1/orders/{ids[0]}", headers=sup)).json()
    sh = (
        await c.post(
            "/api/v1/packing/start", json={"station_id": setup.station_id, "scan": order["tote"]}, headers=packer
        )
    ).json()
    assert sh["carrier"] == "ZTO"
    code = (await gtins(c, sup, {world.skus["OWNA-SKU0"]}))[world.skus["OWNA-SKU0"]]
    r = await c.post(f"/api/v1/shipments/{sh['id']}/scans", json={"item": code}, headers=packer)
    carton = r.json()["cartons"][0]
    weight = str(await expected_weight(c, sup, r.json(), carton))
    aggregator.fail_next = "余额不足"
    r = await c.post(f"/api/v1/cartons/{carton['id']}/close", json={"weight_kg": weight}, headers=packer)
    assert r.status_code == 409 and r.json()["code"] == "carrier_refused" and "余额不足" in r.json()["detail"]
    aggregator.slow_next = 2.0
    r = await c.post(f"/api/v1/cartons/{carton['id']}/close", json={"weight_kg": weight}, headers=packer)
    assert r.status_code == 409 and r.json()["code"] == "carrier_unavailable", r.text
    r = await c.post(f"/api/v1/cartons/{carton['id']}/close", json={"weight_kg": weight}, headers=packer)
    assert r.status_code == 200, r.text
    number = r.json()["carton"]["tracking_number"]
    # the time-out's request reached the platform: the retry got the same number back (ResultCode 106)
    assert number == aggregator.orders[carton["code"]] and len(aggregator.orders) == 1
    signed = aggregator.requests[-1]
    assert signed["RequestType"] == "1007" and signed["EBusinessID"] == BUSINESS_ID and len(signed["DataSign"]) == 44
    # the other two orders packed and loaded; order EW-2's carton is left on the floor
    s2 = await pack_order(c, setup, ids[1], packer=packer)
    s3 = await pack_order(c, setup, ids[2], packer=packer)
    assert s3["carrier"] == "ZTO"
    for ct in (r.json()["carton"], s3["cartons"][0]):
        r2 = await c.post(
            "/api/v1/dispatch/load",
            json={"warehouse_id": world.warehouse_id, "scan": ct["sscc"], "door": "D1"},
            headers=packer,
        )
        assert r2.status_code == 200, r2.text
    r = await c.post("/api/v1/manifests", json={"warehouse_id": world.warehouse_id, "carrier": "ZTO"}, headers=sup)
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["cartons"] == 2 and [x["carton"] for x in m["missing"]] == [s2["cartons"][0]["code"]]
    assert sorted(m["shipped_orders"]) == ["EW-1", "EW-3"]
    orders = {
        o["id"]: o["status"] for o in (await c.get("/api/v1/orders", headers=sup, params={"limit": 50})).json()["items"]
    }
    assert orders[ids[0]] == "shipped" and orders[ids[2]] == "shipped" and orders[ids[1]] == "packed"
    rows = (await c.get(f"/api/v1/manifests/{m['id']}/manifest.csv", headers=sup)).text
    table = list(csv.DictReader(io.StringIO(rows)))
    assert {t["tracking_number"] for t in table} == {number, s3["cartons"][0]["tracking_number"]}
    assert table[0]["ship_to"] == "王小明"
    pdf = await c.get(f"/api/v1/manifests/{m['id']}/manifest.pdf", headers=sup)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "王小明" in text and number in text and s2["cartons"][0]["code"] in text
    # tracking push: a bad signature is refused; a good one moves the shipment on; a repeat changes nothing
    item = {
        "ShipperCode": "ZTO",
        "LogisticCode": number,
        "State": "2",
        "Traces": [{"AcceptTime": "2026-11-28 18:00:00", "AcceptStation": "【上海】已揽收"}],
    }
    body = _push_form([item])
    bad = await c.post("/api/v1/tracking/push", data={**body, "DataSign": "x" * 44})
    assert bad.status_code == 403 and bad.json()["code"] == "bad_signature"
    for _ in range(2):
        ok = await c.post("/api/v1/tracking/push", data=body)
        assert ok.status_code == 200 and ok.json()["Success"] is True, ok.text
    shs = (await c.get("/api/v1/shipments", headers=sup, params={"limit": 50})).json()["items"]
    by_order = {s["order_id"]: s for s in shs}
    assert by_order[ids[0]]["status"] == "in_transit"
    events = await outbox_rows(db_url, "shipment.status")
    assert [e["payload"]["status"] for e in events] == ["in_transit"]
    # the poller asks the platform and records the delivery
    aggregator.traces[number] = {
        "State": "3",
        "Traces": [item["Traces"][0], {"AcceptTime": "2026-11-29 10:00:00", "AcceptStation": "已签收"}],
    }
    from server.shipping.jobs import poll_tracking_job

    engine = create_engine(db_url)
    try:
        ctx = {
            "session_factory": create_session_factory(engine),
            "settings": make_settings(
                db_url, ewaybill_url=aggregator.url, ewaybill_business_id=BUSINESS_ID, ewaybill_app_key=APP_KEY
            ),
        }
        report = await poll_tracking_job(ctx)
    finally:
        await engine.dispose()
    assert report["asked"] == 2 and report["new_events"] == 1, report
    sh1 = (await c.get(f"/api/v1/shipments/{by_order[ids[0]]['id']}", headers=sup)).json()
    assert sh1["status"] == "delivered"
    assert [e["payload"]["status"] for e in await outbox_rows(db_url, "shipment.status")] == ["in_transit", "delivered"]
    assert await _audit(db_url) == []


def _push_form(items: list[dict[str, Any]]) -> dict[str, str]:
    import json

    from tests.ewaybill_server import sign

    data = json.dumps(
        {"EBusinessID": BUSINESS_ID, "PushTime": "2026-11-28 18:05:00", "Count": 1, "Data": items}, ensure_ascii=False
    )
    return {
        "RequestType": "101",
        "EBusinessID": BUSINESS_ID,
        "RequestData": data,
        "DataType": "2",
        "DataSign": sign(data),
    }


async def test_ship_orders_helper_ships_with_outbox_rows(
    shipping_client: Any, world: World, db_url: str, tmp_path: Path
) -> None:
    c = shipping_client
    sup = await token(c, "supervisor")
    setup = await setup_shipping(c, world, sup, printer=f"file://{tmp_path / 'l.zpl'}")
    ids = await pick_orders(c, world, [("OWNB", "HLP-1", [("OWNB-SKU0", 3)], {"carrier": "POST"})])
    shipped = await ship_orders(c, world, ids, setup)
    assert list(shipped) == ids and all(len(t) == 1 for t in shipped.values())
    events = await outbox_rows(db_url, "order.shipped")
    assert [e["payload"]["cartons"][0]["tracking_number"] for e in events] == shipped[ids[0]]
    assert await _audit(db_url) == []
    # the board's Shipping page lists the shipment with its tracking number and the manifest
    r = await board_login(c)
    assert r.status_code in (302, 303)
    page = await c.get("/board/shipping?status=handed_over")
    assert page.status_code == 200 and "HLP-1" in page.text and shipped[ids[0]][0] in page.text
    assert 'href="/board/shipping"' in page.text and "MF-POST-" in page.text
    partial = await c.get("/board/partials/shipping?status=packing")
    assert partial.status_code == 200 and 'id="no-shipments"' in partial.text
