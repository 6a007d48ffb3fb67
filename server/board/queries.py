"""What the board shows, read from the database as plain values (no framework here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.identity.models import Owner
from server.inventory.models import Movement, Stock
from server.layout.models import Location, Zone


@dataclass
class Overview:
    skus: int
    locations: int
    blocked: int
    units: int
    units_by_owner: list[tuple[str, int]] = field(default_factory=list)
    zones: list[tuple[str, int, int]] = field(default_factory=list)  # zone, in use, empty
    moves_by_hour: list[tuple[str, int]] = field(default_factory=list)

    def charts(self) -> dict[str, Any]:
        return {
            "owners": {"labels": [o for o, _ in self.units_by_owner], "values": [n for _, n in self.units_by_owner]},
            "zones": {
                "labels": [z for z, _, _ in self.zones],
                "in_use": [u for _, u, _ in self.zones],
                "empty": [e for _, _, e in self.zones],
            },
            "hours": {"labels": [h for h, _ in self.moves_by_hour], "values": [n for _, n in self.moves_by_hour]},
        }


async def overview(session: AsyncSession, now: datetime | None = None) -> Overview:
    now = now or datetime.now(UTC)
    skus = (await session.execute(select(func.count(Sku.id)))).scalar_one()
    locations, blocked = (
        await session.execute(
            select(func.count(Location.id), func.count(Location.id).filter(Location.blocked.is_(True)))
        )
    ).one()
    units = (await session.execute(select(func.coalesce(func.sum(Stock.on_hand), 0)))).scalar_one()
    by_owner = (
        await session.execute(
            select(Owner.code, func.coalesce(func.sum(Stock.on_hand), 0))
            .join(Stock, Stock.owner_id == Owner.id)
            .group_by(Owner.code)
            .order_by(Owner.code)
        )
    ).all()
    used = select(Stock.location_id).where(Stock.on_hand > 0).distinct().subquery()
    zones = (
        await session.execute(
            select(Zone.code, func.count(used.c.location_id), func.count(Location.id))
            .join(Location, Location.zone_id == Zone.id)
            .outerjoin(used, used.c.location_id == Location.id)
            .group_by(Zone.code)
            .order_by(Zone.code)
        )
    ).all()
    since = now - timedelta(hours=24)
    hours = [(since + timedelta(hours=i + 1)).replace(minute=0, second=0, microsecond=0) for i in range(24)]
    counts = dict.fromkeys(hours, 0)
    for (at,) in (await session.execute(select(Movement.at).where(Movement.at >= since))).all():
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        slot = at.replace(minute=0, second=0, microsecond=0)
        if slot in counts:
            counts[slot] += 1
    return Overview(
        skus=int(skus),
        locations=int(locations),
        blocked=int(blocked or 0),
        units=int(units),
        units_by_owner=[(c, int(n)) for c, n in by_owner],
        zones=[(z, int(u), int(n) - int(u)) for z, u, n in zones],
        moves_by_hour=[(f"{h:%H}:00", counts[h]) for h in hours],
    )
