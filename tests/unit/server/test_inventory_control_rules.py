"""Pure rules of inventory control: when a count plan is due, what fits in a pick face, how much a face is refilled
with, and which stock a hold covers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.inventory.count_rules import plan_due, plan_interval_days, plan_next_due
from server.inventory.holds import covers
from server.inventory.models import HoldScope, Stock, StockHold, StockStatus
from server.inventory.replenishment import FaceLevel, Space, replenish_qty, units_that_fit

DAYS = {"A": 7, "B": 30, "C": 90}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_abc_plan_runs_as_often_as_its_most_frequent_class() -> None:
    assert plan_interval_days("abc", None, [], DAYS) == 7  # every class: A's interval
    assert plan_interval_days("abc", None, ["C"], DAYS) == 90
    assert plan_interval_days("abc", None, ["B", "C"], DAYS) == 30
    assert plan_interval_days("location", 3, ["1", "2"], DAYS) == 3
    assert plan_interval_days("zone", None, ["A"], DAYS) is None  # not scheduled: on demand only


def test_next_due_is_counted_from_the_last_run() -> None:
    assert plan_next_due(T0, 7) == T0 + timedelta(days=7)
    assert plan_next_due(None, 7) is not None and plan_due(None, 7, T0)  # never run: due at once
    assert plan_next_due(T0, None) is None and not plan_due(None, None, T0)  # no schedule: never due
    assert not plan_due(T0, 7, T0 + timedelta(days=6, hours=23))
    assert plan_due(T0, 7, T0 + timedelta(days=7))
    # A every 7 days is due before C every 90 days from the same last run
    a = plan_interval_days("abc", None, ["A"], DAYS)
    c = plan_interval_days("abc", None, ["C"], DAYS)
    assert plan_due(T0, a, T0 + timedelta(days=8)) and not plan_due(T0, c, T0 + timedelta(days=8))


def test_units_that_fit_take_the_tightest_limit_beside_other_goods() -> None:
    space = Space(capacity_units=200, capacity_m3=0.5, max_kg=100.0)
    unit_m3 = 0.1 * 0.08 * 0.05  # 0.0004 m3
    assert units_that_fit(space, unit_m3, 0.5) == 200  # units (weight allows 200, cube 1250)
    assert units_that_fit(Space(capacity_m3=0.5), unit_m3, 0.5) == 1250  # cube only
    assert units_that_fit(Space(max_kg=100.0), unit_m3, 0.5) == 200  # weight only
    assert units_that_fit(space, unit_m3, 0.5, other_units=20, other_m3=0.0, other_kg=40.0) == 120  # kg: 60 / 0.5
    assert units_that_fit(Space(capacity_units=20), 0.0, 0.0, other_units=25) == 0  # never negative
    assert units_that_fit(Space(), unit_m3, 0.5) is None  # no limit set
    assert units_that_fit(Space(capacity_m3=0.5), 0.0, 0.0) is None  # a SKU without dimensions: cube cannot limit


def test_replenishment_never_fills_beyond_what_fits() -> None:
    assert replenish_qty(10, 30, FaceLevel(on_hand=5, inbound=0)) == 25
    assert replenish_qty(10, 30, FaceLevel(on_hand=5, inbound=0, capacity=20)) == 15
    assert replenish_qty(10, 30, FaceLevel(on_hand=2, inbound=5, capacity=20)) == 13  # on its way counts
    assert replenish_qty(10, 30, FaceLevel(on_hand=25, inbound=0, capacity=20)) == 0  # above min: nothing
    # a wave's demand: refilled up to max after it, but only into the room there is now
    assert replenish_qty(10, 30, FaceLevel(on_hand=8, inbound=0, face_demand=6)) == 28
    assert replenish_qty(10, 30, FaceLevel(on_hand=8, inbound=0, face_demand=6, capacity=30)) == 22


def test_hold_covers_its_scope_and_owner() -> None:
    row = Stock(owner_id=1, sku_id=5, location_id=9, lot="L1", lpn="P1", status=StockStatus.AVAILABLE)

    def hold(**kw: object) -> StockHold:
        base: dict[str, object] = {"owner_id": None, "location_id": None, "sku_id": None, "lot": "", "lpn": ""}
        return StockHold(**{**base, **kw})

    assert covers(hold(scope=HoldScope.LOT, owner_id=1, sku_id=5, lot="L1"), row)
    assert not covers(hold(scope=HoldScope.LOT, owner_id=1, sku_id=5, lot="L2"), row)
    assert covers(hold(scope=HoldScope.SKU, owner_id=1, sku_id=5), row)
    assert not covers(hold(scope=HoldScope.SKU, owner_id=2, sku_id=5), row)  # another owner's hold
    assert covers(hold(scope=HoldScope.LOCATION, location_id=9), row)
    assert not covers(hold(scope=HoldScope.LOCATION, location_id=8), row)
    assert covers(hold(scope=HoldScope.LPN, lpn="P1"), row)
    assert not covers(hold(scope=HoldScope.LPN, lpn=""), row)
