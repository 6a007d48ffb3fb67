"""Open, list and resolve floor exceptions. Each area registers the actions that resolve its kinds (a short pick's
recount, a weight mismatch's recheck); resolving runs the action and closes the exception in one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from server.db.base import utcnow
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.exceptions.models import ExceptionStatus, FloorException

Handler = Callable[[UnitOfWork, FloorException, str], Awaitable[None]]


async def _close_only(uow: UnitOfWork, exc: FloorException, note: str) -> None:
    """The action every kind has: the supervisor looked at it and nothing else needs doing."""


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    label_en: str
    label_zh: str
    handler: Handler


CLOSE = Action("close", "Close", "关闭", _close_only)
_ACTIONS: dict[str, dict[str, Action]] = {}


def register_action(kind: str, action: str, label_en: str, label_zh: str, handler: Handler) -> None:
    """Declare that ``action`` resolves exceptions of ``kind`` by running ``handler`` (at import time)."""
    _ACTIONS.setdefault(kind, {})[action] = Action(action, label_en, label_zh, handler)


def actions_for(kind: str) -> list[Action]:
    """The kind's registered actions, then the plain close every kind has."""
    return [*_ACTIONS.get(kind, {}).values(), CLOSE]


def exception_event(uow: UnitOfWork, exc: FloorException, event: str) -> None:
    uow.emit(
        "exceptions",
        {
            "event": event,
            "exception_id": exc.id,
            "kind": exc.kind,
            "warehouse_id": exc.warehouse_id,
            "owner_id": exc.owner_id,
            "ref_type": exc.ref_type,
            "ref_id": exc.ref_id,
            "message": exc.message,
            "state": exc.status.value,
        },
    )


async def open_exception(
    uow: UnitOfWork,
    kind: str,
    *,
    warehouse_id: int,
    owner_id: int | None,
    ref_type: str,
    ref_id: str,
    message: str,
    details: dict[str, Any] | None = None,
) -> FloorException:
    """Record an exception in the caller's transaction; the board hears of it after the commit."""
    principal = uow.principal
    exc = FloorException(
        kind=kind,
        status=ExceptionStatus.OPEN,
        warehouse_id=warehouse_id,
        owner_id=owner_id,
        ref_type=ref_type,
        ref_id=str(ref_id),
        message=message[:500],
        details=details or {},
        opened_by_id=principal.user_id if principal is not None else None,
    )
    uow.session.add(exc)
    await uow.session.flush()
    exception_event(uow, exc, "opened")
    return exc


async def get_exception(uow: UnitOfWork, exception_id: int, *, lock: bool = False) -> FloorException:
    stmt = select(FloorException).where(FloorException.id == exception_id)
    exc = (await uow.session.execute(for_update(stmt) if lock else stmt)).scalar_one_or_none()
    scope = uow.caller.owner_id
    if exc is None or (scope is not None and exc.owner_id != scope):
        raise NotFound(f"There is no exception {exception_id}.", code="exception_not_found")
    return exc


async def resolve_exception(uow: UnitOfWork, exception_id: int, action: str, note: str = "") -> FloorException:
    """Run the kind's ``action`` and close the exception; an exception is resolved once."""
    exc = await get_exception(uow, exception_id, lock=True)
    if exc.status != ExceptionStatus.OPEN:
        raise Conflict(f"Exception {exc.id} was already resolved ({exc.resolution}).", code="exception_resolved")
    chosen = {a.name: a for a in actions_for(exc.kind)}.get(action)
    if chosen is None:
        names = ", ".join(a.name for a in actions_for(exc.kind))
        raise InvalidInput(
            f"'{action}' does not resolve a {exc.kind} exception; choose one of: {names}.", code="unknown_action"
        )
    await chosen.handler(uow, exc, note)
    exc.status = ExceptionStatus.RESOLVED
    exc.resolution = action
    exc.note = note[:500]
    exc.resolved_at = utcnow()
    exc.resolved_by_id = uow.caller.user_id
    await uow.session.flush()
    exception_event(uow, exc, "resolved")
    return exc
