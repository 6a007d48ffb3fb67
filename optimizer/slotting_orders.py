"""Order-based slotting (``wes-slotting/2``): place SKUs so that whole orders are short to pick.

Objective on a set of N orders, in metres per order: mean exact route (depot → the order's locations
→ depot) plus ``replenishment_cost_m`` x replenishment trips per order, a trip being ``capacity_m3``
worth of a SKU's units. ``co-order`` starts from the better of the ``coi`` and ``turnover`` rules on
the history and improves it by swaps (towards co-ordered SKUs' aisles, or nearer the depot) that
lower the objective on the history, within a time limit. ``random`` is the baseline.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from optimizer.model import InputError, Layout, Point, Position
from optimizer.routing import route
from optimizer.slotting import HEAVY_KG, SlotLocation

__all__ = [
    "ORDER_SLOT_METHODS",
    "HistoryOrder",
    "OrderSlottingProblem",
    "OrderSlottingResult",
    "UnitSku",
    "order_objective",
    "slot_by_orders",
]

ORDER_SLOT_METHODS = ("co-order", "coi", "turnover", "random")


@dataclass(frozen=True, slots=True)
class UnitSku:
    """A SKU: unit cube (m³), unit weight (kg), the fewest units a location must hold."""

    id: str
    unit_m3: float
    kg: float
    min_units: int


@dataclass(frozen=True, slots=True)
class HistoryOrder:
    """A past order: (sku id, units) lines."""

    id: str
    lines: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class OrderSlottingProblem:
    layout: Layout
    locations: tuple[SlotLocation, ...]
    skus: tuple[UnitSku, ...]
    days: int
    orders: tuple[HistoryOrder, ...]
    replenishment_cost_m: float


@dataclass(frozen=True, slots=True)
class OrderSlottingResult:
    assignment: dict[str, str]
    history_m_per_order: float
    method: str
    solve_ms: float


def _fits(s: UnitSku, loc: SlotLocation) -> bool:
    if loc.capacity_m3 + 1e-12 < s.unit_m3 * s.min_units:
        return False
    if s.kg > HEAVY_KG and loc.level != 0:
        return False
    return s.kg <= loc.max_kg


class _Eval:
    """Objective bookkeeping; route lengths memoised by the set of locations visited."""

    def __init__(self, p: OrderSlottingProblem, orders: Sequence[HistoryOrder]) -> None:
        self.p = p
        self.sku_index = {s.id: i for i, s in enumerate(p.skus)}
        self.orders = [[self.sku_index[sk] for sk, _ in o.lines if sk in self.sku_index] for o in orders]
        self.units = [0.0] * len(p.skus)
        for o in orders:
            for sk, q in o.lines:
                if sk in self.sku_index:
                    self.units[self.sku_index[sk]] += q
        self.pos = [Position(loc.aisle, loc.y) for loc in p.locations]
        self.memo: dict[frozenset[int], float] = {}

    def route_m(self, locs: frozenset[int]) -> float:
        d = self.memo.get(locs)
        if d is None:
            lay = self.p.layout
            if lay.depot.y == 0 and len({self.pos[i].aisle for i in locs}) == 1:
                # one aisle, depot on the front cross aisle (y=0): up to the deepest location and back
                a = next(iter(locs))
                d = 2 * (abs(lay.depot.x - lay.aisle_x[self.pos[a].aisle]) + max(self.pos[i].y for i in locs))
            else:
                d = route(lay, [self.pos[i] for i in sorted(locs)], time_limit_s=0.5).length_m
            if len(self.memo) < 500_000:
                self.memo[locs] = d
        return d

    def replen(self, s: int, loc: int) -> float:
        cap = self.p.locations[loc].capacity_m3
        return self.p.replenishment_cost_m * self.units[s] * self.p.skus[s].unit_m3 / max(cap, 1e-12)

    def total(self, loc_of: Sequence[int]) -> float:
        """Sum over orders of route metres plus replenishment metres (divide by N for the mean)."""
        walk = sum(self.route_m(frozenset(loc_of[s] for s in o)) for o in self.orders if o)
        return walk + sum(self.replen(s, loc_of[s]) for s in range(len(loc_of)))


def order_objective(
    p: OrderSlottingProblem, assignment: Mapping[str, str], orders: Sequence[HistoryOrder] | None = None
) -> float:
    """Metres per order of ``assignment`` on ``orders`` (default the history); checks the rules."""
    orders = p.orders if orders is None else orders
    by_id = {loc.id: i for i, loc in enumerate(p.locations)}
    used: set[str] = set()
    loc_of: list[int] = []
    for s in p.skus:
        lid = assignment.get(s.id)
        if lid is None or lid not in by_id:
            raise InputError(f"sku {s.id}: no known location assigned")
        if lid in used:
            raise InputError(f"location {lid}: holds two SKUs")
        if not _fits(s, p.locations[by_id[lid]]):
            raise InputError(f"sku {s.id}: location {lid} breaks a capacity/weight/level rule")
        used.add(lid)
        loc_of.append(by_id[lid])
    ev = _Eval(p, orders)
    return ev.total(loc_of) / max(len(orders), 1)


def _greedy(p: OrderSlottingProblem, order: Sequence[int]) -> list[int]:
    depot: Point = p.layout.depot
    rt = [2 * p.layout.point_distance(depot, Position(loc.aisle, loc.y)) for loc in p.locations]
    # nearest first; ties: larger capacity first
    by_dist = sorted(range(len(p.locations)), key=lambda i: (round(rt[i], 9), -p.locations[i].capacity_m3))
    free = [True] * len(p.locations)
    loc_of = [-1] * len(p.skus)
    for s in order:
        sku = p.skus[s]
        for i in by_dist:
            if free[i] and _fits(sku, p.locations[i]):
                free[i] = False
                loc_of[s] = i
                break
        else:
            raise InputError(f"sku {sku.id}: no free location meets its capacity/weight/level rules")
    return loc_of


def _rates(p: OrderSlottingProblem) -> tuple[list[float], list[float]]:
    idx = {s.id: i for i, s in enumerate(p.skus)}
    lines = [0.0] * len(p.skus)
    units = [0.0] * len(p.skus)
    for o in p.orders:
        for sk, q in o.lines:
            if sk in idx:
                lines[idx[sk]] += 1
                units[idx[sk]] += q
    days = max(p.days, 1)
    return [x / days for x in lines], [x / days for x in units]


def slot_by_orders(
    p: OrderSlottingProblem, method: str = "co-order", seed: int = 0, time_limit_s: float = 10.0
) -> OrderSlottingResult:
    """Assign every SKU a location; ``history_m_per_order`` is the objective on the instance's history."""
    t0 = time.perf_counter()
    if method not in ORDER_SLOT_METHODS:
        raise InputError(f"method: unknown slotting method {method!r} (one of {', '.join(ORDER_SLOT_METHODS)})")
    if len(p.skus) > len(p.locations):
        raise InputError(f"skus: {len(p.skus)} SKUs but only {len(p.locations)} locations")
    n = len(p.skus)
    lines, units = _rates(p)
    rng = random.Random(seed)

    def coi() -> list[int]:
        def key(i: int) -> float:
            space = p.skus[i].unit_m3 * max(p.skus[i].min_units, units[i])
            return space / lines[i] if lines[i] > 0 else float("inf")

        return _greedy(p, sorted(range(n), key=key))

    def turnover() -> list[int]:
        return _greedy(p, sorted(range(n), key=lambda i: -lines[i]))

    ev = _Eval(p, p.orders)
    if method == "coi":
        loc_of = coi()
    elif method == "turnover":
        loc_of = turnover()
    elif method == "random":
        # hardest-to-fit first, each to a random free feasible location
        order = sorted(range(n), key=lambda i: sum(_fits(p.skus[i], loc) for loc in p.locations))
        free = list(range(len(p.locations)))
        loc_of = [-1] * n
        for s in order:
            ok = [i for i in free if _fits(p.skus[s], p.locations[i])]
            if not ok:
                raise InputError(f"sku {p.skus[s].id}: no free location meets its rules")
            pick = rng.choice(ok)
            free.remove(pick)
            loc_of[s] = pick
    else:
        a, b = coi(), turnover()
        start = a if ev.total(a) <= ev.total(b) else b
        loc_of = _improve(p, ev, start[:], lines, t0 + time_limit_s, rng)
        # busy SKUs' moves are judged on a sample of their orders; keep the start if that misled us
        if ev.total(loc_of) > ev.total(start):
            loc_of = start
    return OrderSlottingResult(
        {p.skus[s].id: p.locations[loc_of[s]].id for s in range(n)},
        ev.total(loc_of) / max(len(p.orders), 1),
        method,
        (time.perf_counter() - t0) * 1e3,
    )


