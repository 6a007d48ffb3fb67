"""Use cases of the layout: zones, locations, CSV import, the rectangular generator, scan look-ups."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update

from server.bulk.table import refuse
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.identity.models import Owner, Warehouse
from server.layout.models import Location, Zone
from server.layout.rules import (
    LocationSpec,
    RectangularLayout,
    check_digits_for,
    generate_rectangular,
    parse_locations_csv,
)


async def warehouse_or_404(uow: UnitOfWork, warehouse_id: int) -> Warehouse:
    wh = await uow.session.get(Warehouse, warehouse_id)
    if wh is None:
        raise NotFound(f"There is no warehouse {warehouse_id}.", code="warehouse_not_found")
    return wh


async def location_by_code(uow: UnitOfWork, warehouse_id: int, code: str) -> Location:
    """The location a handheld scanned (codes are upper-case; scanners may send lower)."""
    loc = (
        await uow.session.execute(
            select(Location).where(Location.warehouse_id == warehouse_id, Location.code == code.strip().upper())
        )
    ).scalar_one_or_none()
    if loc is None:
        raise NotFound(f"There is no location '{code}' in this warehouse.", code="unknown_location")
    return loc


async def location_or_404(uow: UnitOfWork, location_id: int) -> Location:
    loc = await uow.session.get(Location, location_id)
    if loc is None:
        raise NotFound(f"There is no location {location_id}.", code="location_not_found")
    return loc


async def create_zone(uow: UnitOfWork, warehouse_id: int, code: str, name: str) -> Zone:
    await warehouse_or_404(uow, warehouse_id)
    if (await uow.session.execute(select(Zone.id).where(Zone.warehouse_id == warehouse_id, Zone.code == code))).first():
        raise Conflict(f"Zone {code} already exists in this warehouse.", code="duplicate_zone")
    zone = Zone(warehouse_id=warehouse_id, code=code, name=name)
    uow.session.add(zone)
    await uow.session.flush()
    return zone


async def create_location(uow: UnitOfWork, warehouse_id: int, data: dict[str, Any]) -> Location:
    wh = await warehouse_or_404(uow, warehouse_id)
    zone = await uow.session.get(Zone, data["zone_id"])
    if zone is None or zone.warehouse_id != warehouse_id:
        raise InvalidInput(f"Zone {data['zone_id']} is not in this warehouse.", code="unknown_zone")
    if (
        await uow.session.execute(
            select(Location.id).where(Location.warehouse_id == warehouse_id, Location.code == data["code"])
        )
    ).first():
        raise Conflict(f"Location {data['code']} already exists.", code="duplicate_location")
    loc = Location(warehouse_id=warehouse_id, check_digits=check_digits_for(wh.code, data["code"]), **data)
    uow.session.add(loc)
    await uow.session.flush()
    return loc


async def set_blocked(uow: UnitOfWork, location_id: int, blocked: bool, reason: str) -> Location:
    loc = await location_or_404(uow, location_id)
    loc.blocked = blocked
    loc.block_reason = reason if blocked else ""
    await uow.session.flush()
    uow.emit("layout", {"event": "location_blocked" if blocked else "location_unblocked", "location_id": loc.id})
    return loc


async def _zones(uow: UnitOfWork, warehouse_id: int, codes: set[str]) -> tuple[dict[str, int], list[str]]:
    rows = (await uow.session.execute(select(Zone.code, Zone.id).where(Zone.warehouse_id == warehouse_id))).all()
    zones = dict(rows)
    created = []
    for code in sorted(codes - zones.keys()):
        zone = Zone(warehouse_id=warehouse_id, code=code, name=f"Zone {code}")
        uow.session.add(zone)
        await uow.session.flush()
        zones[code] = zone.id
        created.append(code)
    return zones, created


async def save_specs(uow: UnitOfWork, warehouse: Warehouse, specs: list[LocationSpec]) -> dict[str, Any]:
    """Insert new locations and update existing ones (matched by code) in bulk; creates missing zones."""
    owners = dict((await uow.session.execute(select(Owner.code, Owner.id))).all())
    unknown = sorted({s.owner for s in specs if s.owner and s.owner not in owners})
    if unknown:
        raise InvalidInput(f"Unknown owner code(s): {', '.join(unknown)}.", code="unknown_owner")
    zones, zones_created = await _zones(uow, warehouse.id, {s.zone for s in specs})
    existing = dict(
        (
            await uow.session.execute(select(Location.code, Location.id).where(Location.warehouse_id == warehouse.id))
        ).all()
    )
    new_rows, updates = [], []
    for s in specs:
        row = {
            "zone_id": zones[s.zone],
            "type": s.type,
            "aisle": s.aisle,
            "bay": s.bay,
            "level": s.level,
            "position": s.position,
            "x_m": s.x_m,
            "y_m": s.y_m,
            "capacity_units": s.capacity_units,
            "capacity_m3": s.capacity_m3,
            "max_kg": s.max_kg,
            "owner_id": owners[s.owner] if s.owner else None,
            "active": s.active,
        }
        if s.code in existing:
            if s.check_digits:
                row["check_digits"] = s.check_digits
            updates.append({"id": existing[s.code], **row})
        else:
            new_rows.append(
                {
                    "warehouse_id": warehouse.id,
                    "code": s.code,
                    "check_digits": s.check_digits or check_digits_for(warehouse.code, s.code),
                    **row,
                }
            )
    if new_rows:
        await uow.session.execute(insert(Location), new_rows)
    if updates:
        await uow.session.execute(update(Location), updates)
    uow.emit("layout", {"event": "locations_saved", "warehouse_id": warehouse.id, "count": len(specs)})
    return {
        "imported": len(specs),
        "created": len(new_rows),
        "updated": len(updates),
        "zones_created": zones_created,
    }


async def import_csv(
    uow: UnitOfWork, warehouse_id: int, data: bytes | str, *, encoding: str = "auto", max_rows: int = 100_000
) -> dict[str, Any]:
    """Import a locations CSV (UTF-8 or GBK, see :mod:`server.bulk.table`): every bad row reported (row, column,
    message) and nothing imported if any."""
    wh = await warehouse_or_404(uow, warehouse_id)
    parsed = parse_locations_csv(data, encoding=encoding, max_rows=max_rows)
    if parsed.errors:
        raise refuse(parsed.errors)
    return await save_specs(uow, wh, parsed.specs)


async def generate(
    uow: UnitOfWork,
    warehouse_id: int,
    layout: RectangularLayout,
    *,
    pick_face_levels: int = 1,
    capacity_units: int = 200,
    capacity_m3: Decimal = Decimal("0.5"),
) -> dict[str, Any]:
    wh = await warehouse_or_404(uow, warehouse_id)
    problems = layout.validate()
    if problems:
        raise InvalidInput("; ".join(problems) + ".", code="invalid_layout")
    specs = generate_rectangular(
        layout,
        wh.code,
        pick_face_levels=pick_face_levels,
        capacity_units=capacity_units,
        capacity_m3=capacity_m3,
    )
    wh.layout = layout.as_json()
    return await save_specs(uow, wh, specs)
