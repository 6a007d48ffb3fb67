"""Done-when of billing, over HTTP against PostgreSQL: a month (October 2026) of activity for two owners —
receipts, storage day by day, orders picked, packed and shipped, a return, value-added-service tasks — is billed
from events the system derives (none typed in). Each invoice line lists the events behind it; the totals are the
hand-computed figures below; deriving and issuing again gives the same invoice; an issued invoice stays as it was
after later activity and a rate change; a credit note corrects it; owner A never sees owner B's invoice; the CSV
and PDF downloads are valid (the PDF with a Chinese owner name).

Activity happens on chosen days: the server's clock (``server.db.base.Clock``, read by every timestamp the
services write) is moved to that day before the requests, and put back afterwards."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from pypdf import PdfReader

from server.app import create_app
from server.billing.jobs import storage_snapshot_job
from server.db.base import Clock
from server.db.engine import create_engine, create_session_factory
from server.jobs.queue import CRON_JOBS, FUNCTIONS
from tests.conftest import make_settings
from tests.inventory_helpers import GTIN, token
from tests.shipping_helpers import ShippingSetup, pick_orders, setup_shipping, ship_orders
from tests.world import World, build_world

MONTH = "2026-10"
DAYS = [date(2026, 10, d) for d in range(1, 32)]

CARD_A: dict[str, Any] = {
    "currency": "CNY",
    "valid_from": "2026-01-01",
    "rates": {
        "inbound.receipt": "10.00",
        "inbound.line": "1.00",
        "inbound.unit": "0.20",
        "inbound.lpn": "3.00",
        "outbound.order": "2.50",
        "outbound.line": "0.50",
        "outbound.unit": "0.30",
        "outbound.carton": "1.00",
        "outbound.label": "0.10",
        "storage.pallet_day": "1.20",
        "returns.receipt": "5.00",
        "returns.unit": "0.40",
        "vas.KITTING": "0.80",
        "vas.RELABEL": "0.15",
    },
    "minimum_monthly": "100",
}
B_RATES = {
    "inbound.receipt": "8.00",
    "inbound.unit": "0.25",
    "outbound.order": "3.00",
    "outbound.unit": "0.20",
    "storage.m3_day": "9.00",
    "vas.RELABEL": "0.10",
}
CARD_B1 = {
    "currency": "CNY",
    "valid_from": "2026-01-01",
    "valid_to": "2026-10-15",
    "rates": B_RATES,
    "minimum_monthly": "500",
}
CARD_B2 = {**CARD_B1, "valid_from": "2026-10-16", "valid_to": None, "rates": {**B_RATES, "outbound.order": "3.50"}}

# Hand-computed (SKU dimensions 100 x 80 x 50 mm = 0.0004 m3 a unit).
# Owner A, card A:
#   inbound: 1 receipt x 10.00 + 1 line (one SKU) x 1.00 + 50 units x 0.20 + 2 LPNs x 3.00         = 27.00
#   outbound: 2 orders x 2.50 + 3 lines x 0.50 + 6 units x 0.30 + 2 cartons x 1.00 + 4 labels x 0.10 = 10.70
#   storage: pallet positions (LPNs, plus locations holding loose units) at each day's end:
#     Oct 1-2: 2 (the two loose locations of the world)                           2 x 2  =   4
#     Oct 3-19: + the 2 received LPNs on the receiving dock                       17 x 4  =  68
#     Oct 20-31: + the returned grade-A unit on its RMA's LPN                     12 x 5  =  60
#     132 pallet-days x 1.20                                                              = 158.40
#   returns: 1 return x 5.00 + 2 units x 0.40                                              =   5.80
#   vas: KITTING 10 x 0.80 + RELABEL 35 (of 40 asked) x 0.15                              =  13.25
#   total 215.15 (over the minimum of 100)
# Owner B, card B1 to Oct 15, B2 from Oct 16 (an order costs 3.50), minimum 500:
#   storage m3-days: 140 units Oct 1-4, 152 Oct 5-11, 148 Oct 12-17, 147 Oct 18-31
#     = (140 x 4 + 152 x 7 + 148 x 6 + 147 x 14) x 0.0004 = 4570 x 0.0004 = 1.828 m3-days x 9.00 = 16.452 -> 16.45
#   inbound: 1 receipt x 8.00 + 12 units x 0.25 = 11.00 (B pays no line or LPN charge: its card has none)
#   outbound: 1 order x 3.00 (Oct 12) + 1 order x 3.50 (Oct 18) + 5 units x 0.20 = 7.50
#   vas: RELABEL 12 x 0.10 = 1.20
#   36.15 -> the minimum tops it up by 463.85 to 500.00
EXPECTED_A = [
    ("inbound.line", "1.00", "1", "1.00"),
    ("inbound.lpn", "3.00", "2", "6.00"),
    ("inbound.receipt", "10.00", "1", "10.00"),
    ("inbound.unit", "0.20", "50", "10.00"),
    ("outbound.carton", "1.00", "2", "2.00"),
    ("outbound.label", "0.10", "4", "0.40"),
    ("outbound.line", "0.50", "3", "1.50"),
    ("outbound.order", "2.50", "2", "5.00"),
    ("outbound.unit", "0.30", "6", "1.80"),
    ("returns.receipt", "5.00", "1", "5.00"),
    ("returns.unit", "0.40", "2", "0.80"),
    ("storage.pallet_day", "1.20", "132", "158.40"),
    ("vas.KITTING", "0.80", "10", "8.00"),
    ("vas.RELABEL", "0.15", "35", "5.25"),
]
EXPECTED_B = [
    ("inbound.receipt", "8.00", "1", "8.00"),
    ("inbound.unit", "0.25", "12", "3.00"),
    ("outbound.order", "3.00", "1", "3.00"),
    ("outbound.order", "3.50", "1", "3.50"),
    ("outbound.unit", "0.20", "5", "1.00"),
    ("storage.m3_day", "9.00", "1.828", "16.45"),
    ("vas.RELABEL", "0.10", "12", "1.20"),
    ("minimum.monthly", "463.85", "1", "463.85"),
]


def travel(day: date, hour: int = 9) -> None:
    """Move the server's clock to ``day`` at ``hour`` UTC (it keeps ticking from there)."""
    Clock.offset = datetime.combine(day, time(hour), UTC) - datetime.now(UTC)


