"""Webhook dead letters on the board, over HTTP on both databases: a delivery to a receiver that is down is
dead-lettered by the real delivery loop, listed on the board's Webhooks page (dead letters first, filtered by
owner), re-sent from there (CSRF checked) and then delivered by the next pass to the receiver, now up."""

from __future__ import annotations

import re

from sqlalchemy import select

from server.db.engine import create_engine, create_session_factory
from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from server.integration import outbox, webhooks
from server.integration.delivery import run_deliveries
from server.integration.webhook_models import WebhookDelivery
from tests.conftest import make_settings
from tests.integration.test_board import _board_login, _csrf
from tests.integration.test_webhooks import Receiver
from tests.world import World


async def _deliveries(db_url: str) -> list[tuple[int, str, int]]:
    engine = create_engine(db_url)
    try:
        async with create_session_factory(engine)() as session:
            rows = (await session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id))).scalars()
            return [(d.id, d.status.value, d.attempts) for d in rows]
    finally:
        await engine.dispose()


async def test_dead_letter_listed_and_resent_from_the_board(client, world: World, db_url: str) -> None:
    receiver = Receiver()
    try:
        settings = make_settings(db_url, webhook_allow_private=True, webhook_max_attempts=1)
        engine = create_engine(db_url)
        factory = create_session_factory(engine)
        try:
            async with factory() as session:
                uow = UnitOfWork(session, SYSTEM)
                sub = await webhooks.create_subscription(
                    uow,
                    owner_id=world.owners["OWNA"],
                    url=f"{receiver.url}/down",
                    events=[],
                    secret="s" * 32,
                    allow_private=True,
                )
                outbox.record(uow, "order.shipped", {"order": "BW-1"}, owner_id=world.owners["OWNA"], key="BW-1")
                await session.commit()
            # the real delivery loop: one try, HTTP 503, dead letter
            result = await run_deliveries(factory, settings)
            assert result["failed"] == 1 and len(receiver.on("/down")) == 1
            [(delivery_id, status, attempts)] = await _deliveries(db_url)
            assert (status, attempts) == ("dead", 1)

            await _board_login(client)
            page = await client.get("/board/webhooks")
            assert page.status_code == 200
            assert f'id="delivery-{delivery_id}" class="delivery-dead"' in page.text
            assert "order.shipped" in page.text and "HTTP 503" in page.text and "/down" in page.text
            assert "/board/webhooks" in page.text and ">Webhooks</a>" in page.text  # in the navigation
            other = (await client.get("/board/webhooks", params={"owner_id": world.owners["OWNB"]})).text
            assert 'id="no-deliveries"' in other
            every_owner = await client.get("/board/webhooks", params={"status": "dead", "owner_id": ""})
            assert every_owner.status_code == 200 and f'id="delivery-{delivery_id}"' in every_owner.text
            delivered = (await client.get("/board/webhooks", params={"status": "delivered"})).text
            assert 'id="no-deliveries"' in delivered
            token = _csrf(page.text)
            url = f"/board/webhooks/deliveries/{delivery_id}/resend"
            assert (await client.post(url, data={"csrf": "0" * 64})).status_code == 403
            assert (await _deliveries(db_url))[0][1] == "dead"
            r = await client.post(url, data={"csrf": token, "status": "dead"})
            assert r.status_code == 200 and 'id="resend-message"' in r.text
            assert f'id="delivery-{delivery_id}"' not in r.text  # no longer a dead letter
            assert await _deliveries(db_url) == [(delivery_id, "pending", 0)]
            # the receiver is fixed: the next pass delivers the re-sent event
            async with factory() as session:
                s = await session.get(type(sub), sub.id)
                assert s is not None
                s.url = f"{receiver.url}/ok"
                await session.commit()
            assert (await run_deliveries(factory, settings))["delivered"] == 1
            assert len(receiver.on("/ok")) == 1 and await _deliveries(db_url) == [(delivery_id, "delivered", 1)]
            page = (await client.get("/board/webhooks", params={"status": "delivered"})).text
            assert f'id="delivery-{delivery_id}" class="delivery-delivered"' in page
            # in Chinese
            await client.post("/board/locale", headers={"X-CSRF-Token": token})
            zh = (await client.get("/board/webhooks", params={"status": "all"})).text
            assert "已送达" in zh and "重新发送" in zh and re.search(r"死信 \(0\)", zh)
        finally:
            await engine.dispose()
    finally:
        receiver.release.set()
        receiver.server.shutdown()
