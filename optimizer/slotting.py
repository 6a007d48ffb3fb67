"""Slotting: which location each SKU (or a received pallet) goes to, and re-slotting a zone.

Objective: expected walking metres per order line, the pick-weighted mean of the round trip
depot → location → depot. Rules: the location holds the SKU's cube, a unit over 15 kg goes only
on level 0, unit weight within the location's ``max_kg``, and zone / owner / type must match when
the SKU names them. ``optimal`` solves the assignment exactly as a min-cost flow (OR-Tools);
``coi`` (Heskett's cube-per-order index) and ``abc`` (class-based) are the classic rules,
``random`` the baseline.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from optimizer.model import InputError, Layout, Point, Position

__all__ = [
    "HEAVY_KG",
    "SLOT_METHODS",
    "Move",
    "PutawayChoice",
    "ReslotPlan",
    "SlotCandidate",
    "SlotLocation",
    "SlotSku",
    "SlottingResult",
    "choose_location",
    "expected_m_per_line",
    "reslot",
    "round_trip_m",
    "slot",
]

HEAVY_KG = 15.0  # a unit heavier than this is stored on level 0 only (safe lifting)
SLOT_METHODS = ("optimal", "coi", "abc", "random")


@dataclass(frozen=True, slots=True)
class SlotLocation:
    """A storage location: position (aisle, y metres), level, capacity (m³), max weight (kg)."""

    id: str
    aisle: int
    y: float
    level: int
    capacity_m3: float
    max_kg: float
    zone: str | None = None
    owner: str | None = None
    type: str | None = None


@dataclass(frozen=True, slots=True)
class SlotSku:
    """A SKU to slot: picks (order lines) a day, cube to store (m³), unit weight (kg)."""

    id: str
    picks_per_day: float
    cube_m3: float
    kg: float
    zone: str | None = None
    owner: str | None = None
    type: str | None = None


@dataclass(frozen=True, slots=True)
class SlottingResult:
    assignment: dict[str, str]
    expected_m_per_line: float
    method: str
    solve_ms: float
    bound_m_per_line: float | None = None


def _feasible_reason(s: SlotSku, loc: SlotLocation) -> str | None:
    """Why ``loc`` cannot hold ``s`` (None if it can)."""
    if loc.capacity_m3 + 1e-12 < s.cube_m3:
        return "capacity"
    if s.kg > HEAVY_KG and loc.level != 0:
        return "heavy item above level 0"
    if s.kg > loc.max_kg:
        return "weight"
    if s.zone is not None and loc.zone != s.zone:
        return "zone"
    if s.owner is not None and loc.owner not in (None, s.owner):
        return "owner"
    if s.type is not None and loc.type != s.type:
        return "type"
    return None


def _feasible_matrix(skus: Sequence[SlotSku], locs: Sequence[SlotLocation]) -> npt.NDArray[np.bool_]:
    cap = np.array([loc.capacity_m3 for loc in locs])
    lvl = np.array([loc.level for loc in locs])
    mkg = np.array([loc.max_kg for loc in locs])
    cube = np.array([s.cube_m3 for s in skus])
    kg = np.array([s.kg for s in skus])
    ok = (cap[None, :] + 1e-12 >= cube[:, None]) & (kg[:, None] <= mkg[None, :])
    ok &= ~((kg[:, None] > HEAVY_KG) & (lvl[None, :] != 0))
    # zone / owner / type rules are rare: check them only for the SKUs that name one
    for i, s in enumerate(skus):
        if s.zone is not None or s.owner is not None or s.type is not None:
            ok[i] = [_feasible_reason(s, loc) is None for loc in locs]
    return ok


def round_trip_m(layout: Layout, locs: Sequence[SlotLocation], depot: Point | None = None) -> npt.NDArray[np.float64]:
    """Metres of depot → location → depot for each location."""
    d = depot or layout.depot
    return np.array([2 * layout.point_distance(d, Position(loc.aisle, loc.y)) for loc in locs])


def _validate(layout: Layout, locs: Sequence[SlotLocation], skus: Sequence[SlotSku]) -> None:
    ids: set[str] = set()
    for loc in locs:
        if loc.id in ids:
            raise InputError(f"location {loc.id}: listed twice")
        ids.add(loc.id)
        layout.check_position(Position(loc.aisle, loc.y), f"location {loc.id}")
        if loc.capacity_m3 < 0 or loc.max_kg < 0 or loc.level < 0:
            raise InputError(f"location {loc.id}: negative capacity, weight or level")
    sids: set[str] = set()
    for s in skus:
        if s.id in sids:
            raise InputError(f"sku {s.id}: listed twice")
        sids.add(s.id)
        if s.picks_per_day < 0 or s.cube_m3 < 0 or s.kg < 0:
            raise InputError(f"sku {s.id}: negative picks_per_day, cube_m3 or kg")
    if len(skus) > len(locs):
        raise InputError(f"skus: {len(skus)} SKUs but only {len(locs)} locations")


def _mean_m(skus: Sequence[SlotSku], dist: npt.NDArray[np.float64], assign: Sequence[int]) -> float:
    w = np.array([s.picks_per_day for s in skus])
    tot = w.sum()
    if tot <= 0:
        return 0.0
    return float((w * dist[np.array(assign, dtype=int)]).sum() / tot) if len(assign) else 0.0


def _greedy(
    order: Sequence[int], ok: npt.NDArray[np.bool_], dist: npt.NDArray[np.float64], skus: Sequence[SlotSku]
) -> list[int]:
    """Each SKU in ``order`` takes the nearest free feasible location."""
    by_dist = np.argsort(dist, kind="stable")
    free = np.ones(len(dist), dtype=bool)
    assign = [-1] * len(skus)
    for i in order:
        cand = by_dist[ok[i][by_dist] & free[by_dist]]
        if not len(cand):
            raise InputError(f"sku {skus[i].id}: no free location meets its capacity/weight/zone rules")
        assign[i] = int(cand[0])
        free[cand[0]] = False
    return assign


def _optimal(ok: npt.NDArray[np.bool_], dist: npt.NDArray[np.float64], skus: Sequence[SlotSku]) -> list[int]:
    """Exact assignment as a min-cost flow: SKU → feasible location → sink."""
    n, m = ok.shape
    w = np.array([s.picks_per_day for s in skus])
    si, lj = np.nonzero(ok)
    # integer costs: picks x metres at 1e-3 resolution keeps the optimum exact to well below 0.01 %
    cost = np.round(w[si] * dist[lj] * 1000).astype(np.int64)
    mcf = min_cost_flow.SimpleMinCostFlow()
    sink = n + m
    tails = np.concatenate([si, n + np.arange(m)]).astype(np.int32)
    heads = np.concatenate([n + lj, np.full(m, sink)]).astype(np.int32)
    caps = np.ones(len(tails), dtype=np.int64)
    costs = np.concatenate([cost, np.zeros(m, dtype=np.int64)])
    arcs = mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(n + m + 1, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    mcf.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), supplies)
    if mcf.solve() != mcf.OPTIMAL:
        bad = next((skus[i].id for i in range(n) if not ok[i].any()), None)
        raise InputError(f"sku {bad}: no location meets its rules" if bad else "skus: no assignment meets every rule")
    flows = mcf.flows(arcs[: len(si)])
    assign = [-1] * n
    for k in np.flatnonzero(flows):
        assign[int(si[k])] = int(lj[k])
    return assign


def slot(
    layout: Layout,
    locations: Sequence[SlotLocation],
    skus: Sequence[SlotSku],
    method: str = "optimal",
    seed: int = 0,
) -> SlottingResult:
    """Dedicated storage: one location per SKU. Returns the assignment and metres per line."""
    t0 = time.perf_counter()
    if method not in SLOT_METHODS:
        raise InputError(f"method: unknown slotting method {method!r} (one of {', '.join(SLOT_METHODS)})")
    _validate(layout, locations, skus)
    dist = round_trip_m(layout, locations)
    ok = _feasible_matrix(skus, locations)
    for i, s in enumerate(skus):
        if not ok[i].any():
            raise InputError(f"sku {s.id}: no location meets its capacity/weight/level rules")
    n = len(skus)
    if method == "optimal":
        assign = _optimal(ok, dist, skus)
    elif method == "coi":
        # cube-per-order index: small space per pick first gets the nearest location
        order = sorted(range(n), key=lambda i: skus[i].cube_m3 / max(skus[i].picks_per_day, 1e-9))
        assign = _greedy(order, ok, dist, skus)
    elif method == "abc":
        # class-based: A (top 20 % by picks), B (next 30 %), C; within a class, heaviest first
        ranked = sorted(range(n), key=lambda i: -skus[i].picks_per_day)
        cls = {i: (0 if r < 0.2 * n else 1 if r < 0.5 * n else 2) for r, i in enumerate(ranked)}
        order = sorted(range(n), key=lambda i: (cls[i], -skus[i].kg, -skus[i].cube_m3))
        assign = _greedy(order, ok, dist, skus)
    else:
        rng = random.Random(seed)
        order = list(range(n))
        rng.shuffle(order)
        # random among feasible: shuffle distances so "nearest free" means "any free"
        fake = np.array([rng.random() for _ in range(len(locations))])
        # place the hardest-to-fit SKUs first so a random assignment exists whenever one does
        order.sort(key=lambda i: int(ok[i].sum()))
        assign = _greedy(order, ok, fake, skus)
    mean = _mean_m(skus, dist, assign)
    return SlottingResult(
        {skus[i].id: locations[assign[i]].id for i in range(n)},
        mean,
        method,
        (time.perf_counter() - t0) * 1e3,
        mean if method == "optimal" else None,
    )


def expected_m_per_line(
    layout: Layout, locations: Sequence[SlotLocation], skus: Sequence[SlotSku], assignment: Mapping[str, str]
) -> float:
    """Pick-weighted mean round trip (metres) of an assignment; checks every rule on the way."""
    by_id = {loc.id: i for i, loc in enumerate(locations)}
    dist = round_trip_m(layout, locations)
    used: set[str] = set()
    idx: list[int] = []
    for s in skus:
        lid = assignment.get(s.id)
        if lid is None:
            raise InputError(f"sku {s.id}: not assigned")
        if lid not in by_id:
            raise InputError(f"sku {s.id}: unknown location {lid}")
        if lid in used:
            raise InputError(f"location {lid}: holds two SKUs")
        used.add(lid)
        why = _feasible_reason(s, locations[by_id[lid]])
        if why:
            raise InputError(f"sku {s.id}: location {lid} breaks the {why} rule")
        idx.append(by_id[lid])
    return _mean_m(skus, dist, idx)


# -- the generic API the server uses --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotCandidate:
    """A candidate location for putaway: round-trip metres from the depot, free space (m³), rules."""

    id: str
    distance_m: float
    free_m3: float
    max_kg: float
    level: int = 0
    zone: str | None = None
    owner: str | None = None
    type: str | None = None


@dataclass(frozen=True, slots=True)
class PutawayChoice:
    """The chosen location id, or None with the reason no candidate fits."""

    location_id: str | None
    reason: str | None = None


def choose_location(
    item: SlotSku, candidates: Sequence[SlotCandidate], demand_percentile: float = 0.5
) -> PutawayChoice:
    """Choose a location for a received SKU / pallet (``item.cube_m3`` m³, ``item.kg`` kg a unit).

    Only candidates meeting capacity, weight, heavy-low, zone, owner and type rules qualify. A fast
    mover (``demand_percentile`` near 1) goes to the nearest; a slow mover to a location whose
    distance rank matches its demand, so near locations stay free for fast movers (class-based).
    """
    reasons: dict[str, int] = {}
    ok: list[SlotCandidate] = []
    for c in candidates:
        as_loc = SlotLocation(c.id, 0, 0.0, c.level, c.free_m3, c.max_kg, c.zone, c.owner, c.type)
        why = _feasible_reason(item, as_loc)
        if why is None:
            ok.append(c)
        else:
            reasons[why] = reasons.get(why, 0) + 1
    if not ok:
        if not candidates:
            return PutawayChoice(None, f"sku {item.id}: no candidate locations")
        worst = max(reasons, key=reasons.__getitem__)
        return PutawayChoice(None, f"sku {item.id}: no candidate meets the rules (mostly: {worst})")
    ranked = sorted(candidates, key=lambda c: c.distance_m)
    rank = {c.id: r / max(len(ranked) - 1, 1) for r, c in enumerate(ranked)}
    target = 1.0 - min(max(demand_percentile, 0.0), 1.0)
    best = min(
        ok,
        key=lambda c: (
            round(abs(rank[c.id] - target), 2),
            # heavy items low, then the tightest fit (keeps big slots for big items)
            c.level if item.kg > HEAVY_KG / 3 else 0,
            c.free_m3 - item.cube_m3,
            c.distance_m,
        ),
    )
    return PutawayChoice(best.id)


@dataclass(frozen=True, slots=True)
class Move:
    """Move ``sku`` from ``from_id`` to ``to_id`` (``from_id`` None: not slotted yet)."""

    sku: str
    from_id: str | None
    to_id: str


@dataclass(frozen=True, slots=True)
class ReslotPlan:
    assignment: dict[str, str]
    moves: tuple[Move, ...]
    m_per_line_before: float | None  # None when some SKU had no location before
    m_per_line_after: float


def reslot(
    layout: Layout,
    locations: Sequence[SlotLocation],
    skus: Sequence[SlotSku],
    current: Mapping[str, str],
    max_moves: int | None = None,
) -> ReslotPlan:
    """Re-slot a zone: the optimal assignment, the moves to get there (metres per line before/after).

    Moves are ordered so each destination is empty when used; a cycle goes through a free location.
    ``max_moves`` keeps only the most valuable moves (by metres saved a day).
    """
    by_sku = {s.id: s for s in skus}
    loc_ids = {loc.id for loc in locations}
    seen: dict[str, str] = {}
    for s, lid in current.items():
        if s not in by_sku:
            raise InputError(f"reslot: current sku {s} is not among the SKUs of the zone")
        if lid not in loc_ids:
            raise InputError(f"reslot: sku {s} is in unknown location {lid}")
        if lid in seen:
            raise InputError(f"reslot: location {lid} holds two SKUs ({seen[lid]} and {s})")
        seen[lid] = s
    if max_moves is not None and max_moves < 0:
        raise InputError(f"reslot: max_moves must be >= 0, got {max_moves}")
    res = slot(layout, locations, skus, "optimal")
    opt = dict(res.assignment)
    target = dict(opt)
    dist = dict(zip((loc.id for loc in locations), round_trip_m(layout, locations), strict=True))
    if max_moves is not None:
        holder0 = {lid: s for s, lid in current.items()}

        def closure(start: str, moving: set[str]) -> set[str]:
            """``start`` plus every SKU it displaces (transitively) when all go to the optimum."""
            out = {start}
            todo = [start]
            while todo:
                x = holder0.get(opt[todo.pop()])
                if x is not None and x not in moving and x not in out:
                    out.add(x)
                    todo.append(x)
            return out

        # unslotted SKUs must get a location whatever max_moves says
        moving: set[str] = set()
        for s in by_sku:
            if s not in current:
                moving |= closure(s, moving)
        gains = sorted(
            (
                (by_sku[s].picks_per_day * (dist.get(current.get(s, ""), 0.0) - dist[t]), s)
                for s, t in opt.items()
                if current.get(s) != t and s not in moving
            ),
            reverse=True,
        )
        for _, s in gains:
            if s in moving:
                continue
            extra = closure(s, moving)
            if len(moving) + len(extra) <= max_moves:
                moving |= extra
        target = {s: (opt[s] if s in moving or s not in current else current[s]) for s in by_sku}
        if len(set(target.values())) != len(target):  # cannot happen: the closure keeps it one SKU a location
            raise AssertionError(f"reslot: max_moves produced a double assignment {target}")
    complete = all(sk.id in current for sk in skus)
    before = expected_m_per_line(layout, locations, skus, current) if complete else None
    after = expected_m_per_line(layout, locations, skus, target)
    holder = {loc: s for s, loc in current.items()}
    # SKUs already slotted move first (cycles need a free location); new SKUs only fill locations
    pending = {s: t for s, t in target.items() if s in current and current[s] != t}
    where = dict(current)
    moves: list[Move] = []
    while pending:
        progress = False
        for s, t in list(pending.items()):
            if t not in holder:
                src = where.get(s)
                moves.append(Move(s, src, t))
                if src is not None:
                    del holder[src]
                holder[t] = s
                where[s] = t
                del pending[s]
                progress = True
        if not progress:  # a cycle: park one SKU in a location that is free now
            s = next(iter(pending))
            free_ids = [loc.id for loc in locations if loc.id not in holder]
            if not free_ids:
                raise InputError("reslot: a swap cycle needs one free location and none is left")
            spare = free_ids[0]
            src = where[s]
            moves.append(Move(s, src, spare))
            del holder[src]
            holder[spare] = s
            where[s] = spare
    for s, t in target.items():
        if s not in current:  # its destination is no other SKU's current or final location
            moves.append(Move(s, None, t))
            holder[t] = s
    return ReslotPlan(target, tuple(moves), before, after)
