"""Task endpoints: the queue on the board and on handhelds."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromQuery
from sqlalchemy import ColumnElement, select

from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.http.deps import Limit, Offset, Page
from server.http.guards import EVERYONE, FLOOR, MANAGERS, allow
from server.layout.models import Location
from server.tasks import services
from server.tasks.models import Task, TaskStatus, TaskType
from server.tasks.schemas import CancelIn, ClaimIn, ReassignIn, TaskOut


async def tasks_out(uow: UnitOfWork, tasks: list[Task]) -> list[TaskOut]:
    ids = {t.to_location_id for t in tasks if t.to_location_id is not None}
    codes = dict((await uow.session.execute(select(Location.id, Location.code).where(Location.id.in_(ids)))).all())
    return [
        TaskOut.model_validate(t).model_copy(
            update={"to_location_code": codes.get(t.to_location_id, "") if t.to_location_id else ""}
        )
        for t in tasks
    ]


async def task_out(uow: UnitOfWork, task: Task) -> TaskOut:
    return (await tasks_out(uow, [task]))[0]


class TaskController(Controller):
    path = "/api/v1/tasks"
    tags = ["tasks"]

    @get("/", opt=allow(*EVERYONE), summary="Tasks, filtered (an owner sees only its own)")
    async def list_tasks(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        warehouse_id: FromQuery[int | None] = None,
        type: FromQuery[TaskType | None] = None,
        status: FromQuery[TaskStatus | None] = None,
        assignee_id: FromQuery[int | None] = None,
        doc_ref: FromQuery[str | None] = None,
    ) -> Page[TaskOut]:
        where: list[ColumnElement[bool]] = []
        scope = uow.caller.owner_id if uow.caller.owner_id is not None else owner_id
        if scope is not None:
            where.append(Task.owner_id == scope)
        if warehouse_id is not None:
            where.append(Task.warehouse_id == warehouse_id)
        if type is not None:
            where.append(Task.type == type)
        if status is not None:
            where.append(Task.status == status)
        if assignee_id is not None:
            where.append(Task.assignee_id == assignee_id)
        if doc_ref is not None:
            where.append(Task.doc_ref == doc_ref)
        items, total = await list_page(
            uow.session, Task, *where, limit=limit, offset=offset, order_by=[(Task.priority, False), (Task.id, False)]
        )
        return Page(items=await tasks_out(uow, items), total=total, limit=limit, offset=offset)

    @get("/{task_id:int}", opt=allow(*EVERYONE), summary="One task")
    async def get_task(self, task_id: int, uow: UnitOfWork) -> TaskOut:
        return await task_out(uow, await services.get_task(uow, task_id))

    @post("/claim", opt=allow(*FLOOR), summary="Claim the next open task (one worker per task)")
    async def claim_next(self, data: ClaimIn, uow: UnitOfWork) -> TaskOut:
        return await task_out(uow, await services.claim_next(uow, data.warehouse_id, data.type))

    @post("/{task_id:int}/claim", opt=allow(*FLOOR), summary="Claim this task")
    async def claim(self, task_id: int, uow: UnitOfWork) -> TaskOut:
        return await task_out(uow, await services.claim(uow, task_id))

    @post("/{task_id:int}/start", opt=allow(*FLOOR), summary="Start a claimed task")
    async def start(self, task_id: int, uow: UnitOfWork) -> TaskOut:
        return await task_out(uow, await services.start(uow, task_id))

    @post("/{task_id:int}/cancel", opt=allow(*MANAGERS), summary="Cancel a task")
    async def cancel(self, task_id: int, data: CancelIn, uow: UnitOfWork) -> TaskOut:
        return await task_out(uow, await services.cancel(uow, task_id, data.note))

    @post("/{task_id:int}/reassign", opt=allow(*MANAGERS), summary="Give a task to another worker, or back")
    async def reassign(self, task_id: int, data: ReassignIn, uow: UnitOfWork) -> TaskOut:
        return await task_out(uow, await services.reassign(uow, task_id, data.user_id))


CONTROLLERS = [TaskController]
