"""Events raised inside jobs reach the board and handhelds too: after the job's commit they are published on Redis
pub/sub, on the same channels the server's Litestar channels listen to (Redis channel = event channel)."""

from __future__ import annotations

import json
from typing import Any

import structlog

from server.db.uow import UnitOfWork

log = structlog.get_logger("wes.jobs")


async def commit_and_publish(ctx: dict[str, Any], uow: UnitOfWork) -> None:
    """Commit the job's unit of work, then publish what it emitted (nothing is heard of a rolled-back change)."""
    await uow.session.commit()
    hooks, uow.after_commit = list(uow.after_commit), []
    for hook in hooks:
        try:
            await hook()
        except Exception:
            log.warning("job_after_commit_failed", exc_info=True)
    redis = ctx.get("redis")
    events, uow.events = list(uow.events), []
    if redis is None:
        return
    for event in events:
        try:
            await redis.publish(event.channel, json.dumps(event.payload, default=str))
        except Exception:  # realtime may be lost; the committed work stands
            log.warning("job_publish_failed", channel=event.channel, exc_info=True)
