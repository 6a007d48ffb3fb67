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
