"""What a scanned barcode says, read with biip: GS1 element strings (GS1-128, GS1 DataMatrix, with or without
the symbology identifier, or typed in the human-readable form with brackets), plain GTIN/EAN/UPC, SSCC, and
anything else as text that may be an internal LPN or a location code (the service looks those up).

Pure: no framework, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from biip import ParseError, parse
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin
from biip.sscc import Sscc

from server.errors import InvalidInput

MAX_SCAN_LENGTH = 200
_TEXT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")


@dataclass(frozen=True, slots=True)
class Scan:
    """One scan, read. ``kind``: gs1 (element string), gtin, sscc, or text (an LPN, location or own code)."""

    raw: str
    kind: str
    gtin: str | None = None  # always 14 digits
    sscc: str | None = None
    lot: str | None = None
    expiry: date | None = None
    count: int | None = None
    serial: str | None = None
    text: str | None = None
    ais: dict[str, str] = field(default_factory=dict)


def _clean(raw: str) -> str:
    # keyboard-wedge scanners may add CR/LF; some prefix the AIM symbology identifier we let biip read
    return raw.strip().strip("\r\n")


def _from_message(raw: str, msg: GS1Message) -> Scan:
    ais = {e.ai.ai: e.value for e in msg.element_strings}
    gtin = None
    sscc = None
    lot = serial = None
    expiry = None
    count = None
    for e in msg.element_strings:
        ai = e.ai.ai
        if ai in ("01", "02"):
            if e.gtin is None:
                raise InvalidInput(
                    f"Read '{raw}': ({ai}) {e.value} is not a valid GTIN (check the check digit).",
                    code="unknown_barcode",
                    read=ais,
                )
            gtin = e.gtin.as_gtin_14()
        elif ai == "00" and e.sscc is not None:
            sscc = e.sscc.value
        elif ai == "10":
            lot = e.value
        elif ai == "17":
            expiry = e.date
        elif ai == "21":
            serial = e.value
        elif ai == "37":
            count = int(e.value)
    if gtin is None and sscc is None and lot is None and serial is None:
        raise InvalidInput(
            f"Read '{raw}' as GS1 data ({', '.join(f'({k}) {v}' for k, v in ais.items())}), "
            "but it has no GTIN, SSCC, lot or serial to receive.",
            code="unknown_barcode",
            read=ais,
        )
    kind = "sscc" if sscc is not None and gtin is None and len(ais) == 1 else "gs1"
    return Scan(raw, kind, gtin=gtin, sscc=sscc, lot=lot, expiry=expiry, count=count, serial=serial, ais=ais)


def parse_scan(raw: str) -> Scan:
    """Read one scan. Raises a 422 ``unknown_barcode`` saying what was read when it is none of the above."""
    value = _clean(raw)
    if not value or len(value) > MAX_SCAN_LENGTH:
        raise InvalidInput(
            "The scan is empty or too long (200 characters at most).",
            code="invalid_scan",
            errors=[{"field": "raw", "message": "empty or too long"}],
        )
    if value.startswith("("):  # the human-readable form, typed in
        try:
            return _from_message(value, GS1Message.parse_hri(value))
        except ParseError as exc:
            raise InvalidInput(
                f"Read '{value}' as a GS1 element string in brackets, but it is not valid: {exc}",
                code="unknown_barcode",
            ) from exc
    if value.isdigit() and len(value) in (8, 12, 13, 14):  # plain EAN/UPC/GTIN: the check digit decides
        try:
            return Scan(value, "gtin", gtin=Gtin.parse(value).as_gtin_14())
        except ParseError:
            pass
    if value.isdigit() and len(value) == 18:
        try:
            return Scan(value, "sscc", sscc=Sscc.parse(value).value, ais={"00": value})
        except ParseError:
            pass
    is_gs1_framed = value.startswith(("]C1", "]d2", "]Q3", "]e0")) or "\x1d" in value
    if is_gs1_framed or value[:1].isdigit():
        try:
            result = parse(value)
        except ParseError as exc:
            if is_gs1_framed or value.isdigit():
                raise InvalidInput(
                    f"Read '{value}', but it is not a valid GS1 barcode: {exc}", code="unknown_barcode"
                ) from exc
            result = None
        if result is not None and result.gs1_message is not None:
            return _from_message(value, result.gs1_message)
        if result is not None and result.gtin is not None:
            return Scan(value, "gtin", gtin=result.gtin.as_gtin_14())
        if is_gs1_framed or value.isdigit():
            raise InvalidInput(
                f"Read '{value}' (digits only), but it is no valid GTIN, SSCC or GS1 element string.",
                code="unknown_barcode",
            )
    if _TEXT_CODE.match(value):
        return Scan(value, "text", text=value.upper())
    raise InvalidInput(
        f"Read '{value}', which is no GS1 barcode, GTIN, SSCC, LPN or location code.", code="unknown_barcode"
    )
