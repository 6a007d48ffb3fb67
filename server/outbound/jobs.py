"""The release job: run on the SAQ worker (``wes worker``) when Redis is configured."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from server.jobs.events import commit_and_publish
from server.outbound.models import Wave, WaveStatus
from server.outbound.waves import release_in_steps
from server.settings import Settings

RELEASE_RETRIES = 3
# A wave whose job is lost is queued again once its progress has stood still this long: a release commits its
# progress every few batches (seconds apart), a plan may solve for its whole time limit (at most 60 s) first.
# SAQ retries a dead worker's job itself when its heartbeat stops, but only if the job is in its active list, and
# a sweep that runs while a worker is taking the job removes it from there (tobymao/saq#124, #277: seen here when
# a worker is killed in its first seconds); this is what still resumes such a release.
RELEASE_STALLED_AFTER_S = 30
PLAN_STALLED_AFTER_S = 120


async def enqueue_release(settings: Settings, wave_id: int) -> None:
    """Queue the release of a wave marked releasing. Keyed by the wave, so a wave is never released by two jobs at
    once (SAQ ignores a second enqueue while the first is queued or running); retried if a worker dies."""
    from server.jobs.queue import make_queue

    queue = make_queue(settings)
    try:
        await queue.enqueue(
            "release_wave_job",
            key=f"release-wave-{wave_id}",
            wave_id=wave_id,
            timeout=600,
            heartbeat=15,  # each committed step beats; a dead worker's job is retried within seconds
            retries=RELEASE_RETRIES,
            retry_delay=1.0,
        )
    finally:
        await queue.disconnect()


async def enqueue_planning(settings: Settings, wave_id: int) -> None:
    """Queue the optimizer run of a wave marked planning (keyed by the wave; retried if a worker dies)."""
    from server.jobs.queue import make_queue

    queue = make_queue(settings)
    try:
        await queue.enqueue(
            "plan_wave_job", key=f"plan-wave-{wave_id}", wave_id=wave_id, timeout=300, retries=2, retry_delay=1.0
        )
    finally:
        await queue.disconnect()


async def plan_wave_job(ctx: dict[str, Any], *, wave_id: int) -> dict[str, Any]:
    """Batch and route a wave's orders on the worker; the wave becomes planned (or failed, orders freed)."""
    from server.outbound.waves import fail_planning, finish_planning

    factory = ctx["session_factory"]
    try:
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            wave = await finish_planning(uow, wave_id)
            await commit_and_publish(ctx, uow)
            return {"wave_id": wave_id, "status": wave.status.value, "carts": wave.preview.get("carts", 0)}
    except Exception as exc:
        job = ctx.get("job")
        if job is None or not job.retryable:
            async with factory() as session:
                uow = UnitOfWork(session, SYSTEM)
                await fail_planning(uow, wave_id, f"{type(exc).__name__}: {exc}")
                await commit_and_publish(ctx, uow)
        raise


async def release_wave_job(ctx: dict[str, Any], *, wave_id: int) -> dict[str, Any]:
    """Release a wave marked releasing, committing progress every few batches; a retry resumes after the last
    committed step (see :func:`release_in_steps`), so a killed worker never releases a batch twice."""
    factory = ctx["session_factory"]
    sessions: list[Any] = []

    async def new_uow() -> tuple[UnitOfWork, Callable[[], Awaitable[None]]]:
        for s in sessions:
            await s.close()
        sessions.clear()
        session = factory()
        sessions.append(session)
        uow = UnitOfWork(session, SYSTEM)

        async def commit() -> None:
            await commit_and_publish(ctx, uow)
            job = ctx.get("job")
            if job is not None:
                await job.update()  # a heartbeat for SAQ: this job is alive

        return uow, commit

    try:
        return await release_in_steps(new_uow, wave_id)
    except Exception as exc:
        job = ctx.get("job")
        if job is None or not job.retryable:  # the last attempt: say so on the wave and the board
            async with factory() as session:
                wave = await session.get(Wave, wave_id, with_for_update=True)
                if wave is not None and wave.status == WaveStatus.RELEASING:
                    wave.status = WaveStatus.FAILED
                    wave.error = f"{type(exc).__name__}: {exc}"[:500]
                    await session.commit()
        raise
    finally:
        for s in sessions:
            await s.close()


async def resume_stalled_releases_job(ctx: dict[str, Any]) -> dict[str, int]:
    """Every 15 seconds: a wave left releasing (or planning) with no progress for a while — its job lost with Redis
    or with a killed worker, or never queued because the enqueue after the commit failed — is queued again (SAQ
    ignores the enqueue while the job is alive); a release resumes where it stopped."""
    from sqlalchemy import or_, select

    from server.db.base import utcnow

    factory = ctx["session_factory"]
    now = utcnow()
    async with factory() as session:
        stalled = list(
            (
                await session.execute(
                    select(Wave.id, Wave.status).where(
                        or_(
                            (Wave.status == WaveStatus.RELEASING)
                            & (Wave.updated_at < now - timedelta(seconds=RELEASE_STALLED_AFTER_S)),
                            (Wave.status == WaveStatus.PLANNING)
                            & (Wave.updated_at < now - timedelta(seconds=PLAN_STALLED_AFTER_S)),
                        )
                    )
                )
            ).all()
        )
    for wave_id, status in stalled:
        if status == WaveStatus.RELEASING:
            await enqueue_release(ctx["settings"], wave_id)
        else:
            await enqueue_planning(ctx["settings"], wave_id)
    return {"resumed": len(stalled)}


async def reallocate_backorders_job(ctx: dict[str, Any]) -> dict[str, int]:
    """Re-allocation when stock arrives: every few minutes, backordered orders take what is free now."""
    from sqlalchemy import select

    from server.outbound.models import OrderStatus, SalesOrder
    from server.outbound.services import allocate_orders

    factory = ctx["session_factory"]
    allocated = still_short = 0
    async with factory() as session:
        warehouses = list(
            (
                await session.execute(
                    select(SalesOrder.warehouse_id).where(SalesOrder.status == OrderStatus.BACKORDERED).distinct()
                )
            ).scalars()
        )
    for warehouse_id in warehouses:
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            ids = list(
                (
                    await session.execute(
                        select(SalesOrder.id).where(
                            SalesOrder.warehouse_id == warehouse_id, SalesOrder.status == OrderStatus.BACKORDERED
                        )
                    )
                ).scalars()
            )
            orders, _ = await allocate_orders(uow, warehouse_id, ids)
            await commit_and_publish(ctx, uow)
        allocated += sum(1 for o in orders if o.status == OrderStatus.ALLOCATED)
        still_short += sum(1 for o in orders if o.status == OrderStatus.BACKORDERED)
    return {"allocated": allocated, "backordered": still_short}


async def auto_release_job(ctx: dict[str, Any]) -> dict[str, int]:
    """Every minute: each active wave rule releases the orders due within its lead time."""
    from sqlalchemy import select

    from server.outbound.models import WaveRule
    from server.outbound.waves import auto_release

    factory = ctx["session_factory"]
    async with factory() as session:
        rule_ids = list((await session.execute(select(WaveRule.id).where(WaveRule.active.is_(True)))).scalars())
    released = 0
    for rule_id in rule_ids:
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            rule = await session.get(WaveRule, rule_id)
            if rule is None:
                continue
            wave = await auto_release(uow, rule)
            await commit_and_publish(ctx, uow)
        released += wave is not None
    return {"rules": len(rule_ids), "waves": released}
