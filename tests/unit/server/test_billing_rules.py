"""Pricing rules with hand-computed figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from server.billing import rules
from server.billing.rules import Event, RateCard
from server.errors import InvalidInput

MAY = RateCard(
    "CNY",
    date(2026, 1, 1),
    date(2026, 5, 15),
    {"inbound.unit": D("0.35"), "outbound.order": D("2.50"), "storage.pallet_day": D("1.20"), "vas.KITTING": D("0.80")},
    D("100"),
)
LATE_MAY = RateCard(
    "CNY",
    date(2026, 5, 16),
    None,
    {"inbound.unit": D("0.40"), "outbound.order": D("2.50"), "storage.pallet_day": D("1.20"), "vas.KITTING": D("0.80")},
    D("500"),
)


def test_events_priced_with_the_card_of_their_day_and_grouped() -> None:
    events = [
        Event("inbound.unit", D(100), date(2026, 5, 3), "receipt", "1"),
        Event("inbound.unit", D(40), date(2026, 5, 20), "receipt", "2"),
        Event("outbound.order", D(1), date(2026, 5, 4), "order", "7"),
        Event("outbound.order", D(1), date(2026, 5, 21), "order", "8"),
        Event("storage.pallet_day", D(3), date(2026, 5, 1), "storage_snapshot", "2026-05-01"),
        Event("vas.KITTING", D(7), date(2026, 5, 9), "task", "31"),
        Event("inbound.unit", D(999), date(2026, 4, 30), "receipt", "0"),  # another period
    ]
    priced = rules.price(events, [MAY, LATE_MAY], date(2026, 5, 1), date(2026, 5, 31))
    got = [(ln.charge_code, ln.rate, ln.qty, ln.amount) for ln in priced.lines]
    # 100 x 0.35 = 35.00; 40 x 0.40 = 16.00; 2 x 2.50 = 5.00; 3 x 1.20 = 3.60; 7 x 0.80 = 5.60 -> 65.20;
    # the card valid at the end of May asks 500 at least: 434.80 tops it up
    assert got == [
        ("inbound.unit", D("0.35"), D(100), D("35.00")),
        ("inbound.unit", D("0.40"), D(40), D("16.00")),
        ("outbound.order", D("2.50"), D(2), D("5.00")),
        ("storage.pallet_day", D("1.20"), D(3), D("3.60")),
        ("vas.KITTING", D("0.80"), D(7), D("5.60")),
        ("minimum.monthly", D("434.80"), D(1), D("434.80")),
    ]
    assert priced.total == D("500.00") and priced.currency == "CNY"
    assert priced.lines[2].sources == [("order", "7"), ("order", "8")]
    assert rules.group_totals(priced.lines)["inbound"] == D("51.00")
    # the same events in another order price the same (re-running a period gives the same invoice)
    again = rules.price(list(reversed(events)), [LATE_MAY, MAY], date(2026, 5, 1), date(2026, 5, 31))
    assert again == priced


def test_unpriced_events_and_bad_cards_are_listed() -> None:
    with pytest.raises(InvalidInput) as e:
        rules.price(
            [Event("outbound.label", D(1), date(2026, 5, 2), "carton", "9")], [MAY], date(2026, 5, 1), date(2026, 5, 31)
        )
    assert e.value.code == "unpriced_events" and e.value.errors[0]["source"] == "9"
    bad = RateCard("CNY", date(2026, 5, 10), None, {"nonsense": D(1), "inbound.unit": D(-1)})
    with pytest.raises(InvalidInput) as e:
        rules.check_cards([MAY, bad])
    assert e.value.code == "invalid_rate_card" and len(e.value.errors) == 3
    rules.check_cards([MAY, LATE_MAY])


def test_period_bounds() -> None:
    assert rules.period_bounds("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert rules.period_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    for bad in ("2026-13", "2026", "oct"):
        with pytest.raises(InvalidInput) as e:
            rules.period_bounds(bad)
        assert e.value.code == "invalid_period"


def test_storage_figures_count_lpns_loose_locations_and_cubic_metres() -> None:
    su = rules.StoredUnits
    rows = [
        su(1, "", 10, 100),  # loose at location 1: one position
        su(1, "", 11, 5),  # more loose units there: still one
        su(2, "LPN1", 10, 20),  # two pallets at location 2
        su(2, "LPN2", 11, 30),
        su(3, "LPN3", 10, 0),  # emptied: nothing
    ]
    volume = {10: 100 * 80 * 50, 11: 200 * 100 * 100}  # 0.0004 and 0.002 m3 a unit
    fig = rules.storage_figures(rows, volume)
    # 120 x 0.0004 + 35 x 0.002 = 0.048 + 0.07
    assert fig == rules.StorageFigures(pallets=3, locations=2, volume_m3=D("0.118"), units=155)
    events = rules.storage_events(fig, date(2026, 5, 3), "77")
    assert [(e.charge_code, e.qty) for e in events] == [
        ("storage.pallet_day", D(3)),
        ("storage.location_day", D(2)),
        ("storage.m3_day", D("0.118")),
    ]
    assert rules.storage_events(rules.storage_figures([], volume), date(2026, 5, 3), "78") == []


def test_billable_leaves_out_codes_the_card_does_not_charge_but_keeps_services() -> None:
    events = [
        Event("storage.pallet_day", D(3), date(2026, 5, 1), "storage_snapshot", "1"),
        Event("storage.m3_day", D("0.5"), date(2026, 5, 1), "storage_snapshot", "1"),
        Event("vas.GIFTWRAP", D(2), date(2026, 5, 2), "task", "9"),
    ]
    kept = rules.billable(events, [MAY])
    assert [e.charge_code for e in kept] == ["storage.pallet_day", "vas.GIFTWRAP"]
    with pytest.raises(InvalidInput) as e:  # a service nobody priced is reported, never billed at 0
        rules.price(kept, [MAY], date(2026, 5, 1), date(2026, 5, 15))
    assert e.value.code == "unpriced_events" and e.value.errors[0]["charge_code"] == "vas.GIFTWRAP"
