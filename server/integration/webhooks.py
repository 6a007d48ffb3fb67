"""Webhook subscriptions and dead-letter re-sends: the services behind the API."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import func, select

from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import InvalidInput, NotFound
from server.integration import rules
from server.integration.models import OutboxEvent
from server.integration.outbox import EVENT_TYPES
from server.integration.webhook_models import DeliveryStatus, WebhookDelivery, WebhookSubscription


async def create_subscription(
    uow: UnitOfWork, *, owner_id: int | None, url: str, events: list[str], secret: str, allow_private: bool
) -> WebhookSubscription:
    owner = uow.caller.resolve_owner(owner_id)
    unknown = sorted(set(events) - EVENT_TYPES)
    if unknown:
        raise InvalidInput(
            f"Unknown event types: {', '.join(unknown)}.",
            code="unknown_event_type",
            errors=[{"field": "events", "value": e, "allowed": sorted(EVENT_TYPES)} for e in unknown],
        )
    problem = rules.target_problem(url, allow_private=allow_private)
    if problem:
        raise InvalidInput(problem, code="webhook_target_refused", errors=[{"field": "url", "message": problem}])
    # Only events written from now on: a new subscription does not replay the owner's history.
    last = (await uow.session.execute(select(func.max(OutboxEvent.id)))).scalar() or 0
    sub = WebhookSubscription(
        owner_id=owner,
        url=url,
        events=sorted(set(events)),
        secret=secret or secrets.token_urlsafe(32),
        active=True,
        last_event_id=last,
    )
    uow.session.add(sub)
    await uow.session.flush()
    return sub


async def resend(uow: UnitOfWork, delivery_id: int) -> WebhookDelivery:
    """Put a (dead or delivered) delivery back in the queue, due now, with its tries reset."""
    d = (
        await uow.session.execute(for_update(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)))
    ).scalar_one_or_none()
    if d is None:
        raise NotFound(f"There is no webhook delivery {delivery_id}.", code="delivery_not_found")
    uow.caller.check_owner(d.owner_id)
    d.status = DeliveryStatus.PENDING
    d.attempts = 0
    d.next_attempt_at = datetime.now(UTC)
    d.last_error = ""
    await uow.session.flush()
    return d
