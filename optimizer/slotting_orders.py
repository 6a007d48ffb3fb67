"""Order-based slotting (``wes-slotting/2``): place SKUs so that whole orders are short to pick.

Objective on a set of N orders, in metres per order: mean exact route (depot → the order's locations
→ depot, :class:`optimizer.slot_routes.BatchRouter`) plus ``replenishment_cost_m`` x replenishment
trips per order, a trip being ``capacity_m3`` worth of a SKU's units.

``co-order`` finds groups of SKUs that are ordered together (Louvain modularity on the order co-occurrence
counts, at a resolution that keeps groups at family size and does not let popular SKUs glue families together),
lets the groups fill the aisles nearest the depot in order of lines a day per SKU, and solves a min-cost
assignment (OR-Tools min-cost flow, each SKU offered its 60 cheapest slots) of a score with that aisle target,
depth by popularity and replenishment trips against the slot's capacity, for a few resolutions and weights,
keeping the best on the history. A batched local search on the exact objective then tries, for one SKU at a
time, a dozen moves or swaps at once (next to the SKUs it is ordered with, nearer the depot, anywhere), scoring
each only on the orders that hold the SKUs it touches, and keeps the best one that lowers the objective on the
odd and on the even history orders alike (a move that pays on one half only fits noise, not the process).
``coi``, ``turnover`` and ``random`` are the baselines of BENCH-FORMATS.md. :func:`plan_reslot`
starts the same search from the current assignment and returns the improving moves ranked by metres a day saved
per minute of labour.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from optimizer.model import InputError, Layout, Position
from optimizer.slot_routes import BatchRouter
from optimizer.slotting import HEAVY_KG, SlotLocation

__all__ = [
    "ORDER_SLOT_METHODS",
    "HistoryOrder",
    "OrderEvaluator",
    "OrderSlottingProblem",
    "OrderSlottingResult",
    "PlannedMove",
    "ReslotPlanResult",
    "UnitSku",
    "check_problem",
    "order_objective",
    "plan_reslot",
    "putaway_costs",
    "slot_by_orders",
    "slot_scores",
]

ORDER_SLOT_METHODS = ("co-order", "coi", "turnover", "random")
# modularity resolutions of the SKU groups tried by ``co-order`` (each start is kept if best on the history)
GROUP_RESOLUTIONS = (6.0, 8.0)
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


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


def _why_not(s: UnitSku, loc: SlotLocation) -> str | None:
    if loc.capacity_m3 + 1e-12 < s.unit_m3 * s.min_units:
        return "capacity"
    if s.kg > HEAVY_KG and loc.level != 0:
        return "heavy unit above level 0"
    if s.kg > loc.max_kg:
        return "weight"
    return None


def _fits(s: UnitSku, loc: SlotLocation) -> bool:
    return _why_not(s, loc) is None


def _feasible(p: OrderSlottingProblem) -> npt.NDArray[np.bool_]:
    cap = np.array([loc.capacity_m3 for loc in p.locations])
    lvl = np.array([loc.level for loc in p.locations])
    mkg = np.array([loc.max_kg for loc in p.locations])
    need = np.array([s.unit_m3 * s.min_units for s in p.skus])
    kg = np.array([s.kg for s in p.skus])
    ok: npt.NDArray[np.bool_] = (cap[None, :] + 1e-12 >= need[:, None]) & (kg[:, None] <= mkg[None, :])
    ok &= ~((kg[:, None] > HEAVY_KG) & (lvl[None, :] != 0))
    return ok


def check_problem(p: OrderSlottingProblem, orders: Sequence[HistoryOrder] | None = None) -> npt.NDArray[np.bool_]:
    """Raise InputError naming what is wrong (duplicates, unknown SKUs, a SKU no slot fits, too few
    slots, more heavy SKUs than level-0 slots, no assignment at all); return the feasibility matrix."""
    seen: set[str] = set()
    for loc in p.locations:
        if loc.id in seen:
            raise InputError(f"location {loc.id}: listed twice")
        seen.add(loc.id)
        p.layout.check_position(Position(loc.aisle, loc.y), f"location {loc.id}")
    sids: set[str] = set()
    for s in p.skus:
        if s.id in sids:
            raise InputError(f"sku {s.id}: listed twice")
        sids.add(s.id)
    for o in p.orders if orders is None else orders:
        for sk, q in o.lines:
            if sk not in sids:
                raise InputError(f"history order {o.id}: unknown sku {sk}")
            if q < 0:
                raise InputError(f"history order {o.id} sku {sk}: negative quantity {q}")
    if len(p.skus) > len(p.locations):
        raise InputError(f"skus: {len(p.skus)} SKUs but only {len(p.locations)} locations")
    ok = _feasible(p)
    for i, s in enumerate(p.skus):
        if not ok[i].any():
            reasons = [_why_not(s, loc) for loc in p.locations]
            worst = max(set(reasons), key=reasons.count)
            raise InputError(f"sku {s.id}: fits no location (mostly: {worst})")
    heavy = [s.id for s in p.skus if s.kg > HEAVY_KG]
    low = sum(loc.level == 0 for loc in p.locations)
    if len(heavy) > low:
        raise InputError(
            f"infeasible: {len(heavy)} SKUs have units over {HEAVY_KG:g} kg but only {low} locations are on level 0"
        )
    return ok


class OrderEvaluator:
    """The objective on a set of orders, batched: per-order route metres and replenishment metres."""

    def __init__(self, p: OrderSlottingProblem, orders: Sequence[HistoryOrder]) -> None:
        self.p = p
        self.sku_index = {s.id: i for i, s in enumerate(p.skus)}
        self.n_orders = len(orders)
        o_idx: list[int] = []
        s_idx: list[int] = []
        units = np.zeros(len(p.skus))
        for k, o in enumerate(orders):
            skus_here: set[int] = set()
            for sk, q in o.lines:
                i = self.sku_index.get(sk)
                if i is None:
                    raise InputError(f"order {o.id}: unknown sku {sk}")
                units[i] += q
                if i not in skus_here:
                    skus_here.add(i)
                    o_idx.append(k)
                    s_idx.append(i)
        self.line_order = np.array(o_idx, dtype=np.int64)
        self.line_sku = np.array(s_idx, dtype=np.int64)
        self.units = units
        # CSR: the lines of each order, and the orders of each SKU
        self.order_start = np.searchsorted(self.line_order, np.arange(self.n_orders + 1)).astype(np.int64)
        by_sku = np.argsort(self.line_sku, kind="stable")
        self.sku_orders = self.line_order[by_sku]
        self.sku_start = np.searchsorted(self.line_sku[by_sku], np.arange(len(p.skus) + 1)).astype(np.int64)
        self.router = BatchRouter(p.layout, [loc.aisle for loc in p.locations], [loc.y for loc in p.locations])
        self.cap = np.array([max(loc.capacity_m3, 1e-12) for loc in p.locations])
        self.unit_m3 = np.array([s.unit_m3 for s in p.skus])

    def orders_of(self, s: int) -> IntArray:
        return self.sku_orders[self.sku_start[s] : self.sku_start[s + 1]]

    def routes(self, loc_of: IntArray) -> FloatArray:
        """Route metres of every order."""
        return self.router.lengths(self.line_order, loc_of[self.line_sku], self.n_orders)

    def replen(self, loc_of: IntArray) -> FloatArray:
        """Replenishment metres of every SKU over the order set."""
        r: FloatArray = self.p.replenishment_cost_m * self.units * self.unit_m3 / self.cap[loc_of]
        return r

    def mean(self, loc_of: IntArray) -> float:
        if self.n_orders == 0:
            return 0.0
        return float((self.routes(loc_of).sum() + self.replen(loc_of).sum()) / self.n_orders)

    def routes_with(
        self, order_ids: IntArray, loc_of: IntArray, subst: Sequence[tuple[IntArray, IntArray]]
    ) -> FloatArray:
        """Route metres of rows (row r = order ``order_ids[r]``) with per-row substitutions: for each
        (sku per row, location per row) pair, that SKU is at that location in that row."""
        n = len(order_ids)
        counts = self.order_start[order_ids + 1] - self.order_start[order_ids]
        row = np.repeat(np.arange(n, dtype=np.int64), counts)
        first = np.repeat(self.order_start[order_ids] - np.cumsum(counts) + counts, counts)
        line = first + np.arange(len(row), dtype=np.int64)
        sku = self.line_sku[line]
        loc = loc_of[sku]
        for s_row, l_row in subst:
            hit = sku == s_row[row]
            loc = np.where(hit, l_row[row], loc)
        return self.router.lengths(row, loc, n)


def order_objective(
    p: OrderSlottingProblem, assignment: Mapping[str, str], orders: Sequence[HistoryOrder] | None = None
) -> float:
    """Metres per order of ``assignment`` on ``orders`` (default the history); checks the rules."""
    orders = p.orders if orders is None else orders
    by_id = {loc.id: i for i, loc in enumerate(p.locations)}
    used: dict[str, str] = {}
    loc_of: list[int] = []
    for s in p.skus:
        lid = assignment.get(s.id)
        if lid is None or lid not in by_id:
            raise InputError(f"sku {s.id}: no known location assigned")
        if lid in used:
            raise InputError(f"location {lid}: holds two SKUs ({used[lid]} and {s.id})")
        why = _why_not(s, p.locations[by_id[lid]])
        if why:
            raise InputError(f"sku {s.id}: location {lid} breaks the {why} rule")
        used[lid] = s.id
        loc_of.append(by_id[lid])
    return OrderEvaluator(p, orders).mean(np.array(loc_of, dtype=np.int64))


def _round_trip(p: OrderSlottingProblem) -> FloatArray:
    return np.array([2 * p.layout.point_distance(p.layout.depot, Position(loc.aisle, loc.y)) for loc in p.locations])


def _greedy(p: OrderSlottingProblem, ok: npt.NDArray[np.bool_], order: Sequence[int]) -> IntArray:
    rt = _round_trip(p)
    # nearest first; ties: larger capacity first
    by_dist = np.array(
        sorted(range(len(p.locations)), key=lambda i: (round(float(rt[i]), 9), -p.locations[i].capacity_m3))
    )
    free = np.ones(len(p.locations), dtype=bool)
    loc_of = np.full(len(p.skus), -1, dtype=np.int64)
    for s in order:
        cand = by_dist[ok[s][by_dist] & free[by_dist]]
        if not len(cand):
            raise InputError(f"sku {p.skus[s].id}: no free location meets its capacity/weight/level rules")
        free[cand[0]] = False
        loc_of[s] = cand[0]
    return loc_of


def _flow(ok: npt.NDArray[np.bool_], cost: FloatArray, skus: Sequence[UnitSku], keep: int | None = 200) -> IntArray:
    """Min-cost assignment SKU → location (one each) over feasible pairs; with ``keep`` only each SKU's
    ``keep`` cheapest slots are offered (exact over the full matrix when that fails)."""
    n, m = ok.shape
    if keep is not None and keep < m:
        masked = np.where(ok, cost, np.inf)
        part = np.argpartition(masked, keep, axis=1)[:, :keep]
        sub = np.zeros_like(ok)
        np.put_along_axis(sub, part, True, axis=1)
        sub &= ok
        try:
            return _flow(sub, cost, skus, None)
        except InputError:
            pass
    si, lj = np.nonzero(ok)
    c = np.round(cost[si, lj] * 1000).astype(np.int64)
    mcf = min_cost_flow.SimpleMinCostFlow()
    sink = n + m
    tails = np.concatenate([si, n + np.arange(m)]).astype(np.int32)
    heads = np.concatenate([n + lj, np.full(m, sink)]).astype(np.int32)
    arcs = mcf.add_arcs_with_capacity_and_unit_cost(
        tails, heads, np.ones(len(tails), dtype=np.int64), np.concatenate([c, np.zeros(m, dtype=np.int64)])
    )
    supplies = np.zeros(n + m + 1, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    mcf.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), supplies)
    if mcf.solve() != mcf.OPTIMAL:
        raise InputError(
            "infeasible: no assignment gives every SKU its own location within the capacity/weight/level rules"
        )
    flows = mcf.flows(arcs[: len(si)])
    loc_of = np.full(n, -1, dtype=np.int64)
    k = np.flatnonzero(flows)
    loc_of[si[k]] = lj[k]
    del skus
    return loc_of


def _rates(p: OrderSlottingProblem) -> tuple[FloatArray, FloatArray]:
    idx = {s.id: i for i, s in enumerate(p.skus)}
    lines = np.zeros(len(p.skus))
    units = np.zeros(len(p.skus))
    for o in p.orders:
        for sk, q in o.lines:
            if sk in idx:
                lines[idx[sk]] += 1
                units[idx[sk]] += q
    days = max(p.days, 1)
    return lines / days, units / days


def slot_scores(p: OrderSlottingProblem, line_weight: float = 0.6) -> FloatArray:
    """Metres a day of each SKU (rows) in each location (columns): lines a day x round trip x
    ``line_weight`` (a line shares its order's walk) plus replenishment trips against capacity;
    part of the start of ``co-order``."""
    lines, units = _rates(p)
    rt = _round_trip(p)
    cap = np.array([max(loc.capacity_m3, 1e-12) for loc in p.locations])
    unit = np.array([s.unit_m3 for s in p.skus])
    out: FloatArray = (
        line_weight * lines[:, None] * rt[None, :] + p.replenishment_cost_m * (units * unit)[:, None] / cap[None, :]
    )
    return out


def _cooccurrence(ev: OrderEvaluator, n: int) -> FloatArray:
    """Symmetric matrix of how many orders hold both SKUs (zero diagonal)."""
    co = np.zeros((n, n))
    sizes = np.diff(ev.order_start)
    for size in np.unique(sizes[sizes >= 2]).tolist():
        starts = ev.order_start[:-1][sizes == size]
        a, b = np.triu_indices(size, 1)
        sa = ev.line_sku[starts[:, None] + a[None, :]].ravel()
        sb = ev.line_sku[starts[:, None] + b[None, :]].ravel()
        np.add.at(co, (sa, sb), 1.0)
    out: FloatArray = co + co.T
    return out


def _local_moves(w: FloatArray, resolution: float, rng: random.Random, rounds: int = 30) -> IntArray:
    """Louvain's first phase: move each node to the group with the best modularity gain until none moves."""
    n = len(w)
    label = np.arange(n, dtype=np.int64)
    k = w.sum(axis=1)
    m2 = float(k.sum())
    if m2 <= 0:
        return label
    tot = k.copy()
    order = list(range(n))
    for _ in range(rounds):
        rng.shuffle(order)
        moved = 0
        for i in order:
            li = int(label[i])
            tot[li] -= k[i]
            links = np.bincount(label, weights=w[i], minlength=n)
            links[li] -= w[i, i]
            gain = links - resolution * k[i] * tot / m2
            best = int(np.argmax(gain))
            if gain[best] <= gain[li] + 1e-12:
                best = li
            label[i] = best
            tot[best] += k[i]
            moved += best != li
        if not moved:
            break
    return label


def _groups(co: FloatArray, resolution: float, rng: random.Random, levels: int = 6) -> IntArray:
    """Groups of SKUs ordered together: Louvain modularity on order co-occurrence counts. The expected count
    of a pair is the product of the two SKUs' links (so popular SKUs that land in many orders by chance do
    not glue groups together); a ``resolution`` above 1 keeps the groups at family size."""
    part = np.arange(len(co), dtype=np.int64)
    w = co
    for _ in range(levels):
        _, lab = np.unique(_local_moves(w, resolution, rng), return_inverse=True)
        lab = lab.astype(np.int64)
        k = int(lab.max()) + 1 if len(lab) else 0
        if k == len(w):
            break
        part = lab[part]
        member = np.zeros((len(w), k))
        member[np.arange(len(w)), lab] = 1.0
        w = member.T @ w @ member
    return part


def _aisle_cost(p: OrderSlottingProblem, label: IntArray, lines: FloatArray, fill: float) -> FloatArray:
    """Metres a day (before weights) of each SKU away from its group's aisle: groups in order of lines a
    day per SKU fill the aisles from the depot's outwards (``fill`` of each aisle's slots); a SKU pays
    for the cross-aisle distance to its group's aisle and for depth."""
    aisle = np.array([loc.aisle for loc in p.locations])
    xs = np.array(p.layout.aisle_x)
    by_near = sorted(set(aisle.tolist()), key=lambda a: abs(xs[a] - p.layout.depot.x))
    room = {a: int((aisle == a).sum()) for a in by_near}
    groups: dict[int, list[int]] = {}
    for sku, g in enumerate(label.tolist()):
        groups.setdefault(g, []).append(sku)
    dens = sorted(groups, key=lambda g: -float(lines[groups[g]].sum()) / len(groups[g]))
    target = np.zeros(len(label), dtype=np.int64)
    k_a, used = 0, 0
    for g in dens:
        k = len(groups[g])
        if used + k > room[by_near[k_a]] * fill and k_a < len(by_near) - 1 and used > 0:
            k_a, used = k_a + 1, 0
        target[groups[g]] = by_near[k_a]
        used += k
    out: FloatArray = lines[:, None] * 2 * np.abs(xs[aisle][None, :] - xs[target][:, None])
    return out


def _construct(
    p: OrderSlottingProblem, ev: OrderEvaluator, ok: npt.NDArray[np.bool_], lines: FloatArray, rng: random.Random
) -> IntArray:
    """The best start on the history among a few weightings of the aisle-group assignment."""
    n = len(p.skus)
    base = slot_scores(p, 0.0)
    ys = np.array([loc.y for loc in p.locations])
    depth = lines[:, None] * 2 * ys[None, :]
    best: IntArray | None = None
    best_v = float("inf")
    co = _cooccurrence(ev, n)
    for resolution in GROUP_RESOLUTIONS:
        label = _groups(co, resolution, rng)
        for fill in (1.0, 1.15):
            group = _aisle_cost(p, label, lines, fill)
            for w_depth in (0.5, 0.7):
                cand = _flow(ok, base + group + w_depth * depth, p.skus, keep=60)
                v = ev.mean(cand)
                if v < best_v:
                    best, best_v = cand, v
    assert best is not None
    return best


def slot_by_orders(
    p: OrderSlottingProblem, method: str = "co-order", seed: int = 0, time_limit_s: float = 10.0
) -> OrderSlottingResult:
    """Assign every SKU a location; ``history_m_per_order`` is the objective on the instance's history."""
    t0 = time.perf_counter()
    if method not in ORDER_SLOT_METHODS:
        raise InputError(f"method: unknown slotting method {method!r} (one of {', '.join(ORDER_SLOT_METHODS)})")
    ok = check_problem(p)
    n = len(p.skus)
    lines, units = _rates(p)
    rng = random.Random(seed)
    ev = OrderEvaluator(p, p.orders)

    def coi() -> IntArray:
        def key(i: int) -> float:
            space = p.skus[i].unit_m3 * max(p.skus[i].min_units, units[i])
            return float(space / lines[i]) if lines[i] > 0 else float("inf")

        return _greedy(p, ok, sorted(range(n), key=key))

    if method == "coi":
        loc_of = coi()
    elif method == "turnover":
        loc_of = _greedy(p, ok, sorted(range(n), key=lambda i: -lines[i]))
    elif method == "random":
        # hardest-to-fit first, each to a random free feasible location
        order = sorted(range(n), key=lambda i: int(ok[i].sum()))
        free = np.ones(len(p.locations), dtype=bool)
        loc_of = np.full(n, -1, dtype=np.int64)
        for s in order:
            cand = np.flatnonzero(ok[s] & free)
            if not len(cand):
                raise InputError(f"sku {p.skus[s].id}: no free location meets its rules")
            pick = int(cand[rng.randrange(len(cand))])
            free[pick] = False
            loc_of[s] = pick
    else:
        best = _construct(p, ev, ok, lines, rng)
        loc_of = _Search(p, ev, ok, best, lines, rng, consistent=True).run(t0 + time_limit_s).loc_of
    return OrderSlottingResult(
        {p.skus[s].id: p.locations[int(loc_of[s])].id for s in range(n)},
        ev.mean(loc_of),
        method,
        (time.perf_counter() - t0) * 1e3,
    )


@dataclass(frozen=True, slots=True)
class _Op:
    sku: int
    frm: int
    to: int
    other: int  # the SKU swapped back into ``frm`` (-1: a plain move into a free location)
    saving: float  # objective metres over the order set


class _Search:
    """Batched local search on the exact objective (moves into free slots and swaps)."""

    def __init__(
        self,
        p: OrderSlottingProblem,
        ev: OrderEvaluator,
        ok: npt.NDArray[np.bool_],
        loc_of: IntArray,
        lines: FloatArray,
        rng: random.Random,
        frozen_after_move: bool = False,
        consistent: bool = False,
    ) -> None:
        self.p, self.ev, self.ok, self.rng = p, ev, ok, rng
        self.consistent = consistent
        self.loc_of = loc_of.copy()
        self.sku_at = np.full(len(p.locations), -1, dtype=np.int64)
        self.sku_at[self.loc_of] = np.arange(len(p.skus))
        self.route = ev.routes(self.loc_of)
        self.rt = _round_trip(p)
        self.lines = lines
        self.ops: list[_Op] = []
        self.frozen = frozen_after_move
        self.touched = np.zeros(len(p.skus), dtype=bool)
        # slots of each aisle ordered by depth, and each slot's rank in it
        aisle = np.array([loc.aisle for loc in p.locations])
        ys = np.array([loc.y for loc in p.locations])
        self.by_aisle: dict[int, IntArray] = {}
        self.rank = np.zeros(len(p.locations), dtype=np.int64)
        for a in np.unique(aisle):
            ids = np.flatnonzero(aisle == a)
            ids = ids[np.argsort(ys[ids], kind="stable")]
            self.by_aisle[int(a)] = ids
            self.rank[ids] = np.arange(len(ids))
        self.aisle = aisle
        self.near = np.argsort(self.rt, kind="stable")
        self.n_loc = len(p.locations)
        self.sample = 120

    def _candidates(self, s: int, k: int) -> list[int]:
        l1 = int(self.loc_of[s])
        out: set[int] = set()
        ords = self.ev.orders_of(s)
        rng = self.rng
        tries = 0
        while len(out) < k and tries < 6 * k:
            tries += 1
            r = rng.random()
            if r < 0.55 and len(ords):
                # next to a SKU it is ordered with
                o = int(ords[rng.randrange(len(ords))])
                lo, hi = self.ev.order_start[o], self.ev.order_start[o + 1]
                mate = int(self.ev.line_sku[rng.randrange(lo, hi)])
                if mate == s:
                    continue
                lm = int(self.loc_of[mate])
                ids = self.by_aisle[int(self.aisle[lm])]
                j = int(self.rank[lm]) + rng.randint(-6, 6)
                if not 0 <= j < len(ids):
                    continue
                cand = int(ids[j])
            elif r < 0.85:
                # nearer the depot
                pos = int(np.searchsorted(self.rt[self.near], self.rt[l1]))
                if pos == 0:
                    continue
                cand = int(self.near[rng.randrange(pos)])
            else:
                cand = rng.randrange(self.n_loc)
            if cand == l1 or not self.ok[s, cand]:
                continue
            s2 = int(self.sku_at[cand])
            if s2 >= 0 and (not self.ok[s2, l1] or (self.frozen and self.touched[s2])):
                continue
            out.add(cand)
        return sorted(out)

    def try_sku(self, s: int, k: int = 12) -> _Op | None:
        """Evaluate ``k`` moves/swaps of SKU ``s`` in one batch; apply the best improving one."""
        cands = self._candidates(s, k)
        if not cands:
            return None
        ev = self.ev
        l1 = int(self.loc_of[s])
        orders_s = ev.orders_of(s)
        rows: list[IntArray] = []
        sizes: list[int] = []
        s2s: list[int] = []
        scale: list[float] = []
        for c in cands:
            s2 = int(self.sku_at[c])
            s2s.append(s2)
            o = orders_s if s2 < 0 else np.union1d(orders_s, ev.orders_of(s2))
            # a busy SKU's move is judged on a sample of its orders (scaled up); kept moves are re-measured
            scale.append(1.0)
            if len(o) > self.sample:
                scale[-1] = len(o) / self.sample
                o = np.sort(np.array(self.rng.sample(o.tolist(), self.sample), dtype=np.int64))
            rows.append(o)
            sizes.append(len(o))
        order_ids = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        kk = np.repeat(np.arange(len(cands)), sizes)
        cand_arr = np.array(cands, dtype=np.int64)
        s2_arr = np.array(s2s, dtype=np.int64)
        new = ev.routes_with(
            order_ids,
            self.loc_of,
            [
                (np.full(len(order_ids), s, dtype=np.int64), cand_arr[kk]),
                (s2_arr[kk], np.full(len(order_ids), l1, dtype=np.int64)),
            ],
        )
        diff = new - self.route[order_ids]
        scales = np.array(scale)
        d_route = np.bincount(kk, weights=diff, minlength=len(cands)) * scales
        rc = self.p.replenishment_cost_m
        rep = rc * ev.units * ev.unit_m3
        d_rep = rep[s] / ev.cap[cand_arr] - rep[s] / ev.cap[l1]
        has2 = s2_arr >= 0
        d_rep = d_rep + np.where(has2, rep[np.maximum(s2_arr, 0)] * (1 / ev.cap[l1] - 1 / ev.cap[cand_arr]), 0.0)
        delta = d_route + d_rep
        crit = delta
        if self.consistent:
            # judged on the odd and the even orders apart: a move that pays on one half only fits noise
            d_half = np.bincount(kk * 2 + order_ids % 2, weights=diff, minlength=2 * len(cands)).reshape(-1, 2)
            crit = 2 * (d_half * scales[:, None] + d_rep[:, None] / 2).max(axis=1)
        b = int(np.argmin(crit))
        if crit[b] >= -1e-9:
            return None
        c, s2 = cands[b], s2s[b]
        sel = kk == b
        affected = (
            order_ids[sel] if scale[b] == 1.0 else (orders_s if s2 < 0 else np.union1d(orders_s, ev.orders_of(s2)))
        )
        old_routes = self.route[affected].copy()
        self.loc_of[s] = c
        self.sku_at[c] = s
        self.sku_at[l1] = s2
        if s2 >= 0:
            self.loc_of[s2] = l1
        if scale[b] == 1.0:
            self.route[affected] = new[sel]
        else:
            self.route[affected] = ev.router.lengths(
                np.repeat(np.arange(len(affected)), ev.order_start[affected + 1] - ev.order_start[affected]),
                self.loc_of[
                    ev.line_sku[np.concatenate([np.arange(ev.order_start[o], ev.order_start[o + 1]) for o in affected])]
                ],
                len(affected),
            )
            moved = self.route[affected] - old_routes
            true = float(moved.sum()) + float(d_rep[b])
            halves = np.bincount(affected % 2, weights=moved, minlength=2) + float(d_rep[b]) / 2
            if true >= -1e-9 or (self.consistent and halves.max() >= -1e-9):  # the sample misled us: undo
                self.route[affected] = old_routes
                self.loc_of[s] = l1
                self.sku_at[l1] = s
                self.sku_at[c] = s2
                if s2 >= 0:
                    self.loc_of[s2] = c
                return None
            delta[b] = true
        if s2 >= 0:
            self.touched[s2] = True
        self.touched[s] = True
        op = _Op(s, l1, c, s2, float(-delta[b]))
        self.ops.append(op)
        return op

    def run(self, deadline: float, max_ops: int | None = None) -> _Search:
        n = len(self.p.skus)
        weights = list(self.lines + 1e-3)
        skus = list(range(n))
        while time.perf_counter() < deadline and (max_ops is None or len(self.ops) < max_ops):
            s = self.rng.choices(skus, weights)[0]
            if self.frozen and self.touched[s]:
                continue
            self.try_sku(s)
        return self


# -- re-slotting plan --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedMove:
    """One step of a re-slotting plan: ``sku`` from ``from_id`` to ``to_id``; with ``swap_sku`` set, that
    SKU goes the other way. Metres a day saved (measured when applied in plan order) and labour."""

    rank: int
    sku: str
    from_id: str
    to_id: str
    swap_sku: str | None
    m_per_day_saved: float
    labour_min: float


@dataclass(frozen=True, slots=True)
class ReslotPlanResult:
    moves: tuple[PlannedMove, ...]
    m_per_order_before: float
    m_per_order_after: float
    m_per_day_before: float
    m_per_day_after: float
    full_m_per_day_saved: float  # of the whole plan before any budget cut
    curve: tuple[tuple[float, float], ...]  # (share of the moves, share of the saving)
    solve_ms: float


def _labour_min(p: OrderSlottingProblem, frm: int, to: int, swap: bool, per_move_min: float) -> float:
    """Minutes of move labour: handling per location touched plus the walk between the two (1 m/s)."""
    a, b = p.locations[frm], p.locations[to]
    walk = p.layout.distance(Position(a.aisle, a.y), Position(b.aisle, b.y)) / 60.0
    return (2 if swap else 1) * (per_move_min + walk)


def plan_reslot(
    p: OrderSlottingProblem,
    current: Mapping[str, str],
    *,
    max_moves: int | None = None,
    max_minutes: float | None = None,
    per_move_min: float = 6.0,
    time_limit_s: float = 10.0,
    seed: int = 0,
) -> ReslotPlanResult:
    """Ranked moves and swaps from ``current`` (every SKU's location) that lower walking plus
    replenishment on the history, best metres a day per minute of labour first; a budget in moves or
    minutes keeps the head of the ranking. Each SKU moves at most once so every step can be done alone."""
    t0 = time.perf_counter()
    ok = check_problem(p)
    by_id = {loc.id: i for i, loc in enumerate(p.locations)}
    loc_of = np.full(len(p.skus), -1, dtype=np.int64)
    holder: dict[str, str] = {}
    for i, s in enumerate(p.skus):
        lid = current.get(s.id)
        if lid is None:
            raise InputError(f"sku {s.id}: has no current location")
        if lid not in by_id:
            raise InputError(f"sku {s.id}: current location {lid} is not a known location")
        if lid in holder:
            raise InputError(f"location {lid}: holds two SKUs ({holder[lid]} and {s.id})")
        holder[lid] = s.id
        loc_of[i] = by_id[lid]
    for sk in current:
        if sk not in {s.id for s in p.skus}:
            raise InputError(f"sku {sk}: in the current assignment but not among the SKUs")
    if max_moves is not None and max_moves < 0:
        raise InputError(f"max_moves: must be >= 0, got {max_moves}")
    if max_minutes is not None and max_minutes < 0:
        raise InputError(f"max_minutes: must be >= 0, got {max_minutes}")
    lines, _ = _rates(p)
    ev = OrderEvaluator(p, p.orders)
    days = max(p.days, 1)
    search = _Search(p, ev, ok, loc_of, lines, random.Random(seed), frozen_after_move=True)
    search.run(t0 + time_limit_s)
    ops = sorted(
        search.ops,
        key=lambda op: -(op.saving / _labour_min(p, op.frm, op.to, op.other >= 0, per_move_min)),
    )
    # apply in rank order, measuring each step's real saving on the full objective
    state = loc_of.copy()
    before = ev.mean(state)
    value = before
    measured: list[tuple[_Op, float, float]] = []
    for op in ops:
        state[op.sku] = op.to
        if op.other >= 0:
            state[op.other] = op.frm
        v = ev.mean(state)
        measured.append(
            (op, (value - v) * len(p.orders) / days, _labour_min(p, op.frm, op.to, op.other >= 0, per_move_min))
        )
        value = v
    full = (before - value) * len(p.orders) / days
    curve: list[tuple[float, float]] = [(0.0, 0.0)]
    acc = 0.0
    for k, (_, saved, _) in enumerate(measured, 1):
        acc += saved
        curve.append((k / len(measured), acc / full if full > 0 else 0.0))
    kept: list[PlannedMove] = []
    minutes = 0.0
    final = loc_of.copy()
    for op, saved, lab in measured:
        if max_moves is not None and len(kept) >= max_moves:
            break
        if max_minutes is not None and minutes + lab > max_minutes + 1e-9:
            break
        minutes += lab
        final[op.sku] = op.to
        if op.other >= 0:
            final[op.other] = op.frm
        kept.append(
            PlannedMove(
                len(kept) + 1,
                p.skus[op.sku].id,
                p.locations[op.frm].id,
                p.locations[op.to].id,
                p.skus[op.other].id if op.other >= 0 else None,
                round(saved, 3),
                round(lab, 2),
            )
        )
    after = ev.mean(final)
    n = len(p.orders)
    return ReslotPlanResult(
        tuple(kept),
        before,
        after,
        before * n / days,
        after * n / days,
        full,
        tuple(curve),
        (time.perf_counter() - t0) * 1e3,
    )


def putaway_costs(
    p: OrderSlottingProblem, current: Mapping[str, str], sku: str, free: Sequence[str]
) -> dict[str, float]:
    """Metres a day (walking on the history's orders with ``sku`` in that slot, plus its replenishment) for each
    free slot that meets the rules: the objective of order slotting, for one new SKU or lot. SKUs in
    ``current`` keep their slots; orders' lines of unslotted SKUs are left out."""
    idx = {s.id: i for i, s in enumerate(p.skus)}
    if sku not in idx:
        raise InputError(f"sku {sku}: not among the SKUs")
    by_id = {loc.id: i for i, loc in enumerate(p.locations)}
    s = idx[sku]
    ok_slots = [f for f in free if f in by_id and _fits(p.skus[s], p.locations[by_id[f]])]
    if not ok_slots:
        return {}
    placed = {k: v for k, v in current.items() if k in idx and v in by_id and k != sku}
    keep = set(placed) | {sku}
    orders = [
        HistoryOrder(o.id, tuple(ln for ln in o.lines if ln[0] in keep))
        for o in p.orders
        if any(ln[0] == sku for ln in o.lines)
    ]
    ev = OrderEvaluator(p, orders)
    loc_of = np.zeros(len(p.skus), dtype=np.int64)
    for k, v in placed.items():
        loc_of[idx[k]] = by_id[v]
    cand = np.array([by_id[f] for f in ok_slots], dtype=np.int64)
    days = max(p.days, 1)
    n = ev.n_orders
    if n:
        order_ids = np.tile(np.arange(n, dtype=np.int64), len(cand))
        rows_cand = np.repeat(cand, n)
        walk = ev.routes_with(order_ids, loc_of, [(np.full(len(order_ids), s, dtype=np.int64), rows_cand)])
        per = walk.reshape(len(cand), n).sum(axis=1)
    else:
        per = np.zeros(len(cand))
    rep = p.replenishment_cost_m * ev.units[s] * p.skus[s].unit_m3 / ev.cap[cand]
    return {f: float(v) / days for f, v in zip(ok_slots, per + rep, strict=True)}
