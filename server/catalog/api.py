"""Catalog endpoints: SKUs and barcodes."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromQuery, Parameter
from sqlalchemy import ColumnElement, or_

from server.catalog import services
from server.catalog.models import Sku
from server.catalog.schemas import BarcodeIn, BarcodeOut, SkuIn, SkuOut, SkuPatch
from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.http.deps import Limit, Offset, Page
from server.http.guards import EVERYONE, MANAGERS, allow
from server.identity.models import Role

CATALOG_WRITERS = allow(*MANAGERS, Role.CLIENT, Role.INTEGRATION)


async def _out(uow: UnitOfWork, skus: list[Sku]) -> list[SkuOut]:
    codes = await services.barcodes_of(uow, [s.id for s in skus])
    return [
        SkuOut.model_validate(s).model_copy(update={"barcodes": [BarcodeOut.model_validate(b) for b in codes[s.id]]})
        for s in skus
    ]


class SkuController(Controller):
    path = "/api/v1/skus"
    tags = ["catalog"]

    @get("/", opt=allow(*EVERYONE), summary="SKUs (an owner's login sees only its own)")
    async def list_skus(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        q: Annotated[str | None, Parameter(max_length=64, description="Code or name contains")] = None,
        barcode: Annotated[str | None, Parameter(max_length=64)] = None,
    ) -> Page[SkuOut]:
        where: list[ColumnElement[bool]] = []
        scope = uow.caller.owner_id
        if scope is not None:
            where.append(Sku.owner_id == scope)
        elif owner_id is not None:
            where.append(Sku.owner_id == owner_id)
        if q:
            where.append(or_(Sku.code.contains(q, autoescape=True), Sku.name.contains(q, autoescape=True)))
        if barcode:
            ids = [s.id for s, _ in await services.find_by_barcode(uow, barcode, owner_id)]
            where.append(Sku.id.in_(ids))
        items, total = await list_page(uow.session, Sku, *where, limit=limit, offset=offset, order_by=(Sku.code, False))
        return Page(items=await _out(uow, items), total=total, limit=limit, offset=offset)

    @post("/", opt=CATALOG_WRITERS, summary="Create a SKU with its barcodes (GTINs are check-digit validated)")
    async def create_sku(self, data: SkuIn, uow: UnitOfWork) -> SkuOut:
        fields = data.model_dump(exclude={"owner_id", "barcodes"})
        sku = await services.create_sku(uow, data.owner_id, fields, [b.model_dump() for b in data.barcodes])
        return (await _out(uow, [sku]))[0]

    @get("/{sku_id:int}", opt=allow(*EVERYONE), summary="One SKU")
    async def get_sku(self, sku_id: int, uow: UnitOfWork) -> SkuOut:
        return (await _out(uow, [await services.sku_or_404(uow, sku_id)]))[0]

    @patch("/{sku_id:int}", opt=CATALOG_WRITERS, summary="Change a SKU")
    async def update_sku(self, sku_id: int, data: SkuPatch, uow: UnitOfWork) -> SkuOut:
        sku = await services.update_sku(uow, sku_id, data.model_dump(exclude_unset=True))
        return (await _out(uow, [sku]))[0]

    @post("/{sku_id:int}/barcodes", opt=CATALOG_WRITERS, summary="Add a barcode to a SKU")
    async def add_barcode(self, sku_id: int, data: BarcodeIn, uow: UnitOfWork) -> BarcodeOut:
        return BarcodeOut.model_validate(await services.add_barcode(uow, sku_id, data.value, data.kind, data.units))


CONTROLLERS = [SkuController]
