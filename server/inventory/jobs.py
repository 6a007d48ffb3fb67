"""Inventory-control jobs on the SAQ worker: the count-plan scheduler."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog

from server.db.base import utcnow
from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from server.inventory import counts
from server.jobs.events import commit_and_publish

log = structlog.get_logger("wes.jobs")


async def run_due_count_plans_job(ctx: dict[str, Any], *, as_of: str | None = None) -> dict[str, Any]:
    """Every hour: each active count plan due by its schedule (ABC: the warehouse's class intervals; others:
    ``every_days``) opens its counts, each plan in its own transaction so that one failing plan stops no other.
    ``as_of`` (ISO datetime) runs the schedule as of another moment (tests, catching up)."""
    now = datetime.fromisoformat(as_of) if as_of else utcnow()
    if now.tzinfo is None:  # a naive moment is UTC, like every timestamp of the database
        now = now.replace(tzinfo=UTC)
    factory = ctx["session_factory"]
    async with factory() as session:
        due = await counts.due_plans(UnitOfWork(session, SYSTEM), now)
    ran: dict[str, int] = {}
    failed: list[int] = []
    for plan_id in due:
        try:
            async with factory() as session:
                uow = UnitOfWork(session, SYSTEM)
                created, _ = await counts.run_plan(uow, plan_id, now=now)
                await commit_and_publish(ctx, uow)
            ran[str(plan_id)] = len(created)
        except Exception:
            log.warning("count_plan_run_failed", plan_id=plan_id, exc_info=True)
            failed.append(plan_id)
    return {"plans": len(ran), "tasks": sum(ran.values()), "by_plan": ran, "failed": failed}
