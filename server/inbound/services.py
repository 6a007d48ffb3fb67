"""Use cases of inbound: suppliers, purchase orders, ASNs, scan look-up, receipts, putaway.

Every stock change goes through the inventory service (receipts onto the receiving dock, putaway moves);
quantities received against a PO or ASN line are counted on that line with the line's row locked, so two
receivers at once never take a line past its tolerance.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from biip import ParseError
from biip.sscc import Sscc
from sqlalchemy import func, select

from server.catalog.models import Barcode, Sku
from server.catalog.scans import Scan, parse_scan
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.exceptions.services import open_exception
from server.identity.models import Owner, Warehouse
from server.inbound.models import (
    Asn,
    AsnLine,
    AsnStatus,
    Discrepancy,
    Lpn,
    PoStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptKind,
    ReceiptLine,
    ReceiptStatus,
    Supplier,
)
from server.inbound.putaway import Candidate, PutawayItem, Suggestion, suggest
from server.inbound.rules import RECEIVABLE_PO, check_po_transition, po_status_after_receipt, shelf_life_status
from server.inbound.schemas import AsnIn, PoIn, ReceiveIn, SupplierIn
from server.inbound.tolerance import check_over_receipt, variance
from server.integration import outbox
from server.inventory.models import MovementReason, Stock, StockStatus
from server.inventory.rules import StockKey
from server.inventory.services import DocRef, InventoryService
from server.layout.graph import walking_model
from server.layout.models import STORAGE_TYPES, Location, LocationType, Zone
from server.layout.services import location_by_code, warehouse_or_404
from server.tasks import services as tasks
from server.tasks.models import Task, TaskStatus, TaskType

UNLIMITED_M3 = 1e9


def _owner_scope(uow: UnitOfWork, owner_id: int) -> None:
    uow.caller.check_owner(owner_id)


async def _owner(uow: UnitOfWork, owner_id: int) -> Owner:
    owner = await uow.session.get(Owner, owner_id)
    if owner is None:
        raise NotFound(f"There is no owner {owner_id}.", code="owner_not_found")
    return owner


# -- suppliers -----------------------------------------------------------------------------------------------
async def create_supplier(uow: UnitOfWork, data: SupplierIn) -> Supplier:
    owner_id = uow.caller.resolve_owner(data.owner_id)
    await _owner(uow, owner_id)
    exists = await uow.session.execute(
        select(Supplier.id).where(Supplier.owner_id == owner_id, Supplier.code == data.code)
    )
    if exists.first():
        raise Conflict(f"This owner already has a supplier '{data.code}'.", code="duplicate_supplier")
    supplier = Supplier(owner_id=owner_id, code=data.code, name=data.name, active=True)
    uow.session.add(supplier)
    await uow.session.flush()
    return supplier


# -- purchase orders -------------------------------------------------------------------------------------------
async def _sku_by_code_or_id(uow: UnitOfWork, owner_id: int, sku_id: int | None, sku_code: str | None) -> Sku | None:
    if sku_id is not None:
        sku = await uow.session.get(Sku, sku_id)
        return sku if sku is not None and sku.owner_id == owner_id else None
    return (
        await uow.session.execute(select(Sku).where(Sku.owner_id == owner_id, Sku.code == sku_code))
    ).scalar_one_or_none()


async def create_po(uow: UnitOfWork, data: PoIn) -> PurchaseOrder:
    owner_id = uow.caller.resolve_owner(data.owner_id)
    await _owner(uow, owner_id)
    await warehouse_or_404(uow, data.warehouse_id)
    dup = await uow.session.execute(
        select(PurchaseOrder.id).where(PurchaseOrder.owner_id == owner_id, PurchaseOrder.number == data.number)
    )
    if dup.first():
        raise Conflict(f"This owner already has a purchase order '{data.number}'.", code="duplicate_po")
    errors: list[dict[str, Any]] = []
    if data.supplier_id is not None:
        supplier = await uow.session.get(Supplier, data.supplier_id)
        if supplier is not None and supplier.owner_id != owner_id:
            supplier = None
    else:
        supplier = (
            await uow.session.execute(
                select(Supplier).where(Supplier.owner_id == owner_id, Supplier.code == data.supplier_code)
            )
        ).scalar_one_or_none()
    if supplier is None:
        errors.append({"field": "supplier", "message": "no such supplier of this owner"})
    lines: list[PurchaseOrderLine] = []
    seen: set[int] = set()
    for i, line in enumerate(data.lines):
        no = line.line_no or i + 1
        if no in seen:
            errors.append({"field": f"lines[{i}].line_no", "message": f"line {no} appears twice"})
        seen.add(no)
        sku = await _sku_by_code_or_id(uow, owner_id, line.sku_id, line.sku_code)
        if sku is None:
            errors.append(
                {"field": f"lines[{i}].sku", "message": f"no SKU {line.sku_code or line.sku_id} of this owner"}
            )
            continue
        lines.append(
            PurchaseOrderLine(
                line_no=no,
                sku_id=sku.id,
                qty_ordered=line.qty,
                uom=line.uom,
                expected_date=line.expected_date,
                qty_received=0,
            )
        )
    if errors:
        raise InvalidInput(
            f"The purchase order has {len(errors)} problem(s): " + "; ".join(e["message"] for e in errors) + ".",
            code="invalid_po",
            errors=errors,
        )
    assert supplier is not None
    po = PurchaseOrder(
        owner_id=owner_id,
        warehouse_id=data.warehouse_id,
        supplier_id=supplier.id,
        number=data.number,
        status=PoStatus.OPEN if data.open else PoStatus.DRAFT,
        expected_date=data.expected_date,
        note=data.note,
    )
    uow.session.add(po)
    await uow.session.flush()
    for po_line in lines:
        po_line.po_id = po.id
        uow.session.add(po_line)
    await uow.session.flush()
    uow.emit("inbound", {"event": "po_created", "po_id": po.id, "owner_id": owner_id, "status": po.status.value})
    return po


async def po_or_404(uow: UnitOfWork, po_id: int, *, lock: bool = False) -> PurchaseOrder:
    stmt = select(PurchaseOrder).where(PurchaseOrder.id == po_id)
    if lock:
        stmt = for_update(stmt)
    po = (await uow.session.execute(stmt)).scalar_one_or_none()
    if po is None:
        raise NotFound(f"There is no purchase order {po_id}.", code="po_not_found")
    _owner_scope(uow, po.owner_id)
    return po


async def po_lines(uow: UnitOfWork, po_id: int) -> list[PurchaseOrderLine]:
    rows = await uow.session.execute(
        select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po_id).order_by(PurchaseOrderLine.line_no)
    )
    return list(rows.scalars())


async def set_po_status(uow: UnitOfWork, po_id: int, status: PoStatus) -> PurchaseOrder:
    po = await po_or_404(uow, po_id, lock=True)
    if status in (PoStatus.PARTIALLY_RECEIVED, PoStatus.RECEIVED):
        raise InvalidInput(
            f"A purchase order becomes {status} by receiving goods, not by request.", code="invalid_po_transition"
        )
    check_po_transition(po.status, status, po.number)
    po.status = status
    await uow.session.flush()
    uow.emit("inbound", {"event": "po_status", "po_id": po.id, "owner_id": po.owner_id, "status": status.value})
    return po


async def _refresh_po_status(uow: UnitOfWork, po_id: int) -> None:
    po = await po_or_404(uow, po_id, lock=True)
    lines = await po_lines(uow, po_id)
    new = po_status_after_receipt(po.status, [(ln.qty_ordered, ln.qty_received) for ln in lines])
    if new != po.status:
        po.status = new
        uow.emit("inbound", {"event": "po_status", "po_id": po.id, "owner_id": po.owner_id, "status": new.value})


# -- ASNs ------------------------------------------------------------------------------------------------------
def _sscc_or_none(value: str) -> str | None:
    v = value.strip()
    if len(v) == 20 and v.startswith("00"):
        v = v[2:]
    try:
        return Sscc.parse(v).value
    except ParseError:
        return None


async def create_asn(uow: UnitOfWork, data: AsnIn) -> Asn:
    """Take an ASN whole or not at all: every problem (unknown PO, line, SKU, bad or duplicate SSCC) is listed."""
    owner_id = uow.caller.resolve_owner(data.owner_id)
    await _owner(uow, owner_id)
    await warehouse_or_404(uow, data.warehouse_id)
    dup = await uow.session.execute(select(Asn.id).where(Asn.owner_id == owner_id, Asn.number == data.number))
    if dup.first():
        raise Conflict(f"This owner already has an ASN '{data.number}'.", code="duplicate_asn")
    errors: list[dict[str, Any]] = []
    lines: list[AsnLine] = []
    seen_sscc: dict[str, int] = {}
    pos: dict[str, PurchaseOrder | None] = {}
    for u, unit in enumerate(data.units):
        sscc = ""
        if unit.sscc:
            parsed = _sscc_or_none(unit.sscc)
            if parsed is None:
                errors.append({"field": f"units[{u}].sscc", "message": f"'{unit.sscc}' is not a valid SSCC"})
            elif parsed in seen_sscc:
                errors.append(
                    {"field": f"units[{u}].sscc", "message": f"SSCC {parsed} also on units[{seen_sscc[parsed]}]"}
                )
            else:
                seen_sscc[parsed] = u
                taken = await uow.session.execute(
                    select(Asn.number)
                    .join(AsnLine, AsnLine.asn_id == Asn.id)
                    .where(AsnLine.sscc == parsed, Asn.status != AsnStatus.CANCELLED)
                    .limit(1)
                )
                other = taken.scalar_one_or_none()
                if other is not None:
                    errors.append(
                        {"field": f"units[{u}].sscc", "message": f"SSCC {parsed} is already announced on ASN {other}"}
                    )
                sscc = parsed
        for i, item in enumerate(unit.items):
            where = f"units[{u}].items[{i}]"
            sku = None
            if item.sku_id is None and item.sku_code is None:
                errors.append({"field": f"{where}.sku", "message": "give sku_id or sku_code"})
            else:
                sku = await _sku_by_code_or_id(uow, owner_id, item.sku_id, item.sku_code)
                if sku is None:
                    errors.append(
                        {"field": f"{where}.sku", "message": f"no SKU {item.sku_code or item.sku_id} of this owner"}
                    )
            po_line_id = None
            if item.po_number is not None:
                if item.po_number not in pos:
                    pos[item.po_number] = (
                        await uow.session.execute(
                            select(PurchaseOrder).where(
                                PurchaseOrder.owner_id == owner_id, PurchaseOrder.number == item.po_number
                            )
                        )
                    ).scalar_one_or_none()
                po = pos[item.po_number]
                if po is None:
                    errors.append({"field": f"{where}.po_number", "message": f"no purchase order {item.po_number}"})
                elif po.status not in RECEIVABLE_PO:
                    errors.append(
                        {"field": f"{where}.po_number", "message": f"purchase order {po.number} is {po.status}"}
                    )
                elif item.po_line_no is None:
                    errors.append({"field": f"{where}.po_line_no", "message": "give the PO line number"})
                else:
                    pol = (
                        await uow.session.execute(
                            select(PurchaseOrderLine).where(
                                PurchaseOrderLine.po_id == po.id, PurchaseOrderLine.line_no == item.po_line_no
                            )
                        )
                    ).scalar_one_or_none()
                    if pol is None:
                        errors.append(
                            {"field": f"{where}.po_line_no", "message": f"{po.number} has no line {item.po_line_no}"}
                        )
                    elif sku is not None and pol.sku_id != sku.id:
                        errors.append(
                            {
                                "field": f"{where}.sku",
                                "message": f"{po.number} line {item.po_line_no} orders another SKU",
                            }
                        )
                    else:
                        po_line_id = pol.id
            elif item.po_line_no is not None:
                errors.append({"field": f"{where}.po_number", "message": "a PO line number needs its po_number"})
            if sku is not None:
                lines.append(
                    AsnLine(
                        sscc=sscc,
                        po_line_id=po_line_id,
                        sku_id=sku.id,
                        lot=item.lot,
                        expiry=item.expiry,
                        qty=item.qty,
                        qty_received=0,
                    )
                )
    if errors:
        raise InvalidInput(
            f"The ASN is refused whole; {len(errors)} problem(s): " + "; ".join(e["message"] for e in errors) + ".",
            code="invalid_asn",
            errors=errors,
        )
    asn = Asn(
        owner_id=owner_id,
        warehouse_id=data.warehouse_id,
        number=data.number,
        status=AsnStatus.OPEN,
        expected_date=data.expected_date,
    )
    uow.session.add(asn)
    await uow.session.flush()
    for line in lines:
        line.asn_id = asn.id
        uow.session.add(line)
    await uow.session.flush()
    uow.emit("inbound", {"event": "asn_created", "asn_id": asn.id, "owner_id": owner_id})
    return asn


async def asn_or_404(uow: UnitOfWork, asn_id: int) -> Asn:
    asn = await uow.session.get(Asn, asn_id)
    if asn is None:
        raise NotFound(f"There is no ASN {asn_id}.", code="asn_not_found")
    _owner_scope(uow, asn.owner_id)
    return asn


async def asn_lines(uow: UnitOfWork, asn_id: int) -> list[AsnLine]:
    rows = await uow.session.execute(select(AsnLine).where(AsnLine.asn_id == asn_id).order_by(AsnLine.id))
    return list(rows.scalars())


# -- scans -----------------------------------------------------------------------------------------------------
@dataclass
class ResolvedScan:
    scan: Scan
    kind: str
    skus: list[tuple[Sku, int]]
    location: Location | None = None
    lpn: str | None = None


async def skus_for_gtin(uow: UnitOfWork, gtin: str, owner_ids: frozenset[int] | None) -> list[tuple[Sku, int]]:
    stmt = select(Sku, Barcode.units).join(Barcode, Barcode.sku_id == Sku.id).where(Barcode.value == gtin)
    if owner_ids is not None:
        stmt = stmt.where(Sku.owner_id.in_(owner_ids))
    return [(s, int(u)) for s, u in (await uow.session.execute(stmt)).all()]


async def resolve_scan(uow: UnitOfWork, raw: str, warehouse_id: int | None, owner_id: int | None) -> ResolvedScan:
    """What a scan is in this warehouse: the SKU(s) of a GTIN, an announced SSCC, an LPN, a location, or a
    SKU's own code. Nothing known gets 422 ``unknown_barcode`` with what was read."""
    scan = parse_scan(raw)
    owners = uow.caller.visible_owner_ids()
    if owner_id is not None:
        uow.caller.check_owner(owner_id)
        owners = frozenset({owner_id})
    if scan.gtin is not None:
        skus = await skus_for_gtin(uow, scan.gtin, owners)
        if not skus:
            raise InvalidInput(
                f"Read GTIN {scan.gtin}"
                + (f", lot {scan.lot}" if scan.lot else "")
                + (f", expiry {scan.expiry.isoformat()}" if scan.expiry else "")
                + ", but no SKU has that barcode.",
                code="unknown_barcode",
                read=scan.ais or {"01": scan.gtin},
            )
        return ResolvedScan(scan, scan.kind, skus)
    if scan.sscc is not None:
        stmt = select(AsnLine.id).join(Asn, Asn.id == AsnLine.asn_id).where(AsnLine.sscc == scan.sscc)
        if owners is not None:
            stmt = stmt.where(Asn.owner_id.in_(owners))
        lpn_stmt = select(Lpn.code).where(Lpn.sscc == scan.sscc)
        if owners is not None:
            lpn_stmt = lpn_stmt.where(Lpn.owner_id.in_(owners))
        known = (await uow.session.execute(stmt.limit(1))).first()
        lpn = (await uow.session.execute(lpn_stmt.limit(1))).scalar_one_or_none()
        if known is None and lpn is None:
            raise InvalidInput(
                f"Read SSCC {scan.sscc}, but no ASN announces it and no LPN carries it.",
                code="unknown_barcode",
                read={"00": scan.sscc},
            )
        return ResolvedScan(scan, "sscc", [], lpn=lpn)
    text = scan.text or ""
    lpn_row = (await uow.session.execute(select(Lpn).where(Lpn.code == text))).scalar_one_or_none()
    if lpn_row is not None and (owners is None or lpn_row.owner_id in owners):
        return ResolvedScan(scan, "lpn", [], lpn=lpn_row.code)
    if warehouse_id is not None:
        loc = (
            await uow.session.execute(
                select(Location).where(Location.warehouse_id == warehouse_id, Location.code == text)
            )
        ).scalar_one_or_none()
        if loc is not None:
            return ResolvedScan(scan, "location", [], location=loc)
    alt = select(Sku, Barcode.units).join(Barcode, Barcode.sku_id == Sku.id).where(Barcode.value == scan.raw.strip())
    by_code = select(Sku).where(Sku.code == scan.raw.strip())
    if owners is not None:
        alt = alt.where(Sku.owner_id.in_(owners))
        by_code = by_code.where(Sku.owner_id.in_(owners))
    skus = [(s, int(u)) for s, u in (await uow.session.execute(alt)).all()]
    skus += [(s, 1) for s in (await uow.session.execute(by_code)).scalars() if s.id not in {x.id for x, _ in skus}]
    if skus:
        return ResolvedScan(scan, "sku", skus)
    where = "" if warehouse_id is not None else " (give warehouse_id to look up location codes)"
    raise InvalidInput(
        f"Read '{scan.raw.strip()}' as plain text: it is no known LPN, location or SKU code{where}.",
        code="unknown_barcode",
        read={"text": text},
    )