@pytest.fixture
def clock() -> Iterator[None]:
    yield
    Clock.offset = timedelta(0)


@pytest.fixture
async def month(pg_url: str, clock: None) -> AsyncIterator[tuple[str, World, Any]]:
    travel(DAYS[0], 8)
    world = await build_world(pg_url)  # the world's stock arrives on October 1
    async with AsyncTestClient(app=create_app(make_settings(pg_url))) as c:
        yield pg_url, world, c


def _lines(invoice: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (ln["charge_code"], f"{D(ln['rate']):.2f}", f"{D(ln['qty']).normalize():f}", f"{D(ln['amount']):.2f}")
        for ln in invoice["lines"]
    ]


async def _receive(c: Any, world: World, receiver: dict[str, str], owner: str, scans: list[int]) -> dict[str, Any]:
    """A blind receipt of ``owner``'s SKU1, one new LPN per scan, closed."""
    r = await c.post(
        "/api/v1/receipts",
        json={"warehouse_id": world.warehouse_id, "owner_id": world.owners[owner]},
        headers=receiver,
    )
    assert r.status_code == 201, r.text
    receipt = r.json()
    for qty in scans:
        r = await c.post(
            f"/api/v1/receipts/{receipt['id']}/scans",
            json={"sku_id": world.skus[f"{owner}-SKU1"], "qty": qty},
            headers=receiver,
        )
        assert r.status_code in (200, 201), r.text
    r = await c.post(f"/api/v1/receipts/{receipt['id']}/close", headers=receiver)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _vas(
    c: Any, world: World, who: dict[str, str], owner: str, code: str, qty: int, done: int | None = None
) -> int:
    """Ask for a value-added service, then a worker claims it and confirms it done."""
    body: dict[str, Any] = {"warehouse_id": world.warehouse_id, "service_code": code, "qty": qty}
    if "Authorization" in who:
        body["owner_id"] = world.owners[owner]
    r = await c.post("/api/v1/vas-tasks", json=body, headers=who)
    assert r.status_code == 201, r.text
    task_id = int(r.json()["id"])
    picker = await token(c, "picker")
    assert (await c.post(f"/api/v1/tasks/{task_id}/claim", headers=picker)).status_code == 201
    r = await c.post(f"/api/v1/vas-tasks/{task_id}/done", json={"qty": done}, headers=picker)
    assert r.status_code == 200 and r.json()["status"] == "done", r.text
    return task_id


