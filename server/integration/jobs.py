"""Webhook delivery on ``wes worker``: a loop started with the SAQ worker (every couple of seconds; a worker
started after a crash resumes at once, no stale job lock to wait for) and a job to run one pass on demand."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.integration.delivery import run_deliveries
from server.settings import Settings

log = logging.getLogger(__name__)
POLL_S = 2.0


async def deliver_webhooks_job(ctx: dict[str, Any]) -> dict[str, int]:
    return await run_deliveries(ctx["session_factory"], ctx["settings"])


def start_delivery_loop(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, *, poll_s: float = POLL_S
) -> asyncio.Task[None]:
    async def loop() -> None:
        while True:
            try:
                report = await run_deliveries(session_factory, settings)
                busy = report["delivered"] + report["failed"] > 0
            except Exception:  # a database blip must not stop deliveries for good
                log.exception("webhook delivery pass failed")
                busy = False
            await asyncio.sleep(0.05 if busy else poll_s)

    return asyncio.create_task(loop(), name="webhook-delivery")
