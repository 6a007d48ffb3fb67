"""The daily storage snapshot: what each owner had in each warehouse at the end of a day (UTC), from the ledger.

Stock at the end of a day is the sum of the movement ledger up to that moment (invariant 2), so a snapshot can be
taken for any past day and taking it again gives the same figures: the scheduled job takes yesterday's, and a
missed day is taken later with the same result. Goods already on their way out (carts, pack stations, staging
and shipping lanes) are billed as outbound handling, not as storage."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, union_all

from server.billing import rules
from server.billing.models import StorageSnapshot
from server.catalog.models import Sku
from server.db.uow import UnitOfWork
from server.identity.models import Warehouse
from server.inventory.models import Movement
from server.layout.models import Location, LocationType

OUTBOUND_TYPES = frozenset({LocationType.PACK_STATION, LocationType.STAGING, LocationType.SHIPPING})


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


async def _stored(uow: UnitOfWork, warehouse_id: int, day: date) -> dict[int, list[rules.StoredUnits]]:
    end = day_start(day + timedelta(days=1))
    to_side = select(
        Movement.owner_id.label("owner_id"),
        Movement.to_location_id.label("loc"),
        Movement.to_lpn.label("lpn"),
        Movement.sku_id.label("sku_id"),
        Movement.qty.label("q"),
    ).where(Movement.at < end, Movement.to_location_id.is_not(None))
    from_side = select(
        Movement.owner_id.label("owner_id"),
        Movement.from_location_id.label("loc"),
        Movement.from_lpn.label("lpn"),
        Movement.sku_id.label("sku_id"),
        (-Movement.qty).label("q"),
    ).where(Movement.at < end, Movement.from_location_id.is_not(None))
    u = union_all(to_side, from_side).subquery()
    total = func.sum(u.c.q)
    stmt = (
        select(u.c.owner_id, u.c.loc, u.c.lpn, u.c.sku_id, total)
        .join(Location, Location.id == u.c.loc)
        .where(Location.warehouse_id == warehouse_id, Location.type.not_in(OUTBOUND_TYPES))
        .group_by(u.c.owner_id, u.c.loc, u.c.lpn, u.c.sku_id)
        .having(total > 0)
    )
    out: dict[int, list[rules.StoredUnits]] = defaultdict(list)
    for owner_id, loc, lpn, sku_id, qty in (await uow.session.execute(stmt)).all():
        out[owner_id].append(rules.StoredUnits(loc, lpn or "", sku_id, int(qty)))
    return out


async def _volumes(uow: UnitOfWork, sku_ids: set[int]) -> dict[int, int]:
    rows = await uow.session.execute(
        select(Sku.id, Sku.length_mm * Sku.width_mm * Sku.height_mm).where(Sku.id.in_(sku_ids))
    )
    return {sid: int(v or 0) for sid, v in rows.all()}


async def take_snapshots(uow: UnitOfWork, day: date, warehouse_id: int | None = None) -> list[StorageSnapshot]:
    """Take (or take again) the storage snapshot of ``day`` for every owner of one warehouse or of all."""
    if warehouse_id is None:
        warehouses = list((await uow.session.execute(select(Warehouse.id).order_by(Warehouse.id))).scalars())
    else:
        warehouses = [warehouse_id]
    taken: list[StorageSnapshot] = []
    for wh in warehouses:
        stored = await _stored(uow, wh, day)
        volumes = await _volumes(uow, {r.sku_id for rows in stored.values() for r in rows})
        existing = {
            s.owner_id: s
            for s in (
                await uow.session.execute(
                    select(StorageSnapshot).where(StorageSnapshot.warehouse_id == wh, StorageSnapshot.day == day)
                )
            ).scalars()
        }
        for owner_id in sorted(stored.keys() | existing.keys()):
            fig = rules.storage_figures(stored.get(owner_id, []), volumes)
            snap = existing.get(owner_id)
            if snap is None:
                snap = StorageSnapshot(owner_id=owner_id, warehouse_id=wh, day=day)
                uow.session.add(snap)
            snap.pallets, snap.locations, snap.volume_m3, snap.units = (
                fig.pallets,
                fig.locations,
                fig.volume_m3,
                fig.units,
            )
            taken.append(snap)
    await uow.session.flush()
    return taken