# -- receipts --------------------------------------------------------------------------------------------------
async def _dock(uow: UnitOfWork, warehouse_id: int, code: str | None) -> Location:
    if code:
        named = await location_by_code(uow, warehouse_id, code)
        if named.type not in (LocationType.RECEIVING, LocationType.DOCK):
            raise InvalidInput(f"Location {named.code} is no receiving dock.", code="not_a_dock")
        return named
    loc = (
        await uow.session.execute(
            select(Location)
            .where(
                Location.warehouse_id == warehouse_id,
                Location.type == LocationType.RECEIVING,
                Location.active.is_(True),
                Location.blocked.is_(False),
            )
            .order_by(Location.code)
            .limit(1)
        )
    ).scalar_one_or_none()
    if loc is None:
        raise Conflict("This warehouse has no usable receiving location.", code="no_receiving_location")
    return loc


async def start_receipt(
    uow: UnitOfWork,
    warehouse_id: int,
    *,
    asn_id: int | None,
    po_id: int | None,
    owner_id: int | None,
    dock_location: str | None,
) -> Receipt:
    await warehouse_or_404(uow, warehouse_id)
    if asn_id is not None:
        asn = await asn_or_404(uow, asn_id)
        if asn.status not in (AsnStatus.OPEN, AsnStatus.RECEIVING):
            raise Conflict(f"ASN {asn.number} is {asn.status}; it cannot be received.", code="asn_not_receivable")
        if asn.warehouse_id != warehouse_id:
            raise InvalidInput(f"ASN {asn.number} is for another warehouse.", code="other_warehouse")
        kind, owner = ReceiptKind.ASN, asn.owner_id
    elif po_id is not None:
        po = await po_or_404(uow, po_id)
        if po.status not in RECEIVABLE_PO:
            raise Conflict(f"Purchase order {po.number} is {po.status}; it cannot be received.", code="po_not_open")
        if po.warehouse_id != warehouse_id:
            raise InvalidInput(f"Purchase order {po.number} is for another warehouse.", code="other_warehouse")
        kind, owner = ReceiptKind.PO, po.owner_id
    else:
        kind, owner = ReceiptKind.BLIND, uow.caller.resolve_owner(owner_id)
        await _owner(uow, owner)
    dock = await _dock(uow, warehouse_id, dock_location)
    receipt = Receipt(
        number=f"TMP-{secrets.token_hex(8)}",
        owner_id=owner,
        warehouse_id=warehouse_id,
        kind=kind,
        status=ReceiptStatus.OPEN,
        asn_id=asn_id,
        po_id=po_id,
        dock_location_id=dock.id,
        user_id=uow.caller.user_id,
    )
    uow.session.add(receipt)
    await uow.session.flush()
    receipt.number = f"RCP-{receipt.id:06d}"
    await uow.session.flush()
    uow.emit("inbound", {"event": "receipt_started", "receipt_id": receipt.id, "owner_id": owner})
    return receipt


