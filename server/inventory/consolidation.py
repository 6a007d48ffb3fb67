"""Consolidation suggestions: the same goods (owner, SKU, lot, expiry) spread loose over several reserve locations,
and the moves that would gather them (create them as move tasks with ``POST /api/v1/moves/tasks``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.catalog.models import Sku
from server.db.uow import UnitOfWork
from server.inventory.models import Stock, StockStatus
from server.inventory.rules import Spread, consolidation_moves
from server.layout.models import Location, LocationType


async def suggestions(uow: UnitOfWork, warehouse_id: int, *, limit: int = 50) -> list[dict[str, Any]]:
    rows = (
        await uow.session.execute(
            select(Stock, Location.code)
            .join(Location, Location.id == Stock.location_id)
            .where(
                Location.warehouse_id == warehouse_id,
                Location.type == LocationType.RESERVE,
                Location.blocked.is_(False),
                Stock.status == StockStatus.AVAILABLE,
                Stock.lpn == "",
                Stock.allocated == 0,
                Stock.on_hand > 0,
            )
            .order_by(Stock.id)
        )
    ).all()
    groups: dict[tuple[Any, ...], list[tuple[Stock, str]]] = {}
    for s, code in rows:
        if uow.caller.owner_id is not None and s.owner_id != uow.caller.owner_id:
            continue
        groups.setdefault((s.owner_id, s.sku_id, s.lot, s.expiry), []).append((s, code))
    skus = dict((await uow.session.execute(select(Sku.id, Sku.code).where(Sku.id.in_({k[1] for k in groups})))).all())
    out: list[dict[str, Any]] = []
    for (owner_id, sku_id, lot, _), members in groups.items():
        spread = [Spread(s.id, s.location_id, code, s.on_hand) for s, code in members]
        pairs = consolidation_moves(spread)
        if not pairs:
            continue
        target = pairs[0][1]
        out.append(
            {
                "sku_id": sku_id,
                "sku_code": skus.get(sku_id, ""),
                "owner_id": owner_id,
                "lot": lot,
                "rows": len(spread),
                "units": sum(r.qty for r in spread),
                "from_locations": sorted({r.location_code for r, _ in pairs}),
                "to_location": target.location_code,
                "suggested_moves": [
                    {"stock_id": r.stock_id, "qty": r.qty, "to_location_id": t.location_id} for r, t in pairs
                ],
            }
        )
    out.sort(key=lambda g: (-len(g["from_locations"]), g["sku_code"]))
    return out[:limit]
