"""Scan parsing against GS1 examples and the ways scanners deliver them."""

from __future__ import annotations

from datetime import date

import pytest

from pda_client.core.scans import GS, ScanConfig, ScanKind, parse_scan


@pytest.mark.parametrize(
    "raw",
    [
        "]C1010950110153000317270531" + "10LOT7" + GS + "3712",  # GS1-128 with the real separator
        "]C1010950110153000317270531" + "10LOT7|3712",  # wedge: separator typed as '|'
        "]d2010950110153000317270531" + "10LOT7<GS>3712",  # GS1 DataMatrix, separator spelled out
        "010950110153000317270531" + "10LOT7" + GS + "3712\r\n",  # no symbology id, trailing Enter
    ],
)
def test_gs1_item_with_lot_expiry_count(raw: str) -> None:
    s = parse_scan(raw)
    assert s.kind == ScanKind.GTIN
    assert (s.gtin, s.lot, s.expiry, s.count) == ("09501101530003", "LOT7", date(2027, 5, 31), 12)


def test_symbology_is_kept() -> None:
    assert parse_scan("]C1" + "00106141410000123459").symbology == "]C1"


def test_sscc_as_gs1_and_plain() -> None:
    for raw in ("]C100106141410000123459", "106141410000123459"):
        s = parse_scan(raw)
        assert s.kind == ScanKind.SSCC and s.sscc == "106141410000123459"
    bad = parse_scan("106141410000123458")
    assert bad.kind == ScanKind.UNKNOWN and bad.problems


def test_plain_gtins() -> None:
    assert parse_scan("5901234123457").gtin == "05901234123457"  # EAN-13
    assert parse_scan("]E05901234123457").gtin == "05901234123457"
    assert parse_scan("036000291452").gtin == "00036000291452"  # UPC-A
    assert parse_scan("96385074").gtin == "00000096385074"  # EAN-8
    wrong = parse_scan("5901234123458")
    assert wrong.kind == ScanKind.UNKNOWN and "check digit" in wrong.problems[0]


def test_lpn_and_locations() -> None:
    assert parse_scan("LPN00000001").lpn == "LPN00000001"
    assert parse_scan("a-01-05-a").location == "A-01-05-A"  # scanners and people may send lower case
    assert parse_scan("PACK-01").kind == ScanKind.LOCATION
    custom = ScanConfig(lpn_pattern=r"^PAL\d{4}$")
    assert parse_scan("PAL0042", custom).kind == ScanKind.LPN


@pytest.mark.parametrize("raw", ["", "   ", "hello world", "]C1019999", "12345"])
def test_unreadable_scans_say_why(raw: str) -> None:
    s = parse_scan(raw)
    assert s.kind == ScanKind.UNKNOWN and s.problems and not s.ok
