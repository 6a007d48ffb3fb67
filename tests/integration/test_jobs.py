"""The job queue for real: SAQ on the machine's Redis, a worker that runs queued jobs against the database."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from saq import Queue
from sqlalchemy import func, select

from server.db.engine import create_engine, create_session_factory
from server.idempotency.models import IdempotentReply
from server.jobs.queue import make_worker
from tests.conftest import make_settings


async def test_worker_purges_old_replies(pg_url: str, redis_url: str) -> None:
    engine = create_engine(pg_url)
    factory = create_session_factory(engine)
    old = datetime.now(UTC) - timedelta(days=10)
    async with factory() as s:
        for i, at in enumerate([old, old, datetime.now(UTC)]):
            s.add(
                IdempotentReply(
                    caller="user:1",
                    key=f"k{i}",
                    method="POST",
                    path="/x",
                    request_hash="h",
                    status_code=201,
                    content_type="application/json",
                    body=b"{}",
                    created_at=at,
                )
            )
        await s.commit()
    settings = make_settings(pg_url, redis_url=redis_url)
    queue = Queue.from_url(redis_url, name=f"wes-test-{uuid.uuid4().hex[:8]}")
    job = await queue.enqueue("purge_idempotent_replies")
    assert job is not None
    worker = make_worker(settings, queue)
    running = asyncio.create_task(worker.start())
    try:
        for _ in range(100):
            await job.refresh()
            if job.status in ("complete", "failed"):
                break
            await asyncio.sleep(0.1)
    finally:
        await worker.stop()
        running.cancel()
    assert job.status == "complete" and job.result == {"purged": 2}
    async with factory() as s:
        assert (await s.execute(select(func.count(IdempotentReply.id)))).scalar_one() == 1
    await queue.disconnect()
    await engine.dispose()


async def test_events_raised_in_jobs_reach_redis_after_commit(sqlite_url: str, redis_url: str) -> None:
    import json

    from redis.asyncio import Redis

    from server.db.uow import UnitOfWork
    from server.identity.principal import SYSTEM
    from server.jobs.events import commit_and_publish

    channel = f"waves-test-{uuid.uuid4().hex[:6]}"
    redis = Redis.from_url(redis_url)
    sub = redis.pubsub()
    await sub.subscribe(channel)
    engine = create_engine(sqlite_url)
    async with create_session_factory(engine)() as session:
        uow = UnitOfWork(session, SYSTEM)
        uow.emit(channel, {"event": "released", "wave_id": 7})
        await commit_and_publish({"redis": redis}, uow)
        assert uow.events == []
    got = None
    for _ in range(50):
        msg = await sub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if msg is not None:
            got = json.loads(msg["data"])
            break
    assert got == {"event": "released", "wave_id": 7}
    await sub.aclose()
    await redis.aclose()
    await engine.dispose()
