"""What a handheld scanned at a pick: a location (code or check digits) and an item (GTIN, GS1-128, LPN).

Pure parsing; no framework. GS1-128 arrives either as human-readable text ``(01)…(10)…`` or as transmitted
data (optionally prefixed ``]C1``) with FNC1 as the ASCII group separator (0x1D) after variable-length fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GS = "\x1d"
# fixed-length AIs and their value lengths; the rest are variable (ended by GS or the end)
_FIXED = {"00": 18, "01": 14, "02": 14, "11": 6, "13": 6, "15": 6, "17": 6}
_VARIABLE = ("10", "21", "37")
_HRI = re.compile(r"\((\d{2,4})\)([^()]*)")


@dataclass(frozen=True, slots=True)
class ItemScan:
    """The item part of a scan: a GTIN (14 digits) with an optional lot, or a plain code (an LPN or barcode)."""

    raw: str
    gtin: str = ""
    lot: str = ""
    code: str = ""


def parse_gs1(text: str) -> dict[str, str] | None:
    """The AIs of a GS1-128 element string, or None when ``text`` is not one."""
    s = text.strip()
    if s.startswith("("):
        pairs = _HRI.findall(s)
        if not pairs or "".join(f"({a}){v}" for a, v in pairs) != s:
            return None
        return dict(pairs)
    if s.startswith("]C1"):
        s = s[3:]
    elif GS not in s:
        return None
    out: dict[str, str] = {}
    i = 0
    while i < len(s):
        if s[i] == GS:
            i += 1
            continue
        ai = s[i : i + 2]
        if ai in _FIXED:
            n = _FIXED[ai]
            value = s[i + 2 : i + 2 + n]
            if len(value) != n:
                return None
            out[ai] = value
            i += 2 + n
        elif ai in _VARIABLE:
            end = s.find(GS, i + 2)
            end = len(s) if end < 0 else end
            out[ai] = s[i + 2 : end]
            i = end
        else:
            return None
    return out or None


def parse_item(text: str) -> ItemScan:
    raw = text.strip()
    ais = parse_gs1(raw)
    if ais is not None and ("01" in ais or "02" in ais):
        return ItemScan(raw, gtin=ais.get("01") or ais["02"], lot=ais.get("10", ""))
    if raw.isdigit() and len(raw) in (8, 12, 13, 14):
        return ItemScan(raw, gtin=raw.zfill(14))
    return ItemScan(raw, code=raw)


def location_matches(scanned: str, *, code: str, check_digits: str) -> bool:
    """A location is confirmed by its code (label barcode) or by the two check digits printed on it."""
    s = scanned.strip().upper()
    return s == code.upper() or (bool(check_digits) and s == check_digits)
