"""Plain CRUD of master data through advanced-alchemy repositories (paging, filtering, counting)."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from advanced_alchemy.filters import LimitOffset
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import Select, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from server.db.base import Base

M = TypeVar("M", bound=Base)


@cache
def repository_for(model: type[M]) -> type[SQLAlchemyAsyncRepository[M]]:
    """An advanced-alchemy repository class for ``model`` (made once per model)."""
    return type(f"{model.__name__}Repository", (SQLAlchemyAsyncRepository,), {"model_type": model})


async def list_page(
    session: AsyncSession,
    model: type[M],
    *where: ColumnElement[bool],
    limit: int,
    offset: int,
    order_by: Any = None,
) -> tuple[list[M], int]:
    repo = repository_for(model)(session=session, auto_expunge=False)
    default_order = inspect(model).primary_key[0].asc()
    items, total = await repo.get_many_and_count(
        LimitOffset(limit, offset), *where, order_by=order_by if order_by is not None else default_order
    )
    return list(items), total


S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def for_update(stmt: S, *, skip_locked: bool = False, of: Any = None) -> S:
    """Lock the rows the statement reads (``FOR UPDATE``; SQLite holds the write lock anyway) and refresh the
    objects the session already holds: without ``populate_existing`` a row loaded earlier in the transaction keeps
    its stale values after the lock, and a concurrent change is silently lost."""
    return stmt.with_for_update(skip_locked=skip_locked, of=of).execution_options(populate_existing=True)


def upsert_insert(dialect: str, model: type[M]) -> Any:
    """An ``INSERT`` construct that has ``on_conflict_do_update`` for a database kind (``session.get_bind().dialect
    .name``): PostgreSQL and SQLite spell an upsert alike, SQLAlchemy has one construct per dialect."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