async def receipt_or_404(uow: UnitOfWork, receipt_id: int, *, lock: bool = False) -> Receipt:
    stmt = select(Receipt).where(Receipt.id == receipt_id)
    if lock:
        stmt = for_update(stmt)
    receipt = (await uow.session.execute(stmt)).scalar_one_or_none()
    if receipt is None:
        raise NotFound(f"There is no receipt {receipt_id}.", code="receipt_not_found")
    _owner_scope(uow, receipt.owner_id)
    return receipt


async def receipt_lines(uow: UnitOfWork, receipt_id: int) -> list[ReceiptLine]:
    rows = await uow.session.execute(
        select(ReceiptLine).where(ReceiptLine.receipt_id == receipt_id).order_by(ReceiptLine.id)
    )
    return list(rows.scalars())


async def receipt_discrepancies(uow: UnitOfWork, receipt_id: int) -> list[Discrepancy]:
    rows = await uow.session.execute(
        select(Discrepancy).where(Discrepancy.receipt_id == receipt_id).order_by(Discrepancy.id)
    )
    return list(rows.scalars())


async def new_lpn(uow: UnitOfWork, receipt: Receipt, sscc: str = "") -> Lpn:
    """A fresh license plate for this receipt (``LPN-`` and 10 random digits, unique)."""
    for _ in range(5):
        code = f"LPN-{secrets.randbelow(10**10):010d}"
        if (await uow.session.execute(select(Lpn.id).where(Lpn.code == code))).first() is None:
            break
    lpn = Lpn(code=code, owner_id=receipt.owner_id, warehouse_id=receipt.warehouse_id, receipt_id=receipt.id, sscc=sscc)
    uow.session.add(lpn)
    await uow.session.flush()
    return lpn


