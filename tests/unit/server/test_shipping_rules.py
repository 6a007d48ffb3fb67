"""Pure pack-and-ship rules: S10 check digits, the aggregator's signature (the known answer of CARRIERS.md),
weight tolerance, table rates and rate shopping, tracking states, scale readings, the manifest CSV and PDF."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from server.errors import Conflict, InvalidInput
from server.shipping import rules
from server.shipping.carriers import traces_of
from server.shipping.manifest import ManifestDoc, ManifestRow, to_csv, to_pdf
from server.shipping.scale import parse_reading

CONFIG = {
    "zones": {"CN": "1", "CN:8": "2", "*": "3"},
    "rates": {"1": [[1.0, 8.0], [5.0, 12.0]], "2": [[1.0, 10.0]], "3": [[1.0, 60.0]]},
    "per_kg_over": 2.0,
}


def test_s10_check_digit_known_numbers() -> None:
    # UPU S10 examples: RA 47326760 4 CN-style numbers and the one printed in the labels package's tests
    assert rules.s10_number("EA", 12345678, "CN") == "EA123456785CN"
    assert rules.s10_valid("EA123456785CN")
    assert not rules.s10_valid("EA123456784CN")
    assert rules.s10_check_digit("47326760") == int(rules.s10_number("RA", 47326760, "CN")[10])
    # the two special cases of the mod-11 rule: 10 -> 0 and 11 -> 5
    # weighted sum 12 (4 x weight 3): 11 - 1 = 10 -> 0; weighted sum 0: 11 - 0 = 11 -> 5
    tens, elevens = "00004000", "00000000"
    assert rules.s10_check_digit(tens) == 0 and rules.s10_check_digit(elevens) == 5
    with pytest.raises(ValueError):
        rules.s10_number("E1", 1, "CN")


def test_assigned_range_runs_out_with_a_clear_409() -> None:
    assert rules.next_in_range(0, 1000, 2000) == 1000
    assert rules.next_in_range(1500, 1000, 2000) == 1500
    with pytest.raises(Conflict) as e:
        rules.next_in_range(2001, 1000, 2000)
    assert e.value.code == "tracking_range_exhausted"


def test_data_sign_known_answer_from_the_design_note() -> None:
    data = '{"OrderCode":null,"ShipperCode":"SF","LogisticCode":"118650888018"}'
    sign = rules.data_sign(data, "00000000-0000-0000-0000-000000000000")
    assert sign == "YjQ4MmJlMjgzYjA0ZGY4ODUxYjgwMzc4MTY0YzY0MzU="
    assert len(sign) == 44 and sign.endswith("=")
    assert rules.sign_matches(data, sign, "00000000-0000-0000-0000-000000000000")
    assert not rules.sign_matches(data + " ", sign, "00000000-0000-0000-0000-000000000000")


def test_weight_tolerance_takes_the_larger_of_kg_and_percent() -> None:
    small = rules.check_weight(Decimal("1.0"), Decimal("1.15"), tolerance_kg=Decimal("0.2"), tolerance_pct=Decimal(5))
    assert small.ok and small.allowed_kg == Decimal("0.2")
    big = rules.check_weight(Decimal("20"), Decimal("20.9"), tolerance_kg=Decimal("0.2"), tolerance_pct=Decimal(5))
    assert big.ok and big.allowed_kg == Decimal("1.000")
    off = rules.check_weight(Decimal("1.0"), Decimal("1.3"), tolerance_kg=Decimal("0.2"), tolerance_pct=Decimal(5))
    assert not off.ok and off.difference_kg == Decimal("0.3")
    with pytest.raises(InvalidInput):
        rules.check_weight(Decimal(1), Decimal(0), tolerance_kg=Decimal(0), tolerance_pct=Decimal(0))


def test_table_rates_by_band_zone_and_over_weight() -> None:
    assert rules.table_rate(CONFIG, Decimal("0.5"), "CN", "200001") == Decimal("8.00")
    assert rules.table_rate(CONFIG, Decimal("1.01"), "CN", "200001") == Decimal("12.00")
    assert rules.table_rate(CONFIG, Decimal("0.5"), "CN", "810000") == Decimal("10.00")  # postcode prefix zone
    assert rules.table_rate(CONFIG, Decimal("6.2"), "CN", "200001") == Decimal("16.00")  # 2 started kg over 5
    assert rules.table_rate(CONFIG, Decimal("0.5"), "DE", "10115") == Decimal("60.00")
    with pytest.raises(InvalidInput):
        rules.table_rate({"zones": {"CN": "1"}, "rates": {"1": [[1, 8]]}}, Decimal(1), "DE", "")


def test_rate_shopping_cheapest_within_the_asked_speed() -> None:
    quotes = [
        rules.Quote("POST", "EXPRESS", 1, Decimal("12"), "18:00"),
        rules.Quote("POST", "STD", 2, Decimal("8"), "20:00"),
        rules.Quote("ZTO", "STD", 2, Decimal("6.5"), "19:00"),
    ]
    assert [(q.carrier, q.service) for q in rules.shop(quotes)] == [
        ("ZTO", "STD"),
        ("POST", "STD"),
        ("POST", "EXPRESS"),
    ]
    assert [q.service for q in rules.shop(quotes, max_level=1)] == ["EXPRESS"]
    assert rules.before_cutoff(datetime(2026, 11, 28, 17, 59), "18:00")
    assert not rules.before_cutoff(datetime(2026, 11, 28, 18, 1), "18:00")
    assert rules.parse_cutoff("9:05") == "09:05"
    with pytest.raises(InvalidInput):
        rules.parse_cutoff("25:00")


def test_tracking_states_only_move_forward() -> None:
    assert rules.advances("handed_over", "in_transit") and rules.advances("in_transit", "delivered")
    assert not rules.advances("delivered", "in_transit") and not rules.advances("in_transit", "in_transit")
    assert rules.advances("in_transit", "exception") and rules.advances("exception", "delivered")
    assert not rules.advances("label_created", "exception")
    traces = traces_of(
        {
            "LogisticCode": "773000000001",
            "State": "3",
            "Traces": [
                {"AcceptTime": "2026-11-28 10:00:00", "AcceptStation": "揽收"},
                {"AcceptTime": "2026-11-29 09:30:00", "AcceptStation": "已签收"},
            ],
        }
    )
    assert [t.state for t in traces] == ["in_transit", "delivered"]
    assert traces[0].at == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # Beijing time to UTC
    assert traces_of({"LogisticCode": "1", "State": "0", "Traces": []}) == []


def test_scale_readings() -> None:
    assert parse_reading("ST,GS,+  1.234 kg\r\n") == Decimal("1.234")
    assert parse_reading("  850 g") == Decimal("0.850")
    with pytest.raises(Conflict) as e:
        parse_reading("US,GS,+  1.2 kg")
    assert e.value.code == "scale_unstable"
    with pytest.raises(Conflict):
        parse_reading("ERROR")


async def test_tcp_scale_reads_one_stable_line() -> None:
    import asyncio

    from server.shipping.scale import read_scale

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"ST,GS,+  2.345 kg\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        assert await read_scale(f"tcp://127.0.0.1:{port}") == Decimal("2.345")
    with pytest.raises(Conflict) as e:
        await read_scale(f"tcp://127.0.0.1:{port}")  # nothing listens any more
    assert e.value.code == "scale_unavailable"
    assert await read_scale("fixed:1.5") == Decimal("1.5")
    with pytest.raises(InvalidInput):
        await read_scale("serial:/dev/ttyS0")


def test_manifest_csv_and_pdf_carry_chinese_text() -> None:
    doc = ManifestDoc(
        code="MF-ZTO-1",
        warehouse="WH1",
        carrier="ZTO 中通快递",
        closed_at=datetime(2026, 11, 28, 18, 0, tzinfo=UTC),
        rows=[
            ManifestRow(
                "CTN000001-1", "R-1", "069000000000000014", "773000000001", Decimal("1.25"), "D1", "王小明", "上海"
            )
        ],
        missing=["CTN000002-1"],
    )
    text = to_csv(doc)
    assert text.splitlines()[1] == "CTN000001-1,R-1,069000000000000014,773000000001,1.250,D1,王小明,上海"
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(to_pdf(doc))).pages[0].extract_text()
    assert "王小明" in page and "上海" in page and "CTN000002-1" in page and "1.250" in page
