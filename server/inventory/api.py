"""Stock endpoints: look-up, moves, adjustments, status changes, and the ledger history."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromQuery, Parameter
from sqlalchemy import ColumnElement, or_, select

from server.catalog.models import Sku
from server.catalog.services import find_by_barcode
from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.errors import InvalidInput
from server.http.deps import Limit, Offset, Page
from server.http.guards import EVERYONE, FLOOR, MANAGERS, allow
from server.inventory.models import Movement, Stock, StockStatus
from server.inventory.rules import StockKey
from server.inventory.schemas import AdjustIn, MoveIn, MovementOut, StatusIn, StockOut
from server.inventory.services import InventoryService
from server.layout.models import Location
from server.layout.services import location_by_code, location_or_404


async def stock_out(uow: UnitOfWork, rows: list[Stock]) -> list[StockOut]:
    sku_ids = {r.sku_id for r in rows}
    loc_ids = {r.location_id for r in rows}
    skus = dict((await uow.session.execute(select(Sku.id, Sku.code).where(Sku.id.in_(sku_ids)))).all())
    locs = dict((await uow.session.execute(select(Location.id, Location.code).where(Location.id.in_(loc_ids)))).all())
    return [
        StockOut.model_validate(r).model_copy(
            update={"sku_code": skus.get(r.sku_id, ""), "location_code": locs.get(r.location_id, "")}
        )
        for r in rows
    ]


class StockController(Controller):
    path = "/api/v1/stock"
    tags = ["inventory"]

    @get("/", opt=allow(*EVERYONE), summary="Stock by SKU, location, lot or LPN (an owner sees only its own)")
    async def list_stock(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        sku_id: FromQuery[int | None] = None,
        sku: Annotated[str | None, Parameter(max_length=64, description="SKU code or a scanned barcode")] = None,
        location_id: FromQuery[int | None] = None,
        location: Annotated[
            str | None, Parameter(max_length=32, description="Location code (with warehouse_id)")
        ] = None,
        warehouse_id: FromQuery[int | None] = None,
        lot: Annotated[str | None, Parameter(max_length=64)] = None,
        lpn: Annotated[str | None, Parameter(max_length=40)] = None,
        status: FromQuery[StockStatus | None] = None,
        include_empty: Annotated[bool, Parameter(description="Also list rows with nothing on hand")] = False,
    ) -> Page[StockOut]:
        where: list[ColumnElement[bool]] = [] if include_empty else [Stock.on_hand > 0]
        scope = uow.caller.owner_id if uow.caller.owner_id is not None else owner_id
        if scope is not None:
            where.append(Stock.owner_id == scope)
        if sku_id is not None:
            where.append(Stock.sku_id == sku_id)
        if sku:
            ids = [s.id for s, _ in await find_by_barcode(uow, sku, scope)]
            by_code = select(Sku.id).where(Sku.code == sku)
            where.append(or_(Stock.sku_id.in_(ids), Stock.sku_id.in_(by_code)))
        if location_id is not None:
            where.append(Stock.location_id == location_id)
        if location:
            if warehouse_id is None:
                raise InvalidInput("Give warehouse_id with a location code.", code="warehouse_required")
            where.append(Stock.location_id == (await location_by_code(uow, warehouse_id, location)).id)
        if warehouse_id is not None and not location:
            where.append(Stock.location_id.in_(select(Location.id).where(Location.warehouse_id == warehouse_id)))
        if lot is not None:
            where.append(Stock.lot == lot)
        if lpn is not None:
            where.append(Stock.lpn == lpn)
        if status is not None:
            where.append(Stock.status == status)
        items, total = await list_page(uow.session, Stock, *where, limit=limit, offset=offset)
        return Page(items=await stock_out(uow, items), total=total, limit=limit, offset=offset)

    @get("/{stock_id:int}", opt=allow(*EVERYONE), summary="One stock row")
    async def get_stock(self, stock_id: int, uow: UnitOfWork) -> StockOut:
        return (await stock_out(uow, [await InventoryService(uow).get_stock(stock_id)]))[0]

    @post(
        "/moves",
        opt=allow(*FLOOR),
        summary="Move units to another location (idempotent with Idempotency-Key)",
    )
    async def move(self, data: MoveIn, uow: UnitOfWork) -> StockOut:
        svc = InventoryService(uow)
        if data.to_location_id is not None:
            dest = data.to_location_id
            await location_or_404(uow, dest)
        else:
            src = await svc.get_stock(data.stock_id)
            src_loc = await location_or_404(uow, src.location_id)
            dest = (await location_by_code(uow, src_loc.warehouse_id, data.to_location or "")).id
        moved = await svc.move(data.stock_id, data.qty, dest, to_lpn=data.to_lpn, reason=data.reason, note=data.note)
        return (await stock_out(uow, [moved]))[0]

    @post("/adjustments", opt=allow(*MANAGERS), summary="Correct stock to what is on the shelf, with a reason")
    async def adjust(self, data: AdjustIn, uow: UnitOfWork) -> StockOut:
        svc = InventoryService(uow)
        if data.stock_id is not None:
            s = await svc.get_stock(data.stock_id)
            key = StockKey(s.owner_id, s.sku_id, s.location_id, s.lot, s.expiry, s.lpn, s.status)
        else:
            owner = uow.caller.resolve_owner(data.owner_id)
            assert data.sku_id is not None and data.location_id is not None  # checked by the schema
            key = StockKey(owner, data.sku_id, data.location_id, data.lot, data.expiry, data.lpn, data.status)
        row = await svc.adjust(key, data.delta, reason=data.reason, note=data.note)
        return (await stock_out(uow, [row]))[0]

    @post("/status", opt=allow(*MANAGERS), summary="Hold, quarantine, damage or release units where they stand")
    async def change_status(self, data: StatusIn, uow: UnitOfWork) -> StockOut:
        row = await InventoryService(uow).change_status(data.stock_id, data.qty, data.status, note=data.note)
        return (await stock_out(uow, [row]))[0]


class MovementController(Controller):
    path = "/api/v1/movements"
    tags = ["inventory"]

    @get("/", opt=allow(*EVERYONE), summary="The movement ledger (newest first), filtered")
    async def list_movements(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        sku_id: FromQuery[int | None] = None,
        location_id: FromQuery[int | None] = None,
        lot: FromQuery[str | None] = None,
        lpn: FromQuery[str | None] = None,
        doc_ref: FromQuery[str | None] = None,
        since: FromQuery[date | None] = None,
    ) -> Page[MovementOut]:
        where: list[ColumnElement[bool]] = []
        scope = uow.caller.owner_id if uow.caller.owner_id is not None else owner_id
        if scope is not None:
            where.append(Movement.owner_id == scope)
        if sku_id is not None:
            where.append(Movement.sku_id == sku_id)
        if location_id is not None:
            where.append(or_(Movement.from_location_id == location_id, Movement.to_location_id == location_id))
        if lot is not None:
            where.append(Movement.lot == lot)
        if lpn is not None:
            where.append(or_(Movement.from_lpn == lpn, Movement.to_lpn == lpn))
        if doc_ref is not None:
            where.append(Movement.doc_ref == doc_ref)
        if since is not None:  # from the start of that day, UTC
            where.append(Movement.at >= datetime.combine(since, time.min, tzinfo=UTC))
        items, total = await list_page(
            uow.session, Movement, *where, limit=limit, offset=offset, order_by=(Movement.id, True)
        )
        return Page(items=[MovementOut.model_validate(m) for m in items], total=total, limit=limit, offset=offset)


CONTROLLERS = [StockController, MovementController]
