"""The release job: run on the SAQ worker (``wes worker``) when Redis is configured."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from server.jobs.events import commit_and_publish
from server.outbound.models import Wave, WaveStatus
from server.outbound.waves import release_in_steps


async def release_wave_job(ctx: dict[str, Any], *, wave_id: int) -> dict[str, Any]:
    """Release a wave marked releasing, committing its progress every few batches."""
    factory = ctx["session_factory"]
    # the request that queued the job commits the 'releasing' mark just after enqueueing: wait for it
    for _ in range(100):
        async with factory() as session:
            wave = await session.get(Wave, wave_id)
            if wave is not None and wave.status == WaveStatus.RELEASING:
                break
        await asyncio.sleep(0.1)
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

        return uow, commit

    try:
        return await release_in_steps(new_uow, wave_id)
    except Exception as exc:
        async with factory() as session:
            wave = await session.get(Wave, wave_id)
            if wave is not None and wave.status == WaveStatus.RELEASING:
                wave.status = WaveStatus.FAILED
                wave.error = str(exc)[:500]
                await session.commit()
        raise
    finally:
        for s in sessions:
            await s.close()


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
