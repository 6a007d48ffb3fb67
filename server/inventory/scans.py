"""What a handheld scanned in inventory work (moves, counts, returns): an item as a GTIN, a GS1-128 string with
lot and expiry, a SKU barcode, or an LPN. Parsing is :mod:`server.outbound.scans`; this resolves it to SKUs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from server.catalog.models import Sku
from server.catalog.services import find_by_barcode
from server.db.uow import UnitOfWork
from server.errors import InvalidInput
from server.inventory.models import Stock
from server.layout.models import Location
from server.outbound.scans import location_matches, parse_gs1, parse_item


@dataclass(frozen=True, slots=True)
class ScannedItem:
    """A resolved item scan: the SKU, and the lot, expiry and LPN the scan carried ('' / None when it did not)."""

    sku_id: int
    lot: str = ""
    expiry: date | None = None
    lpn: str = ""
    units: int = 1  # units per scanned code (a case GTIN stands for several)


def _expiry(yymmdd: str) -> date | None:
    """GS1 (17) YYMMDD; day 00 means the end of the month."""
    try:
        yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
        year = 2000 + yy if yy < 50 else 1900 + yy
        if dd == 0:
            nxt = date(year + (mm == 12), mm % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1)
        return date(year, mm, dd)
    except ValueError:
        return None


def check_location(scanned: str, loc: Location, *, field: str = "location") -> None:
    """Refuse unless the scan is the location's code or its check digits."""
    if not location_matches(scanned, code=loc.code, check_digits=loc.check_digits):
        raise InvalidInput(
            f"Wrong location: this task is at {loc.code}; scan its label or type its check digits.",
            code="wrong_location",
            errors=[{"field": field, "message": f"expected {loc.code}"}],
        )


async def resolve_item(
    uow: UnitOfWork, scanned: str, owner_id: int, *, location_id: int | None = None, field: str = "item"
) -> ScannedItem:
    """The SKU (with lot/expiry/LPN) a scan stands for within the owner; an LPN is looked up at the location."""
    raw = scanned.strip()
    if not raw:
        raise InvalidInput("Scan the item.", code="item_required", errors=[{"field": field, "message": "required"}])
    scan = parse_item(raw)
    if scan.code:
        stmt = select(Stock.sku_id, Stock.lot, Stock.expiry).where(
            Stock.lpn == scan.code, Stock.owner_id == owner_id, Stock.on_hand > 0
        )
        if location_id is not None:
            stmt = stmt.where(Stock.location_id == location_id)
        on_lpn = set((await uow.session.execute(stmt)).all())
        if len({s for s, _, _ in on_lpn}) == 1:
            sku_id, lot, expiry = next(iter(on_lpn))
            lots = {(lt, ex) for _, lt, ex in on_lpn}
            if len(lots) == 1:
                return ScannedItem(sku_id, lot, expiry, scan.code)
            return ScannedItem(sku_id, lpn=scan.code)
        if len(on_lpn) > 1:
            raise InvalidInput(
                f"LPN {scan.code} holds several SKUs; scan each item on it.",
                code="mixed_lpn",
                errors=[{"field": field, "message": "scan the items, not the LPN"}],
            )
    matches = await find_by_barcode(uow, scan.gtin or scan.code, owner_id)
    if not matches:
        by_code = (
            await uow.session.execute(select(Sku).where(Sku.owner_id == owner_id, Sku.code == raw))
        ).scalar_one_or_none()
        if by_code is None:
            raise InvalidInput(
                f"Unknown item {raw!r} for this owner.",
                code="unknown_item",
                errors=[{"field": field, "message": "not a barcode, SKU or LPN of this owner"}],
            )
        return ScannedItem(by_code.id)
    sku, barcode = matches[0]
    ais = parse_gs1(raw) or {}
    return ScannedItem(sku.id, scan.lot, _expiry(ais["17"]) if "17" in ais else None, units=max(1, barcode.units))
