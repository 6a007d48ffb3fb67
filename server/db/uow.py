"""The unit of work of one request: its database session, its caller, and the events to publish after commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Unauthenticated
from server.identity.principal import Principal


@dataclass(slots=True)
class Event:
    channel: str
    payload: dict[str, Any]


@dataclass
class UnitOfWork:
    """Services take one of these. The HTTP edge (or the CLI) commits it once at the end; events queued with
    :meth:`emit` are published only after that commit, so nobody hears of a change that was rolled back."""

    session: AsyncSession
    principal: Principal | None = None
    events: list[Event] = field(default_factory=list)

    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def emit(self, channel: str, payload: dict[str, Any]) -> None:
        self.events.append(Event(channel, payload))

    def on_commit(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run ``hook`` once the unit of work has committed (e.g. queue a job that reads what was just written);
        dropped on rollback. A hook's failure is logged, never undoes the commit: what it starts must be
        recoverable by a sweeper."""
        self.after_commit.append(hook)

    @property
    def caller(self) -> Principal:
        if self.principal is None:
            raise Unauthenticated("Log in first.")
        return self.principal
