"""What a handheld scanned at a pick: a location (code or check digits) and an item (GTIN, GS1-128, LPN).

Pure; no framework. The reading itself is :func:`server.catalog.scans.parse_scan` (biip), one parser for every
area: GS1-128 as human-readable text ``(01)…(10)…`` or as transmitted data (with ``]C1``/``]d2`` prefixes, FNC1 as
the ASCII group separator), plain GTIN/EAN/UPC, SSCC, or a code.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.catalog.scans import parse_scan
from server.errors import InvalidInput

GS = "\x1d"  # FNC1 as transmitted by a scanner: the group separator after a variable-length field


@dataclass(frozen=True, slots=True)
class ItemScan:
    """The item part of a scan: a GTIN (14 digits) with an optional lot, or a plain code (an LPN, an SSCC on an
    LPN label, or a SKU's own barcode)."""

    raw: str
    gtin: str = ""
    lot: str = ""
    code: str = ""


def parse_gs1(text: str) -> dict[str, str] | None:
    """The AIs of a GS1 element string or an SSCC (read by biip through :func:`parse_scan`), or None."""
    try:
        scan = parse_scan(text)
    except InvalidInput:
        return None
    return dict(scan.ais) if scan.kind in ("gs1", "sscc") and scan.ais else None


def parse_item(text: str) -> ItemScan:
    """An item scan as the pick, pack and inventory checks compare it; anything unreadable is a plain code, which
    then matches no SKU and is refused as the wrong item."""
    raw = text.strip()
    try:
        scan = parse_scan(raw)
    except InvalidInput:
        return ItemScan(raw, code=raw)
    if scan.gtin:
        return ItemScan(raw, gtin=scan.gtin, lot=scan.lot or "")
    if scan.sscc:
        return ItemScan(raw, code=scan.sscc)
    return ItemScan(raw, code=raw)


def location_matches(scanned: str, *, code: str, check_digits: str) -> bool:
    """A location is confirmed by its code (label barcode) or by the two check digits printed on it."""
    s = scanned.strip().upper()
    return s == code.upper() or (bool(check_digits) and s == check_digits)
