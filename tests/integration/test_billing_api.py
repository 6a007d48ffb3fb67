"""Billing and value-added-service endpoints on both databases (SQLite and PostgreSQL): rate cards (admin only,
an owner reads its own), today's storage snapshot from the ledger, a preview of the running month, a period not
yet ended refused, VAS tasks asked for, refused and confirmed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

from server.db.base import utcnow
from tests.inventory_helpers import token
from tests.world import World

CARD = {
    "currency": "CNY",
    "valid_from": "2026-01-01",
    "rates": {"storage.location_day": "2.00", "vas.KITTING": "0.50"},
    "minimum_monthly": "50",
}


async def test_rate_cards_snapshot_preview_and_open_period(client: Any, world: World) -> None:
    a, b = world.owners["OWNA"], world.owners["OWNB"]
    admin, sup = await token(client, "admin"), await token(client, "supervisor")
    key_a = {"X-API-Key": world.api_keys["OWNA"]}
    r = await client.post("/api/v1/billing/rate-cards", json={**CARD, "owner_id": a}, headers=admin)
    assert r.status_code == 201, r.text
    card = r.json()
    assert {k: D(str(v)) for k, v in card["rates"].items()} == {"storage.location_day": D(2), "vas.KITTING": D("0.5")}
    assert D(str(card["minimum_monthly"])) == D(50) and card["valid_to"] is None
    r = await client.post("/api/v1/billing/rate-cards", json={**CARD, "owner_id": b, "currency": "cny"}, headers=admin)
    assert r.status_code == 422 and r.json()["code"] == "invalid_currency", r.text
    r = await client.post(
        "/api/v1/billing/rate-cards", json={**CARD, "owner_id": a, "valid_from": "2026-06-01"}, headers=admin
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_rate_card", r.text  # overlaps the first
    r = await client.post("/api/v1/billing/rate-cards", json={**CARD, "owner_id": b}, headers=admin)
    card_b = r.json()["id"]
    # an owner reads its own card only; staff read all; nobody but an admin writes
    r = await client.get("/api/v1/billing/rate-cards", headers=key_a)
    assert [c["owner_id"] for c in r.json()["items"]] == [a]
    assert (await client.get(f"/api/v1/billing/rate-cards/{card_b}", headers=key_a)).status_code == 403
    assert (await client.get("/api/v1/billing/rate-cards", headers=sup)).json()["total"] == 2
    r = await client.put(f"/api/v1/billing/rate-cards/{card_b}", json={**CARD, "owner_id": b}, headers=sup)
    assert r.status_code == 403
    r = await client.put(
        f"/api/v1/billing/rate-cards/{card_b}",
        json={**CARD, "owner_id": b, "rates": {"storage.location_day": "3"}},
        headers=admin,
    )
    assert r.status_code == 200 and list(r.json()["rates"]) == ["storage.location_day"], r.text
    assert (await client.delete(f"/api/v1/billing/rate-cards/{card_b}", headers=admin)).status_code == 204
    assert (await client.get(f"/api/v1/billing/rate-cards/{card_b}", headers=admin)).status_code == 404

    # today's storage from the ledger: the world put each owner's two SKUs loose in two locations
    today = utcnow().date()
    r = await client.post("/api/v1/billing/snapshots", json={"day": today.isoformat()}, headers=sup)
    assert r.status_code == 200, r.text
    assert sorted((s["owner_id"], s["pallets"], s["locations"], s["units"]) for s in r.json()) == [
        (a, 2, 2, 140),
        (b, 2, 2, 140),
    ]
    assert D(str(r.json()[0]["volume_m3"])) == D("0.056")  # 140 x 100 x 80 x 50 mm
    yesterday = (today - timedelta(days=1)).isoformat()
    r = await client.post("/api/v1/billing/snapshots", json={"day": yesterday}, headers=sup)
    assert r.json() == []  # nothing was stored before the world was built

    # the running month: a preview (2 location-days x 2.00, topped up to the minimum of 50), never an issue
    period = f"{today:%Y-%m}"
    r = await client.post("/api/v1/billing/invoices/preview", json={"period": period}, headers=key_a)
    assert r.status_code == 200, r.text
    got = [(ln["charge_code"], D(str(ln["qty"])), D(str(ln["amount"]))) for ln in r.json()["lines"]]
    assert got == [("storage.location_day", D(2), D("4.00")), ("minimum.monthly", D(1), D("46.00"))]
    assert r.json()["lines"][0]["sources"][0]["source_ref"] == today.isoformat()
    r = await client.post("/api/v1/billing/invoices", json={"owner_id": a, "period": period}, headers=sup)
    assert r.status_code == 409 and r.json()["code"] == "period_open", r.text
    r = await client.post("/api/v1/billing/invoices/preview", json={"owner_id": b, "period": period}, headers=sup)
    assert r.status_code == 422 and r.json()["code"] == "no_rate_card", r.text  # B's card was removed
    r = await client.post("/api/v1/billing/invoices/preview", json={"owner_id": a, "period": "2026-13"}, headers=sup)
    assert r.status_code == 422
    assert (await client.get("/api/v1/billing/invoices", headers=sup)).json()["total"] == 0


async def test_vas_tasks_are_asked_for_claimed_and_confirmed(client: Any, world: World) -> None:
    a, b = world.owners["OWNA"], world.owners["OWNB"]
    key_a = {"X-API-Key": world.api_keys["OWNA"]}
    picker, packer = await token(client, "picker"), await token(client, "packer")
    body = {"warehouse_id": world.warehouse_id, "service_code": "KITTING", "qty": 8, "sku_id": world.skus["OWNA-SKU0"]}
    r = await client.post("/api/v1/vas-tasks", json={**body, "owner_id": b}, headers=key_a)
    assert r.status_code == 403 and r.json()["code"] == "other_owner"
    r = await client.post("/api/v1/vas-tasks", json={**body, "service_code": "kit ting"}, headers=key_a)
    assert r.status_code == 422 and r.json()["code"] == "invalid_service_code"
    r = await client.post("/api/v1/vas-tasks", json={**body, "sku_id": world.skus["OWNB-SKU0"]}, headers=key_a)
    assert r.status_code == 404 and r.json()["code"] == "sku_not_found"
    r = await client.post("/api/v1/vas-tasks", json=body, headers=key_a)
    assert r.status_code == 201, r.text
    task = r.json()
    assert (task["type"], task["owner_id"], task["details"], task["status"]) == (
        "vas",
        a,
        {"service_code": "KITTING"},
        "open",
    )
    tid = task["id"]
    r = await client.post(f"/api/v1/vas-tasks/{tid}/done", json={}, headers=picker)
    assert r.status_code == 409 and r.json()["code"] == "task_not_claimed"
    assert (await client.post(f"/api/v1/tasks/{tid}/claim", headers=picker)).status_code == 201
    r = await client.post(f"/api/v1/vas-tasks/{tid}/done", json={}, headers=packer)
    assert r.status_code == 409 and r.json()["code"] == "task_held_by_other"
    r = await client.post(f"/api/v1/vas-tasks/{tid}/done", json={"qty": 9}, headers=picker)
    assert r.status_code == 422 and r.json()["code"] == "invalid_qty"
    r = await client.post(f"/api/v1/vas-tasks/{tid}/done", json={"qty": 6}, headers=picker)
    assert r.status_code == 200 and (r.json()["status"], r.json()["qty"]) == ("done", 6), r.text
    assert r.json()["details"] == {"service_code": "KITTING", "asked_qty": 8}
    again = await client.post(f"/api/v1/vas-tasks/{tid}/done", json={}, headers=picker)
    assert again.status_code == 200 and again.json()["qty"] == 6
    done_at = datetime.fromisoformat(r.json()["done_at"])
    # the derived event: vas.KITTING x 6 on the day it was done, caused by this task
    sup = await token(client, "supervisor")
    r = await client.post("/api/v1/billing/events/derive", json={"period": f"{done_at:%Y-%m}"}, headers=sup)
    assert r.status_code == 200 and r.json()["created"] >= 1, r.text
    r = await client.get("/api/v1/billing/events", params={"charge_code": "vas.KITTING"}, headers=key_a)
    [ev] = r.json()["items"]
    assert (ev["source_type"], ev["source_id"], D(str(ev["qty"])), ev["day"]) == (
        "task",
        str(tid),
        D(6),
        done_at.date().isoformat(),
    )
    assert date.fromisoformat(ev["day"]) == done_at.date()


async def test_the_nightly_snapshot_takes_the_nights_it_missed(world: World, db_url: str) -> None:
    """A night the worker did not run is taken on the next run (figures come from the ledger as of that day's end);
    before any snapshot only yesterday; never more than a month back."""
    from sqlalchemy import delete

    from server.billing.jobs import CATCH_UP_DAYS, storage_snapshot_job
    from server.billing.models import StorageSnapshot
    from server.db.engine import create_engine, create_session_factory

    yesterday = utcnow().date() - timedelta(days=1)
    engine = create_engine(db_url)
    try:
        factory = create_session_factory(engine)
        ctx = {"session_factory": factory}
        got = await storage_snapshot_job(ctx)  # the world's stock came today: nothing stored yesterday, no rows
        assert got["days"] == [yesterday.isoformat()] and got["snapshots"] == 0

        async def last_taken(day: date) -> None:  # as if the job last ran for ``day``
            async with factory() as session:
                session.add(StorageSnapshot(owner_id=world.owners["OWNA"], warehouse_id=world.warehouse_id, day=day))
                await session.commit()

        await last_taken(yesterday - timedelta(days=4))
        got = await storage_snapshot_job(ctx)
        assert got["days"] == [(yesterday - timedelta(days=n)).isoformat() for n in (3, 2, 1, 0)]
        # those days stored nothing (no rows to show they were taken): the next run takes them again, harmlessly
        assert (await storage_snapshot_job(ctx))["days"] == got["days"]
        async with factory() as session:
            await session.execute(delete(StorageSnapshot))
            await session.commit()
        await last_taken(yesterday - timedelta(days=100))
        got = await storage_snapshot_job(ctx)
        assert len(got["days"]) == CATCH_UP_DAYS and got["day"] == yesterday.isoformat()
        # an explicit day is that day only
        got = await storage_snapshot_job(ctx, day=(yesterday - timedelta(days=9)).isoformat())
        assert got["days"] == [(yesterday - timedelta(days=9)).isoformat()]
    finally:
        await engine.dispose()
