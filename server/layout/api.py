"""Layout endpoints: zones, locations, CSV import, the rectangular generator, check-digit confirmation."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromQuery, Parameter, QueryParameter
from sqlalchemy import ColumnElement

from optimizer import InputError, route, tour_length
from server.bulk.http import csv_body
from server.bulk.table import Encoding
from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.errors import InvalidInput
from server.http.deps import Limit, Offset, Page
from server.http.guards import EVERYONE, FLOOR, MANAGERS, allow
from server.identity.models import Role
from server.layout import services
from server.layout.graph import walking_model
from server.layout.models import Location, LocationType, Zone
from server.layout.rules import RectangularLayout
from server.layout.schemas import (
    BlockIn,
    CheckIn,
    CheckOut,
    GenerateIn,
    ImportReport,
    LocationIn,
    LocationOut,
    RouteIn,
    RouteOut,
    WalkingGraphOut,
    ZoneIn,
    ZoneOut,
)
from server.settings import Settings


def _location_out(uow: UnitOfWork, loc: Location) -> LocationOut:
    """A location as the caller may see it: check digits only for managers (who print labels)."""
    out = LocationOut.model_validate(loc)
    if uow.principal is None or uow.principal.role not in MANAGERS:
        out.check_digits = None
    return out


class LayoutController(Controller):
    path = "/api/v1/warehouses/{warehouse_id:int}"
    tags = ["layout"]

    @get("/zones", opt=allow(*EVERYONE), summary="Zones of a warehouse")
    async def list_zones(
        self, warehouse_id: int, uow: UnitOfWork, limit: Limit = 50, offset: Offset = 0
    ) -> Page[ZoneOut]:
        await services.warehouse_or_404(uow, warehouse_id)
        items, total = await list_page(uow.session, Zone, Zone.warehouse_id == warehouse_id, limit=limit, offset=offset)
        return Page(items=[ZoneOut.model_validate(z) for z in items], total=total, limit=limit, offset=offset)

    @post("/zones", opt=allow(*MANAGERS), summary="Create a zone")
    async def create_zone(self, warehouse_id: int, data: ZoneIn, uow: UnitOfWork) -> ZoneOut:
        return ZoneOut.model_validate(await services.create_zone(uow, warehouse_id, data.code, data.name))

    @get("/locations", opt=allow(*EVERYONE), summary="Locations, filtered and paged")
    async def list_locations(
        self,
        warehouse_id: int,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        zone: Annotated[str | None, Parameter(description="Zone code")] = None,
        type_: Annotated[LocationType | None, QueryParameter(name="type")] = None,
        code_prefix: Annotated[str | None, Parameter(max_length=32)] = None,
        aisle: Annotated[int | None, Parameter(ge=0)] = None,
        blocked: FromQuery[bool | None] = None,
    ) -> Page[LocationOut]:
        await services.warehouse_or_404(uow, warehouse_id)
        where: list[ColumnElement[bool]] = [Location.warehouse_id == warehouse_id]
        if zone:
            where.append(
                Location.zone_id.in_(
                    Zone.__table__.select()
                    .with_only_columns(Zone.id)
                    .where(Zone.code == zone.upper(), Zone.warehouse_id == warehouse_id)
                )
            )
        if type_:
            where.append(Location.type == type_)
        if code_prefix:
            where.append(Location.code.startswith(code_prefix.upper(), autoescape=True))
        if aisle is not None:
            where.append(Location.aisle == aisle)
        if blocked is not None:
            where.append(Location.blocked == blocked)
        items, total = await list_page(
            uow.session, Location, *where, limit=limit, offset=offset, order_by=(Location.code, False)
        )
        return Page(items=[_location_out(uow, x) for x in items], total=total, limit=limit, offset=offset)

    @post("/locations", opt=allow(*MANAGERS), summary="Create one location")
    async def create_location(self, warehouse_id: int, data: LocationIn, uow: UnitOfWork) -> LocationOut:
        return _location_out(uow, await services.create_location(uow, warehouse_id, data.model_dump()))

    @get(
        "/locations/by-code/{code:str}",
        opt=allow(*EVERYONE),
        summary="Look a location up by its scanned code",
    )
    async def by_code(self, warehouse_id: int, code: str, uow: UnitOfWork) -> LocationOut:
        return _location_out(uow, await services.location_by_code(uow, warehouse_id, code))

    @post(
        "/locations/check",
        opt=allow(*FLOOR),
        status_code=200,
        summary="Confirm a location by its check digits (the handheld asks for them at the location)",
    )
    async def check(self, warehouse_id: int, data: CheckIn, uow: UnitOfWork) -> CheckOut:
        loc = await services.location_by_code(uow, warehouse_id, data.code)
        if loc.check_digits != data.check_digits:
            raise InvalidInput(
                f"Wrong check digits for {loc.code}: go to the location and read its label.",
                code="wrong_check_digits",
            )
        return CheckOut(location_id=loc.id, code=loc.code, ok=True)

    @post(
        "/locations/import",
        opt=allow(Role.ADMIN, Role.SUPERVISOR),
        status_code=200,
        summary="Import locations from CSV (text/csv body, UTF-8 or GBK); every bad row reported, nothing imported "
        "then",
    )
    async def import_csv(
        self,
        warehouse_id: int,
        request: Request[Any, Any, Any],
        uow: UnitOfWork,
        settings: Settings,
        encoding: Annotated[Encoding, Parameter(description="The file's encoding; auto tells UTF-8 from GBK")] = "auto",
    ) -> ImportReport:
        raw = await csv_body(request)
        report = await services.import_csv(uow, warehouse_id, raw, encoding=encoding, max_rows=settings.import_max_rows)
        return ImportReport(**report)

    @post(
        "/layout/generate",
        opt=allow(Role.ADMIN),
        status_code=200,
        summary="Generate a rectangular layout (aisles, bays, levels) and its locations",
    )
    async def generate(self, warehouse_id: int, data: GenerateIn, uow: UnitOfWork) -> ImportReport:
        layout = RectangularLayout(
            aisles=data.aisles,
            aisle_length_m=data.aisle_length_m,
            aisle_pitch_m=data.aisle_pitch_m,
            cross_aisles=data.cross_aisles,
            depot_x=data.depot_x,
            bay_width_m=data.bay_width_m,
            levels=data.levels,
            zones=tuple(z.upper() for z in data.zones),
        )
        return ImportReport(
            **await services.generate(uow, warehouse_id, layout, pick_face_levels=data.pick_face_levels)
        )

    @get("/walking-graph", opt=allow(*EVERYONE), summary="The walking grid the optimizer routes on")
    async def walking_graph(self, warehouse_id: int, uow: UnitOfWork) -> WalkingGraphOut:
        model = await walking_model(uow, warehouse_id)
        lay = model.layout
        return WalkingGraphOut(
            aisle_x_m=list(lay.aisle_x),
            cross_aisle_y_m=list(lay.cross_y),
            depot={"x": lay.depot.x, "y": lay.depot.y},
            locations=len(model.positions),
        )

    @post("/routes", opt=allow(*FLOOR), status_code=200, summary="The shortest walk through these locations")
    async def route(self, warehouse_id: int, data: RouteIn, uow: UnitOfWork) -> RouteOut:
        model = await walking_model(uow, warehouse_id)
        by_code = {c: i for i, c in model.codes.items()}
        unknown = [c for c in data.locations if c.strip().upper() not in by_code]
        if unknown:
            raise InvalidInput(
                f"Not locations in an aisle of this warehouse: {', '.join(unknown[:20])}.",
                code="unknown_location",
                errors=[{"field": "locations", "message": c} for c in unknown[:100]],
            )
        ids = [by_code[c.strip().upper()] for c in data.locations]
        picks = [model.positions[i] for i in ids]
        try:
            result = route(model.layout, picks, method=data.method, time_limit_s=1.0)
        except InputError as exc:
            raise InvalidInput(str(exc), code="invalid_route") from exc
        sorted_picks = [model.positions[i] for i in sorted(ids, key=lambda i: model.codes[i])]
        naive = tour_length(model.layout, sorted_picks, model.layout.depot, model.layout.depot)
        return RouteOut(
            sequence=[model.codes[ids[k]] for k in result.order],
            length_m=round(result.length_m, 2),
            optimal=result.optimal,
            method=result.method,
            solve_ms=round(result.solve_ms, 2),
            location_order_m=round(naive, 2),
            saving_pct=round(100 * (1 - result.length_m / naive), 1) if naive > 0 else 0.0,
        )


class LocationController(Controller):
    path = "/api/v1/locations"
    tags = ["layout"]

    @get("/{location_id:int}", opt=allow(*EVERYONE), summary="One location")
    async def get_location(self, location_id: int, uow: UnitOfWork) -> LocationOut:
        return _location_out(uow, await services.location_or_404(uow, location_id))

    @patch("/{location_id:int}/block", opt=allow(*MANAGERS), summary="Block or unblock a location")
    async def block(self, location_id: int, data: BlockIn, uow: UnitOfWork) -> LocationOut:
        return _location_out(uow, await services.set_blocked(uow, location_id, data.blocked, data.reason))


CONTROLLERS = [LayoutController, LocationController]
