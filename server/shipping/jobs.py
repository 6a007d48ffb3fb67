"""The tracking poller: asks carriers with a tracking service about parcels on their way (pushes may be lost)."""

from __future__ import annotations

from typing import Any

from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from server.jobs.events import commit_and_publish
from server.shipping.services import poll_tracking


async def poll_tracking_job(ctx: dict[str, Any]) -> dict[str, int]:
    """One round of tracking queries (every 30 minutes); repeats of known scans change nothing."""
    async with ctx["session_factory"]() as session:
        uow = UnitOfWork(session, SYSTEM)
        report = await poll_tracking(uow, ctx["settings"])
        await commit_and_publish(ctx, uow)
    return report
