"""Locations under a cycle count are frozen: no picking and no putaway until the count is closed.

A freezing count blocks the location (``blocked``), so allocation, putaway and moves into it refuse it through the
checks they already make; taking stock out of it (a pick, a move) asks :func:`check_not_frozen`."""

from __future__ import annotations

from sqlalchemy import select

from server.db.uow import UnitOfWork
from server.errors import Conflict
from server.inventory.models import OPEN_COUNT, CycleCount
from server.layout.models import Location


async def frozen_by(uow: UnitOfWork, location_id: int) -> CycleCount | None:
    """The open count that froze this location, if any."""
    return (
        await uow.session.execute(
            select(CycleCount)
            .where(
                CycleCount.location_id == location_id,
                CycleCount.status.in_(list(OPEN_COUNT)),
                CycleCount.frozen.is_(True),
            )
            .limit(1)
        )
    ).scalar_one_or_none()


async def check_not_frozen(uow: UnitOfWork, location_id: int) -> None:
    count = await frozen_by(uow, location_id)
    if count is not None:
        loc = await uow.session.get(Location, location_id)
        raise Conflict(
            f"Location {loc.code if loc else location_id} is being counted (count {count.id}); "
            "no stock leaves or enters it until the count is closed.",
            code="location_frozen",
            count_id=count.id,
        )