async def create_receipt_lpn(uow: UnitOfWork, receipt_id: int) -> Lpn:
    receipt = await receipt_or_404(uow, receipt_id)
    _check_open(receipt)
    return await new_lpn(uow, receipt)


def _check_open(receipt: Receipt) -> None:
    if receipt.status != ReceiptStatus.OPEN:
        raise Conflict(f"Receipt {receipt.number} is closed.", code="receipt_closed")


async def _today(uow: UnitOfWork, warehouse_id: int) -> date:
    wh = await uow.session.get(Warehouse, warehouse_id)
    try:
        tz = ZoneInfo(wh.timezone) if wh is not None else UTC
    except (KeyError, ValueError):
        tz = UTC
    return datetime.now(tz).date()


async def _lock_po_line(uow: UnitOfWork, po_line_id: int) -> PurchaseOrderLine:
    return (
        await uow.session.execute(for_update(select(PurchaseOrderLine).where(PurchaseOrderLine.id == po_line_id)))
    ).scalar_one()


async def _lock_asn_lines(uow: UnitOfWork, *where: Any) -> list[AsnLine]:
    rows = await uow.session.execute(for_update(select(AsnLine).where(*where).order_by(AsnLine.id)))
    return list(rows.scalars())


@dataclass
class Received:
    receipt: Receipt
    lines: list[ReceiptLine]
    lpn: str | None
    tasks: list[Task]


@dataclass(frozen=True)
class _Part:
    qty: int
    status: StockStatus
    reason: str
    lpn: str


APPROVED_OVER_RECEIPT_PCT = 1_000_000  # a supervisor's approval lifts the tolerance for that scan


def _tolerance(owner: Owner, data: ReceiveIn) -> int:
    return APPROVED_OVER_RECEIPT_PCT if data.approve_over_receipt else owner.over_receipt_tolerance_pct


async def receive(uow: UnitOfWork, receipt_id: int, data: ReceiveIn) -> Received:
    """One receiving scan: an SSCC of the ASN (the whole pallet) or an item with its quantity."""
    if data.approve_over_receipt and uow.caller.role not in tasks.MANAGER_ROLES:
        raise Forbidden("Only a supervisor may approve receiving more than the tolerance.", code="forbidden")
    receipt = await receipt_or_404(uow, receipt_id, lock=True)
    _check_open(receipt)
    owner = await _owner(uow, receipt.owner_id)
    today = await _today(uow, receipt.warehouse_id)
    scan = parse_scan(data.scan) if data.scan is not None else None
    # a GS1 logistic label carries (00) with (02)/(37): against an ASN, the SSCC names the whole pallet
    if scan is not None and scan.sscc is not None and (scan.gtin is None or receipt.kind == ReceiptKind.ASN):
        return await _receive_sscc(uow, receipt, owner, scan.sscc, data, today)
    return await _receive_item(uow, receipt, owner, scan, data, today)


async def _receive_sscc(
    uow: UnitOfWork, receipt: Receipt, owner: Owner, sscc: str, data: ReceiveIn, today: date
) -> Received:
    if receipt.kind != ReceiptKind.ASN or receipt.asn_id is None:
        raise InvalidInput(
            f"Read SSCC {sscc}: a whole pallet is received by SSCC only against its ASN; receive the items instead.",
            code="sscc_needs_asn",
        )
    if data.damaged_qty:
        raise InvalidInput(
            "Damaged units are counted item by item, not with a pallet's SSCC.", code="damaged_needs_items"
        )
    lines = await _lock_asn_lines(uow, AsnLine.asn_id == receipt.asn_id, AsnLine.sscc == sscc)
    if not lines:
        raise InvalidInput(f"Read SSCC {sscc}, but the ASN of this receipt does not announce it.", code="unknown_sscc")
    todo = [ln for ln in lines if ln.qty_received < ln.qty]
    if not todo:
        raise Conflict(f"The pallet with SSCC {sscc} has already been received.", code="already_received")
    lpn = await new_lpn(uow, receipt, sscc=sscc)
    out: list[ReceiptLine] = []
    pos: set[int] = set()
    for ln in todo:
        qty = ln.qty - ln.qty_received
        if ln.po_line_id is not None:
            pol = await _lock_po_line(uow, ln.po_line_id)
            sku = await uow.session.get(Sku, ln.sku_id)
            check_over_receipt(
                ordered=pol.qty_ordered,
                already=pol.qty_received,
                qty=qty,
                tolerance_pct=_tolerance(owner, data),
                what=f"SKU {sku.code if sku else ln.sku_id} (PO line {pol.line_no})",
            )
            pol.qty_received += qty
            pos.add(pol.po_id)
        ln.qty_received += qty
        status, reason = shelf_life_status(ln.expiry, today, owner.min_shelf_life_days)
        out.append(
            await _book(uow, receipt, ln.sku_id, ln.lot, ln.expiry, _Part(qty, status, reason, lpn.code), ln, sscc)
        )
    return await _after_receive(uow, receipt, out, lpn.code, pos)


