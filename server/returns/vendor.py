"""Returns to vendor (RTV). A customer return received with disposition ``rtv`` is held in quarantine (status
``hold``, never allocated) and listed on the open vendor-return document of its owner and supplier; shipping the
document takes its units out of stock (ledger reason ``rtv``, no to-side) and tells the owner's systems through the
outbox (``vendor_return.shipped``), so the supplier's credit can be claimed there."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.catalog.models import Sku
from server.db.base import utcnow
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.inbound.models import PurchaseOrder, PurchaseOrderLine, Supplier
from server.integration import outbox
from server.inventory.models import MovementReason, Stock
from server.inventory.services import DocRef, InventoryService
from server.returns.models import RtvStatus, VendorReturn, VendorReturnLine

RTV_DOC = "rtv"


async def supplier_for(uow: UnitOfWork, owner_id: int, sku: Sku, supplier_id: int | None) -> Supplier:
    """The supplier returned goods go back to: the one named, else the last one the SKU was ordered from."""
    if supplier_id is not None:
        sup = await uow.session.get(Supplier, supplier_id)
        if sup is None or sup.owner_id != owner_id:
            raise NotFound(f"The owner has no supplier {supplier_id}.", code="supplier_not_found")
        return sup
    found = (
        await uow.session.execute(
            select(Supplier)
            .join(PurchaseOrder, PurchaseOrder.supplier_id == Supplier.id)
            .join(PurchaseOrderLine, PurchaseOrderLine.po_id == PurchaseOrder.id)
            .where(PurchaseOrder.owner_id == owner_id, PurchaseOrderLine.sku_id == sku.id)
            .order_by(PurchaseOrder.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if found is None:
        raise InvalidInput(
            f"No purchase order names a supplier of {sku.code}: say which supplier the goods go back to (supplier_id).",
            code="supplier_required",
            errors=[{"field": "supplier_id", "message": "required for a return to vendor of this item"}],
        )
    return found


async def add_line(
    uow: UnitOfWork,
    *,
    owner_id: int,
    warehouse_id: int,
    supplier: Supplier,
    receipt_id: int | None,
    sku_id: int,
    lot: str,
    expiry: date | None,
    qty: int,
    stock_id: int,
) -> VendorReturn:
    """Put held units on the supplier's open vendor return (opened when there is none)."""
    rtv = (
        await uow.session.execute(
            for_update(
                select(VendorReturn)
                .where(
                    VendorReturn.owner_id == owner_id,
                    VendorReturn.warehouse_id == warehouse_id,
                    VendorReturn.supplier_id == supplier.id,
                    VendorReturn.status == RtvStatus.OPEN,
                )
                .order_by(VendorReturn.id)
                .limit(1)
            )
        )
    ).scalar_one_or_none()
    if rtv is None:
        rtv = VendorReturn(
            owner_id=owner_id,
            warehouse_id=warehouse_id,
            supplier_id=supplier.id,
            number=f"RTV-{supplier.code}-{utcnow():%y%m%d%H%M%S%f}"[:40],
            status=RtvStatus.OPEN,
            carrier="",
            tracking="",
            note="",
        )
        uow.session.add(rtv)
        await uow.session.flush()
    uow.session.add(
        VendorReturnLine(
            rtv_id=rtv.id, receipt_id=receipt_id, sku_id=sku_id, lot=lot, expiry=expiry, qty=qty, stock_id=stock_id
        )
    )
    await uow.session.flush()
    return rtv


async def get_rtv(uow: UnitOfWork, rtv_id: int, *, lock: bool = False) -> VendorReturn:
    stmt = select(VendorReturn).where(VendorReturn.id == rtv_id)
    rtv = (await uow.session.execute(for_update(stmt) if lock else stmt)).scalar_one_or_none()
    if rtv is None or (uow.caller.owner_id is not None and uow.caller.owner_id != rtv.owner_id):
        raise NotFound(f"There is no vendor return {rtv_id}.", code="rtv_not_found")
    return rtv


async def rtv_lines(uow: UnitOfWork, rtv_id: int) -> list[VendorReturnLine]:
    return list(
        (
            await uow.session.execute(
                select(VendorReturnLine).where(VendorReturnLine.rtv_id == rtv_id).order_by(VendorReturnLine.id)
            )
        )
        .scalars()
        .all()
    )


async def ship(uow: UnitOfWork, rtv_id: int, *, carrier: str, tracking: str, note: str) -> VendorReturn:
    """The goods leave for the supplier: each line's held units go out of stock (reason ``rtv``), the document is
    shipped, and the owner's systems hear of it. All or nothing: a line whose units are gone refuses the whole."""
    rtv = await get_rtv(uow, rtv_id, lock=True)
    if rtv.status != RtvStatus.OPEN:
        raise Conflict(f"Vendor return {rtv.number} is already {rtv.status}.", code="rtv_shipped")
    lines = await rtv_lines(uow, rtv.id)
    if not lines:
        raise Conflict(f"Vendor return {rtv.number} has nothing on it.", code="rtv_empty")
    supplier = await uow.session.get(Supplier, rtv.supplier_id)
    assert supplier is not None
    codes = dict(
        (await uow.session.execute(select(Sku.id, Sku.code).where(Sku.id.in_({ln.sku_id for ln in lines})))).all()
    )
    inv = InventoryService(uow)
    doc = DocRef(RTV_DOC, rtv.number)
    why = f"returned to vendor {supplier.code}" + (f": {note}" if note else "")
    for ln in lines:
        row = await uow.session.get(Stock, ln.stock_id) if ln.stock_id is not None else None
        if row is None or row.on_hand - row.allocated < ln.qty:
            raise Conflict(
                f"Vendor return {rtv.number}: the {ln.qty} units of {codes.get(ln.sku_id, ln.sku_id)} it lists are no "
                "longer where they were held; find them (or take the line off) before shipping.",
                code="rtv_stock_missing",
                line_id=ln.id,
            )
        await inv.ship(row.id, ln.qty, doc=doc, note=why, reason=MovementReason.RTV)
    rtv.status = RtvStatus.SHIPPED
    rtv.carrier, rtv.tracking = carrier, tracking
    rtv.note = note
    rtv.shipped_at = utcnow()
    rtv.shipped_by_id = uow.caller.user_id
    await uow.session.flush()
    outbox.record(
        uow,
        "vendor_return.shipped",
        {
            "rtv_id": rtv.id,
            "number": rtv.number,
            "supplier_id": supplier.id,
            "supplier_code": supplier.code,
            "carrier": carrier,
            "tracking": tracking,
            "note": note,
            "lines": [
                {"sku": codes.get(ln.sku_id, ""), "lot": ln.lot, "qty": ln.qty, "receipt_id": ln.receipt_id}
                for ln in lines
            ],
            "units": sum(ln.qty for ln in lines),
        },
        owner_id=rtv.owner_id,
        warehouse_id=rtv.warehouse_id,
        key=f"supplier:{supplier.id}",
    )
    uow.emit("returns", {"event": "rtv_shipped", "rtv_id": rtv.id, "owner_id": rtv.owner_id})
    return rtv
