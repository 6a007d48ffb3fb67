"""The daily storage snapshot on the job queue (a SAQ cron job): yesterday's figures, every warehouse, and those of
any night the job did not run."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from server.billing.models import StorageSnapshot
from server.billing.storage import take_snapshots
from server.db.base import utcnow
from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from server.jobs.events import commit_and_publish

# A night the worker missed (down, Redis lost) is taken on the next night's run: a snapshot is computed from the
# ledger as of the end of its day, so it can be taken late with the same figures. At most this many days back.
CATCH_UP_DAYS = 31


async def storage_snapshot_job(ctx: dict[str, Any], *, day: str | None = None) -> dict[str, Any]:
    """Take the snapshot of ``day`` (ISO date), or else of yesterday (UTC) and of every day since the last snapshot
    that was missed. Taking a day again is harmless."""
    async with ctx["session_factory"]() as session:
        uow = UnitOfWork(session, SYSTEM)
        days = [date.fromisoformat(day)] if day else await missed_days(uow, utcnow().date() - timedelta(days=1))
        taken = [snap for d in days for snap in await take_snapshots(uow, d)]
        await commit_and_publish(ctx, uow)
    return {"day": days[-1].isoformat(), "days": [d.isoformat() for d in days], "snapshots": len(taken)}


async def missed_days(uow: UnitOfWork, yesterday: date) -> list[date]:
    """The days from the one after the last snapshot up to ``yesterday`` (just yesterday before any snapshot). A day
    on which nothing was stored leaves no row, so it is taken again on the next run (the same figures: none)."""
    last = (await uow.session.execute(select(func.max(StorageSnapshot.day)))).scalar_one_or_none()
    first = yesterday if last is None else max(last + timedelta(days=1), yesterday - timedelta(days=CATCH_UP_DAYS - 1))
    return [first + timedelta(days=n) for n in range((yesterday - first).days + 1)] or [yesterday]