async def _pick_sku(uow: UnitOfWork, receipt: Receipt, scan: Scan | None, data: ReceiveIn) -> tuple[Sku, int]:
    if data.sku_id is not None:
        sku = await uow.session.get(Sku, data.sku_id)
        if sku is None or sku.owner_id != receipt.owner_id:
            raise NotFound(f"There is no SKU {data.sku_id} of this receipt's owner.", code="sku_not_found")
        return sku, 1
    assert scan is not None
    if scan.gtin is not None:
        found = await skus_for_gtin(uow, scan.gtin, frozenset({receipt.owner_id}))
        what = f"GTIN {scan.gtin}"
    else:
        value = scan.raw.strip()
        found = [
            (s, int(u))
            for s, u in (
                await uow.session.execute(
                    select(Sku, Barcode.units)
                    .join(Barcode, Barcode.sku_id == Sku.id)
                    .where(Barcode.value == value, Sku.owner_id == receipt.owner_id)
                )
            ).all()
        ]
        if not found:
            by_code = (
                await uow.session.execute(select(Sku).where(Sku.owner_id == receipt.owner_id, Sku.code == value))
            ).scalar_one_or_none()
            found = [(by_code, 1)] if by_code is not None else []
        what = f"'{value}'"
    if not found:
        raise InvalidInput(
            f"Read {what}, but this receipt's owner has no SKU with that barcode.",
            code="unknown_barcode",
            read=scan.ais or {"text": scan.raw.strip()},
        )
    return found[0]


async def _receive_item(
    uow: UnitOfWork, receipt: Receipt, owner: Owner, scan: Scan | None, data: ReceiveIn, today: date
) -> Received:
    sku, units_per_scan = await _pick_sku(uow, receipt, scan, data)
    count = data.qty if data.qty is not None else (scan.count if scan is not None and scan.count else 1)
    qty = count * units_per_scan
    if data.damaged_qty > qty:
        raise InvalidInput(
            f"{data.damaged_qty} damaged of {qty} counted is not possible.",
            code="invalid_quantity",
            errors=[{"field": "damaged_qty", "message": "more than the quantity"}],
        )
    lot = data.lot if data.lot is not None else (scan.lot if scan is not None and scan.lot else "")
    expiry = data.expiry if data.expiry is not None else (scan.expiry if scan is not None else None)
    asn_line: AsnLine | None = None
    po_line: PurchaseOrderLine | None = None
    pos: set[int] = set()
    what = f"SKU {sku.code}"
    if receipt.kind == ReceiptKind.ASN:
        lines = await _lock_asn_lines(uow, AsnLine.asn_id == receipt.asn_id, AsnLine.sku_id == sku.id)
        if not lines:
            raise InvalidInput(f"{what} is not on the ASN of this receipt.", code="not_on_asn")
        lines.sort(key=lambda ln: (ln.lot not in ("", lot), ln.qty_received >= ln.qty, ln.sscc != "", ln.id))
        asn_line = lines[0]
        if asn_line.po_line_id is None:
            check_over_receipt(
                ordered=asn_line.qty,
                already=asn_line.qty_received,
                qty=qty,
                tolerance_pct=_tolerance(owner, data),
                what=what,
            )
        else:
            po_line = await _lock_po_line(uow, asn_line.po_line_id)
        asn_line.qty_received += qty
    elif receipt.kind == ReceiptKind.PO:
        pl = await po_lines(uow, receipt.po_id or 0)
        if data.po_line_id is not None:
            pl = [ln for ln in pl if ln.id == data.po_line_id]
        mine = [ln for ln in pl if ln.sku_id == sku.id]
        if not mine:
            raise InvalidInput(f"{what} is not on the purchase order of this receipt.", code="not_on_po")
        mine.sort(key=lambda ln: (ln.qty_received >= ln.qty_ordered, ln.line_no))
        po_line = await _lock_po_line(uow, mine[0].id)
    if po_line is not None:
        check_over_receipt(
            ordered=po_line.qty_ordered,
            already=po_line.qty_received,
            qty=qty,
            tolerance_pct=_tolerance(owner, data),
            what=f"{what} (PO line {po_line.line_no})",
        )
        po_line.qty_received += qty
        pos.add(po_line.po_id)
    good = qty - data.damaged_qty
    status, reason = shelf_life_status(expiry, today, owner.min_shelf_life_days)
    if data.approve_over_receipt:
        reason = "; ".join(x for x in (reason, f"over-receipt approved by {uow.caller.username}") if x)
    lpn_code: str | None = None
    parts: list[_Part] = []
    if good and status == StockStatus.AVAILABLE:
        lpn_code = await _lpn_for(uow, receipt, data.lpn)
        parts.append(_Part(good, status, reason, lpn_code))
    elif good:  # expired or short-dated units are kept apart, loose, in quarantine
        parts.append(_Part(good, status, reason, ""))
    if data.damaged_qty:
        parts.append(_Part(data.damaged_qty, StockStatus.DAMAGED, "damaged at receiving", ""))
    out = [
        await _book(uow, receipt, sku.id, lot, expiry, part, asn_line, asn_line.sscc if asn_line else "", po_line)
        for part in parts
    ]
    return await _after_receive(uow, receipt, out, lpn_code, pos)


async def _lpn_for(uow: UnitOfWork, receipt: Receipt, code: str | None) -> str:
    if code is None:
        return (await new_lpn(uow, receipt)).code
    lpn = (await uow.session.execute(select(Lpn).where(Lpn.code == code.strip().upper()))).scalar_one_or_none()
    if lpn is None or lpn.receipt_id != receipt.id:
        raise InvalidInput(f"LPN {code} was not made for receipt {receipt.number}.", code="unknown_lpn")
    return lpn.code


