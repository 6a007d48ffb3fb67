"""The SAQ queue and worker. SAQ was chosen over arq/rq: asyncio-native like the server, cron jobs built in,
and a maintained Litestar integration; jobs survive a worker restart because they live in Redis."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from redis.asyncio import Redis
from saq import CronJob, Queue, Worker
from saq.types import PartialTimersDict

from server.billing.jobs import storage_snapshot_job
from server.cpu import warm
from server.db.engine import create_engine, create_session_factory
from server.integration.jobs import deliver_webhooks_job, start_delivery_loop
from server.inventory.jobs import run_due_count_plans_job
from server.jobs.tasks import audit_stock_job, purge_idempotent_replies
from server.outbound.jobs import (
    auto_release_job,
    plan_wave_job,
    reallocate_backorders_job,
    release_wave_job,
    resume_stalled_releases_job,
)
from server.settings import Settings
from server.shipping.jobs import poll_tracking_job

QUEUE_NAME = "wes"
SWEEP_S = 10
# what the worker's solves run in its helper process: wave plans and re-slotting plans
SOLVER_MODULES = ("server.outbound.waves", "server.slotting.services")
FUNCTIONS: list[Any] = [
    purge_idempotent_replies,
    audit_stock_job,
    release_wave_job,
    plan_wave_job,
    reallocate_backorders_job,
    auto_release_job,
    resume_stalled_releases_job,
    poll_tracking_job,
    deliver_webhooks_job,
    storage_snapshot_job,
    run_due_count_plans_job,
]
CRON_JOBS: list[Any] = [
    CronJob(cast(Any, purge_idempotent_replies), cron="17 * * * *"),
    CronJob(cast(Any, audit_stock_job), cron="5 2 * * *"),
    CronJob(cast(Any, reallocate_backorders_job), cron="*/5 * * * *"),
    CronJob(cast(Any, auto_release_job), cron="* * * * *"),
    CronJob(cast(Any, resume_stalled_releases_job), cron="* * * * * */15"),  # every 15 s (seconds last)
    CronJob(cast(Any, poll_tracking_job), cron="*/30 * * * *"),
    CronJob(cast(Any, storage_snapshot_job), cron="10 0 * * *"),  # yesterday's storage, just after midnight UTC
    CronJob(cast(Any, run_due_count_plans_job), cron="23 * * * *"),
]


def make_queue(settings: Settings) -> Queue:
    if not settings.redis_url:
        raise RuntimeError("The job queue needs Redis: set WES_REDIS_URL.")
    return Queue.from_url(settings.redis_url, name=QUEUE_NAME)


def make_worker(settings: Settings, queue: Queue | None = None, *, burst: bool = False) -> Worker[Any]:
    queue = queue or make_queue(settings)

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["engine"] = create_engine(settings.database_url, pool_size=4)
        ctx["session_factory"] = create_session_factory(ctx["engine"])
        ctx["settings"] = settings
        ctx["redis"] = Redis.from_url(settings.redis_url) if settings.redis_url else None
        if not burst:  # webhooks: a loop in the worker process, so a restarted worker resumes at once
            ctx["webhook_loop"] = start_delivery_loop(ctx["session_factory"], settings)
            # the solver's helper process, ready before the first wave is planned (see server/cpu.py)
            ctx["warm_solver"] = asyncio.create_task(warm(SOLVER_MODULES))

    async def shutdown(ctx: dict[str, Any]) -> None:
        for name in ("webhook_loop", "warm_solver"):
            if ctx.get(name) is not None:
                ctx[name].cancel()
        await ctx["engine"].dispose()
        if ctx.get("redis") is not None:
            await ctx["redis"].aclose()

    return Worker(
        queue,
        functions=FUNCTIONS,
        cron_jobs=[] if burst else CRON_JOBS,
        startup=startup,
        shutdown=shutdown,
        burst=burst,
        dequeue_timeout=1.0 if burst else 0.0,
        concurrency=4,
        # SAQ finds the jobs of a dead worker (heartbeat stale) when it sweeps; every 10 s instead of its default
        # minute, so that a wave release whose worker died resumes within about half a minute (see also
        # server/outbound/jobs.py, resume_stalled_releases_job)
        timers=cast(PartialTimersDict, {"sweep": SWEEP_S}),  # SAQ types its optional keys as required
    )
