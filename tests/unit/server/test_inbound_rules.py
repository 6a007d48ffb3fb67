"""Pure inbound rules: scan reading, tolerance, PO states, shelf life, and the putaway adapter's choice."""

from __future__ import annotations

from datetime import date

import pytest

from server.catalog.scans import parse_scan
from server.errors import Conflict, InvalidInput
from server.inbound.models import PoStatus
from server.inbound.putaway import Candidate, PutawayItem, suggest
from server.inbound.rules import check_po_transition, po_status_after_receipt, shelf_life_status
from server.inbound.tolerance import check_over_receipt, max_receivable, variance
from server.inventory.models import StockStatus


@pytest.mark.parametrize(
    ("raw", "kind", "gtin", "lot", "expiry", "count", "sscc", "serial"),
    [
        (
            "]C1010950110153000317251231101234A\x1d3712",
            "gs1",
            "09501101530003",
            "1234A",
            date(2025, 12, 31),
            12,
            None,
            None,
        ),
        ("0109501101530003172512001012", "gs1", "09501101530003", "12", date(2025, 12, 31), None, None, None),
        ("(01)09501101530003(21)SN7(10)AB1", "gs1", "09501101530003", "AB1", None, None, None, "SN7"),
        ("]d2010950110153000321XYZ", "gs1", "09501101530003", None, None, None, None, "XYZ"),
        ("0209501101530003\x1d3704", "gs1", "09501101530003", None, None, 4, None, None),
        ("00340123450000000017", "sscc", None, None, None, None, "340123450000000017", None),
        ("340123450000000017", "sscc", None, None, None, None, "340123450000000017", None),
        ("4006381333931", "gtin", "04006381333931", None, None, None, None, None),
        ("036000291452", "gtin", "00036000291452", None, None, None, None, None),
        ("96385074", "gtin", "00000096385074", None, None, None, None, None),
    ],
)
def test_scans_are_read(raw, kind, gtin, lot, expiry, count, sscc, serial):
    s = parse_scan(raw)
    assert (s.kind, s.gtin, s.lot, s.expiry, s.count, s.sscc, s.serial) == (
        kind,
        gtin,
        lot,
        expiry,
        count,
        sscc,
        serial,
    )


def test_text_scans_are_lpns_or_locations_for_the_server_to_look_up():
    assert parse_scan(" lpn-0000000042\r\n").text == "LPN-0000000042"
    assert parse_scan("A-01-02-B").kind == "text"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("4006381333932", "(400)"),  # a bad check digit: not a GTIN; read as AI 400 with nothing to receive
        ("1234", "digits only"),
        ("]C10109501101530004", "not a valid GTIN"),
        ("(01)123", "not valid"),
        ("hello world!", "no GS1 barcode"),
        ("", "empty"),
    ],
)
def test_unreadable_scans_say_what_was_read(raw, fragment):
    with pytest.raises(InvalidInput) as exc:
        parse_scan(raw)
    assert fragment in exc.value.message
    assert exc.value.code in {"unknown_barcode", "invalid_scan"}


def test_over_receipt_tolerance():
    assert max_receivable(100, 0) == 100 and max_receivable(100, 5) == 105 and max_receivable(15, 10) == 16
    check_over_receipt(ordered=100, already=100, qty=5, tolerance_pct=5, what="x")
    with pytest.raises(Conflict) as exc:
        check_over_receipt(ordered=100, already=100, qty=6, tolerance_pct=5, what="SKU X")
    assert exc.value.code == "over_receipt" and exc.value.extra["allowed"] == 5 and "SKU X" in exc.value.message
    with pytest.raises(Conflict):
        check_over_receipt(ordered=10, already=0, qty=11, tolerance_pct=0, what="x")


def test_variance():
    assert variance(10, 10) is None
    assert variance(10, 7) is not None and variance(10, 7).kind == "short"  # type: ignore[union-attr]
    assert variance(10, 11).kind == "over"  # type: ignore[union-attr]


def test_po_transitions():
    check_po_transition(PoStatus.DRAFT, PoStatus.OPEN, "PO-1")
    check_po_transition(PoStatus.PARTIALLY_RECEIVED, PoStatus.CLOSED, "PO-1")
    for current, target in [
        (PoStatus.DRAFT, PoStatus.RECEIVED),
        (PoStatus.OPEN, PoStatus.DRAFT),
        (PoStatus.CANCELLED, PoStatus.OPEN),
        (PoStatus.CLOSED, PoStatus.OPEN),
        (PoStatus.PARTIALLY_RECEIVED, PoStatus.CANCELLED),
    ]:
        with pytest.raises(Conflict):
            check_po_transition(current, target, "PO-1")
    assert po_status_after_receipt(PoStatus.OPEN, [(10, 0), (5, 0)]) == PoStatus.OPEN
    assert po_status_after_receipt(PoStatus.OPEN, [(10, 3), (5, 0)]) == PoStatus.PARTIALLY_RECEIVED
    assert po_status_after_receipt(PoStatus.PARTIALLY_RECEIVED, [(10, 10), (5, 6)]) == PoStatus.RECEIVED
    assert po_status_after_receipt(PoStatus.CLOSED, [(10, 10)]) == PoStatus.CLOSED


def test_shelf_life():
    today = date(2026, 11, 28)
    assert shelf_life_status(None, today, 30) == (StockStatus.AVAILABLE, "")
    assert shelf_life_status(date(2027, 1, 31), today, 30) == (StockStatus.AVAILABLE, "")
    status, why = shelf_life_status(date(2026, 11, 27), today, 0)
    assert status == StockStatus.QUARANTINE and "expired" in why
    status, why = shelf_life_status(date(2026, 12, 10), today, 30)
    assert status == StockStatus.QUARANTINE and "12 days" in why
    assert shelf_life_status(today, today, 0)[0] == StockStatus.AVAILABLE  # expires today: still good today


def _cand(i: int, dist: float, **kw) -> Candidate:
    base = {"free_m3": 1.0, "max_kg": 100.0, "level": 0, "zone": "A", "owner_id": None}
    return Candidate(location_id=i, distance_m=dist, **{**base, **kw})


def test_putaway_fast_movers_go_near_slow_movers_far():
    cands = [_cand(i, float(10 * i)) for i in range(1, 11)]
    fast = PutawayItem(sku_id=1, owner_id=1, qty=10, unit_m3=0.001, unit_kg=1, demand_class="A")
    slow = PutawayItem(sku_id=1, owner_id=1, qty=10, unit_m3=0.001, unit_kg=1, demand_class="C")
    # class-based: A aims at the nearest tenth of the locations, C at the farthest
    assert suggest(fast, cands).location_id in {1, 2}
    assert suggest(slow, cands).location_id in {9, 10}


def test_putaway_consolidates_and_respects_rules():
    item = PutawayItem(sku_id=1, owner_id=7, qty=100, unit_m3=0.004, unit_kg=20, demand_class="A")
    cands = [
        _cand(1, 5.0, free_m3=0.1),  # too small for 0.4 m3
        _cand(2, 6.0, level=2),  # a 20 kg unit may not go above level 0
        _cand(3, 7.0, owner_id=8),  # another owner's cage
        _cand(4, 50.0, holds_same_sku=True),
        _cand(5, 8.0),
    ]
    got = suggest(item, cands)
    assert got.location_id == 4 and got.consolidated
    assert suggest(item, [c for c in cands if c.location_id != 4]).location_id == 5
    none = suggest(item, cands[:3])
    assert none.location_id is None and none.reason
