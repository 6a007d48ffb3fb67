"""What a scan was: GS1 element strings (GS1-128, GS1 DataMatrix), plain GTIN/EAN/UPC, SSCC, LPN, location.

Scanners differ in how they deliver a scan: some prefix the AIM symbology identifier (``]C1`` for GS1-128,
``]d2`` for GS1 DataMatrix), some send the GS1 group separator as the ASCII GS character (0x1D), others as a
configured substitute such as ``|`` because a keyboard wedge cannot type 0x1D. All of that is undone here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import biip
from biip.gtin import Gtin

GS = "\x1d"

# AIM symbology identifiers that announce GS1 data, and those of plain linear codes.
_GS1_SYMBOLOGIES = {"]C1", "]e0", "]d2", "]Q3", "]J1"}
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")


class ScanKind(StrEnum):
    GTIN = "gtin"  # a product: plain EAN/UPC/GTIN, or GS1 data with a GTIN (01/02)
    SSCC = "sscc"  # a logistic unit (pallet, parcel): GS1 AI 00 or an 18-digit SSCC
    LPN = "lpn"  # our own license plate
    LOCATION = "location"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """How this site's labels and scanners look."""

    gs_substitutes: tuple[str, ...] = ("|", "<GS>", "{GS}")
    lpn_pattern: str = r"^LPN-?\d{6,12}$"
    location_pattern: str = r"^[A-Z0-9]{1,4}-\d{2}-\d{2}-[A-Z]$|^(DOCK|RCV|QC|PACK|STAGE|SHIP|CART)-\d{2}$"
    check_digits_pattern: str = r"^\d{2}$"


@dataclass(frozen=True, slots=True)
class Scan:
    """A parsed scan. ``raw`` is exactly what the scanner sent; ``text`` the cleaned data."""

    kind: ScanKind
    raw: str
    text: str
    symbology: str = ""
    gtin: str | None = None  # 14 digits
    lot: str | None = None
    expiry: date | None = None
    serial: str | None = None
    count: int | None = None
    sscc: str | None = None
    lpn: str | None = None
    location: str | None = None
    check_digits: str | None = None  # typed off a location label (or sent with its code)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.kind != ScanKind.UNKNOWN


def _clean(raw: str, config: ScanConfig) -> tuple[str, str]:
    text = raw.strip("\r\n\t ")
    symbology = ""
    if _AIM_PREFIX.match(text):
        symbology, text = text[:3], text[3:]
    for sub in config.gs_substitutes:
        text = text.replace(sub, GS)
    return symbology, text


def _gs1(raw: str, symbology: str, text: str) -> Scan | None:
    """GS1 element strings, when the symbology says so or the data has the shape of one."""
    looks_gs1 = (
        symbology in _GS1_SYMBOLOGIES
        or GS in text
        or (text[:2] in {"00", "01", "02"} and len(text) > 18 and text[:2].isdigit())
    )
    if not looks_gs1:
        return None
    result = biip.parse(text.lstrip(GS), config=biip.ParseConfig(separator_chars=[GS]))
    msg = result.gs1_message
    if msg is None:
        return Scan(
            ScanKind.UNKNOWN, raw, text, symbology, problems=[result.gs1_message_error or "not GS1 element strings"]
        )
    values: dict[str, object] = {}
    for es in msg.element_strings:
        ai = es.ai.ai
        if ai in ("01", "02"):
            values["gtin"] = es.value
        elif ai == "10":
            values["lot"] = es.value
        elif ai == "17":
            values["expiry"] = es.date
        elif ai == "21":
            values["serial"] = es.value
        elif ai in ("30", "37"):
            values["count"] = int(es.value)
        elif ai == "00":
            values["sscc"] = es.value
    if "sscc" in values and "gtin" not in values:
        kind = ScanKind.SSCC
    elif "gtin" in values:
        kind = ScanKind.GTIN
    else:
        return Scan(ScanKind.UNKNOWN, raw, text, symbology, problems=["GS1 data without a GTIN or an SSCC"])
    return Scan(kind, raw, text, symbology, **values)  # type: ignore[arg-type]


