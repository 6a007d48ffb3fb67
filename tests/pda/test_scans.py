"""Scan parsing against GS1 examples and the ways scanners deliver them."""

from __future__ import annotations

from datetime import date

import pytest

from pda_client.core.scans import GS, ScanConfig, ScanKind, item_text, parse_location, parse_scan


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


# -- GS1 examples from the GS1 General Specifications (5.4 / 7.8) and how floor workflows send them on ----------
@pytest.mark.parametrize(
    ("raw", "gtin", "lot", "expiry", "count"),
    [
        # (01) + (17) + (10) — the spec's trade item with expiry and batch, lot last so no separator needed
        ("]C10104012345123456172101311012345", "04012345123456", "12345", date(2021, 1, 31), None),
        # (02) content + (37) count + (10) — a logistic unit's contents, separator after the variable count
        ("]C10204012345123456" + "3720" + GS + "10ABC", "04012345123456", "ABC", None, 20),
        # same, the separator typed by a wedge as a configured substitute
        ("]C10204012345123456" + "3720|10ABC", "04012345123456", "ABC", None, 20),
        # GS1 DataMatrix with a serial (21) ended by GS, and expiry day 00 = end of month
        ("]d2" + "0109501101530003" + "21SER1" + GS + "17261100", "09501101530003", None, date(2026, 11, 30), None),
    ],
)
def test_gs1_spec_examples(raw: str, gtin: str, lot: str | None, expiry: date | None, count: int | None) -> None:
    s = parse_scan(raw)
    assert s.ok, s.problems
    assert (s.gtin, s.lot, s.expiry, s.count) == (gtin, lot, expiry, count)


def test_configured_separator_substitute() -> None:
    raw = "]C10109501101530003" + "10LOT7~3712"
    assert parse_scan(raw).kind == ScanKind.UNKNOWN or parse_scan(raw).lot != "LOT7"
    s = parse_scan(raw, ScanConfig(gs_substitutes=("~",)))
    assert (s.lot, s.count) == ("LOT7", 12)


def test_locations_with_check_digits() -> None:
    assert parse_location("A-01-05-A").location == "A-01-05-A"
    typed = parse_location("47")
    assert typed.ok and typed.location is None and typed.check_digits == "47"
    both = parse_location("a-01-05-a 47")
    assert (both.location, both.check_digits) == ("A-01-05-A", "47")
    assert parse_location("A-01-05-A*47").check_digits == "47"
    assert parse_location(" 07\r\n").check_digits == "07"
    for bad in ("470", "4", "ZZZ", "LPN-0000000001", "A-01-05-A 4"):
        assert not parse_location(bad).ok, bad
    assert parse_scan("47").kind == ScanKind.UNKNOWN  # out of a location step, two digits are no location


def test_lpns_in_both_shapes() -> None:
    assert parse_scan("LPN-0123456789").lpn == "LPN-0123456789"  # made by receiving
    assert parse_scan("lpn00000001").lpn == "LPN00000001"  # printed in bulk


def test_item_text_is_what_every_server_parser_reads() -> None:
    from server.catalog.scans import parse_scan as server_parse
    from server.outbound.scans import parse_item

    s = parse_scan("]C1010950110153000317270531" + "10LOT7|3712")
    text = item_text(s)
    assert text == "(01)09501101530003(17)270531(10)LOT7"
    assert parse_item(text).gtin == "09501101530003" and parse_item(text).lot == "LOT7"
    read = server_parse(text)
    assert (read.gtin, read.lot, read.expiry) == ("09501101530003", "LOT7", date(2027, 5, 31))
    assert item_text(parse_scan("5901234123457")) == "05901234123457"
    assert item_text(parse_scan("LPN-0123456789")) == "LPN-0123456789"
