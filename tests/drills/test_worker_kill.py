"""Drill: `wes worker` is killed -9 in the middle of a wave release (queued on a throwaway Redis). A new worker
retries the job; the release resumes after the last committed step and is applied once: one pick task per
reservation, every planned batch exactly once, `wes audit` clean."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from server.bench.scenario import add_orders, build_floor, release_wave
from server.db.engine import create_engine, create_session_factory
from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from tests.conftest import make_settings
from tests.drills.faults import RedisProcess, WorkerProcess, wait_until
from tests.servers import wes_audit

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


async def _mark_releasing_and_queue(url: str, redis_url: str, wave_id: int) -> None:
    from server.outbound import waves
    from server.outbound.jobs import enqueue_release

    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            await waves.start_release(UnitOfWork(session, SYSTEM), wave_id)
            await session.commit()
    finally:
        await engine.dispose()
    await enqueue_release(make_settings(url, redis_url=redis_url), wave_id)


async def _wave(url: str, wave_id: int) -> dict[str, Any]:
    from server.outbound.models import Allocation, PickBatch, Wave
    from server.tasks.models import Task, TaskType

    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as s:
            wave = await s.get(Wave, wave_id)
            assert wave is not None
            batch_ids = list((await s.execute(select(PickBatch.id).where(PickBatch.wave_id == wave_id))).scalars())
            tasks = (
                await s.execute(
                    select(func.count(), func.count(func.distinct(Task.details["allocation_id"].as_string()))).where(
                        Task.type == TaskType.PICK,
                        Task.details["batch_id"].as_integer().in_(batch_ids or [-1]),
                    )
                )
            ).one()
            with_task = (
                await s.execute(
                    select(func.count()).where(
                        Allocation.task_id.is_not(None), Allocation.order_id.in_(select_orders(wave_id))
                    )
                )
            ).scalar_one()
            return {
                "status": wave.status.value,
                "done": wave.batches_done,
                "planned": len(wave.preview["batches"]),
                "batches": len(batch_ids),
                "tasks": int(tasks[0]),
                "distinct_allocations": int(tasks[1]),
                "allocations_with_task": int(with_task),
            }
    finally:
        await engine.dispose()


def select_orders(wave_id: int) -> Any:
    from server.outbound.models import SalesOrder

    return select(SalesOrder.id).where(SalesOrder.wave_id == wave_id)


def test_worker_killed_mid_release_is_retried_and_applied_once(pg_url: str, tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path).start()
    floor = asyncio.run(build_floor(pg_url, skus=60, pickers=1, aisles=8, aisle_length_m=10))
    asyncio.run(add_orders(floor, 320, lines=3))
    wave_id = asyncio.run(release_wave(floor, time_limit_s=0.5, queue_only=True))
    asyncio.run(_mark_releasing_and_queue(pg_url, redis.url, wave_id))
    worker = WorkerProcess(pg_url, redis.url).start()
    try:
        state = wait_until(
            "the release to be part-way",
            lambda: (w := asyncio.run(_wave(pg_url, wave_id)))["done"] > 0 and w,
            timeout_s=120,
            every_s=0.05,
        )
        worker.kill9()
        assert state["done"] < state["planned"], "the release finished before the kill; make the wave bigger"
        worker = WorkerProcess(pg_url, redis.url).start()
        final = wait_until(
            "the retried release to finish",
            lambda: (w := asyncio.run(_wave(pg_url, wave_id)))["status"] == "released" and w,
            timeout_s=240,
            every_s=1,
        )
    finally:
        worker.stop()
        redis.kill9()
    assert final["batches"] == final["planned"] == final["done"], final
    assert final["tasks"] == final["distinct_allocations"] == final["allocations_with_task"], final
    audit = wes_audit(pg_url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
