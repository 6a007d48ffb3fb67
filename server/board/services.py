"""The few writes the board makes that no other area offers as a use case."""

from __future__ import annotations

from sqlalchemy import select

from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.outbound.models import WaveRule
from server.tasks.models import Task
from server.tasks.services import FINAL, get_task


async def set_rule_active(uow: UnitOfWork, rule_id: int, active: bool) -> WaveRule:
    """Switch an auto-release rule on or off (the worker's minute cron skips inactive rules)."""
    rule = (await uow.session.execute(for_update(select(WaveRule).where(WaveRule.id == rule_id)))).scalar_one_or_none()
    if rule is None:
        raise NotFound(f"There is no wave rule {rule_id}.", code="wave_rule_not_found")
    rule.active = active
    await uow.session.flush()
    return rule


async def reprioritise(uow: UnitOfWork, task_id: int, priority: int) -> Task:
    """Give an unfinished task another priority (lower runs first: 0 most urgent, 100 least)."""
    if not 0 <= priority <= 100:
        raise InvalidInput("A priority is a whole number from 0 (most urgent) to 100.", code="invalid_priority")
    task = await get_task(uow, task_id, lock=True)
    if task.status in FINAL:
        raise Conflict(f"Task {task.id} is already {task.status}.", code="task_final")
    task.priority = priority
    await uow.session.flush()
    uow.emit(
        "tasks",
        {
            "event": "reprioritised",
            "task_id": task.id,
            "type": task.type.value,
            "status": task.status.value,
            "warehouse_id": task.warehouse_id,
            "owner_id": task.owner_id,
            "priority": priority,
        },
    )
    return task
