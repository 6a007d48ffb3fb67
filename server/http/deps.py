"""Dependencies every controller uses: the request's unit of work and paging."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from litestar import Request
from litestar.params import Parameter
from pydantic import BaseModel

from server.db.uow import UnitOfWork

T = TypeVar("T")


def provide_uow(request: Request[Any, Any, Any]) -> UnitOfWork:
    uow: UnitOfWork = request.scope["state"]["uow"]
    return uow


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` and the ``total`` that match the filters."""

    items: list[T]
    total: int
    limit: int
    offset: int


Limit = Annotated[int, Parameter(ge=1, le=1000, description="Rows per page (max 1000)")]
Offset = Annotated[int, Parameter(ge=0, description="Rows to skip")]

DEPENDENCIES: dict[str, Any] = {}
