"""Exception endpoints: the supervisor's list of what went wrong on the floor, and its resolution."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromQuery
from sqlalchemy import ColumnElement

from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.exceptions import services
from server.exceptions.models import ExceptionStatus, FloorException
from server.exceptions.schemas import ActionOut, ExceptionOut, ResolveIn
from server.http.deps import Limit, Offset, Page
from server.http.guards import MANAGERS, allow


def exception_out(exc: FloorException) -> ExceptionOut:
    out = ExceptionOut.model_validate(exc)
    if exc.status == ExceptionStatus.OPEN:
        out.actions = [
            ActionOut(name=a.name, label_en=a.label_en, label_zh=a.label_zh) for a in services.actions_for(exc.kind)
        ]
    return out


class ExceptionController(Controller):
    path = "/api/v1/exceptions"
    tags = ["exceptions"]

    @get("/", opt=allow(*MANAGERS), summary="Floor exceptions, newest first")
    async def list_exceptions(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        warehouse_id: FromQuery[int | None] = None,
        status: FromQuery[ExceptionStatus | None] = None,
        kind: FromQuery[str | None] = None,
    ) -> Page[ExceptionOut]:
        where: list[ColumnElement[bool]] = []
        if warehouse_id is not None:
            where.append(FloorException.warehouse_id == warehouse_id)
        if status is not None:
            where.append(FloorException.status == status)
        if kind is not None:
            where.append(FloorException.kind == kind)
        items, total = await list_page(
            uow.session, FloorException, *where, limit=limit, offset=offset, order_by=[(FloorException.id, True)]
        )
        return Page(items=[exception_out(e) for e in items], total=total, limit=limit, offset=offset)

    @get("/{exception_id:int}", opt=allow(*MANAGERS), summary="One exception with the actions that resolve it")
    async def get_exception(self, exception_id: int, uow: UnitOfWork) -> ExceptionOut:
        return exception_out(await services.get_exception(uow, exception_id))

    @post(
        "/{exception_id:int}/resolve",
        status_code=200,
        opt=allow(*MANAGERS),
        summary="Resolve an exception with one of its actions",
    )
    async def resolve(self, exception_id: int, data: ResolveIn, uow: UnitOfWork) -> ExceptionOut:
        return exception_out(await services.resolve_exception(uow, exception_id, data.action, data.note))


CONTROLLERS = [ExceptionController]
