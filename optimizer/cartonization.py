"""Cartonization: choose cartons for an order and place every unit in 3D (millimetres, kg).

``best`` tries, for the whole order, each carton type that could hold it by volume and weight
(cheapest first) with an extreme-point packer over all six orientations; if no single carton works
it splits the order greedily, filling the carton type that packs the most value per cost, and
finally keeps whichever of its answer and the ``first-fit`` baseline is better, so it never uses
more cartons than first-fit. ``check_packing`` is the independent geometric checker.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.model import InputError

__all__ = [
    "CARTON_METHODS",
    "CartonResult",
    "CartonType",
    "Item",
    "OrderItems",
    "PackedCarton",
    "PackedOrder",
    "Placement",
    "cartonize",
    "cartonize_order",
    "check_packing",
    "merge_lines",
]

CARTON_METHODS = ("best", "first-fit")

Dims = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class CartonType:
    """A carton from the catalogue: inner dimensions (mm), max weight (kg), cost."""

    id: str
    inner_mm: Dims
    max_kg: float
    cost: float

    @property
    def volume(self) -> int:
        return self.inner_mm[0] * self.inner_mm[1] * self.inner_mm[2]


@dataclass(frozen=True, slots=True)
class Item:
    """An order line: SKU, unit dimensions (mm), unit weight (kg), quantity."""

    sku: str
    dims_mm: Dims
    kg: float
    qty: int


@dataclass(frozen=True, slots=True)
class OrderItems:
    id: str
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Placement:
    """A unit placed as an axis-aligned box: lowest corner and dimensions (mm)."""

    sku: str
    pos_mm: Dims
    dims_mm: Dims


@dataclass(frozen=True, slots=True)
class PackedCarton:
    carton: str
    placements: tuple[Placement, ...]


@dataclass(frozen=True, slots=True)
class PackedOrder:
    """Cartons for one order, or ``reason`` when it cannot be packed."""

    id: str
    cartons: tuple[PackedCarton, ...]
    reason: str | None = None
    note: str | None = None  # e.g. that the time budget ran out and the first-fit packing is used


@dataclass(frozen=True, slots=True)
class _Unit:
    sku: str
    dims: Dims
    kg: float
    line: int = 0  # index of the order line (after merging) it comes from
    n: int = 0  # which unit of that line

    @property
    def volume(self) -> int:
        return self.dims[0] * self.dims[1] * self.dims[2]


def _rotations(d: Dims) -> list[Dims]:
    return sorted(set(itertools.permutations(d)))  # type: ignore[arg-type]


def _fits_alone(d: Dims, box: Dims) -> bool:
    return all(a <= b for a, b in zip(sorted(d), sorted(box), strict=True))


def _overlap(p: Dims, d: Dims, q: Dims, e: Dims) -> bool:
    return all(p[k] < q[k] + e[k] and q[k] < p[k] + d[k] for k in range(3))


def _inside(q: Dims, p: Dims, d: Dims) -> bool:
    """Whether point ``q`` lies in box (p, d), lower faces included: no unit can start there."""
    return all(p[k] <= q[k] < p[k] + d[k] for k in range(3))


class _Bin:
    """An open carton being filled by extreme-point placement."""

    def __init__(self, ctype: CartonType) -> None:
        self.ctype = ctype
        self.boxes: list[tuple[Dims, Dims, str]] = []
        self.units: list[_Unit] = []
        self.points: list[Dims] = [(0, 0, 0)]
        self.kg = 0.0

    def try_add(self, u: _Unit) -> bool:
        if self.kg + u.kg > self.ctype.max_kg + 1e-9:
            return False
        inner = self.ctype.inner_mm
        best: tuple[tuple[int, int, int, int], Dims, Dims] | None = None
        for p in self.points:
            for r in _rotations(u.dims):
                if any(p[k] + r[k] > inner[k] for k in range(3)):
                    continue
                if any(_overlap(p, r, q, e) for q, e, _ in self.boxes):
                    continue
                # lowest, then deepest, then leftmost; flattest orientation first (stable stacks)
                key = (p[2], p[1], p[0], r[2])
                if best is None or key < best[0]:
                    best = (key, p, r)
        if best is None:
            return False
        _, p, r = best
        self.boxes.append((p, r, u.sku))
        self.units.append(u)
        self.kg += u.kg
        self.points.remove(p)
        # extreme points that the new box covers can never take a unit again: drop them
        self.points = [q for q in self.points if not _inside(q, p, r)]
        for q in ((p[0] + r[0], p[1], p[2]), (p[0], p[1] + r[1], p[2]), (p[0], p[1], p[2] + r[2])):
            if q in self.points or any(q[k] >= inner[k] for k in range(3)):
                continue
            if any(_inside(q, b, e) for b, e, _ in self.boxes):
                continue
            self.points.append(q)
        return True

    def packed(self) -> PackedCarton:
        return PackedCarton(self.ctype.id, tuple(Placement(s, p, d) for p, d, s in self.boxes))


def merge_lines(order: OrderItems) -> OrderItems:
    """One line per SKU: lines with the same SKU, dimensions and kg are added up.

    Two lines naming one SKU with different dimensions or weight are an InputError naming the SKU.
    """
    merged: dict[str, Item] = {}
    for it in order.items:
        seen = merged.get(it.sku)
        if seen is None:
            merged[it.sku] = it
        elif seen.dims_mm != it.dims_mm or seen.kg != it.kg:
            raise InputError(
                f"order {order.id} sku {it.sku}: listed twice with different dimensions or weight "
                f"({'x'.join(map(str, seen.dims_mm))} mm {seen.kg} kg "
                f"vs {'x'.join(map(str, it.dims_mm))} mm {it.kg} kg)"
            )
        else:
            merged[it.sku] = Item(it.sku, it.dims_mm, it.kg, seen.qty + it.qty)
    if len(merged) == len(order.items):
        return order
    return OrderItems(order.id, tuple(merged.values()))


def _units(order: OrderItems) -> list[_Unit]:
    units = [_Unit(it.sku, it.dims_mm, it.kg, j, n) for j, it in enumerate(order.items) for n in range(max(it.qty, 0))]
    units.sort(key=lambda u: (-u.volume, -max(u.dims), u.sku, u.line, u.n))
    return units


def _validate(order: OrderItems, cartons: Sequence[CartonType]) -> str | None:
    """Return why the order cannot be packed, or None. Raises InputError on nonsense input."""
    for it in order.items:
        if it.qty < 0:
            raise InputError(f"order {order.id} sku {it.sku}: negative quantity {it.qty}")
        if any(d <= 0 for d in it.dims_mm) or it.kg < 0:
            raise InputError(f"order {order.id} sku {it.sku}: dimensions must be > 0 mm and kg >= 0")
        if it.qty and not any(_fits_alone(it.dims_mm, c.inner_mm) and it.kg <= c.max_kg for c in cartons):
            return (
                f"sku {it.sku} ({'x'.join(map(str, it.dims_mm))} mm, {it.kg} kg) is larger or heavier than every carton"
            )
    return None


def _first_fit(units: Sequence[_Unit], cartons: Sequence[CartonType]) -> list[_Bin]:
    """Baseline: each unit into the first open carton where it fits, else the cheapest that holds it."""
    bins: list[_Bin] = []
    by_cost = sorted(cartons, key=lambda c: (c.cost, c.volume))
    for u in units:
        if any(b.try_add(u) for b in bins):
            continue
        for c in by_cost:
            if _fits_alone(u.dims, c.inner_mm) and u.kg <= c.max_kg:
                b = _Bin(c)
                if b.try_add(u):
                    bins.append(b)
                    break
    return bins


class _OutOfTime(Exception):
    pass


def _check_time(deadline: float | None) -> None:
    if deadline is not None and time.perf_counter() > deadline:
        raise _OutOfTime


def _pack_all(units: Sequence[_Unit], ctype: CartonType, deadline: float | None = None) -> _Bin | None:
    b = _Bin(ctype)
    for u in units:
        _check_time(deadline)
        if not b.try_add(u):
            return None
    return b


def _best(units: Sequence[_Unit], cartons: Sequence[CartonType], deadline: float | None = None) -> list[_Bin]:
    by_cost = sorted(cartons, key=lambda c: (c.cost, c.volume))
    remaining = list(units)
    bins: list[_Bin] = []
    while remaining:
        vol = sum(u.volume for u in remaining)
        kg = sum(u.kg for u in remaining)
        whole = next(
            (
                b
                for c in by_cost
                if c.volume >= vol and c.max_kg >= kg
                for b in [_pack_all(remaining, c, deadline)]
                if b is not None
            ),
            None,
        )
        if whole is not None:
            bins.append(whole)
            break
        # no single carton: fill the type that packs the most unit volume per cost, then repeat
        best_bin: _Bin | None = None
        best_score = -1.0
        for c in by_cost:
            b = _Bin(c)
            for u in remaining:
                _check_time(deadline)
                b.try_add(u)
            if not b.boxes:
                continue
            score = sum(r[0] * r[1] * r[2] for _, r, _ in b.boxes) / c.cost
            if score > best_score:
                best_bin, best_score = b, score
        if best_bin is None:  # cannot happen after _validate; guard against an endless loop
            break
        bins.append(best_bin)
        placed = {(u.line, u.n) for u in best_bin.units}
        remaining = [u for u in remaining if (u.line, u.n) not in placed]
    return bins


def _cost(bins: Sequence[_Bin]) -> tuple[int, float]:
    return len(bins), sum(b.ctype.cost for b in bins)


def cartonize_order(
    order: OrderItems, cartons: Sequence[CartonType], method: str = "best", time_budget_s: float | None = 2.0
) -> PackedOrder:
    """Pack one order: fewest cartons, then lowest cost. Every packing passes ``check_packing``.

    ``best`` gets ``time_budget_s`` seconds (None: no limit); past it the first-fit packing is used
    and ``note`` says so.
    """
    if method not in CARTON_METHODS:
        raise InputError(f"method: unknown cartonization method {method!r} (one of {', '.join(CARTON_METHODS)})")
    order = merge_lines(order)
    reason = _validate(order, cartons)
    if reason:
        return PackedOrder(order.id, (), reason)
    units = _units(order)
    if not units:
        return PackedOrder(order.id, ())
    t0 = time.perf_counter()
    ff = _first_fit(units, cartons)
    bins = ff
    note: str | None = None
    if method == "best":
        deadline = None if time_budget_s is None else t0 + time_budget_s
        try:
            mine = _best(units, cartons, deadline)
        except _OutOfTime:
            note = f"time budget of {time_budget_s:g} s ran out: first-fit packing used"
        else:
            if _cost(mine) < _cost(ff):
                bins = mine
    packed = PackedOrder(order.id, tuple(b.packed() for b in bins), note=note)
    problem = check_packing(order, cartons, packed)
    if problem:  # never hand out a packing the checker rejects
        raise AssertionError(f"order {order.id}: internal packing error: {problem}")
    return packed


@dataclass(frozen=True, slots=True)
class CartonResult:
    orders: tuple[PackedOrder, ...]
    total_cartons: int
    total_cost: float
    fill: float
    solve_ms: float
    order_ms: tuple[float, ...]


def cartonize(
    orders: Sequence[OrderItems],
    cartons: Sequence[CartonType],
    method: str = "best",
    time_budget_s: float | None = 2.0,
) -> CartonResult:
    """Pack every order; ``fill`` is item volume over carton volume over all cartons (0..1)."""
    t0 = time.perf_counter()
    if not cartons:
        raise InputError("cartons: the catalogue is empty")
    ids: set[str] = set()
    for c in cartons:
        if c.id in ids:
            raise InputError(f"carton {c.id}: listed twice")
        ids.add(c.id)
        if any(d <= 0 for d in c.inner_mm) or c.max_kg <= 0 or c.cost < 0:
            raise InputError(f"carton {c.id}: dimensions and max_kg must be > 0, cost >= 0")
    out: list[PackedOrder] = []
    times: list[float] = []
    for o in orders:
        t = time.perf_counter()
        out.append(cartonize_order(o, cartons, method, time_budget_s))
        times.append((time.perf_counter() - t) * 1e3)
    by_id = {c.id: c for c in cartons}
    n = sum(len(p.cartons) for p in out)
    cost = sum(by_id[pc.carton].cost for p in out for pc in p.cartons)
    cvol = sum(by_id[pc.carton].volume for p in out for pc in p.cartons)
    ivol = sum(pl.dims_mm[0] * pl.dims_mm[1] * pl.dims_mm[2] for p in out for pc in p.cartons for pl in pc.placements)
    return CartonResult(
        tuple(out),
        n,
        round(cost, 6),
        ivol / cvol if cvol else 0.0,
        (time.perf_counter() - t0) * 1e3,
        tuple(times),
    )


def check_packing(order: OrderItems, cartons: Sequence[CartonType], packed: PackedOrder) -> str | None:
    """Independent geometric check of one order's packing; returns the first problem or None.

    Checks: every unit placed exactly once, dims a rotation of the item's, inside the carton,
    no two boxes overlapping (positive-volume intersection), carton weight within ``max_kg``.
    """
    if packed.reason is not None:
        return None if not packed.cartons else "an order with a reason must have no cartons"
    by_id = {c.id: c for c in cartons}
    order = merge_lines(order)  # one line per SKU, so units are counted per line
    items = {it.sku: it for it in order.items}
    count: dict[str, int] = {}
    for pc in packed.cartons:
        c = by_id.get(pc.carton)
        if c is None:
            return f"unknown carton {pc.carton}"
        kg = 0.0
        for i, pl in enumerate(pc.placements):
            it = items.get(pl.sku)
            if it is None:
                return f"sku {pl.sku} is not in the order"
            if sorted(pl.dims_mm) != sorted(it.dims_mm):
                return f"sku {pl.sku}: {pl.dims_mm} is not a rotation of {it.dims_mm}"
            if any(pl.pos_mm[k] < 0 or pl.pos_mm[k] + pl.dims_mm[k] > c.inner_mm[k] for k in range(3)):
                return f"sku {pl.sku} at {pl.pos_mm} sticks out of carton {c.id}"
            for other in pc.placements[i + 1 :]:
                if _overlap(pl.pos_mm, pl.dims_mm, other.pos_mm, other.dims_mm):
                    return f"sku {pl.sku} at {pl.pos_mm} overlaps sku {other.sku} at {other.pos_mm}"
            kg += it.kg
            count[pl.sku] = count.get(pl.sku, 0) + 1
        if kg > c.max_kg + 1e-9:
            return f"carton {c.id} holds {kg:.2f} kg, over its {c.max_kg} kg"
    for it in order.items:
        if count.get(it.sku, 0) != it.qty:
            return f"sku {it.sku}: {count.get(it.sku, 0)} placed, {it.qty} ordered"
    return None
