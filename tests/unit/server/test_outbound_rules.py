"""Pure outbound rules: order transitions, FEFO/FIFO allocation from pick faces first, scans."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise

import pytest

from server.errors import Conflict
from server.outbound.allocation import STRATEGIES, Candidate, Need, Take, plan, rotation_for
from server.outbound.models import OrderStatus as S
from server.outbound.scans import GS, location_matches, parse_gs1, parse_item
from server.outbound.states import TRANSITIONS, can_move, check_transition


def _c(sid: int, free: int, *, face: bool = True, day: int = 1, expiry: date | None = None, sku: int = 1) -> Candidate:
    return Candidate(sid, sku, free, face, datetime(2026, 1, day, tzinfo=UTC), expiry)


def test_order_life_goes_forward_only():
    path = [S.RECEIVED, S.ALLOCATED, S.RELEASED, S.PICKING, S.PICKED, S.PACKED, S.SHIPPED]
    for a, b in pairwise(path):
        assert can_move(a, b)
    assert can_move(S.RECEIVED, S.BACKORDERED) and can_move(S.BACKORDERED, S.ALLOCATED)
    for s in (S.RECEIVED, S.ALLOCATED, S.BACKORDERED, S.RELEASED, S.PICKING, S.PICKED):
        assert can_move(s, S.CANCELLED)
    assert not can_move(S.PACKED, S.CANCELLED) and not can_move(S.SHIPPED, S.CANCELLED)
    assert TRANSITIONS[S.CANCELLED] == frozenset()
    with pytest.raises(Conflict) as e:
        check_transition(S.PICKED, S.RELEASED)
    assert e.value.code == "invalid_transition" and "picked" in e.value.message
    with pytest.raises(Conflict):
        check_transition(S.CANCELLED, S.CANCELLED)


def test_fifo_takes_pick_faces_first_then_oldest():
    cands = [_c(1, 5, face=False, day=1), _c(2, 5, day=3), _c(3, 5, day=2)]
    takes, short = plan([Need(10, 1, 12, "fifo")], cands)
    assert takes == [Take(10, 3, 5), Take(10, 2, 5), Take(10, 1, 2)] and short == []


def test_fefo_takes_earliest_expiry_and_lists_every_shortage():
    cands = [
        _c(1, 4, expiry=date(2030, 1, 1), day=1),
        _c(2, 4, expiry=date(2029, 1, 1), day=5),
        _c(3, 100, sku=2),
    ]
    needs = [Need(1, 1, 5, rotation_for(expiry_controlled=True)), Need(2, 1, 5, "fefo"), Need(3, 3, 1, "fifo")]
    takes, short = plan(needs, cands)
    assert takes == [Take(1, 2, 4), Take(1, 1, 1), Take(2, 1, 3)]
    assert [(s.line_id, s.requested, s.allocated, s.missing) for s in short] == [(2, 5, 3, 2), (3, 1, 0, 1)]
    assert set(STRATEGIES) == {"fefo", "fifo"} and rotation_for(expiry_controlled=False) == "fifo"


def test_scans():
    gtin = "06900000000014"
    assert parse_item("6900000000012").gtin == ""  # a wrong check digit is no GTIN: it matches no SKU
    assert parse_gs1("(01)06900000000012(10)LOT7") is None
    assert parse_item(f"]d201{gtin}10LOT9").lot == "LOT9"  # GS1 DataMatrix with its symbology identifier
    assert parse_item("376900000000000014").code == "376900000000000014"  # an SSCC on a pallet label
    assert parse_gs1(f"(01){gtin}(10)LOT7") == {"01": gtin, "10": "LOT7"}
    assert parse_gs1(f"]C101{gtin}10LOT7{GS}17300131") == {"01": gtin, "10": "LOT7", "17": "300131"}
    assert parse_gs1("A-01-01-A") is None
    item = parse_item(f"(01){gtin}(17)300131(10)L1")
    assert (item.gtin, item.lot) == (gtin, "L1")
    assert parse_item("6900000000014").gtin == gtin
    assert parse_item("LPN000123").code == "LPN000123"
    assert location_matches("a-01-01-a", code="A-01-01-A", check_digits="42")
    assert location_matches("42", code="A-01-01-A", check_digits="42")
    assert not location_matches("43", code="A-01-01-A", check_digits="42")
