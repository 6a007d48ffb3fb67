"""A wave's life beyond the happy path: a release that crashes half-way resumes and releases every batch exactly
once; a wave is called back (unstarted batches cancelled, their orders allocated again, a started one kept); a
failed release can be started again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from server.db.engine import create_engine, create_session_factory
from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from server.outbound import waves
from server.outbound.models import Allocation, OrderStatus, PickBatch, SalesOrder, Wave, WaveStatus
from server.outbound.schemas import WaveIn
from server.tasks.models import Task, TaskType
from tests.outbound_helpers import order_body
from tests.world import World, login


async def _six_allocated_orders(client: Any, world: World) -> tuple[dict[str, str], list[int]]:
    key = {"X-API-Key": world.api_keys["OWNA"]}
    ids = []
    for i in range(6):
        body = order_body(world, f"L-{i}", [("OWNA-SKU0", 1), ("OWNA-SKU2", 1)])
        r = await client.post("/api/v1/orders", json=body, headers=key)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    sup = await login(client, "supervisor")
    r = await client.post("/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
    assert len(r.json()["allocated"]) == 6
    r = await client.post(
        f"/api/v1/warehouses/{world.warehouse_id}/cart-types",
        json={"code": "C2", "max_orders": 2, "max_lines": 10},
        headers=sup,
    )
    assert r.status_code == 201, r.text
    return sup, ids


async def test_a_crashed_release_resumes_and_releases_each_batch_once(client, world: World, db_url: str) -> None:
    await _six_allocated_orders(client, world)
    engine = create_engine(db_url)
    factory = create_session_factory(engine)
    try:
        async with factory() as session:
            uow = UnitOfWork(session, SYSTEM)
            wave = await waves.plan_wave(uow, WaveIn(warehouse_id=world.warehouse_id, time_limit_s=0.3))
            await waves.start_release(uow, wave.id)
            await session.commit()
            wave_id, n = wave.id, len(wave.preview["batches"])
        assert n == 3
        sessions: list[Any] = []
        calls = 0

        def new_uow_factory(
            crash_on: int | None,
        ) -> Callable[[], Awaitable[tuple[UnitOfWork, Callable[[], Awaitable[None]]]]]:
            async def new_uow() -> tuple[UnitOfWork, Callable[[], Awaitable[None]]]:
                nonlocal calls
                calls += 1
                for s in sessions:
                    await s.close()
                sessions.clear()
                if calls == crash_on:
                    raise RuntimeError("worker killed")
                session = factory()
                sessions.append(session)
                return UnitOfWork(session, SYSTEM), session.commit

            return new_uow

        with pytest.raises(RuntimeError, match="worker killed"):
            await waves.release_in_steps(new_uow_factory(crash_on=2), wave_id, step=1)  # one batch committed
        async with factory() as session:
            half = await session.get(Wave, wave_id)
            assert half is not None and half.status == WaveStatus.RELEASING and half.batches_done == 1
            assert half.progress == len(half.preview["batches"][0]["orders"])
        calls = 0
        out = await waves.release_in_steps(new_uow_factory(crash_on=None), wave_id, step=1)
        assert out["status"] == "released" and out["resumed_at_batch"] == 1
        for s in sessions:
            await s.close()
        async with factory() as session:
            batches = (await session.execute(select(func.count()).select_from(PickBatch))).scalar_one()
            assert batches == n
            per_alloc = Counter(
                (
                    await session.execute(
                        select(Task.details["allocation_id"].as_integer()).where(Task.type == TaskType.PICK)
                    )
                ).scalars()
            )
            allocs = (await session.execute(select(Allocation))).scalars().all()
            assert set(per_alloc.values()) == {1} and len(per_alloc) == len(allocs) == 12
            assert all(a.task_id is not None for a in allocs)
            orders = (await session.execute(select(SalesOrder))).scalars().all()
            assert {o.status for o in orders} == {OrderStatus.RELEASED} and all(o.wave_id == wave_id for o in orders)
            done = await session.get(Wave, wave_id)
            assert done is not None and done.status == WaveStatus.RELEASED and done.progress == done.progress_total
    finally:
        await engine.dispose()


async def test_cancel_a_wave_keeps_started_batches_and_frees_the_rest(client, world: World) -> None:
    sup, ids = await _six_allocated_orders(client, world)
    # a planned wave called back: its orders are free for the next plan
    wave = (await client.post("/api/v1/waves", json={"warehouse_id": world.warehouse_id}, headers=sup)).json()
    r = await client.post(f"/api/v1/waves/{wave['id']}/cancel", json={"reason": "wrong filter"}, headers=sup)
    assert r.status_code == 200, r.text
    assert r.json()["wave"]["status"] == "cancelled" and r.json()["cancelled_batches"] == []
    again = await client.post(f"/api/v1/waves/{wave['id']}/cancel", json={}, headers=sup)
    assert again.status_code == 409 and again.json()["code"] == "wave_cancelled"
    r = await client.post(f"/api/v1/waves/{wave['id']}/release", headers=sup)
    assert r.status_code == 409 and r.json()["code"] == "wave_not_planned"
    # a released wave: one picker starts a batch, then the supervisor calls the wave back
    wave = (await client.post("/api/v1/waves", json={"warehouse_id": world.warehouse_id}, headers=sup)).json()
    assert wave["preview"]["orders"] == 6 and wave["preview"]["carts"] == 3
    assert (await client.post(f"/api/v1/waves/{wave['id']}/release", headers=sup)).status_code == 200
    picker = await login(client, "picker")
    held = (
        await client.post("/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=picker)
    ).json()
    r = await client.post(f"/api/v1/waves/{wave['id']}/cancel", json={"reason": "truck late"}, headers=sup)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["kept_batches"] == [held["code"]] and len(out["cancelled_batches"]) == 2
    assert out["wave"]["status"] == "released"
    orders = {i: (await client.get(f"/api/v1/orders/{i}", headers=sup)).json() for i in ids}
    kept = {o["order_id"] for o in held["orders"]}
    for i, o in orders.items():
        if i in kept:
            assert o["status"] == "released"
        else:
            assert o["status"] == "allocated" and o["tote"] == ""
            assert all(ln["allocated_qty"] == ln["qty"] for ln in o["lines"])  # still reserved for it
    tasks = (await client.get("/api/v1/tasks", params={"type": "pick", "limit": 100}, headers=sup)).json()["items"]
    by_status = Counter(t["status"] for t in tasks)
    assert by_status == {"cancelled": 8, "claimed": 4}, by_status
    # the freed orders plan again into a new wave, and pick normally
    wave2 = (await client.post("/api/v1/waves", json={"warehouse_id": world.warehouse_id}, headers=sup)).json()
    assert wave2["preview"]["orders"] == 4
    assert (await client.post(f"/api/v1/waves/{wave2['id']}/release", headers=sup)).json()["wave"]["status"] == (
        "released"
    )


async def test_the_sweeper_queues_again_a_release_that_stood_still_and_a_plan_only_after_its_time_limit(
    client, world: World, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wave's job lost (Redis, a killed worker, or SAQ's sweep race) is queued again by resume_stalled_releases_job:
    a release whose progress stood still for 30 s; a wave planning for 120 s (a solve may use its whole limit)."""
    from datetime import timedelta

    from sqlalchemy import update

    from server.db.base import utcnow
    from server.outbound import jobs

    await _six_allocated_orders(client, world)
    engine = create_engine(db_url)
    factory = create_session_factory(engine)
    queued: list[tuple[str, int]] = []

    async def release(_settings: Any, wave_id: int) -> None:
        queued.append(("release", wave_id))

    async def plan(_settings: Any, wave_id: int) -> None:
        queued.append(("plan", wave_id))

    monkeypatch.setattr(jobs, "enqueue_release", release)
    monkeypatch.setattr(jobs, "enqueue_planning", plan)
    try:
        async with factory() as session:
            wave = await waves.plan_wave(UnitOfWork(session, SYSTEM), WaveIn(warehouse_id=world.warehouse_id))
            wave_id = wave.id
            await session.commit()
        cases = [  # status, seconds since the wave last moved, queued again as
            (WaveStatus.RELEASING, 45, "release"),  # stood still
            (WaveStatus.RELEASING, 10, None),  # moving
            (WaveStatus.PLANNING, 45, None),  # may still be solving
            (WaveStatus.PLANNING, 150, "plan"),  # lost
            (WaveStatus.PLANNED, 600, None),  # waiting for a supervisor, not for a job
        ]
        for status, age_s, expected in cases:
            async with factory() as session:
                moved = utcnow() - timedelta(seconds=age_s)
                await session.execute(update(Wave).where(Wave.id == wave_id).values(status=status, updated_at=moved))
                await session.commit()
            queued.clear()
            out = await jobs.resume_stalled_releases_job({"session_factory": factory, "settings": None})
            assert queued == ([(expected, wave_id)] if expected else []), (status, age_s)
            assert out == {"resumed": len(queued)}
    finally:
        await engine.dispose()