async def _quarantine_location(uow: UnitOfWork, warehouse_id: int) -> int | None:
    return (
        await uow.session.execute(
            select(Location.id)
            .where(
                Location.warehouse_id == warehouse_id,
                Location.type == LocationType.QUARANTINE,
                Location.active.is_(True),
                Location.blocked.is_(False),
            )
            .order_by(Location.code)
            .limit(1)
        )
    ).scalar_one_or_none()


async def _book(
    uow: UnitOfWork,
    receipt: Receipt,
    sku_id: int,
    lot: str,
    expiry: date | None,
    part: _Part,
    asn_line: AsnLine | None,
    sscc: str,
    po_line: PurchaseOrderLine | None = None,
) -> ReceiptLine:
    where = receipt.dock_location_id
    if part.status != StockStatus.AVAILABLE:  # expired, short-dated or damaged: straight to the quarantine area
        where = await _quarantine_location(uow, receipt.warehouse_id) or where
    key = StockKey(receipt.owner_id, sku_id, where, lot, expiry, part.lpn, part.status)
    stock = await InventoryService(uow).receive(
        key, part.qty, reason=MovementReason.RECEIPT, doc=DocRef("receipt", receipt.number), note=part.reason
    )
    line = ReceiptLine(
        receipt_id=receipt.id,
        po_line_id=po_line.id if po_line is not None else (asn_line.po_line_id if asn_line else None),
        asn_line_id=asn_line.id if asn_line else None,
        sku_id=sku_id,
        lot=lot,
        expiry=expiry,
        qty=part.qty,
        status=part.status,
        reason=part.reason,
        sscc=sscc,
        lpn=part.lpn,
        stock_id=stock.id,
    )
    uow.session.add(line)
    await uow.session.flush()
    uow.emit(
        "inbound",
        {
            "event": "received",
            "receipt": receipt.number,
            "owner_id": receipt.owner_id,
            "sku_id": sku_id,
            "qty": part.qty,
            "status": part.status.value,
            "lpn": part.lpn,
        },
    )
    return line


async def _after_receive(
    uow: UnitOfWork, receipt: Receipt, lines: list[ReceiptLine], lpn: str | None, pos: set[int]
) -> Received:
    for po_id in sorted(pos):
        await _refresh_po_status(uow, po_id)
    if receipt.asn_id is not None:
        asn = await uow.session.get(Asn, receipt.asn_id)
        if asn is not None and asn.status == AsnStatus.OPEN:
            asn.status = AsnStatus.RECEIVING
    made: list[Task] = []
    for line in lines:
        if line.status == StockStatus.AVAILABLE:
            made.append(await _putaway_task(uow, receipt, line))
    await uow.session.flush()
    return Received(receipt, lines, lpn, made)


async def close_receipt(uow: UnitOfWork, receipt_id: int) -> Receipt:
    """Close a receipt: every PO/ASN line received short (or over, within tolerance) gets a discrepancy."""
    receipt = await receipt_or_404(uow, receipt_id, lock=True)
    _check_open(receipt)
    found: list[Discrepancy] = []
    if receipt.kind == ReceiptKind.ASN and receipt.asn_id is not None:
        for aln in await asn_lines(uow, receipt.asn_id):
            v = variance(aln.qty, aln.qty_received)
            if v is not None:
                found.append(
                    Discrepancy(
                        receipt_id=receipt.id,
                        po_line_id=aln.po_line_id,
                        asn_line_id=aln.id,
                        sku_id=aln.sku_id,
                        kind=v.kind,
                        expected=v.expected,
                        received=v.received,
                    )
                )
        asn = await uow.session.get(Asn, receipt.asn_id)
        if asn is not None:
            asn.status = AsnStatus.RECEIVED
    elif receipt.kind == ReceiptKind.PO and receipt.po_id is not None:
        for pln in await po_lines(uow, receipt.po_id):
            v = variance(pln.qty_ordered, pln.qty_received)
            if v is not None:
                found.append(
                    Discrepancy(
                        receipt_id=receipt.id,
                        po_line_id=pln.id,
                        sku_id=pln.sku_id,
                        kind=v.kind,
                        expected=v.expected,
                        received=v.received,
                    )
                )
    for d in found:
        uow.session.add(d)
    receipt.status = ReceiptStatus.CLOSED
    await uow.session.flush()
    codes = dict(
        (await uow.session.execute(select(Sku.id, Sku.code).where(Sku.id.in_({d.sku_id for d in found})))).all()
    )
    for d in found:
        await open_exception(
            uow,
            "receipt_discrepancy",
            warehouse_id=receipt.warehouse_id,
            owner_id=receipt.owner_id,
            ref_type="receipt",
            ref_id=receipt.number,
            message=f"Receipt {receipt.number}: {codes.get(d.sku_id, d.sku_id)} {d.kind}, "
            f"{d.received} received of {d.expected} expected.",
            details={
                "discrepancy_id": d.id,
                "sku_id": d.sku_id,
                "kind": d.kind,
                "expected": d.expected,
                "received": d.received,
            },
        )
    outbox.record(
        uow,
        "receipt.completed",
        {
            "receipt": receipt.number,
            "receipt_id": receipt.id,
            "kind": receipt.kind.value,
            "po_id": receipt.po_id,
            "asn_id": receipt.asn_id,
            "discrepancies": [
                {"sku": codes.get(d.sku_id), "kind": d.kind, "expected": d.expected, "received": d.received}
                for d in found
            ],
        },
        owner_id=receipt.owner_id,
        warehouse_id=receipt.warehouse_id,
        key=f"receipt:{receipt.id}",
    )
    uow.emit(
        "inbound",
        {
            "event": "receipt_closed",
            "receipt": receipt.number,
            "owner_id": receipt.owner_id,
            "discrepancies": len(found),
        },
    )
    return receipt


async def lpn_or_404(uow: UnitOfWork, code: str) -> Lpn:
    lpn = (await uow.session.execute(select(Lpn).where(Lpn.code == code.strip().upper()))).scalar_one_or_none()
    if lpn is None:
        raise NotFound(f"There is no LPN {code}.", code="lpn_not_found")
    _owner_scope(uow, lpn.owner_id)
    return lpn


