"""The walking graph of a warehouse, as the optimizer sees it, built from the layout in the database.

Built once per warehouse and layout version and kept in memory: routing a pick list then costs only the work
on the picks at hand (the optimizer caches distances per layout).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from optimizer import Layout, Point, Position, layout_from_locations
from optimizer import Location as GridLocation
from server.db.uow import UnitOfWork
from server.errors import InvalidInput
from server.layout.models import Location
from server.layout.services import warehouse_or_404


@dataclass(frozen=True)
class WalkingModel:
    layout: Layout
    positions: dict[int, Position]  # location id -> where the picker stands in the grid
    codes: dict[int, str]


_CACHE: dict[tuple[int, datetime | None, int], WalkingModel] = {}


async def walking_model(uow: UnitOfWork, warehouse_id: int) -> WalkingModel:
    """The warehouse's walking model; rebuilt only when a location was added or changed."""
    wh = await warehouse_or_404(uow, warehouse_id)
    version = (
        await uow.session.execute(
            select(func.max(Location.updated_at), func.count(Location.id)).where(Location.warehouse_id == warehouse_id)
        )
    ).one()
    key = (warehouse_id, version[0], int(version[1]))
    if key in _CACHE:
        return _CACHE[key]
    rows = (
        await uow.session.execute(
            select(Location.id, Location.code, Location.aisle, Location.x_m, Location.y_m).where(
                Location.warehouse_id == warehouse_id, Location.aisle.is_not(None)
            )
        )
    ).all()
    if not rows:
        raise InvalidInput("This warehouse has no locations in aisles yet.", code="no_layout")
    params = wh.layout or {}
    if params.get("aisles"):
        depot = params.get("depot") or {}
        layout = Layout.rectangular(
            params["aisles"],
            params["aisle_length_m"],
            params["aisle_pitch_m"],
            params.get("cross_aisles", 2),
            Point(float(depot.get("x", 0.0)), float(depot.get("y", 0.0))),
        )
        positions = {r.id: Position(int(r.aisle), float(r.y_m)) for r in rows}
    else:  # an imported layout: aisle centre lines from the locations' coordinates
        layout, by_code = layout_from_locations(
            [GridLocation(str(r.id), int(r.aisle), float(r.y_m), float(r.x_m)) for r in rows]
        )
        positions = {int(k): v for k, v in by_code.items()}
    model = WalkingModel(layout, positions, {r.id: r.code for r in rows})
    _CACHE.clear()  # one warehouse layout version at a time per process is plenty
    _CACHE[key] = model
    return model