async def _ship(
    c: Any, world: World, setup: ShippingSetup, orders: list[tuple[str, str, list[tuple[str, int]]]]
) -> list[int]:
    ids = await pick_orders(c, world, [(o, ref, lines, {"carrier": "POST"}) for o, ref, lines in orders])
    await ship_orders(c, world, ids, setup)
    return ids


async def _snapshots(url: str) -> None:
    """The scheduled job, run for every day of the month (as the cron would have, one night after another)."""
    engine = create_engine(url)
    try:
        ctx = {"session_factory": create_session_factory(engine)}
        for day in DAYS:
            got = await storage_snapshot_job(ctx, day=day.isoformat())
            assert got["day"] == day.isoformat() and got["snapshots"] == 2
    finally:
        await engine.dispose()


def test_the_snapshot_job_is_on_the_queue_every_night() -> None:
    assert storage_snapshot_job in FUNCTIONS
    [cron] = [j for j in CRON_JOBS if j.function is storage_snapshot_job]
    assert cron.cron == "10 0 * * *"


async def test_a_month_of_two_owners_is_invoiced_from_derived_events(
    month: tuple[str, World, Any], tmp_path: Path
) -> None:
    url, world, c = month
    a, b = world.owners["OWNA"], world.owners["OWNB"]
    admin, sup = await token(c, "admin"), await token(c, "supervisor")
    receiver = await token(c, "receiver")
    key_a, key_b = {"X-API-Key": world.api_keys["OWNA"]}, {"X-API-Key": world.api_keys["OWNB"]}
    # a Chinese owner name must print on the PDF
    r = await c.patch(f"/api/v1/owners/{b}", json={"name": "上海贝塔贸易有限公司"}, headers=admin)
    assert r.status_code == 200, r.text

    # rate cards: admin only; overlapping validity and unknown codes refused
    for owner, card in ((a, CARD_A), (b, CARD_B1), (b, CARD_B2)):
        r = await c.post("/api/v1/billing/rate-cards", json={**card, "owner_id": owner}, headers=admin)
        assert r.status_code == 201, r.text
    card_a = r.json()["id"] - 2
    r = await c.post(
        "/api/v1/billing/rate-cards",
        json={**CARD_B2, "owner_id": b, "valid_from": "2026-12-01", "rates": {"teleport.unit": "1"}},
        headers=admin,
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_rate_card" and len(r.json()["errors"]) == 2, r.text
    r = await c.post("/api/v1/billing/rate-cards", json={**CARD_A, "owner_id": a}, headers=sup)
    assert r.status_code == 403

    setup = await setup_shipping(c, world, sup, printer=f"file://{tmp_path}/labels.zpl")
    task_ids: dict[str, list[int]] = {"OWNA": [], "OWNB": []}

    travel(date(2026, 10, 3), 9)
    receipt_a = await _receive(c, world, receiver, "OWNA", [30, 20])
    travel(date(2026, 10, 5), 10)
    receipt_b = await _receive(c, world, receiver, "OWNB", [12])
    travel(date(2026, 10, 10), 11)
    a_orders = await _ship(c, world, setup, [("OWNA", "A-ORD-1", [("OWNA-SKU0", 3), ("OWNA-SKU2", 1)])])
    a_orders += await _ship(c, world, setup, [("OWNA", "A-ORD-2", [("OWNA-SKU0", 2)])])
    travel(date(2026, 10, 12), 12)
    b_orders = await _ship(c, world, setup, [("OWNB", "B-ORD-1", [("OWNB-SKU0", 4)])])
    travel(date(2026, 10, 15), 13)
    task_ids["OWNA"].append(await _vas(c, world, sup, "OWNA", "KITTING", 10))
    task_ids["OWNA"].append(await _vas(c, world, key_a, "OWNA", "RELABEL", 40, done=35))
    travel(date(2026, 10, 18), 14)
    b_orders += await _ship(c, world, setup, [("OWNB", "B-ORD-2", [("OWNB-SKU0", 1)])])
    travel(date(2026, 10, 20), 15)
    r = await c.post(
        "/api/v1/returns", json={"order_id": a_orders[0], "lines": [{"line_no": 1, "qty": 2}]}, headers=key_a
    )
    assert r.status_code == 201, r.text
    rma = r.json()
    for n, grade in enumerate(("A", "C")):
        r = await c.post(
            f"/api/v1/returns/{rma['id']}/receive",
            json={"item": GTIN["OWNA-SKU0"], "qty": 1, "grade": grade},
            headers={**receiver, "Idempotency-Key": f"bill-ret-{n}"},
        )
        assert r.status_code == 200, r.text
    return_receipts = [x["id"] for x in r.json()["receipts"]]
    travel(date(2026, 10, 22), 16)
    task_ids["OWNB"].append(await _vas(c, world, key_b, "OWNB", "RELABEL", 12))

    # November 2: the nightly job has taken each day's storage snapshot; the month is over
    travel(date(2026, 11, 2), 9)
    await _snapshots(url)
    r = await c.post("/api/v1/billing/snapshots", json={"day": "2026-10-20"}, headers=sup)  # again, by hand
    assert r.status_code == 200, r.text
    assert {(s["owner_id"], s["pallets"], s["locations"], s["units"]) for s in r.json()} == {
        (a, 5, 3, 95 + 39 + 50 + 1),
        (b, 1 + 2, 3, 147),  # one LPN and two locations with loose units; dock, B-03-01-A, B-03-02-A
    }
    r = await c.get("/api/v1/billing/snapshots", params={"owner_id": b}, headers=sup)
    snaps_b = {s["day"]: s for s in r.json()["items"]}
    assert [snaps_b[d.isoformat()]["units"] for d in (DAYS[3], DAYS[4], DAYS[11], DAYS[17])] == [140, 152, 148, 147]
    assert D(snaps_b["2026-10-05"]["volume_m3"]) == D("0.0608")

    # preview, issue, issue again: one invoice per owner and period
    r = await c.post("/api/v1/billing/invoices/preview", json={"owner_id": a, "period": MONTH}, headers=sup)
    assert r.status_code == 200, r.text
    preview_a = r.json()
    assert preview_a["status"] == "draft" and preview_a["id"] is None
    assert _lines(preview_a) == EXPECTED_A and D(preview_a["total"]) == D("215.15")
    r = await c.post("/api/v1/billing/invoices", json={"owner_id": a, "period": MONTH}, headers=sup)
    assert r.status_code == 201, r.text
    inv_a = r.json()
    assert inv_a["number"] == "INV-202610-OWNA" and inv_a["status"] == "issued"
    assert _lines(inv_a) == EXPECTED_A and D(inv_a["total"]) == D("215.15")
    assert {k: D(v) for k, v in inv_a["totals_by_type"].items()} == {
        "inbound": D("27.00"),
        "outbound": D("10.70"),
        "storage": D("158.40"),
        "returns": D("5.80"),
        "vas": D("13.25"),
    }
    r = await c.post("/api/v1/billing/invoices", json={"owner_id": b, "period": MONTH}, headers=sup)
    assert r.status_code == 201, r.text
    inv_b = r.json()
    assert _lines(inv_b) == EXPECTED_B and D(inv_b["total"]) == D("500.00")

    # every line is traceable to its events, and each event to what caused it
    src = {ln["charge_code"]: ln for ln in inv_a["lines"]}
    for ln in inv_a["lines"]:
        assert ln["basis"] == "events" and ln["sources"]
        assert sum(D(e["qty"]) for e in ln["sources"]) == D(ln["qty"])
        assert all(e["charge_code"] == ln["charge_code"] and e["owner_id"] == a for e in ln["sources"])
        assert all(e["day"][:7] == MONTH for e in ln["sources"])
    assert [(e["source_type"], e["source_id"], e["source_ref"]) for e in src["inbound.unit"]["sources"]] == [
        ("receipt", str(receipt_a["id"]), receipt_a["number"])
    ]
    assert [(e["source_type"], int(e["source_id"]), e["day"]) for e in src["outbound.order"]["sources"]] == [
        ("order", a_orders[0], "2026-10-10"),
        ("order", a_orders[1], "2026-10-10"),
    ]
    assert [e["source_ref"] for e in src["outbound.order"]["sources"]] == ["A-ORD-1", "A-ORD-2"]
    assert [(e["source_type"], int(e["source_id"])) for e in src["returns.unit"]["sources"]] == [
        ("return_receipt", i) for i in return_receipts
    ]
    assert [(e["source_type"], int(e["source_id"])) for e in src["returns.receipt"]["sources"]] == [("rma", rma["id"])]
    vas_sources = [
        (e["source_type"], int(e["source_id"])) for e in src["vas.KITTING"]["sources"] + src["vas.RELABEL"]["sources"]
    ]
    assert vas_sources == [("task", t) for t in task_ids["OWNA"]]
    storage = src["storage.pallet_day"]["sources"]
    assert [e["day"] for e in storage] == [d.isoformat() for d in DAYS]
    assert [int(D(e["qty"])) for e in storage] == [2] * 2 + [4] * 17 + [5] * 12
    assert all(e["source_type"] == "storage_snapshot" for e in storage)
    minimum = inv_b["lines"][-1]
    assert minimum["basis"] == "minimum" and minimum["sources"] == []
    b_orders_line = [ln for ln in inv_b["lines"] if ln["charge_code"] == "outbound.order"]
    assert [[int(e["source_id"]) for e in ln["sources"]] for ln in b_orders_line] == [[b_orders[0]], [b_orders[1]]]
    assert [e["source_ref"] for e in inv_b["lines"][0]["sources"]] == [receipt_b["number"]]
    assert [int(e["source_id"]) for e in inv_b["lines"][6]["sources"]] == task_ids["OWNB"]

    # re-running the month: the same events, the same invoice
    r = await c.post("/api/v1/billing/events/derive", json={"period": MONTH}, headers=sup)
    assert r.status_code == 200 and r.json()["created"] == 0 and r.json()["updated"] == 0, r.text
    await _snapshots(url)
    r = await c.post("/api/v1/billing/invoices", json={"owner_id": a, "period": MONTH}, headers=sup)
    assert r.status_code == 200 and r.json() == inv_a, r.text
    r = await c.post("/api/v1/billing/invoices/preview", json={"owner_id": a, "period": MONTH}, headers=sup)
    assert _lines(r.json()) == EXPECTED_A
    r = await c.get("/api/v1/billing/events", params={"owner_id": a, "period": MONTH, "limit": 1000}, headers=sup)
    billed = {e["id"] for ln in inv_a["lines"] for e in ln["sources"]}
    unbilled = [e for e in r.json()["items"] if e["id"] not in billed]
    assert r.json()["total"] == len(billed) + 62
    # A's card charges storage by pallet: its location-days and m3-days are derived but not billed
    assert sorted({e["charge_code"] for e in unbilled}) == ["storage.location_day", "storage.m3_day"]

    # frozen: a late kitting job on October 31 and a changed rate card alter the preview, never the issued invoice
    travel(date(2026, 10, 31), 22)
    late = await _vas(c, world, sup, "OWNA", "KITTING", 5)
    travel(date(2026, 11, 2), 10)
    r = await c.put(
        f"/api/v1/billing/rate-cards/{card_a}",
        json={**CARD_A, "owner_id": a, "rates": {**CARD_A["rates"], "vas.KITTING": "1.00"}},
        headers=admin,
    )
    assert r.status_code == 200 and r.json()["rates"]["vas.KITTING"] in ("1.00", "1.0000", 1.0), r.text
    r = await c.post("/api/v1/billing/invoices/preview", json={"owner_id": a, "period": MONTH}, headers=sup)
    kitting = next(ln for ln in r.json()["lines"] if ln["charge_code"] == "vas.KITTING")
    assert (D(kitting["qty"]), D(kitting["amount"])) == (D(15), D("15.00"))
    assert late in [int(e["source_id"]) for e in kitting["sources"]]
    r = await c.get(f"/api/v1/billing/invoices/{inv_a['id']}", headers=sup)
    assert r.json() == inv_a
    r = await c.post("/api/v1/billing/invoices", json={"owner_id": a, "period": MONTH}, headers=sup)
    assert r.status_code == 200 and r.json() == inv_a
    # a month still running cannot be issued
    r = await c.post("/api/v1/billing/invoices", json={"owner_id": a, "period": "2026-11"}, headers=sup)
    assert r.status_code == 409 and r.json()["code"] == "period_open", r.text

    # a credit note: 2 outbound units billed too many, at the invoice's rate; never more than was billed
    unit_line = src["outbound.unit"]
    unit_line_id = unit_line["id"]
    r = await c.post(
        f"/api/v1/billing/invoices/{inv_a['id']}/credit-notes",
        json={"reason": "2 units of A-ORD-2 were counted twice", "lines": [{"line_id": unit_line_id, "qty": "2"}]},
        headers=sup,
    )
    assert r.status_code == 201, r.text
    note = r.json()
    assert (
        note["kind"] == "credit_note" and note["credit_of_id"] == inv_a["id"] and note["number"] == "CN-202610-OWNA-1"
    )
    assert _lines(note) == [("outbound.unit", unit_line["rate"][:4], "-2", "-0.60")] and D(note["total"]) == D("-0.60")
    assert note["lines"][0]["basis"] == "credit" and note["lines"][0]["credits_line_id"] == unit_line_id
    r = await c.post(
        f"/api/v1/billing/invoices/{inv_a['id']}/credit-notes",
        json={"reason": "again", "lines": [{"line_id": unit_line_id, "qty": "5"}]},
        headers=sup,
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_credit", r.text
    r = await c.post(f"/api/v1/billing/invoices/{note['id']}/credit-notes", json={"reason": "x"}, headers=sup)
    assert r.status_code == 409 and r.json()["code"] == "not_creditable"
    assert (await c.get(f"/api/v1/billing/invoices/{inv_a['id']}", headers=sup)).json() == inv_a

    # the outbox tells the owner's systems (one event per invoice and credit note)
    events = await _outbox(url)
    assert [(e[0], e[1]["number"], e[1]["total"]) for e in events] == [
        (a, "INV-202610-OWNA", "215.15"),
        (b, "INV-202610-OWNB", "500.00"),
        (a, "CN-202610-OWNA-1", "-0.60"),
    ]

    # an owner sees its own invoices only (API key or owner user); the floor does not see billing at all
    client_a = await token(c, "client-owna")
    for h in (key_a, client_a):
        r = await c.get("/api/v1/billing/invoices", headers=h)
        assert r.status_code == 200 and {i["owner_id"] for i in r.json()["items"]} == {a}
        assert r.json()["total"] == 2
        assert (await c.get(f"/api/v1/billing/invoices/{inv_a['id']}", headers=h)).json() == inv_a
        for path in ("", "/invoice.csv", "/invoice.pdf"):
            r = await c.get(f"/api/v1/billing/invoices/{inv_b['id']}{path}", headers=h)
            assert r.status_code == 403 and r.json()["code"] == "other_owner", (path, r.text)
        r = await c.get("/api/v1/billing/invoices", params={"owner_id": b}, headers=h)
        assert r.status_code == 403
        r = await c.post("/api/v1/billing/invoices", json={"owner_id": a, "period": MONTH}, headers=h)
        assert r.status_code == 403
    r = await c.get("/api/v1/billing/events", params={"period": MONTH, "limit": 1000}, headers=key_b)
    assert {e["owner_id"] for e in r.json()["items"]} == {b}
    assert (await c.get("/api/v1/billing/invoices", headers=await token(c, "picker"))).status_code == 403

    # downloads: CSV lines add up to the total; PDFs are PDFs (B's with its Chinese name)
    r = await c.get(f"/api/v1/billing/invoices/{inv_a['id']}/invoice.csv", headers=key_a)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["charge_code"] for row in rows[:-1]] == [ln[0] for ln in EXPECTED_A]
    assert sum(D(row["amount"]) for row in rows[:-1]) == D(rows[-1]["amount"]) == D("215.15")
    assert rows[11]["events"] == "31"
    for inv, h in ((inv_a, key_a), (inv_b, key_b), (note, sup)):
        r = await c.get(f"/api/v1/billing/invoices/{inv['id']}/invoice.pdf", headers=h)
        assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text[:200]
        text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
        assert inv["number"] in text and f"{D(inv['total']):.2f}" in text
        assert ("上海贝塔贸易有限公司" in text) == (inv is inv_b)


async def _outbox(url: str) -> list[tuple[int | None, dict[str, Any]]]:
    from tests.outbound_helpers import outbox_rows

    return [(e["owner_id"], e["payload"]) for e in await outbox_rows(url, "invoice.issued")]