async def lpn_label(uow: UnitOfWork, lpn: Lpn, dpi: int = 203) -> str:
    """The LPN's label as ZPL, with what is on it now (one SKU: its code and quantity)."""
    from labels.profiles import profile_for_dpi
    from labels.render import render
    from labels.templates.lpn import LPNData, build

    wh = await uow.session.get(Warehouse, lpn.warehouse_id)
    rows = (
        await uow.session.execute(
            select(Sku.code, Sku.name, func.sum(Stock.on_hand))
            .join(Sku, Sku.id == Stock.sku_id)
            .where(Stock.lpn == lpn.code, Stock.owner_id == lpn.owner_id, Stock.on_hand > 0)
            .group_by(Sku.code, Sku.name)
        )
    ).all()
    sku = desc = None
    qty = None
    if len(rows) == 1:
        sku, desc, qty = rows[0][0][:30], rows[0][1][:60], int(rows[0][2])
    elif rows:
        sku, qty = "MIXED", int(sum(r[2] for r in rows))
    data = LPNData(
        lpn=lpn.code,
        warehouse=(wh.code if wh else "")[:20] or "WH",
        sku=sku,
        description=desc,
        quantity=qty,
        created=lpn.created_at.date(),
    )
    return render(build(data), profile_for_dpi(dpi)).decode("utf-8")


# -- putaway ---------------------------------------------------------------------------------------------------
async def candidates(
    uow: UnitOfWork,
    warehouse_id: int,
    owner_id: int,
    sku: Sku,
    lot: str,
    qty: int,
    *,
    only: Sequence[int] | None = None,
    ignore_task: int | None = None,
) -> tuple[list[Candidate], dict[int, str]]:
    """Storage locations that could take ``qty`` units of ``sku`` now, and why the others cannot (by id).

    A location holds one owner's one SKU; space already promised to open putaway tasks counts as used."""
    stmt = (
        select(Location, Zone.code)
        .join(Zone, Zone.id == Location.zone_id)
        .where(Location.warehouse_id == warehouse_id, Location.type.in_(sorted(STORAGE_TYPES)))
    )
    if only is not None:
        stmt = stmt.where(Location.id.in_(only))
    locs = (await uow.session.execute(stmt)).all()
    ids = [loc.id for loc, _ in locs]
    used_m3: dict[int, float] = {}
    used_units: dict[int, int] = {}
    holds: dict[int, set[tuple[int, int, str]]] = {}
    cube = Sku.length_mm * Sku.width_mm * Sku.height_mm
    occupied = await uow.session.execute(
        select(Stock.location_id, Stock.owner_id, Stock.sku_id, Stock.lot, Stock.on_hand, cube)
        .join(Sku, Sku.id == Stock.sku_id)
        .where(Stock.location_id.in_(ids), Stock.on_hand > 0)
    )
    pending_stmt = (
        select(Task.to_location_id, Task.owner_id, Task.sku_id, Task.lot, Task.qty, cube)
        .join(Sku, Sku.id == Task.sku_id)
        .where(
            Task.type == TaskType.PUTAWAY,
            Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.IN_PROGRESS]),
            Task.to_location_id.in_(ids),
        )
    )
    if ignore_task is not None:
        pending_stmt = pending_stmt.where(Task.id != ignore_task)
    pending = await uow.session.execute(pending_stmt)
    for loc_id, o, s, lt, units, mm3 in [*occupied.all(), *pending.all()]:
        assert loc_id is not None and s is not None
        used_m3[loc_id] = used_m3.get(loc_id, 0.0) + units * float(mm3) / 1e9
        used_units[loc_id] = used_units.get(loc_id, 0) + int(units)
        holds.setdefault(loc_id, set()).add((o, s, lt))
    model = await walking_model(uow, warehouse_id)
    out: list[Candidate] = []
    why: dict[int, str] = {}
    for loc, zone in locs:
        if not loc.active or loc.blocked:
            why[loc.id] = "blocked" if loc.blocked else "not in use"
            continue
        if loc.owner_id is not None and loc.owner_id != owner_id:
            why[loc.id] = "dedicated to another owner"
            continue
        here = holds.get(loc.id, set())
        if any((o, s) != (owner_id, sku.id) for o, s, _ in here):
            why[loc.id] = "holds other goods"
            continue
        if loc.capacity_units and used_units.get(loc.id, 0) + qty > loc.capacity_units:
            why[loc.id] = "full"
            continue
        pos = model.positions.get(loc.id)
        if pos is None:
            why[loc.id] = "not on the walking graph"
            continue
        cap = float(loc.capacity_m3)
        free = cap - used_m3.get(loc.id, 0.0) if cap > 0 else UNLIMITED_M3
        if free + 1e-12 < qty * sku.unit_m3:
            why[loc.id] = "full"
            continue
        out.append(
            Candidate(
                location_id=loc.id,
                distance_m=2 * model.layout.point_distance(model.layout.depot, pos),
                free_m3=free,
                max_kg=float(loc.max_kg) if loc.max_kg else UNLIMITED_M3,
                level=loc.level,
                zone=zone,
                owner_id=loc.owner_id,
                holds_same_sku=bool(here),
                holds_same_lot=any(lt == lot for _, _, lt in here),
            )
        )
    return out, why


def _item(sku: Sku, owner_id: int, qty: int) -> PutawayItem:
    return PutawayItem(
        sku_id=sku.id,
        owner_id=owner_id,
        qty=qty,
        unit_m3=sku.unit_m3,
        unit_kg=float(sku.weight_kg),
        demand_class=sku.demand_class,
        zone=sku.storage_zone,
    )


async def suggest_for(
    uow: UnitOfWork,
    warehouse_id: int,
    owner_id: int,
    sku: Sku,
    lot: str,
    qty: int,
    *,
    ignore_task: int | None = None,
    exclude: Sequence[int] = (),
) -> Suggestion:
    cands, _ = await candidates(uow, warehouse_id, owner_id, sku, lot, qty, ignore_task=ignore_task)
    pool = [c for c in cands if c.location_id not in exclude]
    if not any(c.holds_same_lot for c in pool):
        # a new SKU or lot: the slotting objective (expected picks, co-ordered SKUs, replenishment) picks the slot
        from server.slotting.services import putaway_slot

        slot = await putaway_slot(uow, warehouse_id, sku.id, [c.location_id for c in pool])
        if slot is not None:
            return Suggestion(slot, consolidated=any(c.location_id == slot and c.holds_same_sku for c in pool))
    return suggest(_item(sku, owner_id, qty), pool)


