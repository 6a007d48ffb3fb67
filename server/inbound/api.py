"""Inbound endpoints: suppliers, purchase orders, ASNs (owner API keys and the board), and the handheld's
scan look-up, receiving and putaway confirmation (idempotent with ``Idempotency-Key``)."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get, post
from litestar.params import FromQuery
from sqlalchemy import ColumnElement

from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.http.deps import Limit, Offset, Page
from server.http.guards import EVERYONE, FLOOR, MANAGERS, allow
from server.identity.models import Role
from server.inbound import services
from server.inbound.models import Asn, AsnStatus, PoStatus, PurchaseOrder, Receipt, ReceiptStatus, Supplier
from server.inbound.schemas import (
    AsnIn,
    AsnLineOut,
    AsnOut,
    DestinationIn,
    DiscrepancyOut,
    LpnOut,
    PoIn,
    PoLineOut,
    PoOut,
    PoStatusIn,
    PrintIn,
    PutawayConfirmIn,
    ReceiptIn,
    ReceiptLineOut,
    ReceiptOut,
    ReceiveIn,
    ReceiveOut,
    ScanIn,
    ScanOut,
    ScanSkuOut,
    SupplierIn,
    SupplierOut,
    TaskBrief,
)
from server.printing import send_label
from server.tasks.api import task_out
from server.tasks.schemas import TaskOut

# Who places purchase orders and announces shipments: the warehouse's managers and the owner's own systems.
PURCHASING = (*MANAGERS, Role.CLIENT, Role.INTEGRATION)
RECEIVING = (Role.ADMIN, Role.SUPERVISOR, Role.RECEIVER)


def _scope(uow: UnitOfWork, owner_id: int | None) -> int | None:
    return uow.caller.owner_id if uow.caller.owner_id is not None else owner_id


async def _po_out(uow: UnitOfWork, po: PurchaseOrder) -> PoOut:
    lines = [PoLineOut.model_validate(ln) for ln in await services.po_lines(uow, po.id)]
    return PoOut.model_validate(po).model_copy(update={"lines": lines})


async def _asn_out(uow: UnitOfWork, asn: Asn) -> AsnOut:
    lines = [AsnLineOut.model_validate(ln) for ln in await services.asn_lines(uow, asn.id)]
    return AsnOut.model_validate(asn).model_copy(update={"lines": lines})


async def _receipt_out(uow: UnitOfWork, receipt: Receipt) -> ReceiptOut:
    lines = [ReceiptLineOut.model_validate(ln) for ln in await services.receipt_lines(uow, receipt.id)]
    disc = [DiscrepancyOut.model_validate(d) for d in await services.receipt_discrepancies(uow, receipt.id)]
    return ReceiptOut.model_validate(receipt).model_copy(update={"lines": lines, "discrepancies": disc})


class SupplierController(Controller):
    path = "/api/v1/suppliers"
    tags = ["purchasing"]

    @get("/", opt=allow(*EVERYONE), summary="Suppliers (an owner sees only its own)")
    async def list_suppliers(
        self, uow: UnitOfWork, limit: Limit = 50, offset: Offset = 0, owner_id: FromQuery[int | None] = None
    ) -> Page[SupplierOut]:
        where: list[ColumnElement[bool]] = []
        scope = _scope(uow, owner_id)
        if scope is not None:
            where.append(Supplier.owner_id == scope)
        items, total = await list_page(uow.session, Supplier, *where, limit=limit, offset=offset)
        return Page(items=[SupplierOut.model_validate(s) for s in items], total=total, limit=limit, offset=offset)

    @post("/", opt=allow(*PURCHASING), summary="Create a supplier of an owner")
    async def create_supplier(self, data: SupplierIn, uow: UnitOfWork) -> SupplierOut:
        return SupplierOut.model_validate(await services.create_supplier(uow, data))


class PurchaseOrderController(Controller):
    path = "/api/v1/purchase-orders"
    tags = ["purchasing"]

    @get("/", opt=allow(*EVERYONE), summary="Purchase orders (an owner sees only its own)")
    async def list_pos(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        status: FromQuery[PoStatus | None] = None,
        number: FromQuery[str | None] = None,
    ) -> Page[PoOut]:
        where: list[ColumnElement[bool]] = []
        scope = _scope(uow, owner_id)
        if scope is not None:
            where.append(PurchaseOrder.owner_id == scope)
        if status is not None:
            where.append(PurchaseOrder.status == status)
        if number is not None:
            where.append(PurchaseOrder.number == number)
        items, total = await list_page(uow.session, PurchaseOrder, *where, limit=limit, offset=offset)
        return Page(items=[await _po_out(uow, p) for p in items], total=total, limit=limit, offset=offset)

    @post("/", opt=allow(*PURCHASING), summary="Place a purchase order (draft, or open at once)")
    async def create_po(self, data: PoIn, uow: UnitOfWork) -> PoOut:
        return await _po_out(uow, await services.create_po(uow, data))

    @get("/{po_id:int}", opt=allow(*EVERYONE), summary="One purchase order with its lines")
    async def get_po(self, po_id: int, uow: UnitOfWork) -> PoOut:
        return await _po_out(uow, await services.po_or_404(uow, po_id))

    @post("/{po_id:int}/status", opt=allow(*PURCHASING), summary="Open, close or cancel a purchase order")
    async def set_status(self, po_id: int, data: PoStatusIn, uow: UnitOfWork) -> PoOut:
        return await _po_out(uow, await services.set_po_status(uow, po_id, data.status))


class AsnController(Controller):
    path = "/api/v1/asns"
    tags = ["purchasing"]

    @get("/", opt=allow(*EVERYONE), summary="Advance shipping notices (an owner sees only its own)")
    async def list_asns(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        status: FromQuery[AsnStatus | None] = None,
        number: FromQuery[str | None] = None,
    ) -> Page[AsnOut]:
        where: list[ColumnElement[bool]] = []
        scope = _scope(uow, owner_id)
        if scope is not None:
            where.append(Asn.owner_id == scope)
        if status is not None:
            where.append(Asn.status == status)
        if number is not None:
            where.append(Asn.number == number)
        items, total = await list_page(uow.session, Asn, *where, limit=limit, offset=offset)
        return Page(items=[await _asn_out(uow, a) for a in items], total=total, limit=limit, offset=offset)

    @post("/", opt=allow(*PURCHASING), summary="Announce a shipment: refused whole, with every problem listed")
    async def create_asn(self, data: AsnIn, uow: UnitOfWork) -> AsnOut:
        return await _asn_out(uow, await services.create_asn(uow, data))

    @get("/{asn_id:int}", opt=allow(*EVERYONE), summary="One ASN with its lines")
    async def get_asn(self, asn_id: int, uow: UnitOfWork) -> AsnOut:
        return await _asn_out(uow, await services.asn_or_404(uow, asn_id))


class ScanController(Controller):
    path = "/api/v1/scans"
    tags = ["receiving"]

    @post("/parse", opt=allow(*FLOOR), status_code=200, summary="What a raw scan is (GS1, GTIN, SSCC, LPN, location)")
    async def parse(self, data: ScanIn, uow: UnitOfWork) -> ScanOut:
        r = await services.resolve_scan(uow, data.raw, data.warehouse_id, data.owner_id)
        s = r.scan
        return ScanOut(
            raw=s.raw,
            kind=r.kind,
            gtin=s.gtin,
            sscc=s.sscc,
            lot=s.lot,
            expiry=s.expiry,
            count=s.count,
            serial=s.serial,
            ais=s.ais,
            skus=[ScanSkuOut(id=k.id, owner_id=k.owner_id, code=k.code, units=u) for k, u in r.skus],
            location_id=r.location.id if r.location else None,
            location_code=r.location.code if r.location else None,
            lpn=r.lpn,
        )


class ReceiptController(Controller):
    path = "/api/v1/receipts"
    tags = ["receiving"]

    @get("/", opt=allow(*EVERYONE), summary="Receipts (an owner sees only its own)")
    async def list_receipts(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        status: FromQuery[ReceiptStatus | None] = None,
    ) -> Page[ReceiptOut]:
        where: list[ColumnElement[bool]] = []
        scope = _scope(uow, owner_id)
        if scope is not None:
            where.append(Receipt.owner_id == scope)
        if status is not None:
            where.append(Receipt.status == status)
        items, total = await list_page(uow.session, Receipt, *where, limit=limit, offset=offset)
        return Page(items=[await _receipt_out(uow, r) for r in items], total=total, limit=limit, offset=offset)

    @post("/", opt=allow(*RECEIVING), summary="Start receiving against an ASN, a PO, or blind")
    async def start(self, data: ReceiptIn, uow: UnitOfWork) -> ReceiptOut:
        receipt = await services.start_receipt(
            uow,
            data.warehouse_id,
            asn_id=data.asn_id,
            po_id=data.po_id,
            owner_id=data.owner_id,
            dock_location=data.dock_location,
        )
        return await _receipt_out(uow, receipt)

    @get("/{receipt_id:int}", opt=allow(*EVERYONE), summary="One receipt with its lines and discrepancies")
    async def get_receipt(self, receipt_id: int, uow: UnitOfWork) -> ReceiptOut:
        return await _receipt_out(uow, await services.receipt_or_404(uow, receipt_id))

    @post("/{receipt_id:int}/scans", opt=allow(*RECEIVING), summary="Receive by SSCC (whole pallet) or by item")
    async def receive(self, receipt_id: int, data: ReceiveIn, uow: UnitOfWork) -> ReceiveOut:
        r = await services.receive(uow, receipt_id, data)
        return ReceiveOut(
            receipt=await _receipt_out(uow, r.receipt),
            lines=[ReceiptLineOut.model_validate(ln) for ln in r.lines],
            lpn=r.lpn,
            tasks=[TaskBrief.model_validate(t) for t in r.tasks],
        )

    @post("/{receipt_id:int}/lpns", opt=allow(*RECEIVING), summary="A new LPN for a case or pallet being built")
    async def new_lpn(self, receipt_id: int, uow: UnitOfWork) -> LpnOut:
        lpn = await services.create_receipt_lpn(uow, receipt_id)
        return LpnOut.model_validate(lpn).model_copy(update={"zpl": await services.lpn_label(uow, lpn)})

    @post("/{receipt_id:int}/close", opt=allow(*RECEIVING), status_code=200, summary="Close, recording discrepancies")
    async def close(self, receipt_id: int, uow: UnitOfWork) -> ReceiptOut:
        return await _receipt_out(uow, await services.close_receipt(uow, receipt_id))


class LpnController(Controller):
    path = "/api/v1/lpns"
    tags = ["receiving"]

    @get("/{lpn_code:str}", opt=allow(*EVERYONE), summary="An LPN with its label as ZPL")
    async def get_lpn(self, lpn_code: str, uow: UnitOfWork) -> LpnOut:
        lpn = await services.lpn_or_404(uow, lpn_code)
        return LpnOut.model_validate(lpn).model_copy(update={"zpl": await services.lpn_label(uow, lpn)})

    @get("/{lpn_code:str}/label.zpl", opt=allow(*EVERYONE), summary="The LPN's label, raw ZPL for the printer")
    async def label(self, lpn_code: str, uow: UnitOfWork) -> Response[str]:
        lpn = await services.lpn_or_404(uow, lpn_code)
        return Response(await services.lpn_label(uow, lpn), media_type=MediaType.TEXT)

    @post(
        "/{lpn_code:str}/print",
        opt=allow(*RECEIVING),
        status_code=200,
        summary="Print the LPN's label on a printer (tcp://host:9100 or file:///path)",
    )
    async def print_label(self, lpn_code: str, data: PrintIn, uow: UnitOfWork) -> dict[str, str]:
        lpn = await services.lpn_or_404(uow, lpn_code)
        send_label((await services.lpn_label(uow, lpn)).encode(), data.printer)
        return {"lpn": lpn.code, "printed_to": data.printer}


class PutawayController(Controller):
    path = "/api/v1/putaway-tasks"
    tags = ["putaway"]

    @post(
        "/{task_id:int}/confirm",
        opt=allow(*FLOOR),
        status_code=200,
        summary="Confirm a putaway at the scanned location or by the suggested location's check digits",
    )
    async def confirm(self, task_id: int, data: PutawayConfirmIn, uow: UnitOfWork) -> TaskOut:
        task = await services.confirm_putaway(uow, task_id, data.location, data.check_digits)
        return await task_out(uow, task)

    @post(
        "/{task_id:int}/destination",
        opt=allow(*MANAGERS),
        status_code=200,
        summary="Override the suggested destination",
    )
    async def destination(self, task_id: int, data: DestinationIn, uow: UnitOfWork) -> TaskOut:
        task = await services.set_destination(uow, task_id, data.location_id, data.location, data.note)
        return await task_out(uow, task)


CONTROLLERS = [
    SupplierController,
    PurchaseOrderController,
    AsnController,
    ScanController,
    ReceiptController,
    LpnController,
    PutawayController,
]
