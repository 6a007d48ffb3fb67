"""Locations under a cycle count are frozen: no picking and no putaway until the count is closed.

A freezing count blocks the location (``blocked``), so allocation, putaway and moves into it refuse it through the
checks they already make; taking stock out of it (a pick, a move) asks :func:`check_not_frozen`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ScalarSelect, select

from server.db.uow import UnitOfWork
from server.errors import Conflict
from server.inventory.models import OPEN_COUNT, CycleCount
from server.layout.models import Location


def freezing_count(location_id: Any) -> ScalarSelect[int]:
    """The id of the open count that froze a location (NULL if none), as a scalar subquery, so that a caller
    reading the location's other rows learns it in the same statement."""
    return (
        select(CycleCount.id)
        .where(
            CycleCount.location_id == location_id,
            CycleCount.status.in_(list(OPEN_COUNT)),
            CycleCount.frozen.is_(True),
        )
        .limit(1)
        .scalar_subquery()
    )


async def frozen_by(uow: UnitOfWork, location_id: int) -> int | None:
    """The id of the open count that froze this location, if any."""
    count_id: int | None = (await uow.session.execute(select(freezing_count(location_id)))).scalar()
    return count_id


async def check_not_frozen(uow: UnitOfWork, location_id: int) -> None:
    await refuse_if_frozen(uow, location_id, await frozen_by(uow, location_id))


async def refuse_if_frozen(uow: UnitOfWork, location_id: int, count_id: int | None) -> None:
    """Refuse when ``count_id`` (read with :func:`freezing_count`) froze the location."""
    if count_id is not None:
        loc = await uow.session.get(Location, location_id)
        raise Conflict(
            f"Location {loc.code if loc else location_id} is being counted (count {count_id}); "
            "no stock leaves or enters it until the count is closed.",
            code="location_frozen",
            count_id=count_id,
        )
