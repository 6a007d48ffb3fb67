"""After a load run or a fault drill: is every accepted write there exactly once, did any stock move twice, does
stock still equal the ledger? Returns sentences naming each problem (empty = sound)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from server.bench.handheld import Confirmed
from server.db.engine import create_engine, create_session_factory


async def check_picks(database_url: str, owner_id: int, confirmed: Iterable[Confirmed]) -> list[str]:
    from server.idempotency.models import IdempotentReply
    from server.inventory.models import Movement, MovementReason
    from server.inventory.services import audit_stock
    from server.outbound.models import OrderLine, SalesOrder
    from server.tasks.models import Task, TaskStatus, TaskType

    problems: list[str] = []
    accepted = list(confirmed)
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            keys = [c.key for c in accepted]
            stored: dict[str, int] = {}
            for i in range(0, len(keys), 500):
                rows = await session.execute(
                    select(IdempotentReply.key, func.count())
                    .where(IdempotentReply.key.in_(keys[i : i + 500]))
                    .group_by(IdempotentReply.key)
                )
                stored.update({str(k): int(n) for k, n in rows.all()})
            for c in accepted:
                if stored.get(c.key, 0) != 1:
                    problems.append(f"confirm {c.key} (task {c.task_id}) is stored {stored.get(c.key, 0)} times")
            tasks: dict[int, Any] = {
                t.id: t
                for t in (
                    await session.execute(select(Task).where(Task.owner_id == owner_id, Task.type == TaskType.PICK))
                ).scalars()
            }
            seen: set[int] = set()
            for c in accepted:
                if c.task_id in seen:
                    problems.append(f"task {c.task_id} was accepted twice under different keys")
                seen.add(c.task_id)
                task = tasks.get(c.task_id)
                if task is None:
                    problems.append(f"task {c.task_id} is missing")
                elif not c.short and (task.status != TaskStatus.DONE or int(task.details.get("picked", 0)) != c.qty):
                    problems.append(
                        f"task {c.task_id}: {task.status} with {task.details.get('picked', 0)} picked, "
                        f"{c.qty} confirmed"
                    )
            picked_by_tasks = sum(int(t.details.get("picked", 0)) for t in tasks.values())
            picked_in_ledger = (
                await session.execute(
                    select(func.coalesce(func.sum(Movement.qty), 0)).where(
                        Movement.owner_id == owner_id, Movement.reason == MovementReason.PICK
                    )
                )
            ).scalar_one()
            picked_on_lines = (
                await session.execute(
                    select(func.coalesce(func.sum(OrderLine.picked_qty), 0))
                    .join(SalesOrder, SalesOrder.id == OrderLine.order_id)
                    .where(SalesOrder.owner_id == owner_id)
                )
            ).scalar_one()
            if not picked_by_tasks == int(picked_in_ledger) == int(picked_on_lines):
                problems.append(
                    f"picked units disagree: tasks {picked_by_tasks}, ledger {picked_in_ledger}, "
                    f"order lines {picked_on_lines}"
                )
            diffs = await audit_stock(session)
            problems.extend(f"audit: {d.key} stock {d.stock_on_hand} ledger {d.ledger_on_hand}" for d in diffs[:20])
    finally:
        await engine.dispose()
    return problems
