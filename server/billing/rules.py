"""Pricing of billable events against an owner's rate cards: pure, Decimal money, no framework.

A rate card is valid from a day to a day (inclusive, open-ended when ``valid_to`` is None) in one currency and
maps charge codes (``inbound.unit``, ``outbound.order``, ``storage.pallet_day``, ``vas.KITTING`` ...) to a rate
per unit. An invoice period prices each event with the card valid on the event's day; lines are grouped by
charge code and rate and keep the causes of their events; a minimum monthly charge tops the total up.

Also pure: the month of a period, and one owner's storage figures at the end of a day (pallet positions, locations,
cubic metres) from the units it had where."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from server.errors import InvalidInput

CENT = Decimal("0.01")
CHARGE_CODES = frozenset(
    {
        "storage.pallet_day",
        "storage.location_day",
        "storage.m3_day",
        "inbound.receipt",
        "inbound.line",
        "inbound.unit",
        "inbound.lpn",
        "outbound.order",
        "outbound.line",
        "outbound.unit",
        "outbound.carton",
        "outbound.label",
        "returns.receipt",
        "returns.unit",
    }
)
MINIMUM_CODE = "minimum.monthly"


def valid_code(code: str) -> bool:
    return code in CHARGE_CODES or (code.startswith("vas.") and len(code) > 4)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class RateCard:
    currency: str
    valid_from: date
    valid_to: date | None
    rates: dict[str, Decimal]
    minimum_monthly: Decimal = Decimal(0)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Event:
    charge_code: str
    qty: Decimal
    day: date
    source_type: str  # what caused it: receipt, order, task, return_receipt, storage_snapshot
    source_id: str


@dataclass(slots=True)
class Line:
    charge_code: str
    rate: Decimal
    qty: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    sources: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Priced:
    currency: str
    lines: list[Line]
    total: Decimal


def card_for(cards: Sequence[RateCard], day: date) -> RateCard | None:
    valid = [c for c in cards if c.covers(day)]
    return max(valid, key=lambda c: c.valid_from) if valid else None


def check_cards(cards: Sequence[RateCard]) -> None:
    """Refuse overlapping validity and unknown charge codes (every problem listed)."""
    errors: list[dict[str, str]] = []
    ordered = sorted(cards, key=lambda c: c.valid_from)
    for a, b in pairwise(ordered):
        if a.valid_to is None or a.valid_to >= b.valid_from:
            errors.append({"field": "valid_from", "message": f"overlaps the card valid from {a.valid_from}"})
    for c in cards:
        for code, rate in c.rates.items():
            if not valid_code(code):
                errors.append({"field": "rates", "message": f"unknown charge code {code}"})
            if rate < 0:
                errors.append({"field": "rates", "message": f"negative rate for {code}"})
    if errors:
        raise InvalidInput("The rate cards have problems.", code="invalid_rate_card", errors=errors)


def price(events: Iterable[Event], cards: Sequence[RateCard], period_start: date, period_end: date) -> Priced:
    """Price the period's events; an event without a card or a rate is an error (listed), never priced at 0."""
    period_card = card_for(cards, period_end) or card_for(cards, period_start)
    if period_card is None:
        raise InvalidInput("No rate card covers this period.", code="no_rate_card")
    lines: dict[tuple[str, Decimal], Line] = {}
    missing: list[dict[str, str]] = []
    for ev in sorted(events, key=lambda e: (e.day, e.charge_code, e.source_type, e.source_id)):
        if not period_start <= ev.day <= period_end:
            continue
        card = card_for(cards, ev.day)
        if card is None or ev.charge_code not in card.rates:
            missing.append({"charge_code": ev.charge_code, "day": ev.day.isoformat(), "source": ev.source_id})
            continue
        if card.currency != period_card.currency:
            raise InvalidInput("Rate cards of one period must share a currency.", code="mixed_currency")
        rate = card.rates[ev.charge_code]
        line = lines.setdefault((ev.charge_code, rate), Line(ev.charge_code, rate))
        line.qty += ev.qty
        line.sources.append((ev.source_type, ev.source_id))
    if missing:
        raise InvalidInput("Some billable events have no rate.", code="unpriced_events", errors=missing)
    out = sorted(lines.values(), key=lambda ln: (ln.charge_code, ln.rate))
    for ln in out:
        ln.amount = money(ln.qty * ln.rate)
    total = sum((ln.amount for ln in out), Decimal(0))
    if total < period_card.minimum_monthly:
        top_up = money(period_card.minimum_monthly - total)
        out.append(Line(MINIMUM_CODE, top_up, Decimal(1), top_up, []))
        total += top_up
    return Priced(period_card.currency, out, money(total))


