"""Integration endpoints: webhook subscriptions, their deliveries (dead letters re-sent from here)."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get, post
from litestar.params import FromQuery
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement

from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.http.deps import Limit, Offset, Page
from server.http.guards import allow
from server.identity.models import Role
from server.integration import atp, webhooks
from server.integration.webhook_models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from server.settings import Settings

OWNERS_AND_MANAGERS = (Role.ADMIN, Role.SUPERVISOR, Role.CLIENT, Role.INTEGRATION)


class SubscriptionIn(BaseModel):
    owner_id: int | None = None
    url: str = Field(min_length=8, max_length=500)
    events: list[str] = Field(default_factory=list, description="Event types; empty means every event")
    secret: str = Field("", max_length=128, description="Signing secret; generated when empty")


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    owner_id: int
    url: str
    events: list[str]
    active: bool
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="Shown once: verify X-WES-Signature with it")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    subscription_id: int
    event_id: int
    owner_id: int
    key: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str
    delivered_at: datetime | None


def _owner_filter(uow: UnitOfWork, column: object, owner_id: int | None) -> list[ColumnElement[bool]]:
    if owner_id is not None:
        uow.caller.check_owner(owner_id)
    owner = owner_id if owner_id is not None else uow.caller.owner_id
    return [] if owner is None else [column == owner]  # type: ignore[list-item]


class WebhookController(Controller):
    path = "/api/v1/webhooks"
    tags = ["integration"]

    @post("/", opt=allow(*OWNERS_AND_MANAGERS), summary="Subscribe a URL to an owner's events")
    async def create(self, data: SubscriptionIn, uow: UnitOfWork, settings: Settings) -> SubscriptionCreated:
        sub = await webhooks.create_subscription(
            uow,
            owner_id=data.owner_id,
            url=data.url,
            events=data.events,
            secret=data.secret,
            allow_private=settings.webhook_allow_private,
        )
        return SubscriptionCreated.model_validate(sub)

    @get("/", opt=allow(*OWNERS_AND_MANAGERS), summary="Webhook subscriptions (an owner's login: its own)")
    async def list_subscriptions(
        self, uow: UnitOfWork, limit: Limit = 50, offset: Offset = 0, owner_id: FromQuery[int | None] = None
    ) -> Page[SubscriptionOut]:
        where = _owner_filter(uow, WebhookSubscription.owner_id, owner_id)
        items, total = await list_page(uow.session, WebhookSubscription, *where, limit=limit, offset=offset)
        return Page(items=[SubscriptionOut.model_validate(s) for s in items], total=total, limit=limit, offset=offset)

    @get("/deliveries", opt=allow(*OWNERS_AND_MANAGERS), summary="Webhook deliveries, newest first")
    async def list_deliveries(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        status: FromQuery[DeliveryStatus | None] = None,
        event_id: FromQuery[int | None] = None,
    ) -> Page[DeliveryOut]:
        where = _owner_filter(uow, WebhookDelivery.owner_id, owner_id)
        if status is not None:
            where.append(WebhookDelivery.status == status)
        if event_id is not None:
            where.append(WebhookDelivery.event_id == event_id)
        items, total = await list_page(
            uow.session, WebhookDelivery, *where, limit=limit, offset=offset, order_by=[(WebhookDelivery.id, True)]
        )
        return Page(items=[DeliveryOut.model_validate(d) for d in items], total=total, limit=limit, offset=offset)

    @post(
        "/deliveries/{delivery_id:int}/resend",
        status_code=200,
        opt=allow(*OWNERS_AND_MANAGERS),
        summary="Send a dead-lettered (or delivered) webhook again",
    )
    async def resend(self, delivery_id: int, uow: UnitOfWork) -> DeliveryOut:
        return DeliveryOut.model_validate(await webhooks.resend(uow, delivery_id))


class AtpOut(BaseModel):
    owner_id: int
    warehouse_id: int
    sku_id: int
    on_hand: int
    allocated: int
    held: int
    atp: int


class AtpPage(BaseModel):
    cursor: str = Field(description="Pass to /atp/changes to get what changed after this reply")
    items: list[AtpOut]


def _atp_out(rows: list[atp.AtpRow]) -> list[AtpOut]:
    return [
        AtpOut(
            owner_id=r.owner_id,
            warehouse_id=r.warehouse_id,
            sku_id=r.sku_id,
            on_hand=r.on_hand,
            allocated=r.allocated,
            held=r.held,
            atp=r.atp,
        )
        for r in rows
    ]


def _scoped_owner(uow: UnitOfWork, owner_id: int | None) -> int | None:
    """An owner's login always gets its own figures (like every other list); staff may filter by owner."""
    return uow.caller.owner_id if uow.caller.owner_id is not None else owner_id


class AtpController(Controller):
    path = "/api/v1/atp"
    tags = ["integration"]

    @get("/", opt=allow(*OWNERS_AND_MANAGERS), summary="Available to promise per SKU, owner and warehouse")
    async def snapshot(
        self, uow: UnitOfWork, owner_id: FromQuery[int | None] = None, warehouse_id: FromQuery[int | None] = None
    ) -> AtpPage:
        owner = _scoped_owner(uow, owner_id)
        cursor = await atp.current_cursor(uow)  # before reading: a change in between is reported again, not lost
        rows = await atp.atp_rows(uow, owner_id=owner, warehouse_id=warehouse_id)
        return AtpPage(cursor=cursor, items=_atp_out(rows))

    @get("/changes", opt=allow(*OWNERS_AND_MANAGERS), summary="Current ATP of every SKU changed after a cursor")
    async def changes(
        self,
        uow: UnitOfWork,
        cursor: str = "0.0",
        owner_id: FromQuery[int | None] = None,
        warehouse_id: FromQuery[int | None] = None,
    ) -> AtpPage:
        owner = _scoped_owner(uow, owner_id)
        next_cursor = await atp.current_cursor(uow)
        keys = await atp.changed_keys(uow, cursor, owner)
        rows = await atp.atp_rows(uow, owner_id=owner, warehouse_id=warehouse_id, keys=keys)
        return AtpPage(cursor=next_cursor, items=_atp_out(rows))


CONTROLLERS = [WebhookController, AtpController]
