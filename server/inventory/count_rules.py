"""Pure rules of cycle counting: what a count found against the book, whether the variance needs a recount and
approval, when a plan is due and which SKUs an ABC plan makes due, and which stock rows a loss comes out of.
Plain values only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from server.inventory.models import StockStatus


@dataclass(frozen=True, slots=True, order=True)
class Ident:
    """What a count line identifies: a SKU, with its lot, expiry and LPN ('' / None when none)."""

    sku_id: int
    lot: str = ""
    expiry: date | None = None
    lpn: str = ""

    def as_json(self, qty: int) -> dict[str, Any]:
        return {
            "sku_id": self.sku_id,
            "lot": self.lot,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "lpn": self.lpn,
            "qty": qty,
        }

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> tuple[Ident, int]:
        exp = d.get("expiry")
        return Ident(
            int(d["sku_id"]), str(d.get("lot", "")), date.fromisoformat(exp) if exp else None, d.get("lpn", "")
        ), int(d["qty"])


def totals(lines: Iterable[tuple[Ident, int]]) -> dict[Ident, int]:
    out: dict[Ident, int] = {}
    for ident, qty in lines:
        out[ident] = out.get(ident, 0) + qty
    return out


def to_json(t: Mapping[Ident, int]) -> list[dict[str, Any]]:
    return [i.as_json(q) for i, q in sorted(t.items(), key=lambda kv: (kv[0].sku_id, kv[0].lot, kv[0].lpn))]


def from_json(rows: Iterable[Mapping[str, Any]]) -> dict[Ident, int]:
    return totals(Ident.from_json(r) for r in rows)


def match_lpns(book: Mapping[Ident, int], found: Mapping[Ident, int]) -> dict[Ident, int]:
    """Items counted without scanning their LPN belong to the LPN the book has them on, when there is just one."""
    out: dict[Ident, int] = {}
    for ident, qty in found.items():
        if not ident.lpn and ident not in book:
            lpns = {b.lpn for b in book if (b.sku_id, b.lot, b.expiry) == (ident.sku_id, ident.lot, ident.expiry)}
            if len(lpns) == 1:
                ident = Ident(ident.sku_id, ident.lot, ident.expiry, lpns.pop())
        out[ident] = out.get(ident, 0) + qty
    return out


def deltas(expected: Mapping[Ident, int], counted: Mapping[Ident, int]) -> dict[Ident, int]:
    """Counted minus book, per identity, without the zeros (> 0 found, < 0 missing)."""
    out = {i: counted.get(i, 0) - expected.get(i, 0) for i in set(expected) | set(counted)}
    return {i: d for i, d in out.items() if d}


@dataclass(frozen=True, slots=True)
class Variance:
    units: int
    value: Decimal


def variance(d: Mapping[Ident, int], unit_cost: Mapping[int, Decimal]) -> Variance:
    units = sum(abs(q) for q in d.values())
    value = sum((abs(q) * unit_cost.get(i.sku_id, Decimal(0)) for i, q in d.items()), Decimal(0))
    return Variance(units, value.quantize(Decimal("0.01")))


def needs_review(v: Variance, *, max_units: int, max_value: Decimal) -> bool:
    """A variance above either of the warehouse's thresholds is recounted, then approved by a supervisor."""
    return v.units > max_units or v.value > max_value


def due_skus(
    skus: Sequence[tuple[int, str]],
    last_counted: Mapping[int, datetime],
    days_by_class: Mapping[str, int],
    now: datetime,
) -> list[int]:
    """SKU ids of an ABC plan due for a count: never counted, or counted longer ago than their class's interval
    (A more often than C). Unknown classes count as C."""
    due = []
    for sku_id, cls in skus:
        days = days_by_class.get(cls, days_by_class["C"])
        last = last_counted.get(sku_id)
        if last is None or now - last >= timedelta(days=days):
            due.append(sku_id)
    return due


def plan_interval_days(
    kind: str, every_days: int | None, classes: Sequence[str], days_by_class: Mapping[str, int]
) -> int | None:
    """Days between scheduled runs of a count plan: an ABC plan runs as often as its most frequent class (the run
    itself then picks the SKUs due by their own class, so A is counted more often than C); other plans every
    ``every_days`` (None: not scheduled, run on demand only)."""
    if kind == "abc":
        return min(days_by_class.get(c, days_by_class["C"]) for c in (classes or ("A", "B", "C")))
    return every_days


def plan_next_due(last_run_at: datetime | None, interval_days: int | None) -> datetime | None:
    """When a scheduled plan is next due, from its last run (None: never scheduled). A plan never run is due at
    once (the earliest datetime)."""
    if interval_days is None:
        return None
    if last_run_at is None:
        return datetime.min.replace(tzinfo=UTC)
    return last_run_at + timedelta(days=interval_days)


def plan_due(last_run_at: datetime | None, interval_days: int | None, now: datetime) -> bool:
    due = plan_next_due(last_run_at, interval_days)
    return due is not None and now >= due


@dataclass(frozen=True, slots=True)
class Row:
    stock_id: int
    status: StockStatus
    on_hand: int
    allocated: int


@dataclass(frozen=True, slots=True)
class Take:
    stock_id: int
    qty: int
    unreserve: int  # units of the take that were reserved for orders (their lines get re-allocated)


_STATUS_ORDER = {StockStatus.DAMAGED: 0, StockStatus.QUARANTINE: 1, StockStatus.HOLD: 2, StockStatus.AVAILABLE: 3}


def take_loss(rows: Sequence[Row], loss: int) -> list[Take]:
    """Which rows a counted loss comes out of: blocked statuses first, then free available units, reserved units
    last (so that as few orders as possible lose their reservation)."""
    takes: list[Take] = []
    left = loss
    ordered = sorted(rows, key=lambda r: (_STATUS_ORDER[r.status], r.stock_id))
    for r in ordered:  # free units
        if left == 0:
            break
        q = min(left, r.on_hand - r.allocated)
        if q > 0:
            takes.append(Take(r.stock_id, q, 0))
            left -= q
    for r in ordered:  # then reserved units
        if left == 0:
            break
        q = min(left, r.allocated)
        if q > 0:
            prev = next((t for t in takes if t.stock_id == r.stock_id), None)
            if prev is not None:
                takes[takes.index(prev)] = Take(r.stock_id, prev.qty + q, q)
            else:
                takes.append(Take(r.stock_id, q, q))
            left -= q
    if left:
        raise ValueError(f"a loss of {loss} is more than the {loss - left} units on the book")
    return takes