def group_totals(lines: Iterable[Line]) -> dict[str, Decimal]:
    """Totals by charge type (the part before the dot): storage, inbound, outbound, vas, returns, minimum."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for ln in lines:
        totals[ln.charge_code.split(".")[0]] += ln.amount
    return dict(totals)


def period_bounds(period: str) -> tuple[date, date]:
    """``YYYY-MM`` -> the first and the last day of that month."""
    try:
        year, month = (int(x) for x in period.split("-"))
        start = date(year, month, 1)
    except ValueError as exc:
        raise InvalidInput(f"{period!r} is no period: write it YYYY-MM.", code="invalid_period") from exc
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return start, date.fromordinal(nxt.toordinal() - 1)


@dataclass(frozen=True, slots=True)
class StoredUnits:
    """Units of one SKU on one LPN ('' = loose) at one location at the end of a day."""

    location_id: int
    lpn: str
    sku_id: int
    qty: int


@dataclass(frozen=True, slots=True)
class StorageFigures:
    pallets: int
    locations: int
    volume_m3: Decimal
    units: int


M3_PLACES = Decimal("0.000001")


def storage_figures(rows: Iterable[StoredUnits], sku_volume_mm3: dict[int, int]) -> StorageFigures:
    """One owner's storage at the end of a day: pallet positions (each LPN, plus each location holding loose
    units), locations used, cubic metres from the SKUs' dimensions (rounded to cm3), units."""
    lpns: set[str] = set()
    loose: set[int] = set()
    locations: set[int] = set()
    mm3 = 0
    units = 0
    for r in rows:
        if r.qty <= 0:
            continue
        if r.lpn:
            lpns.add(r.lpn)
        else:
            loose.add(r.location_id)
        locations.add(r.location_id)
        mm3 += r.qty * sku_volume_mm3.get(r.sku_id, 0)
        units += r.qty
    volume = (Decimal(mm3) / Decimal(10**9)).quantize(M3_PLACES, rounding=ROUND_HALF_UP)
    return StorageFigures(len(lpns) + len(loose), len(locations), volume, units)


STORAGE_CODES = ("storage.pallet_day", "storage.location_day", "storage.m3_day")


def storage_events(figures: StorageFigures, day: date, snapshot_id: str) -> list[Event]:
    """The day's storage charges of one snapshot: pallet-days, location-days and m3-days (none when empty)."""
    values = (Decimal(figures.pallets), Decimal(figures.locations), figures.volume_m3)
    return [
        Event(code, qty, day, "storage_snapshot", snapshot_id)
        for code, qty in zip(STORAGE_CODES, values, strict=True)
        if qty > 0
    ]


def billable(events: Iterable[Event], cards: Sequence[RateCard]) -> list[Event]:
    """The events an owner pays for: a card lists what it charges (an owner paying storage by pallet has no
    location-day rate), so a code no card prices is left out; a value-added service was asked for, so it stays
    and an unpriced one is reported by :func:`price`."""
    priced = {code for c in cards for code in c.rates}
    return [e for e in events if e.charge_code.startswith("vas.") or e.charge_code in priced]