async def _putaway_task(uow: UnitOfWork, receipt: Receipt, line: ReceiptLine) -> Task:
    """The putaway task for received units: added to the open task of the same stock row, or a new one."""
    sku = await uow.session.get(Sku, line.sku_id)
    assert sku is not None
    existing = (
        await uow.session.execute(
            for_update(
                select(Task).where(
                    Task.type == TaskType.PUTAWAY, Task.stock_id == line.stock_id, Task.status == TaskStatus.OPEN
                )
            )
        )
    ).scalar_one_or_none()
    qty = line.qty + (existing.qty if existing else 0)
    try:
        choice = await suggest_for(
            uow,
            receipt.warehouse_id,
            receipt.owner_id,
            sku,
            line.lot,
            qty,
            ignore_task=existing.id if existing else None,
        )
    except InvalidInput as exc:  # e.g. no walking layout yet: receiving goes on, a supervisor names the place
        choice = Suggestion(None, exc.message)
    details = {"receipt_id": receipt.id, "consolidated": choice.consolidated, "no_location": choice.reason}
    if existing is not None:
        existing.qty = qty
        if not existing.override:
            existing.to_location_id = choice.location_id
        existing.details = {**existing.details, **details}
        await uow.session.flush()
        return existing
    return await tasks.create_task(
        uow,
        type=TaskType.PUTAWAY,
        warehouse_id=receipt.warehouse_id,
        owner_id=receipt.owner_id,
        priority=50 if sku.demand_class != "A" else 40,
        sku_id=sku.id,
        qty=qty,
        lot=line.lot,
        expiry=line.expiry,
        lpn=line.lpn,
        stock_id=line.stock_id,
        from_location_id=receipt.dock_location_id,
        to_location_id=choice.location_id,
        doc_type="receipt",
        doc_ref=receipt.number,
        details=details,
    )


async def _putaway_or_404(uow: UnitOfWork, task_id: int) -> Task:
    task = await tasks.get_task(uow, task_id, lock=True)
    if task.type != TaskType.PUTAWAY:
        raise InvalidInput(f"Task {task.id} is a {task.type} task, not putaway.", code="not_putaway")
    return task


async def _check_fits(uow: UnitOfWork, task: Task, loc: Location) -> None:
    """Refuse a location the goods may not go to, saying why and where they may go instead."""
    sku = await uow.session.get(Sku, task.sku_id)
    assert sku is not None
    if loc.warehouse_id != task.warehouse_id:
        raise InvalidInput(f"Location {loc.code} is in another warehouse.", code="other_warehouse")
    if loc.type not in STORAGE_TYPES:
        raise InvalidInput(f"Location {loc.code} is a {loc.type} location, not storage.", code="location_unsuitable")
    cands, why = await candidates(
        uow, task.warehouse_id, task.owner_id, sku, task.lot, task.qty, only=[loc.id], ignore_task=task.id
    )
    reason = why.get(loc.id)
    if not reason and cands and suggest(_item(sku, task.owner_id, task.qty), cands).location_id is None:
        reason = "breaks the slotting rules (capacity, weight, level, zone or owner)"
    if reason:
        new = await suggest_for(
            uow, task.warehouse_id, task.owner_id, sku, task.lot, task.qty, ignore_task=task.id, exclude=[loc.id]
        )
        new_loc = await uow.session.get(Location, new.location_id) if new.location_id else None
        code = {"blocked": "location_blocked", "not in use": "location_blocked", "full": "location_full"}.get(
            reason, "location_unsuitable"
        )
        raise Conflict(
            f"Location {loc.code} cannot take these goods: {reason}."
            + (f" Take them to {new_loc.code} instead." if new_loc else " No other location fits; ask a supervisor."),
            code=code,
            suggested_location_id=new_loc.id if new_loc else None,
            suggested_location=new_loc.code if new_loc else None,
        )


async def confirm_putaway(uow: UnitOfWork, task_id: int, location: str | None, check_digits: str | None) -> Task:
    """The worker at the destination: the suggested location by its check digits or its scanned code, or another
    valid location (recorded as an override)."""
    task = await _putaway_or_404(uow, task_id)
    tasks.check_holder(uow, task)
    target = await uow.session.get(Location, task.to_location_id) if task.to_location_id else None
    if check_digits is not None:
        if target is None:
            raise Conflict(
                f"Task {task.id} has no destination yet; scan the location you put the goods in.",
                code="no_destination",
            )
        if check_digits != target.check_digits:
            raise InvalidInput(
                f"Check digits {check_digits} are not those of {target.code}; read them off its label again.",
                code="wrong_check_digits",
            )
        dest = target
    else:
        assert location is not None
        dest = await location_by_code(uow, task.warehouse_id, location)
    await _check_fits(uow, task, dest)
    override = target is None or dest.id != target.id
    if override and target is not None:
        try:
            await _check_fits(uow, task, target)
        except Conflict:
            # the suggested place went full or blocked: going where the system now suggests is no override
            sku = await uow.session.get(Sku, task.sku_id)
            assert sku is not None
            fresh = await suggest_for(
                uow, task.warehouse_id, task.owner_id, sku, task.lot, task.qty, ignore_task=task.id, exclude=[target.id]
            )
            override = fresh.location_id != dest.id
    if task.stock_id is None:
        raise Conflict(f"Task {task.id} names no stock to put away.", code="no_stock")
    await InventoryService(uow).move(
        task.stock_id,
        task.qty,
        dest.id,
        reason=MovementReason.PUTAWAY,
        doc=DocRef("putaway", f"TASK-{task.id}"),
        note="override" if override else "",
    )
    if override:
        task.override = True
        task.details = {
            **task.details,
            "suggested_location_id": task.to_location_id,
            "override_by": uow.caller.user_id,
        }
    task.done_location_id = dest.id
    await tasks.finish(uow, task)
    uow.emit(
        "inbound",
        {
            "event": "put_away",
            "task_id": task.id,
            "owner_id": task.owner_id,
            "location_id": dest.id,
            "qty": task.qty,
            "override": override,
        },
    )
    return task


async def set_destination(
    uow: UnitOfWork, task_id: int, location_id: int | None, location: str | None, note: str
) -> Task:
    """The supervisor sends the goods elsewhere (recorded as an override)."""
    task = await _putaway_or_404(uow, task_id)
    if task.status in tasks.FINAL:
        raise Conflict(f"Task {task.id} is already {task.status}.", code="task_final")
    if location_id is not None:
        found = await uow.session.get(Location, location_id)
        if found is None:
            raise NotFound(f"There is no location {location_id}.", code="location_not_found")
        loc = found
    else:
        loc = await location_by_code(uow, task.warehouse_id, location or "")
    await _check_fits(uow, task, loc)
    task.details = {
        **task.details,
        "suggested_location_id": task.to_location_id,
        "override_by": uow.caller.user_id,
        "override_note": note,
    }
    task.to_location_id = loc.id
    task.override = True
    await uow.session.flush()
    uow.emit("tasks", {"event": "destination_changed", "task_id": task.id, "owner_id": task.owner_id})
    return task
