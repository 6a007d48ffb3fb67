"""The daily storage snapshot on the job queue (a SAQ cron job): yesterday's figures, every warehouse."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from server.billing.storage import take_snapshots
from server.db.base import utcnow
from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from server.jobs.events import commit_and_publish


async def storage_snapshot_job(ctx: dict[str, Any], *, day: str | None = None) -> dict[str, Any]:
    """Take the snapshot of ``day`` (ISO date; yesterday in UTC when not given). Taking it again is harmless."""
    target = date.fromisoformat(day) if day else utcnow().date() - timedelta(days=1)
    async with ctx["session_factory"]() as session:
        uow = UnitOfWork(session, SYSTEM)
        taken = await take_snapshots(uow, target)
        await commit_and_publish(ctx, uow)
    return {"day": target.isoformat(), "snapshots": len(taken)}