def _improve(
    p: OrderSlottingProblem, ev: _Eval, loc_of: list[int], lines: Sequence[float], deadline: float, rng: random.Random
) -> list[int]:
    """Swap / move SKUs while the history objective drops, until ``deadline``."""
    n_loc = len(p.locations)
    sku_at = [-1] * n_loc
    for s, loc in enumerate(loc_of):
        sku_at[loc] = s
    orders_of: list[list[int]] = [[] for _ in p.skus]
    for k, o in enumerate(ev.orders):
        for s in set(o):
            orders_of[s].append(k)
    by_aisle: dict[int, list[int]] = {}
    for i, place in enumerate(p.locations):
        by_aisle.setdefault(place.aisle, []).append(i)
    rt = [2 * p.layout.point_distance(p.layout.depot, ev.pos[i]) for i in range(n_loc)]
    weights = [w + 1e-3 for w in lines]
    skus = list(range(len(p.skus)))
    # busy SKUs touch many orders: judge their moves on a sample so each try stays cheap
    cap = 150
    while time.perf_counter() < deadline:
        s1 = rng.choices(skus, weights)[0]
        l1 = loc_of[s1]
        if orders_of[s1] and rng.random() < 0.6:
            mate_order = ev.orders[rng.choice(orders_of[s1])]
            mate = rng.choice(mate_order)
            l2 = rng.choice(by_aisle[p.locations[loc_of[mate]].aisle])
        else:
            l2 = rng.randrange(n_loc)
            if rt[l2] > rt[l1]:
                continue
        if l2 == l1:
            continue
        s2 = sku_at[l2]
        if not _fits(p.skus[s1], p.locations[l2]) or (s2 >= 0 and not _fits(p.skus[s2], p.locations[l1])):
            continue
        affected = set(orders_of[s1]) | (set(orders_of[s2]) if s2 >= 0 else set())
        sample = list(affected)
        if len(sample) > cap:
            sample = rng.sample(sample, cap)
        before = sum(ev.route_m(frozenset(loc_of[s] for s in ev.orders[k])) for k in sample)
        loc_of[s1] = l2
        if s2 >= 0:
            loc_of[s2] = l1
        after = sum(ev.route_m(frozenset(loc_of[s] for s in ev.orders[k])) for k in sample)
        scale = len(affected) / max(len(sample), 1)
        delta = (after - before) * scale + ev.replen(s1, l2) - ev.replen(s1, l1)
        if s2 >= 0:
            delta += ev.replen(s2, l1) - ev.replen(s2, l2)
        if delta < -1e-9:
            sku_at[l2], sku_at[l1] = s1, s2
        else:  # undo
            loc_of[s1] = l1
            if s2 >= 0:
                loc_of[s2] = l2
    return loc_of
