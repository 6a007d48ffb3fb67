"""The board's Billing page: storage by night from the snapshots with the missed nights named, invoices listed
with their PDF and CSV, and a month's invoice issued from a form (CSRF-checked; an open month or a bad period is
refused on the page and issues nothing)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from server.billing.board import last_month
from server.billing.models import Invoice, StorageSnapshot
from server.db.base import utcnow
from server.db.engine import create_engine, create_session_factory
from tests.board_helpers import board_login
from tests.inventory_helpers import token
from tests.world import World

CARD = {"currency": "CNY", "valid_from": "2020-01-01", "rates": {"storage.location_day": "2.00"}}


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


async def _nights(db_url: str, world: World, ago: list[int]) -> None:
    engine = create_engine(db_url)
    try:
        async with create_session_factory(engine)() as session:
            for n in ago:
                day = utcnow().date() - timedelta(days=n)
                session.add(
                    StorageSnapshot(
                        owner_id=world.owners["OWNA"],
                        warehouse_id=world.warehouse_id,
                        day=day,
                        pallets=0,
                        locations=5 + n,
                        volume_m3=0,
                        units=100,
                    )
                )
            await session.commit()
    finally:
        await engine.dispose()


async def _invoices(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        async with create_session_factory(engine)() as session:
            return int((await session.execute(select(func.count(Invoice.id)))).scalar_one())
    finally:
        await engine.dispose()


async def test_billing_page_storage_nights_and_issuing_a_month(client: Any, world: World, db_url: str) -> None:
    admin = await token(client, "admin")
    r = await client.post("/api/v1/billing/rate-cards", json={**CARD, "owner_id": world.owners["OWNA"]}, headers=admin)
    assert r.status_code == 201, r.text
    await _nights(db_url, world, [1, 3, 4])
    assert (await board_login(client)).status_code in (302, 303)

    page = await client.get("/board/billing")
    assert page.status_code == 200 and page.headers.get("x-frame-options") == "DENY"
    html = page.text
    assert 'href="/board/billing" class="on"' in html  # in the board's menu
    two_ago = (utcnow().date() - timedelta(days=2)).strftime("%m-%d")
    missing = re.search(r'id="missing-snapshots">([^<]*)<', html)
    assert missing and two_ago in missing.group(1)
    storage = re.search(r'<table id="storage-rows">(.*?)</table>', html, re.S)
    assert storage and "OWNA" in storage.group(1) and ">6<" in storage.group(1) and ">8<" in storage.group(1)
    assert "data-storage-chart=" in html and 'id="no-invoices"' in html
    token_ = _csrf(html)
    period = last_month(utcnow().date())
    form = {"owner_id": str(world.owners["OWNA"]), "period": period}

    refused = await client.post("/board/billing/invoices", data=form)  # no token: not from the board's page
    assert refused.status_code == 403 and await _invoices(db_url) == 0

    this_month = f"{utcnow().date():%Y-%m}"
    r = await client.post("/board/billing/invoices", data={**form, "period": this_month, "csrf": token_})
    assert r.status_code == 409 and "has not ended yet" in r.text and await _invoices(db_url) == 0
    r = await client.post("/board/billing/invoices", data={**form, "period": "2026-13", "csrf": token_})
    assert r.status_code == 422 and "YYYY-MM" in r.text and await _invoices(db_url) == 0
    r = await client.post("/board/billing/invoices", data={"period": period, "csrf": token_})
    assert r.status_code == 422 and "Choose the owner" in r.text

    r = await client.post("/board/billing/invoices", data={**form, "csrf": token_})
    assert r.status_code == 200, r.text
    number = f"INV-{period.replace('-', '')}-OWNA"
    issued = re.search(r'id="issued">([^<]*)<', r.text)
    assert issued and number in issued.group(1) and "CNY" in issued.group(1)
    assert await _invoices(db_url) == 1
    rows = re.search(r'<table id="invoice-rows">(.*?)</table>', r.text, re.S)
    assert rows and number in rows.group(1)
    pdf = re.search(r'href="(/api/v1/billing/invoices/\d+/invoice\.pdf)"', rows.group(1))
    assert pdf
    got = await client.get(pdf.group(1))  # the board's session reads the API's documents
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    again = await client.post("/board/billing/invoices", data={**form, "csrf": token_})
    assert again.status_code == 200 and "issued before" in again.text and await _invoices(db_url) == 1

    owner_b = await client.get(f"/board/billing?owner_id={world.owners['OWNB']}")
    assert number not in owner_b.text and 'id="no-invoices"' in owner_b.text


async def test_billing_page_is_for_managers(client: Any, world: World) -> None:
    assert (await board_login(client, "picker")).status_code in (302, 303)
    r = await client.get("/board/billing", follow_redirects=False)
    assert r.status_code == 403
