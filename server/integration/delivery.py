"""Webhook delivery: fan the outbox out to subscriptions, then post each due delivery, signed, one at a time.

At least once, in order per key: a delivery is marked delivered only in the transaction that holds its row lock
while the request is in flight, so a worker killed mid-request leaves it pending for the next worker; a later
event of the same subscription and key waits while an earlier one is still pending (a dead one no longer
blocks: it is re-sent by hand)."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from server.db.repository import for_update
from server.integration import rules
from server.integration.models import OutboxEvent
from server.integration.webhook_models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from server.settings import Settings

log = logging.getLogger(__name__)


async def fan_out(session: AsyncSession, *, batch: int = 1000) -> int:
    """Create the deliveries of every outbox event past each active subscription's cursor; returns how many."""
    subs = (
        (await session.execute(for_update(select(WebhookSubscription).where(WebhookSubscription.active))))
        .scalars()
        .all()
    )
    created = 0
    for sub in subs:
        events = (
            (
                await session.execute(
                    select(OutboxEvent)
                    .where(OutboxEvent.id > sub.last_event_id, OutboxEvent.owner_id == sub.owner_id)
                    .order_by(OutboxEvent.id)
                    .limit(batch)
                )
            )
            .scalars()
            .all()
        )
        for ev in events:
            if not sub.events or ev.event_type in sub.events:
                session.add(WebhookDelivery(subscription_id=sub.id, event_id=ev.id, owner_id=sub.owner_id, key=ev.key))
                created += 1
            sub.last_event_id = ev.id
    await session.flush()
    return created


def event_body(ev: OutboxEvent) -> bytes:
    doc: dict[str, Any] = {
        "id": ev.id,
        "type": ev.event_type,
        "created_at": ev.created_at.isoformat(),
        "owner_id": ev.owner_id,
        "warehouse_id": ev.warehouse_id,
        "key": ev.key,
        "data": ev.payload,
    }
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, default=str).encode()


async def _claim_one(session: AsyncSession, now: datetime) -> WebhookDelivery | None:
    earlier = aliased(WebhookDelivery)
    blocked = exists().where(
        and_(
            earlier.subscription_id == WebhookDelivery.subscription_id,
            earlier.key == WebhookDelivery.key,
            earlier.status == DeliveryStatus.PENDING,
            earlier.id < WebhookDelivery.id,
        )
    )
    stmt = (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            (WebhookDelivery.key == "") | ~blocked,
        )
        .order_by(WebhookDelivery.id)
        .limit(1)
    )
    return (await session.execute(for_update(stmt, skip_locked=True))).scalars().first()


async def deliver_one(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient, *, now: datetime | None = None
) -> WebhookDelivery | None:
    """Claim the next due delivery (row locked), post it and record the outcome; the caller commits."""
    now = now or datetime.now(UTC)
    d = await _claim_one(session, now)
    if d is None:
        return None
    sub = await session.get(WebhookSubscription, d.subscription_id)
    ev = await session.get(OutboxEvent, d.event_id)
    assert sub is not None and ev is not None
    body = event_body(ev)
    ts = int(time.time())
    headers = {
        "Content-Type": "application/json",
        rules.SIGNATURE_HEADER: rules.sign(sub.secret, ts, body),
        rules.TIMESTAMP_HEADER: str(ts),
        rules.EVENT_HEADER: ev.event_type,
        rules.DELIVERY_HEADER: str(d.id),
    }
    d.attempts += 1
    error = rules.target_problem(sub.url, allow_private=settings.webhook_allow_private)
    code: int | None = None
    if error is None:
        try:
            reply = await client.post(sub.url, content=body, headers=headers)
            code = reply.status_code
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    d.last_status_code = code
    if error is None:
        d.status = DeliveryStatus.DELIVERED
        d.delivered_at = datetime.now(UTC)
        d.last_error = ""
    else:
        d.last_error = error
        if d.attempts >= settings.webhook_max_attempts:
            d.status = DeliveryStatus.DEAD
        else:
            d.next_attempt_at = now + timedelta(
                seconds=rules.backoff_s(d.attempts, base_s=settings.webhook_backoff_base_s)
            )
    log.info("webhook delivery %s attempt %s: %s", d.id, d.attempts, error or "delivered")
    await session.flush()
    return d


async def run_deliveries(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, *, max_deliveries: int = 500
) -> dict[str, int]:
    """One pass of the worker: fan out, then deliver what is due (each in its own transaction)."""
    async with session_factory() as session:
        created = await fan_out(session)
        await session.commit()
    done = failed = 0
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_s, follow_redirects=False) as client:
        for _ in range(max_deliveries):
            async with session_factory() as session:
                d = await deliver_one(session, settings, client)
                await session.commit()
            if d is None:
                break
            if d.status == DeliveryStatus.DELIVERED:
                done += 1
            else:
                failed += 1
    return {"fanned_out": created, "delivered": done, "failed": failed}
