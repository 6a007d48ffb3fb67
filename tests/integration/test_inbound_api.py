"""Inbound over the API on both databases: purchasing, ASNs refused whole, scan look-up, receiving by SSCC and by
item (lot/expiry, shelf life, damage, tolerance), discrepancies, LPN labels, tasks and directed putaway."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from server.catalog.rules import gtin_check_digit, make_gtin13
from tests.labels_for_tests import label_check_digits
from tests.world import World, login

A = "OWNA"


def sscc(serial: int) -> str:
    payload = f"0690000{serial:010d}"
    return payload + str(gtin_check_digit(payload))


def gtin14(n: int) -> str:
    return "0" + make_gtin13("690000", n)


def gs1(gtin: str, lot: str, expiry: date, count: int | None = None) -> str:
    raw = f"01{gtin}17{expiry:%y%m%d}10{lot}"
    return raw + (f"\x1d37{count}" if count is not None else "")


async def _po_and_asn(client: Any, world: World, *, tolerance: int = 0) -> dict[str, Any]:
    key = {"X-API-Key": world.api_keys[A]}
    r = await client.post("/api/v1/suppliers", headers=key, json={"code": "SUP1", "name": "Supplier one"})
    assert r.status_code == 201, r.text
    po = await client.post(
        "/api/v1/purchase-orders",
        headers=key,
        json={
            "warehouse_id": world.warehouse_id,
            "supplier_code": "SUP1",
            "number": "PO-1",
            "open": True,
            "lines": [
                {"sku_code": f"{A}-SKU0", "qty": 100},
                {"sku_code": f"{A}-SKU1", "qty": 10},
                {"sku_code": f"{A}-SKU2", "qty": 20},
            ],
        },
    )
    assert po.status_code == 201, po.text
    asn = await client.post(
        "/api/v1/asns",
        headers=key,
        json={
            "warehouse_id": world.warehouse_id,
            "number": "ASN-1",
            "units": [
                {
                    "sscc": sscc(1),
                    "items": [{"po_number": "PO-1", "po_line_no": 1, "sku_code": f"{A}-SKU0", "qty": 60}],
                },
                {
                    "sscc": sscc(2),
                    "items": [{"po_number": "PO-1", "po_line_no": 1, "sku_code": f"{A}-SKU0", "qty": 40}],
                },
                {
                    "sscc": sscc(3),
                    "items": [
                        {"po_number": "PO-1", "po_line_no": 2, "sku_code": f"{A}-SKU1", "qty": 10},
                        {
                            "po_number": "PO-1",
                            "po_line_no": 3,
                            "sku_code": f"{A}-SKU2",
                            "lot": "L7",
                            "expiry": "2031-06-30",
                            "qty": 5,
                        },
                    ],
                },
            ],
        },
    )
    assert asn.status_code == 201, asn.text
    return {"po": po.json(), "asn": asn.json()}


async def test_asn_with_problems_is_refused_whole_with_every_problem(client, world: World):
    await _po_and_asn(client, world)
    key = {"X-API-Key": world.api_keys[A]}
    bad = await client.post(
        "/api/v1/asns",
        headers=key,
        json={
            "warehouse_id": world.warehouse_id,
            "number": "ASN-BAD",
            "units": [
                {
                    "sscc": sscc(10),
                    "items": [{"po_number": "PO-404", "po_line_no": 1, "sku_code": f"{A}-SKU0", "qty": 1}],
                },
                {"sscc": sscc(10), "items": [{"sku_code": "NO-SUCH-SKU", "qty": 1}]},
                {"sscc": sscc(1), "items": [{"po_number": "PO-1", "po_line_no": 9, "sku_code": f"{A}-SKU0", "qty": 1}]},
                {"sscc": "123", "items": [{"sku_code": "OWNB-SKU0", "qty": 1}]},
            ],
        },
    )
    assert bad.status_code == 422, bad.text
    body = bad.json()
    assert body["code"] == "invalid_asn"
    fields = sorted(e["field"] for e in body["errors"])
    assert fields == [
        "units[0].items[0].po_number",
        "units[1].items[0].sku",
        "units[1].sscc",
        "units[2].items[0].po_line_no",
        "units[2].sscc",
        "units[3].items[0].sku",
        "units[3].sscc",
    ], body["errors"]
    listed = (await client.get("/api/v1/asns", headers=key)).json()
    assert [a["number"] for a in listed["items"]] == ["ASN-1"]
    for number, found in (("ASN-1", 1), ("ASN-2", 0)):  # the handheld finds an ASN by the number it scanned
        by_number = (await client.get("/api/v1/asns", headers=key, params={"number": number})).json()
        assert by_number["total"] == found


async def test_purchase_order_transitions_are_checked(client, world: World):
    key = {"X-API-Key": world.api_keys[A]}
    await client.post("/api/v1/suppliers", headers=key, json={"code": "S", "name": "S"})
    po = (
        await client.post(
            "/api/v1/purchase-orders",
            headers=key,
            json={
                "warehouse_id": world.warehouse_id,
                "supplier_code": "S",
                "number": "PO-T",
                "lines": [{"sku_code": f"{A}-SKU0", "qty": 5}],
            },
        )
    ).json()
    assert po["status"] == "draft"
    url = f"/api/v1/purchase-orders/{po['id']}/status"
    assert (await client.post(url, headers=key, json={"status": "received"})).status_code == 422
    assert (await client.post(url, headers=key, json={"status": "open"})).json()["status"] == "open"
    r = await client.post(url, headers=key, json={"status": "draft"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_po_transition"
    assert (await client.post(url, headers=key, json={"status": "cancelled"})).json()["status"] == "cancelled"
    r = await client.post(url, headers=key, json={"status": "open"})
    assert r.status_code == 409
    bad = await client.post(
        "/api/v1/purchase-orders",
        headers=key,
        json={
            "warehouse_id": world.warehouse_id,
            "supplier_code": "NOPE",
            "number": "PO-X",
            "lines": [{"sku_code": "NOPE", "qty": 5}, {"sku_id": world.skus["OWNB-SKU0"], "qty": 1}],
        },
    )
    assert bad.status_code == 422 and len(bad.json()["errors"]) == 3


async def test_scan_parsing_says_what_was_read(client, world: World):
    h = await login(client, "receiver")
    url = "/api/v1/scans/parse"
    r = await client.post(url, headers=h, json={"raw": "]C1" + gs1(gtin14(2), "L7", date(2031, 6, 30), 12)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "gs1" and body["lot"] == "L7" and body["expiry"] == "2031-06-30" and body["count"] == 12
    assert [s["code"] for s in body["skus"]] == [f"{A}-SKU2"]
    r = await client.post(url, headers=h, json={"raw": make_gtin13("690000", 0)})
    assert r.json()["kind"] == "gtin" and r.json()["skus"][0]["code"] == f"{A}-SKU0"
    r = await client.post(url, headers=h, json={"raw": "a-01-01-a", "warehouse_id": world.warehouse_id})
    assert r.json()["kind"] == "location" and r.json()["location_code"] == "A-01-01-A"
    r = await client.post(url, headers=h, json={"raw": "(01)" + gtin14(0) + "(10)X1"})
    assert r.json()["kind"] == "gs1" and r.json()["lot"] == "X1"
    for raw, fragment in (
        ("0109999999999994", "no SKU has that barcode"),
        ("1234", "no valid GTIN"),
        ("NOT-A-THING", "plain text"),
        (sscc(77), "no ASN announces it"),
    ):
        r = await client.post(url, headers=h, json={"raw": raw, "warehouse_id": world.warehouse_id})
        assert r.status_code == 422, (raw, r.text)
        assert r.json()["code"] == "unknown_barcode" and fragment in r.json()["detail"], r.json()


async def test_receive_by_sscc_and_items_then_putaway(client, world: World):
    docs = await _po_and_asn(client, world)
    h = await login(client, "receiver", device="PDA-T1")
    sup = await login(client, "supervisor")
    rc = await client.post(
        "/api/v1/receipts", headers=h, json={"warehouse_id": world.warehouse_id, "asn_id": docs["asn"]["id"]}
    )
    assert rc.status_code == 201, rc.text
    rid = rc.json()["id"]
    # the whole pallet by its SSCC, replayed with the same key: one receipt line, one stock row
    hk = {**h, "Idempotency-Key": "scan-1"}
    r1 = await client.post(f"/api/v1/receipts/{rid}/scans", headers=hk, json={"scan": "00" + sscc(1)})
    assert r1.status_code == 201, r1.text
    r2 = await client.post(f"/api/v1/receipts/{rid}/scans", headers=hk, json={"scan": "00" + sscc(1)})
    assert r2.text == r1.text and r2.headers.get("idempotent-replayed") == "true"
    again = await client.post(f"/api/v1/receipts/{rid}/scans", headers=h, json={"scan": sscc(1)})
    assert again.status_code == 409 and again.json()["code"] == "already_received"
    pallet = r1.json()
    assert pallet["lines"][0]["qty"] == 60 and pallet["lpn"].startswith("LPN-")
    assert len(pallet["tasks"]) == 1 and pallet["tasks"][0]["to_location_id"] is not None
    dock = world.locations["RCV-01"]
    stock = (await client.get(f"/api/v1/stock?location_id={dock}", headers=sup)).json()["items"]
    assert [(s["on_hand"], s["lpn"]) for s in stock] == [(60, pallet["lpn"])]
    # the mixed case item by item: a lot-controlled SKU without lot is refused, GS1-128 gives lot and expiry
    lpn = (await client.post(f"/api/v1/receipts/{rid}/lpns", headers=h)).json()
    assert lpn["zpl"].startswith("^XA") and lpn["code"] in lpn["zpl"]
    what = await client.post("/api/v1/scans/parse", headers=h, json={"raw": lpn["code"].lower()})
    assert what.status_code == 200 and (what.json()["kind"], what.json()["lpn"]) == ("lpn", lpn["code"])
    what = await client.post("/api/v1/scans/parse", headers=h, json={"raw": "00" + sscc(1)})
    assert (what.json()["kind"], what.json()["lpn"]) == ("sscc", pallet["lpn"])  # the pallet's SSCC names its LPN
    r = await client.post(
        f"/api/v1/receipts/{rid}/scans", headers=h, json={"sku_id": world.skus[f"{A}-SKU2"], "qty": 1}
    )
    assert r.status_code == 422 and r.json()["code"] == "lot_or_expiry_required"
    ok = await client.post(
        f"/api/v1/receipts/{rid}/scans",
        headers=h,
        json={"scan": gs1(gtin14(2), "L7", date(2031, 6, 30), 3), "lpn": lpn["code"]},
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["lines"][0]["status"] == "available" and ok.json()["lines"][0]["qty"] == 3
    expired = await client.post(
        f"/api/v1/receipts/{rid}/scans",
        headers=h,
        json={"scan": gs1(gtin14(2), "L0", date.today() - timedelta(days=3)), "lpn": lpn["code"]},
    )
    assert expired.status_code == 201, expired.text
    line = expired.json()["lines"][0]
    assert line["status"] == "quarantine" and "expired" in line["reason"] and line["lpn"] == ""
    assert expired.json()["tasks"] == []
    dmg = await client.post(
        f"/api/v1/receipts/{rid}/scans",
        headers=h,
        json={"scan": make_gtin13("690000", 1), "qty": 10, "damaged_qty": 2, "lpn": lpn["code"]},
    )
    assert dmg.status_code == 201, dmg.text
    assert sorted((x["status"], x["qty"]) for x in dmg.json()["lines"]) == [("available", 8), ("damaged", 2)]
    qc = (await client.get(f"/api/v1/stock?location_id={world.locations['QC-01']}", headers=sup)).json()["items"]
    assert sorted((s["sku_code"], s["status"], s["on_hand"]) for s in qc) == [
        (f"{A}-SKU1", "damaged", 2),
        (f"{A}-SKU2", "quarantine", 1),
    ]
    over = await client.post(f"/api/v1/receipts/{rid}/scans", headers=h, json={"scan": make_gtin13("690000", 1)})
    assert over.status_code == 409 and over.json()["code"] == "over_receipt" and over.json()["allowed"] == 0
    label = await client.get(f"/api/v1/lpns/{lpn['code']}/label.zpl", headers=h)
    assert label.status_code == 200 and "MIXED" in label.text
    po = (await client.get(f"/api/v1/purchase-orders/{docs['po']['id']}", headers=h)).json()
    assert po["status"] == "partially_received"
    assert [ln["qty_received"] for ln in po["lines"]] == [60, 10, 4]
    # putaway: the pallet by check digits, then the case at another valid location (an override)
    tasks = (await client.get(f"/api/v1/tasks?doc_ref={pallet['receipt']['number']}", headers=sup)).json()["items"]
    assert sorted(t["qty"] for t in tasks) == [3, 8, 60]  # the pallet, and the case's two SKUs
    pallet_task = next(t for t in tasks if t["lpn"] == pallet["lpn"])
    claimed = await client.post(f"/api/v1/tasks/{pallet_task['id']}/claim", headers=h)
    assert claimed.status_code == 201 and claimed.json()["status"] == "claimed"
    other = await login(client, "picker")
    taken = await client.post(f"/api/v1/tasks/{pallet_task['id']}/claim", headers=other)
    assert taken.status_code == 409 and taken.json()["code"] == "task_not_open"
    dest = (await client.get(f"/api/v1/locations/{pallet_task['to_location_id']}", headers=sup)).json()
    wrong = "00" if dest["check_digits"] != "00" else "01"
    url = f"/api/v1/putaway-tasks/{pallet_task['id']}/confirm"
    r = await client.post(url, headers=h, json={"check_digits": wrong})
    assert r.status_code == 422 and r.json()["code"] == "wrong_check_digits"
    r = await client.post(url, headers=h, json={"check_digits": dest["check_digits"]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "done" and r.json()["done_location_id"] == dest["id"] and not r.json()["override"]
    at = (await client.get(f"/api/v1/stock?location_id={dest['id']}", headers=sup)).json()["items"]
    assert (60, "available", pallet["lpn"]) in [(s["on_hand"], s["status"], s["lpn"]) for s in at]
    # the pallet joined the same SKU's stock already there (consolidation)
    assert dest["code"] == "A-01-01-A" and pallet["tasks"][0]["to_location_id"] == dest["id"]
    moves = (await client.get(f"/api/v1/movements?lpn={pallet['lpn']}", headers=sup)).json()["items"]
    assert sorted(m["reason"] for m in moves) == ["putaway", "receipt"]
    assert {m["doc_ref"] for m in moves} == {pallet["receipt"]["number"], f"TASK-{pallet_task['id']}"}
    # the case: a blocked location is refused with a new suggestion; then a valid other location is an override
    case_tasks = [t for t in tasks if t["lpn"] == lpn["code"]]
    case_task = case_tasks[0]
    await client.post(f"/api/v1/tasks/{case_task['id']}/claim", headers=h)
    blocked = world.locations["A-01-09-A"]
    assert (
        await client.patch(
            f"/api/v1/locations/{blocked}/block", headers=sup, json={"blocked": True, "reason": "broken beam"}
        )
    ).status_code == 200
    r = await client.post(f"/api/v1/putaway-tasks/{case_task['id']}/confirm", headers=h, json={"location": "A-01-09-A"})
    assert r.status_code == 409 and r.json()["code"] == "location_blocked" and r.json()["suggested_location"]
    full = dest["code"]  # holds the pallet of another SKU now
    r = await client.post(f"/api/v1/putaway-tasks/{case_task['id']}/confirm", headers=h, json={"location": full})
    assert r.status_code == 409 and r.json()["code"] == "location_unsuitable"
    elsewhere = "B-03-09-B"
    r = await client.post(f"/api/v1/putaway-tasks/{case_task['id']}/confirm", headers=h, json={"location": elsewhere})
    assert r.status_code == 200, r.text
    assert r.json()["override"] is True and r.json()["done_location_id"] == world.locations[elsewhere]
    # closing records what came short
    closed = await client.post(f"/api/v1/receipts/{rid}/close", headers=h)
    assert closed.status_code == 200, closed.text
    disc = {(d["kind"], d["expected"], d["received"]) for d in closed.json()["discrepancies"]}
    assert disc == {("short", 40, 0), ("short", 5, 4)}
    after = await client.post(f"/api/v1/receipts/{rid}/scans", headers=h, json={"scan": sscc(2)})
    assert after.status_code == 409 and after.json()["code"] == "receipt_closed"


async def test_po_and_blind_receipts_tolerance_and_shelf_life(client, world: World):
    key = {"X-API-Key": world.api_keys[A]}
    await client.post("/api/v1/suppliers", headers=key, json={"code": "S", "name": "S"})
    po = (
        await client.post(
            "/api/v1/purchase-orders",
            headers=key,
            json={
                "warehouse_id": world.warehouse_id,
                "supplier_code": "S",
                "number": "PO-9",
                "open": True,
                "lines": [{"sku_code": f"{A}-SKU0", "qty": 10}],
            },
        )
    ).json()
    h = await login(client, "receiver")
    rc = (
        await client.post("/api/v1/receipts", headers=h, json={"warehouse_id": world.warehouse_id, "po_id": po["id"]})
    ).json()
    url = f"/api/v1/receipts/{rc['id']}/scans"
    ean = make_gtin13("690000", 0)
    assert (await client.post(url, headers=h, json={"scan": ean, "qty": 10})).status_code == 201
    r = await client.post(url, headers=h, json={"scan": ean, "qty": 1})
    assert r.status_code == 409 and r.json()["code"] == "over_receipt"
    r = await client.post(url, headers=h, json={"scan": make_gtin13("690000", 1), "qty": 1})
    assert r.status_code == 422 and r.json()["code"] == "not_on_po"
    got = (await client.get(f"/api/v1/purchase-orders/{po['id']}", headers=key)).json()
    assert got["status"] == "received"
    # only a supervisor may approve more than the tolerance; it is recorded, and is a discrepancy on close
    r = await client.post(url, headers=h, json={"scan": ean, "qty": 2, "approve_over_receipt": True})
    assert r.status_code == 403
    sup = await login(client, "supervisor")
    r = await client.post(url, headers=sup, json={"scan": ean, "qty": 2, "approve_over_receipt": True})
    assert r.status_code == 201, r.text
    assert "approved by supervisor" in r.json()["lines"][0]["reason"]
    closed = (await client.post(f"/api/v1/receipts/{rc['id']}/close", headers=h)).json()
    assert [(d["kind"], d["expected"], d["received"]) for d in closed["discrepancies"]] == [("over", 10, 12)]
    # blind: any SKU of the owner; short-dated by the owner's minimum shelf life goes to quarantine
    blind = await client.post("/api/v1/receipts", headers=h, json={"warehouse_id": world.warehouse_id})
    assert blind.status_code == 422 and blind.json()["code"] == "owner_required"
    blind = (
        await client.post(
            "/api/v1/receipts", headers=h, json={"warehouse_id": world.warehouse_id, "owner_id": world.owners[A]}
        )
    ).json()
    soon = date.today() + timedelta(days=2)
    r = await client.post(
        f"/api/v1/receipts/{blind['id']}/scans", headers=h, json={"scan": gs1(gtin14(2), "S1", soon, 4)}
    )
    assert r.status_code == 201 and r.json()["lines"][0]["status"] == "available"  # owner A has no minimum
    r = await client.post(f"/api/v1/receipts/{blind['id']}/scans", headers=h, json={"scan": "0109999999999994"})
    assert r.status_code == 422 and r.json()["code"] == "unknown_barcode" and "09999999999994" in r.json()["detail"]


async def test_tasks_claim_reassign_cancel(client, world: World):
    h = await login(client, "receiver")
    sup = await login(client, "supervisor")
    blind = (
        await client.post(
            "/api/v1/receipts", headers=h, json={"warehouse_id": world.warehouse_id, "owner_id": world.owners[A]}
        )
    ).json()
    for n in (0, 1):
        r = await client.post(
            f"/api/v1/receipts/{blind['id']}/scans", headers=h, json={"scan": make_gtin13("690000", n), "qty": 5}
        )
        assert r.status_code == 201
    first = await client.post(
        "/api/v1/tasks/claim", headers=h, json={"warehouse_id": world.warehouse_id, "type": "putaway"}
    )
    picker = await login(client, "picker")
    second = await client.post("/api/v1/tasks/claim", headers=picker, json={"warehouse_id": world.warehouse_id})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    none = await client.post("/api/v1/tasks/claim", headers=sup, json={"warehouse_id": world.warehouse_id})
    assert none.status_code == 404 and none.json()["code"] == "no_task"
    tid = first.json()["id"]
    assert (await client.post(f"/api/v1/tasks/{tid}/start", headers=picker)).json()["code"] == "task_held_by_other"
    assert (await client.post(f"/api/v1/tasks/{tid}/start", headers=h)).json()["status"] == "in_progress"
    back = await client.post(f"/api/v1/tasks/{tid}/reassign", headers=sup, json={"user_id": None})
    assert back.json()["status"] == "open" and back.json()["assignee_id"] is None
    r = await client.post(f"/api/v1/tasks/{tid}/cancel", headers=sup, json={"note": "goods returned to supplier"})
    assert r.json()["status"] == "cancelled"
    r = await client.post(f"/api/v1/tasks/{tid}/cancel", headers=sup, json={"note": "again"})
    assert r.status_code == 409 and r.json()["code"] == "task_final"
    assert (await client.post(f"/api/v1/tasks/{tid}/claim", headers=h)).status_code == 409
    # a supervisor override of the destination is checked and recorded
    other = second.json()
    r = await client.post(f"/api/v1/putaway-tasks/{other['id']}/destination", headers=sup, json={"location": "PACK-01"})
    assert r.status_code == 422 and r.json()["code"] == "location_unsuitable"
    r = await client.post(
        f"/api/v1/putaway-tasks/{other['id']}/destination",
        headers=sup,
        json={"location": "B-03-05-A", "note": "fast lane"},
    )
    assert r.status_code == 200 and r.json()["override"] and r.json()["to_location_code"] == "B-03-05-A"
    assert r.json()["details"]["suggested_location_id"] == other["to_location_id"]


async def test_blocked_suggestion_gets_a_new_one_and_following_it_is_no_override(client, world: World):
    h = await login(client, "receiver")
    sup = await login(client, "supervisor")
    blind = (
        await client.post(
            "/api/v1/receipts", headers=h, json={"warehouse_id": world.warehouse_id, "owner_id": world.owners[A]}
        )
    ).json()
    got = await client.post(
        f"/api/v1/receipts/{blind['id']}/scans", headers=h, json={"scan": make_gtin13("690000", 1), "qty": 5}
    )
    task = got.json()["tasks"][0]
    first = task["to_location_id"]
    await client.post(f"/api/v1/tasks/{task['id']}/claim", headers=h)
    r = await client.patch(f"/api/v1/locations/{first}/block", headers=sup, json={"blocked": True, "reason": "spill"})
    assert r.status_code == 200
    loc = (await client.get(f"/api/v1/locations/{first}", headers=sup)).json()
    r = await client.post(
        f"/api/v1/putaway-tasks/{task['id']}/confirm", headers=h, json={"check_digits": loc["check_digits"]}
    )
    assert r.status_code == 409 and r.json()["code"] == "location_blocked", r.text
    new, new_id = r.json()["suggested_location"], r.json()["suggested_location_id"]
    assert new and r.json()["suggested_location_id"] != first and new in r.json()["detail"]
    r = await client.post(f"/api/v1/putaway-tasks/{task['id']}/confirm", headers=h, json={"location": new})
    assert r.status_code == 200, r.text
    assert r.json()["override"] is False  # following the new suggestion is no override
    assert r.json()["done_location_id"] == new_id
    stock = (await client.get(f"/api/v1/stock?location={new}&warehouse_id={world.warehouse_id}", headers=sup)).json()
    assert [(s["sku_code"], s["on_hand"]) for s in stock["items"]] == [(f"{A}-SKU1", 5)]
    # a location full of another SKU is refused, naming where to go instead
    second = await client.post(
        f"/api/v1/receipts/{blind['id']}/scans", headers=h, json={"scan": make_gtin13("690000", 0), "qty": 5}
    )
    t2 = second.json()["tasks"][0]
    await client.post(f"/api/v1/tasks/{t2['id']}/claim", headers=h)
    r = await client.post(f"/api/v1/putaway-tasks/{t2['id']}/confirm", headers=h, json={"location": new})
    assert (
        r.status_code == 409 and r.json()["code"] == "location_unsuitable" and "holds other goods" in r.json()["detail"]
    )


async def test_receiving_and_putaway_publish_events_after_commit(sqlite_url: str) -> None:
    import asyncio
    import contextlib
    import json

    from litestar.channels import ChannelsPlugin
    from litestar.testing import AsyncTestClient

    from server.app import create_app
    from tests.conftest import make_settings
    from tests.world import build_world

    world = await build_world(sqlite_url)
    app = create_app(make_settings(sqlite_url))
    got: list[tuple[str, str]] = []
    async with AsyncTestClient(app=app) as c:
        channels = app.plugins.get(ChannelsPlugin)
        async with channels.start_subscription(["inbound", "tasks"]) as sub:
            h = await login(c, "receiver")
            rc = (
                await c.post(
                    "/api/v1/receipts",
                    headers=h,
                    json={"warehouse_id": world.warehouse_id, "owner_id": world.owners[A]},
                )
            ).json()
            url = f"/api/v1/receipts/{rc['id']}/scans"
            refused = await c.post(url, headers=h, json={"sku_id": world.skus[f"{A}-SKU2"], "qty": 1})
            assert refused.status_code == 422  # no lot: nothing happened, nothing is heard
            ok = await c.post(url, headers=h, json={"scan": make_gtin13("690000", 0), "qty": 3})
            task = ok.json()["tasks"][0]
            await c.post(f"/api/v1/tasks/{task['id']}/claim", headers=h)
            digits = await label_check_digits(c, task["to_location_id"])
            done = await c.post(f"/api/v1/putaway-tasks/{task['id']}/confirm", headers=h, json={"check_digits": digits})
            assert done.status_code == 200

            async def collect() -> None:
                async for msg in sub.iter_events():
                    e = json.loads(msg)
                    got.append((e["event"], str(e.get("qty", e.get("status", "")))))

            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(collect(), timeout=1.5)
    assert got == [
        ("receipt_started", ""),
        ("received", "3"),
        ("created", "open"),
        ("claimed", "claimed"),
        ("done", "done"),
        ("put_away", "3"),
    ], got


async def test_putaway_keeps_a_sku_in_its_storage_zone(client, world: World):
    sup = await login(client, "supervisor")
    sku_id = world.skus[f"{A}-SKU0"]
    r = await client.patch(f"/api/v1/skus/{sku_id}", headers=sup, json={"storage_zone": "B"})
    assert r.status_code == 200 and r.json()["storage_zone"] == "B"
    h = await login(client, "receiver")
    rc = (
        await client.post(
            "/api/v1/receipts", headers=h, json={"warehouse_id": world.warehouse_id, "owner_id": world.owners[A]}
        )
    ).json()
    got = await client.post(f"/api/v1/receipts/{rc['id']}/scans", headers=h, json={"sku_id": sku_id, "qty": 2})
    assert got.status_code == 201, got.text
    (task,) = got.json()["tasks"]
    dest = (await client.get(f"/api/v1/locations/{task['to_location_id']}", headers=sup)).json()
    zone_b = (await client.get(f"/api/v1/warehouses/{world.warehouse_id}/zones", headers=sup)).json()["items"]
    assert dest["zone_id"] == next(z["id"] for z in zone_b if z["code"] == "B")  # not the nearer zone A
