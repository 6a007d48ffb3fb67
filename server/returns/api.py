"""Return (RMA) endpoints: the order source authorises, the floor finds the return by scan and receives it."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromQuery
from sqlalchemy import ColumnElement, select

from server.catalog.models import Sku
from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.http.deps import Limit, Offset, Page
from server.http.guards import EVERYONE, FLOOR, MANAGERS, allow
from server.identity.models import Role
from server.returns import services, vendor
from server.returns.models import ReturnAuthorisation, RmaStatus, RtvStatus, VendorReturn
from server.returns.schemas import (
    CancelIn,
    LookupIn,
    ReceiveIn,
    ReturnReceiptOut,
    RmaIn,
    RmaLineOut,
    RmaOut,
    RtvLineOut,
    RtvOut,
    RtvShipIn,
)

SOURCES = (*MANAGERS, Role.INTEGRATION)  # the order source (its API key) or a supervisor on the board


async def rma_out(uow: UnitOfWork, rma: ReturnAuthorisation) -> RmaOut:
    lines = await services.rma_lines(uow, rma.id)
    codes = dict(
        (await uow.session.execute(select(Sku.id, Sku.code).where(Sku.id.in_({ln.sku_id for ln in lines})))).all()
    )
    return RmaOut.model_validate(rma).model_copy(
        update={
            "lines": [
                RmaLineOut.model_validate(ln).model_copy(update={"sku_code": codes.get(ln.sku_id, "")}) for ln in lines
            ],
            "receipts": [ReturnReceiptOut.model_validate(r) for r in await services.rma_receipts(uow, rma.id)],
        }
    )


class ReturnController(Controller):
    path = "/api/v1/returns"
    tags = ["returns"]

    @post("/", opt=allow(*SOURCES), summary="Authorise a return of a shipped order's lines (RMA)")
    async def create(self, data: RmaIn, uow: UnitOfWork) -> RmaOut:
        return await rma_out(uow, await services.create_rma(uow, data))

    @get("/", opt=allow(*EVERYONE), summary="Returns (an owner sees only its own)")
    async def list_returns(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        order_id: FromQuery[int | None] = None,
        status: FromQuery[RmaStatus | None] = None,
    ) -> Page[RmaOut]:
        where: list[ColumnElement[bool]] = []
        scope = uow.caller.owner_id if uow.caller.owner_id is not None else owner_id
        if scope is not None:
            where.append(ReturnAuthorisation.owner_id == scope)
        if order_id is not None:
            where.append(ReturnAuthorisation.order_id == order_id)
        if status is not None:
            where.append(ReturnAuthorisation.status == status)
        items, total = await list_page(
            uow.session,
            ReturnAuthorisation,
            *where,
            limit=limit,
            offset=offset,
            order_by=(ReturnAuthorisation.id, True),
        )
        return Page(items=[await rma_out(uow, r) for r in items], total=total, limit=limit, offset=offset)

    @get("/{rma_id:int}", opt=allow(*EVERYONE), summary="One return with its lines and what came back")
    async def get_return(self, rma_id: int, uow: UnitOfWork) -> RmaOut:
        return await rma_out(uow, await services.get_rma(uow, rma_id))

    @post(
        "/lookup", opt=allow(*FLOOR), summary="The open return a scanned RMA label or order stands for", status_code=200
    )
    async def lookup(self, data: LookupIn, uow: UnitOfWork) -> RmaOut:
        return await rma_out(uow, await services.lookup(uow, data.warehouse_id, data.scan))

    @post(
        "/{rma_id:int}/receive",
        opt=allow(*FLOOR),
        summary="Receive returned items with a grade (A/B/C) and a disposition (restock, quarantine, scrap, rtv)",
        status_code=200,
    )
    async def receive(self, rma_id: int, data: ReceiveIn, uow: UnitOfWork) -> RmaOut:
        rma, _ = await services.receive(uow, rma_id, data)
        return await rma_out(uow, rma)

    @post("/{rma_id:int}/cancel", opt=allow(*SOURCES), summary="Cancel a return not yet received", status_code=200)
    async def cancel(self, rma_id: int, data: CancelIn, uow: UnitOfWork) -> RmaOut:
        return await rma_out(uow, await services.cancel(uow, rma_id, data.note))


async def rtv_out(uow: UnitOfWork, rtv: VendorReturn) -> RtvOut:
    lines = await vendor.rtv_lines(uow, rtv.id)
    codes = dict(
        (await uow.session.execute(select(Sku.id, Sku.code).where(Sku.id.in_({ln.sku_id for ln in lines})))).all()
    )
    return RtvOut.model_validate(rtv).model_copy(
        update={
            "lines": [
                RtvLineOut.model_validate(ln).model_copy(update={"sku_code": codes.get(ln.sku_id, "")}) for ln in lines
            ]
        }
    )


class VendorReturnController(Controller):
    path = "/api/v1/vendor-returns"
    tags = ["returns"]

    @get("/", opt=allow(*MANAGERS), summary="Returns to vendor (RTV): held goods going back to their supplier")
    async def list_rtvs(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        warehouse_id: FromQuery[int | None] = None,
        supplier_id: FromQuery[int | None] = None,
        status: FromQuery[RtvStatus | None] = None,
    ) -> Page[RtvOut]:
        where: list[ColumnElement[bool]] = []
        if warehouse_id is not None:
            where.append(VendorReturn.warehouse_id == warehouse_id)
        if supplier_id is not None:
            where.append(VendorReturn.supplier_id == supplier_id)
        if status is not None:
            where.append(VendorReturn.status == status)
        items, total = await list_page(
            uow.session, VendorReturn, *where, limit=limit, offset=offset, order_by=(VendorReturn.id, True)
        )
        return Page(items=[await rtv_out(uow, r) for r in items], total=total, limit=limit, offset=offset)

    @get("/{rtv_id:int}", opt=allow(*MANAGERS), summary="One return to vendor with its lines")
    async def get_rtv(self, rtv_id: int, uow: UnitOfWork) -> RtvOut:
        return await rtv_out(uow, await vendor.get_rtv(uow, rtv_id))

    @post(
        "/{rtv_id:int}/ship",
        opt=allow(*MANAGERS),
        summary="Ship a return to vendor: its held units leave stock (ledger reason rtv), the owner hears of it",
        status_code=200,
    )
    async def ship(self, rtv_id: int, data: RtvShipIn, uow: UnitOfWork) -> RtvOut:
        rtv = await vendor.ship(uow, rtv_id, carrier=data.carrier, tracking=data.tracking, note=data.note)
        return await rtv_out(uow, rtv)


CONTROLLERS = [ReturnController, VendorReturnController]
