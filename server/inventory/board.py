"""Counts on demand from the board: "count this location" next to a stock row opens a count (and its count task)
for every owner with stock there, through :func:`server.inventory.counts.count_on_demand`, the API's use case."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.response import Template

from server.board.api import BOARD, BoardPages, check_csrf
from server.board.i18n import t
from server.db.uow import UnitOfWork
from server.errors import DomainError, NotFound
from server.inventory import counts
from server.layout.models import Location
from server.settings import Settings

BOARD_COUNT_PRIORITY = 20  # asked for by a supervisor: ahead of scheduled counts (30)


class InventoryBoard(BoardPages):
    @post("/stock/locations/{location_id:int}/count", opt=BOARD, status_code=200)
    async def count_location(
        self, location_id: int, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any]
    ) -> Template:
        """Open a count of the location now; a refusal (already under count, nothing there) is shown in its place
        and changes nothing."""
        check_csrf(settings, request)
        location = await uow.session.get(Location, location_id)
        if location is None:
            raise NotFound(f"There is no location {location_id}.", code="location_not_found")
        locale = uow.caller.locale
        emitted = len(uow.events)
        try:
            async with uow.session.begin_nested():
                made = await counts.count_on_demand(
                    uow, location=location, owner_id=None, sku_id=None, priority=BOARD_COUNT_PRIORITY
                )
        except DomainError as exc:
            del uow.events[emitted:]  # nobody hears of counts that were rolled back
            message, ok = exc.message, False
        else:
            tasks = ", ".join(f"#{c.task_id}" for c in made)
            message, ok = f"{t('count_opened', locale)} {location.code}: {t('count_tasks', locale)} {tasks}", True
        return Template("_print_result.html", context={"message": message, "ok": ok})
