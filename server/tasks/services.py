"""The task queue: create, claim (one worker at a time), start, finish, cancel, reassign.

Claiming locks the task row: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers asking at once get two
different tasks and neither waits for the other; SQLite serialises writers anyway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from server.db.base import utcnow
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, NotFound
from server.identity.models import Role, User
from server.tasks.models import Task, TaskStatus, TaskType

ACTIVE = frozenset({TaskStatus.CLAIMED, TaskStatus.IN_PROGRESS})
FINAL = frozenset({TaskStatus.DONE, TaskStatus.CANCELLED})
MANAGER_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


def _publish(uow: UnitOfWork, task: Task, event: str) -> None:
    uow.emit(
        "tasks",
        {
            "event": event,
            "task_id": task.id,
            "type": task.type.value,
            "status": task.status.value,
            "warehouse_id": task.warehouse_id,
            "owner_id": task.owner_id,
            "assignee_id": task.assignee_id,
        },
    )


async def create_task(uow: UnitOfWork, **fields: Any) -> Task:
    task = Task(status=TaskStatus.OPEN, **fields)
    uow.session.add(task)
    await uow.session.flush()
    _publish(uow, task, "created")
    return task


async def get_task(uow: UnitOfWork, task_id: int, *, lock: bool = False) -> Task:
    stmt = select(Task).where(Task.id == task_id)
    if lock:
        stmt = for_update(stmt)
    task = (await uow.session.execute(stmt)).scalar_one_or_none()
    if task is None:
        raise NotFound(f"There is no task {task_id}.", code="task_not_found")
    uow.caller.check_owner(task.owner_id)
    return task


async def claim_next(uow: UnitOfWork, warehouse_id: int, task_type: TaskType | None = None) -> Task:
    """Give the caller the most urgent open task (lowest priority number, then oldest)."""
    user_id = _worker(uow)
    stmt = select(Task).where(Task.warehouse_id == warehouse_id, Task.status == TaskStatus.OPEN)
    if task_type is not None:
        stmt = stmt.where(Task.type == task_type)
    stmt = for_update(stmt.order_by(Task.priority, Task.id).limit(1), skip_locked=True)
    task = (await uow.session.execute(stmt)).scalar_one_or_none()
    if task is None:
        raise NotFound("There is no open task for you right now.", code="no_task")
    return await _take(uow, task, user_id)


async def claim(uow: UnitOfWork, task_id: int) -> Task:
    """Claim one named task (e.g. the one the supervisor pointed at)."""
    user_id = _worker(uow)
    task = await get_task(uow, task_id, lock=True)
    if task.status in ACTIVE and task.assignee_id == user_id:
        return task
    if task.status != TaskStatus.OPEN:
        raise Conflict(f"Task {task.id} is {task.status}; only an open task can be claimed.", code="task_not_open")
    return await _take(uow, task, user_id)


async def _take(uow: UnitOfWork, task: Task, user_id: int) -> Task:
    task.status = TaskStatus.CLAIMED
    task.assignee_id = user_id
    task.claimed_at = utcnow()
    await uow.session.flush()
    _publish(uow, task, "claimed")
    return task


def _worker(uow: UnitOfWork) -> int:
    if uow.caller.user_id is None:
        raise Forbidden("Only a logged-in worker can hold a task.", code="forbidden")
    return uow.caller.user_id


def check_holder(uow: UnitOfWork, task: Task) -> None:
    """Refuse unless the caller holds this active task (a supervisor may act on any)."""
    if task.status not in ACTIVE:
        raise Conflict(f"Task {task.id} is {task.status}; claim it before working on it.", code="task_not_claimed")
    if task.assignee_id != uow.caller.user_id and uow.caller.role not in MANAGER_ROLES:
        raise Conflict(f"Task {task.id} is held by another worker.", code="task_held_by_other")


async def start(uow: UnitOfWork, task_id: int) -> Task:
    task = await get_task(uow, task_id, lock=True)
    check_holder(uow, task)
    if task.status == TaskStatus.CLAIMED:
        task.status = TaskStatus.IN_PROGRESS
        task.started_at = utcnow()
        await uow.session.flush()
        _publish(uow, task, "started")
    return task


DoneHook = Callable[[UnitOfWork, Task], Awaitable[None]]
_ON_DONE: dict[str, list[DoneHook]] = {}


def on_done(doc_type: str, hook: DoneHook) -> None:
    """Run ``hook`` in the same unit of work whenever a task of ``doc_type`` is finished (e.g. a re-slotting move
    changes the slot assignment when its last task is confirmed). Registered at import by the area it belongs to."""
    _ON_DONE.setdefault(doc_type, []).append(hook)


async def finish(uow: UnitOfWork, task: Task) -> Task:
    """Mark a task done (the caller has done its type's work in the same unit of work), then run the hooks of
    the document it came from."""
    task.status = TaskStatus.DONE
    task.done_at = utcnow()
    await uow.session.flush()
    for hook in _ON_DONE.get(task.doc_type, ()):
        await hook(uow, task)
    _publish(uow, task, "done")
    return task


async def cancel(uow: UnitOfWork, task_id: int, note: str) -> Task:
    task = await get_task(uow, task_id, lock=True)
    if task.status in FINAL:
        raise Conflict(f"Task {task.id} is already {task.status}.", code="task_final")
    task.status = TaskStatus.CANCELLED
    task.note = note[:500]
    await uow.session.flush()
    _publish(uow, task, "cancelled")
    return task


async def reassign(uow: UnitOfWork, task_id: int, user_id: int | None) -> Task:
    task = await get_task(uow, task_id, lock=True)
    if task.status in FINAL:
        raise Conflict(f"Task {task.id} is already {task.status}.", code="task_final")
    if user_id is None:
        task.status = TaskStatus.OPEN
        task.assignee_id = None
        task.claimed_at = None
        task.started_at = None
    else:
        user = await uow.session.get(User, user_id)
        if user is None or not user.active or user.owner_id is not None:
            raise NotFound(f"There is no active warehouse worker {user_id}.", code="user_not_found")
        task.status = TaskStatus.CLAIMED
        task.assignee_id = user_id
        task.claimed_at = utcnow()
    await uow.session.flush()
    _publish(uow, task, "reassigned")
    return task
