"""Issue 6 "done when", over HTTP against a real multi-process server on PostgreSQL.

PO -> ASN with two SSCC pallets and a mixed case -> one pallet received by its SSCC, the case item by item from
GS1-128 scans with lot and expiry (one item expired) -> putaway to the suggested locations confirmed by check
digits -> stock available there, the expired item in quarantine, the PO partially received, ledger and `wes audit`
consistent, replayed scans change nothing. Then two receivers on the same PO line at once never pass tolerance,
and parallel claims never hand one task to two workers.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from typing import Any

import httpx

from server.catalog.rules import make_gtin13
from tests.integration.test_concurrency import _token, pg_world, server  # noqa: F401  (fixtures)
from tests.servers import ROOT
from tests.world import World, sscc_for

A = "OWNA"


def _gs1(gtin13: str, *, lot: str | None = None, expiry: date | None = None, count: int | None = None) -> str:
    """A GS1-128 scan as a scanner sends it: symbology identifier, fixed-length AIs first, FNC1 (GS) after lot."""
    raw = "]C1" + f"010{gtin13}"
    if expiry is not None:
        raw += f"17{expiry:%y%m%d}"
    if lot is not None:
        raw += f"10{lot}" + ("\x1d" if count is not None else "")
    if count is not None:
        raw += f"37{count}"
    return raw


def _audit(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "audit"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "WES_DATABASE_URL": url},
        timeout=120,
    )


def test_po_asn_receive_putaway_end_to_end(server: str, pg_world: tuple[str, World]) -> None:  # noqa: F811
    url, world = pg_world
    wh = world.warehouse_id

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server, timeout=60) as c:
            key = {"X-API-Key": world.api_keys[A]}
            sup = await _token(c, "supervisor")
            rcv_login = await c.post(
                "/api/v1/auth/login",
                json={"username": "receiver", "password": "secret-pass-1", "device_code": "PDA-T1"},
            )
            rcv = {"Authorization": f"Bearer {rcv_login.json()['token']}"}
            # purchasing and the ASN come from the owner's ERP (its API key)
            assert (
                await c.post("/api/v1/suppliers", headers=key, json={"code": "ACME", "name": "Acme"})
            ).status_code == 201
            po = await c.post(
                "/api/v1/purchase-orders",
                headers=key,
                json={
                    "warehouse_id": wh,
                    "supplier_code": "ACME",
                    "number": "PO-1001",
                    "open": True,
                    "lines": [
                        {"sku_code": f"{A}-SKU0", "qty": 100},
                        {"sku_code": f"{A}-SKU1", "qty": 6},
                        {"sku_code": f"{A}-SKU2", "qty": 4},
                    ],
                },
            )
            assert po.status_code == 201, po.text
            p1, p2, case = sscc_for(1), sscc_for(2), sscc_for(3)
            good_expiry = date.today() + timedelta(days=400)
            asn = await c.post(
                "/api/v1/asns",
                headers=key,
                json={
                    "warehouse_id": wh,
                    "number": "ASN-1001",
                    "units": [
                        {
                            "sscc": p1,
                            "items": [{"po_number": "PO-1001", "po_line_no": 1, "sku_code": f"{A}-SKU0", "qty": 60}],
                        },
                        {
                            "sscc": p2,
                            "items": [{"po_number": "PO-1001", "po_line_no": 1, "sku_code": f"{A}-SKU0", "qty": 40}],
                        },
                        {
                            "sscc": case,
                            "items": [
                                {"po_number": "PO-1001", "po_line_no": 2, "sku_code": f"{A}-SKU1", "qty": 6},
                                {
                                    "po_number": "PO-1001",
                                    "po_line_no": 3,
                                    "sku_code": f"{A}-SKU2",
                                    "lot": "L9",
                                    "expiry": good_expiry.isoformat(),
                                    "qty": 4,
                                },
                            ],
                        },
                    ],
                },
            )
            assert asn.status_code == 201, asn.text
            receipt = await c.post(
                "/api/v1/receipts", headers=rcv, json={"warehouse_id": wh, "asn_id": asn.json()["id"]}
            )
            assert receipt.status_code == 201, receipt.text
            rid, number = receipt.json()["id"], receipt.json()["number"]
            scans = f"/api/v1/receipts/{rid}/scans"

            async def scan(idem: str, body: dict[str, Any]) -> httpx.Response:
                return await c.post(scans, headers={**rcv, "Idempotency-Key": idem}, json=body)

            # the handheld first asks what it scanned, then receives the pallet by its SSCC
            what = await c.post("/api/v1/scans/parse", headers=rcv, json={"raw": "]C100" + p1, "warehouse_id": wh})
            assert what.status_code == 200 and what.json()["kind"] == "sscc" and what.json()["sscc"] == p1
            pallet = await scan("k-pallet", {"scan": "]C100" + p1})
            assert pallet.status_code == 201, pallet.text
            pallet_lpn = pallet.json()["lpn"]
            assert [(ln["qty"], ln["status"], ln["sscc"]) for ln in pallet.json()["lines"]] == [(60, "available", p1)]
            # the mixed case item by item onto one new LPN (its label as ZPL), lot and expiry from GS1-128
            lpn = await c.post(f"/api/v1/receipts/{rid}/lpns", headers={**rcv, "Idempotency-Key": "k-lpn"})
            assert lpn.status_code == 201 and lpn.json()["zpl"].startswith("^XA")
            case_lpn = lpn.json()["code"]
            sku1, sku2 = make_gtin13("690000", 1), make_gtin13("690000", 2)
            r = await scan("k-1", {"scan": _gs1(sku1, count=6), "lpn": case_lpn})
            assert r.status_code == 201, r.text
            for i in range(3):
                r = await scan(f"k-2-{i}", {"scan": _gs1(sku2, lot="L9", expiry=good_expiry), "lpn": case_lpn})
                assert r.status_code == 201 and r.json()["lines"][0]["status"] == "available", r.text
            expired = await scan(
                "k-2-x", {"scan": _gs1(sku2, lot="L8", expiry=date.today() - timedelta(days=10)), "lpn": case_lpn}
            )
            assert expired.status_code == 201, expired.text
            assert expired.json()["lines"][0]["status"] == "quarantine"
            assert "expired" in expired.json()["lines"][0]["reason"]
            label = await c.get(f"/api/v1/lpns/{case_lpn}/label.zpl", headers=rcv)
            assert label.status_code == 200 and case_lpn in label.text and "QTY 9" in label.text

            # replays: the same scans with their keys return the first replies and change nothing
            async def snapshot() -> list[tuple[Any, ...]]:
                r = await c.get(f"/api/v1/stock?limit=1000&owner_id={world.owners[A]}", headers=sup)
                return sorted(
                    (s["sku_id"], s["location_id"], s["lot"], s["lpn"], s["status"], s["on_hand"])
                    for s in r.json()["items"]
                )

            before = await snapshot()
            replay = await scan("k-pallet", {"scan": "]C100" + p1})
            assert replay.text == pallet.text and replay.headers["idempotent-replayed"] == "true"
            replay = await scan("k-2-0", {"scan": _gs1(sku2, lot="L9", expiry=good_expiry), "lpn": case_lpn})
            assert replay.headers["idempotent-replayed"] == "true"
            assert await snapshot() == before
            rescan = await c.post(scans, headers=rcv, json={"scan": p1})  # the pallet again, new key: refused
            assert rescan.status_code == 409 and rescan.json()["code"] == "already_received"

            # putaway: three tasks (the pallet, and the case's two SKUs), each to its suggested location
            tasks = (await c.get(f"/api/v1/tasks?doc_ref={number}&type=putaway", headers=sup)).json()["items"]
            assert sorted(t["qty"] for t in tasks) == [3, 6, 60]
            assert all(t["to_location_id"] for t in tasks)
            put: dict[int, tuple[int, int, str]] = {}
            for _ in tasks:
                claimed = await c.post(
                    "/api/v1/tasks/claim",
                    headers={**rcv, "Idempotency-Key": f"claim-{_['id']}"},
                    json={"warehouse_id": wh, "type": "putaway"},
                )
                assert claimed.status_code == 201, claimed.text
                t = claimed.json()
                loc = (await c.get(f"/api/v1/locations/{t['to_location_id']}", headers=sup)).json()
                assert loc["code"] == t["to_location_code"]
                done = await c.post(
                    f"/api/v1/putaway-tasks/{t['id']}/confirm",
                    headers={**rcv, "Idempotency-Key": f"put-{t['id']}"},
                    json={"check_digits": loc["check_digits"]},
                )
                assert done.status_code == 200, done.text
                assert done.json()["status"] == "done" and not done.json()["override"]
                put[t["id"]] = (t["to_location_id"], t["qty"], t["lpn"])
            assert {lp for _, _, lp in put.values()} == {pallet_lpn, case_lpn}

            # stock available at those locations; the dock is empty; quarantine holds the expired item
            for loc_id, qty, lp in put.values():
                rows = (await c.get(f"/api/v1/stock?location_id={loc_id}&lpn={lp}", headers=key)).json()["items"]
                assert [(s["on_hand"], s["status"]) for s in rows] == [(qty, "available")], rows
            dock = world.locations["RCV-01"]
            assert (await c.get(f"/api/v1/stock?location_id={dock}", headers=key)).json()["items"] == []
            qc = world.locations["QC-01"]
            held = (await c.get(f"/api/v1/stock?location_id={qc}", headers=key)).json()["items"]
            assert [(s["sku_code"], s["on_hand"], s["status"], s["lot"]) for s in held] == [
                (f"{A}-SKU2", 1, "quarantine", "L8")
            ]
            expired_move = (await c.get(f"/api/v1/movements?location_id={qc}", headers=key)).json()["items"]
            assert [(m["reason"], m["doc_ref"], m["to_status"]) for m in expired_move] == [
                ("receipt", number, "quarantine")
            ]
            assert "expired" in expired_move[0]["note"]
            # the PO is partially received (the second pallet has not come), line by line
            got = (await c.get(f"/api/v1/purchase-orders/{po.json()['id']}", headers=key)).json()
            assert got["status"] == "partially_received"
            assert [ln["qty_received"] for ln in got["lines"]] == [60, 6, 4]
            # the ledger: receipts reference the receipt, putaways their tasks, and they add up
            ledger = (await c.get(f"/api/v1/movements?doc_ref={number}&limit=100", headers=key)).json()["items"]
            assert {m["reason"] for m in ledger} == {"receipt"} and sum(m["qty"] for m in ledger) == 60 + 6 + 4
            for tid, (loc_id, qty, _) in put.items():
                mv = (await c.get(f"/api/v1/movements?doc_ref=TASK-{tid}", headers=key)).json()["items"]
                assert [(m["reason"], m["qty"], m["from_location_id"], m["to_location_id"]) for m in mv] == [
                    ("putaway", qty, dock, loc_id)
                ]
            # closing the receipt records the pallet that did not come
            closed = await c.post(f"/api/v1/receipts/{rid}/close", headers=rcv)
            assert {(d["kind"], d["expected"], d["received"]) for d in closed.json()["discrepancies"]} == {
                ("short", 40, 0)
            }

    asyncio.run(run())
    audit = _audit(url)
    assert audit.returncode == 0 and "Audit clean" in audit.stdout, audit.stdout + audit.stderr


def test_two_receivers_on_one_po_line_never_pass_tolerance(server: str, pg_world: tuple[str, World]) -> None:  # noqa: F811
    url, world = pg_world
    wh = world.warehouse_id

    async def run() -> tuple[list[httpx.Response], int, list[httpx.Response]]:
        async with httpx.AsyncClient(base_url=server, timeout=120) as c:
            admin = await _token(c, "admin")
            owner = await c.post(
                "/api/v1/owners",
                headers=admin,
                json={"code": "TOL", "name": "Tolerant", "over_receipt_tolerance_pct": 10},
            )
            assert owner.status_code == 201 and owner.json()["over_receipt_tolerance_pct"] == 10, owner.text
            oid = owner.json()["id"]
            ean = make_gtin13("777000", 1)
            sku = await c.post(
                "/api/v1/skus",
                headers=admin,
                json={
                    "owner_id": oid,
                    "code": "TOL-1",
                    "name": "x",
                    "length_mm": 50,
                    "width_mm": 50,
                    "height_mm": 50,
                    "barcodes": [{"value": ean, "kind": "gtin"}],
                },
            )
            assert sku.status_code == 201, sku.text
            await c.post("/api/v1/suppliers", headers=admin, json={"owner_id": oid, "code": "S", "name": "S"})
            po = await c.post(
                "/api/v1/purchase-orders",
                headers=admin,
                json={
                    "owner_id": oid,
                    "warehouse_id": wh,
                    "supplier_code": "S",
                    "number": "PO-TOL",
                    "open": True,
                    "lines": [{"sku_code": "TOL-1", "qty": 20}],
                },
            )
            assert po.status_code == 201, po.text
            receivers = [await _token(c, "receiver"), await _token(c, "supervisor")]
            receipts = []
            for h in receivers:
                r = await c.post("/api/v1/receipts", headers=h, json={"warehouse_id": wh, "po_id": po.json()["id"]})
                receipts.append(r.json()["id"])
            calls = [
                c.post(
                    f"/api/v1/receipts/{receipts[i % 2]}/scans", headers=receivers[i % 2], json={"scan": ean, "qty": 2}
                )
                for i in range(20)
            ]
            replies = list(await asyncio.gather(*calls))
            line = (await c.get(f"/api/v1/purchase-orders/{po.json()['id']}", headers=admin)).json()["lines"][0]
            # the same pallet scanned by both receivers at once: received exactly once
            pallet = sscc_for(4242)
            asn = await c.post(
                "/api/v1/asns",
                headers=admin,
                json={
                    "owner_id": oid,
                    "warehouse_id": wh,
                    "number": "ASN-TOL",
                    "units": [{"sscc": pallet, "items": [{"sku_code": "TOL-1", "qty": 30}]}],
                },
            )
            assert asn.status_code == 201, asn.text
            on_asn = []
            for h in receivers:
                r = await c.post("/api/v1/receipts", headers=h, json={"warehouse_id": wh, "asn_id": asn.json()["id"]})
                on_asn.append(r.json()["id"])
            same = await asyncio.gather(
                *[
                    c.post(f"/api/v1/receipts/{on_asn[i % 2]}/scans", headers=receivers[i % 2], json={"scan": pallet})
                    for i in range(6)
                ]
            )
            assert sorted(r.status_code for r in same) == [201, 409, 409, 409, 409, 409], [r.text for r in same]
            assert {r.json()["code"] for r in same if r.status_code == 409} == {"already_received"}
            got = (await c.get(f"/api/v1/asns/{asn.json()['id']}", headers=admin)).json()["lines"][0]
            assert got["qty_received"] == 30
            # parallel claims of the putaway tasks those receipts made: never one task to two workers
            workers = [await _token(c, u) for u in ("receiver", "picker", "packer", "supervisor")]
            claims = [
                c.post("/api/v1/tasks/claim", headers=workers[i % 4], json={"warehouse_id": wh, "type": "putaway"})
                for i in range(18)
            ]
            return replies, line["qty_received"], list(await asyncio.gather(*claims))

    replies, received, claims = asyncio.run(run())
    statuses = Counter(r.status_code for r in replies)
    # 20 ordered + 10 % = 22 at most; 2 units a scan -> 11 scans succeed, 9 are refused with over_receipt
    assert statuses == Counter({201: 11, 409: 9}), statuses
    assert {r.json()["code"] for r in replies if r.status_code == 409} == {"over_receipt"}
    assert received == 22
    ok = [r.json()["id"] for r in claims if r.status_code == 201]
    assert len(ok) == len(set(ok)) == 12  # 11 receipts of the PO line and the one pallet
    assert {r.json()["code"] for r in claims if r.status_code != 201} == {"no_task"}
    audit = _audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