def parse_scan(raw: str, config: ScanConfig = ScanConfig()) -> Scan:
    """Say what a scan was. Never raises: an unreadable scan comes back as ``UNKNOWN`` with its problems."""
    symbology, text = _clean(raw, config)
    if not text:
        return Scan(ScanKind.UNKNOWN, raw, text, symbology, problems=["empty scan"])
    gs1 = _gs1(raw, symbology, text)
    if gs1 is not None:
        return gs1
    upper = text.upper()
    if re.fullmatch(config.lpn_pattern, upper):
        return Scan(ScanKind.LPN, raw, upper, symbology, lpn=upper)
    if re.fullmatch(config.location_pattern, upper):
        return Scan(ScanKind.LOCATION, raw, upper, symbology, location=upper)
    if text.isdigit():
        if len(text) == 18:
            result = biip.parse(text)
            if result.sscc is not None:
                return Scan(ScanKind.SSCC, raw, text, symbology, sscc=result.sscc.value)
            return Scan(ScanKind.UNKNOWN, raw, text, symbology, problems=[result.sscc_error or "bad SSCC"])
        if len(text) in (8, 12, 13, 14):
            try:
                gtin = Gtin.parse(text)
            except biip.ParseError as exc:
                return Scan(ScanKind.UNKNOWN, raw, text, symbology, problems=[str(exc)])
            return Scan(ScanKind.GTIN, raw, text, symbology, gtin=gtin.as_gtin_14())
    return Scan(
        ScanKind.UNKNOWN,
        raw,
        text,
        symbology,
        problems=[f"'{text[:40]}' is not a product, pallet, LPN or location code"],
    )


_CODE_AND_DIGITS = re.compile(r"^(?P<code>\S+?)[\s*#/+](?P<digits>\d{2})$")


def parse_location(raw: str, config: ScanConfig = ScanConfig()) -> Scan:
    """A location answer: the label's barcode (its code), the check digits printed on it typed by the worker,
    or both (``A-01-02-A 47``, ``A-01-02-A*47``: labels that encode the digits with the code).

    Check digits alone come back as ``LOCATION`` with ``location=None``: only the server knows which location
    they belong to (they are keyed with the installation's secret and never sent to the floor)."""
    symbology, text = _clean(raw, config)
    upper = text.upper()
    if re.fullmatch(config.check_digits_pattern, upper):
        return Scan(ScanKind.LOCATION, raw, upper, symbology, check_digits=upper)
    if re.fullmatch(config.location_pattern, upper):
        return Scan(ScanKind.LOCATION, raw, upper, symbology, location=upper)
    m = _CODE_AND_DIGITS.match(upper)
    if m and re.fullmatch(config.location_pattern, m["code"]):
        return Scan(ScanKind.LOCATION, raw, upper, symbology, location=m["code"], check_digits=m["digits"])
    return Scan(
        ScanKind.UNKNOWN,
        raw,
        text,
        symbology,
        problems=[f"'{text[:40]}' is neither a location code nor its check digits"],
    )


def item_text(scan: Scan) -> str:
    """What to send the server for a scanned item: GS1 data in the bracketed form every server parser reads
    (the group separator and symbology prefix are a scanner's business, not the server's), else the code."""
    if scan.kind == ScanKind.GTIN and scan.gtin:
        parts = [f"(01){scan.gtin}"]
        if scan.expiry:
            parts.append(f"(17){scan.expiry:%y%m%d}")
        if scan.lot:
            parts.append(f"(10){scan.lot}")
        return "".join(parts) if len(parts) > 1 else scan.gtin
    if scan.kind == ScanKind.SSCC and scan.sscc:
        return scan.sscc
    if scan.kind == ScanKind.LPN and scan.lpn:
        return scan.lpn
    return scan.text
