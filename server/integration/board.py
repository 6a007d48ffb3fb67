"""The board's Webhooks page: deliveries to the owners' webhook subscriptions, the dead letters first, each re-sent
with one click (through :func:`server.integration.webhooks.resend`, the same use case as the API)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy import ColumnElement, func, select

from server.board.api import BOARD, PAGE, BoardPages, FormData, check_csrf, form_int, pager
from server.db.uow import UnitOfWork
from server.identity.models import Owner
from server.integration import webhooks
from server.integration.models import OutboxEvent
from server.integration.webhook_models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from server.settings import Settings


def _status(value: str) -> DeliveryStatus | None:
    """The status filter: one status, or None for every delivery ('all')."""
    return DeliveryStatus(value) if value in {s.value for s in DeliveryStatus} else None


async def deliveries(uow: UnitOfWork, status: str, owner_id: int | None, offset: int) -> dict[str, Any]:
    """One page of deliveries (newest first) with their event, target and owner, and the count per status."""
    session = uow.session
    where: list[ColumnElement[bool]] = []
    if (wanted := _status(status)) is not None:
        where.append(WebhookDelivery.status == wanted)
    if owner_id is not None:
        where.append(WebhookDelivery.owner_id == owner_id)
    total = (await session.execute(select(func.count(WebhookDelivery.id)).where(*where))).scalar_one()
    rows = (
        await session.execute(
            select(WebhookDelivery, OutboxEvent.event_type, WebhookSubscription.url, Owner.code)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .join(Owner, Owner.id == WebhookDelivery.owner_id)
            .where(*where)
            .order_by(WebhookDelivery.id.desc())
            .limit(PAGE)
            .offset(offset)
        )
    ).all()
    owner_where = [WebhookDelivery.owner_id == owner_id] if owner_id is not None else []
    counts = dict(
        (
            await session.execute(
                select(WebhookDelivery.status, func.count(WebhookDelivery.id))
                .where(*owner_where)
                .group_by(WebhookDelivery.status)
            )
        ).all()
    )
    owners = (await session.execute(select(Owner.id, Owner.code).order_by(Owner.code))).all()
    return {
        "rows": [{"d": d, "event_type": ev, "url": url, "owner": code} for d, ev, url, code in rows],
        "counts": {s.value: int(counts.get(s, 0)) for s in DeliveryStatus},
        "status": status if wanted is not None else "all",
        "statuses": [s.value for s in DeliveryStatus],
        "owner_id": "" if owner_id is None else str(owner_id),
        "owners": [(i, c) for i, c in owners],
        "message": "",
        "pages": pager(int(total), offset),
    }


class WebhooksBoard(BoardPages):
    @get("/webhooks", opt=BOARD)
    async def webhooks_page(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        status: FromQuery[str] = "dead",
        owner_id: FromQuery[str] = "",
        offset: FromQuery[int] = 0,
    ) -> Template:
        owner = int(owner_id) if owner_id.strip().isdigit() else None  # "" from the form's "every owner"
        data = await deliveries(uow, status, owner, max(offset, 0))
        return Template("webhooks.html", context=self._ctx(uow, settings, request, **data))

    @post("/webhooks/deliveries/{delivery_id:int}/resend", opt=BOARD, status_code=200)
    async def resend(
        self, delivery_id: int, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Template:
        """Put the delivery back in the queue (due now, tries reset); the delivery worker sends it on its next pass."""
        check_csrf(settings, request, data.get("csrf"))
        d = await webhooks.resend(uow, delivery_id)
        page = await deliveries(
            uow, data.get("status", "dead"), form_int(data, "owner_id"), form_int(data, "offset") or 0
        )
        page["message"] = f"#{d.id}"
        return Template("_webhooks.html", context=self._ctx(uow, settings, request, **page))
