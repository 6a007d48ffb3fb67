"""Order batching: group orders onto carts so that the total walk (metres) is smallest.

``seed-ls`` builds batches with a seed + savings rule (start from the order that is farthest to walk,
add the neighbour whose route adds the fewest metres) and improves them with a local search over
moves and swaps of orders between nearby batches, and a destroy-and-rebuild step, until the time
limit. Every batch is routed with the exact router. ``fcfs`` is the common-practice baseline.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.model import InputError, Layout, Position
from optimizer.routing import route

__all__ = ["BATCH_METHODS", "Batch", "BatchingResult", "Cart", "Order", "batch_orders"]

BATCH_METHODS = ("seed-ls", "fcfs")


@dataclass(frozen=True, slots=True)
class Order:
    """An order to pick: its pick positions, and optionally its volume (m³) and weight (kg)."""

    id: str
    picks: tuple[Position, ...]
    volume_m3: float = 0.0
    kg: float = 0.0


@dataclass(frozen=True, slots=True)
class Cart:
    """Cart limits: orders, lines (picks), and optionally volume (m³) and weight (kg)."""

    max_orders: int
    max_lines: int
    max_volume_m3: float | None = None
    max_kg: float | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """One cart's orders, its walk in metres and the visiting order as (order id, pick index)."""

    orders: tuple[str, ...]
    length_m: float
    sequence: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class BatchingResult:
    batches: tuple[Batch, ...]
    total_length_m: float
    method: str
    solve_ms: float


def check_cart(cart: Cart, orders: Sequence[Order]) -> None:
    """Raise InputError naming the first order (or limit) that makes the cart impossible."""
    if cart.max_orders < 1:
        raise InputError(f"cart: max_orders must be >= 1, got {cart.max_orders}")
    if cart.max_lines < 1:
        raise InputError(f"cart: max_lines must be >= 1, got {cart.max_lines}")
    for o in orders:
        if len(o.picks) > cart.max_lines:
            raise InputError(f"order {o.id}: {len(o.picks)} lines, more than the cart's max_lines {cart.max_lines}")
        if cart.max_volume_m3 is not None and o.volume_m3 > cart.max_volume_m3:
            raise InputError(f"order {o.id}: {o.volume_m3} m3, more than the cart's max_volume_m3")
        if cart.max_kg is not None and o.kg > cart.max_kg:
            raise InputError(f"order {o.id}: {o.kg} kg, more than the cart's max_kg")


class _Batcher:
    def __init__(self, layout: Layout, orders: Sequence[Order], cart: Cart) -> None:
        self.layout = layout
        self.orders = orders
        self.cart = cart
        self.memo: dict[frozenset[int], float] = {}
        n_a = layout.aisles
        # a cheap picture of each order for finding neighbours: per aisle, how deep it goes
        feat = np.zeros((len(orders), n_a + 1))
        for i, o in enumerate(orders):
            for p in o.picks:
                feat[i, p.aisle] = max(feat[i, p.aisle], p.y + 1.0)
            feat[i, n_a] = np.mean([layout.aisle_x[p.aisle] for p in o.picks]) if o.picks else 0.0
        self.feat = feat

    def cost(self, members: frozenset[int]) -> float:
        c = self.memo.get(members)
        if c is None:
            picks = [p for i in sorted(members) for p in self.orders[i].picks]
            c = route(self.layout, picks, time_limit_s=0.5).length_m
            self.memo[members] = c
        return c

    def fits(self, members: Sequence[int]) -> bool:
        cart = self.cart
        if len(members) > cart.max_orders:
            return False
        if sum(len(self.orders[i].picks) for i in members) > cart.max_lines:
            return False
        if cart.max_volume_m3 is not None and sum(self.orders[i].volume_m3 for i in members) > cart.max_volume_m3:
            return False
        return cart.max_kg is None or sum(self.orders[i].kg for i in members) <= cart.max_kg

    def construct(self, k_near: int, soft_deadline: float = float("inf")) -> list[list[int]]:
        """Seed + savings: seed = farthest single-order walk; add the order adding fewest metres (of the ``k_near``
        nearest by their aisle picture). Past ``soft_deadline`` it stops routing candidates and takes the nearest
        order that fits, so a big wave's construction stays within the time it was given."""
        n = len(self.orders)
        single = np.array([self.cost(frozenset([i])) for i in range(n)])
        free = np.ones(n, dtype=bool)
        batches: list[list[int]] = []
        order_by_cost = list(np.argsort(-single, kind="stable"))
        ptr = 0
        while free.any():
            while not free[order_by_cost[ptr]]:
                ptr += 1
            seed = int(order_by_cost[ptr])
            free[seed] = False
            members = [seed]
            while len(members) < self.cart.max_orders and free.any():
                idx = np.flatnonzero(free)
                centre = self.feat[members].max(axis=0)
                dist = np.abs(self.feat[idx] - centre).sum(axis=1)
                hurry = time.perf_counter() > soft_deadline
                near = idx[np.argsort(dist, kind="stable")[: k_near if not hurry else 4 * k_near]]
                if hurry:
                    best_j = next((int(j) for j in near if self.fits([*members, int(j)])), -1)
                    if best_j < 0:
                        break
                    members.append(best_j)
                    free[best_j] = False
                    continue
                base = self.cost(frozenset(members))
                best, best_j = float("inf"), -1
                for j in near:
                    cand = [*members, int(j)]
                    if not self.fits(cand):
                        continue
                    add = self.cost(frozenset(cand)) - base
                    if add < best:
                        best, best_j = add, int(j)
                if best_j < 0:
                    break
                members.append(best_j)
                free[best_j] = False
            batches.append(members)
        return batches

    def improve(self, batches: list[list[int]], deadline: float, rng: random.Random) -> list[list[int]]:
        """Moves and swaps between neighbouring batches, then destroy-and-rebuild, until ``deadline``."""
        if len(batches) < 2:
            return batches

        def centre(b: list[int]) -> npt.NDArray[np.float64]:
            return np.asarray(self.feat[b].max(axis=0), dtype=np.float64)

        improved_any = True
        while improved_any and time.perf_counter() < deadline:
            improved_any = False
            cents = np.array([centre(b) for b in batches])
            for bi in rng.sample(range(len(batches)), len(batches)):
                if time.perf_counter() >= deadline:
                    break
                d = np.abs(cents - cents[bi]).sum(axis=1)
                d[bi] = np.inf
                for bj in np.argsort(d)[: min(5, len(batches) - 1)]:
                    bj = int(bj)
                    if self._best_exchange(batches, bi, bj):
                        improved_any = True
                        cents[bi] = centre(batches[bi]) if batches[bi] else cents[bi]
                        cents[bj] = centre(batches[bj])
                    if time.perf_counter() >= deadline:
                        break
            batches = [b for b in batches if b]
        # destroy and rebuild: free the orders of a few related batches, rebuild, keep if better
        while time.perf_counter() < deadline and len(batches) >= 3:
            cents = np.array([centre(b) for b in batches])
            bi = rng.randrange(len(batches))
            d = np.abs(cents - cents[bi]).sum(axis=1)
            group = [int(x) for x in np.argsort(d)[: rng.randint(2, min(4, len(batches)))]]
            before = sum(self.cost(frozenset(batches[g])) for g in group)
            pool = [i for g in group for i in batches[g]]
            sub = _Batcher.__new__(_Batcher)
            sub.layout, sub.cart, sub.memo = self.layout, self.cart, {}
            sub.orders = [self.orders[i] for i in pool]
            # a little noise so each rebuild explores a different grouping
            noise = np.random.default_rng(rng.randrange(2**32)).uniform(0, 2.0, size=self.feat[pool].shape)
            sub.feat = self.feat[pool] + noise
            rebuilt = [[pool[i] for i in b] for b in sub.construct(k_near=8)]
            after = sum(self.cost(frozenset(b)) for b in rebuilt)
            if after < before - 1e-9 and len(rebuilt) <= len(group):
                batches = [b for g, b in enumerate(batches) if g not in group] + rebuilt
        return batches

    def _best_exchange(self, batches: list[list[int]], bi: int, bj: int) -> bool:
        a, b = batches[bi], batches[bj]
        base = self.cost(frozenset(a)) + self.cost(frozenset(b))
        best, best_ab = -1e-9, None
        options: list[tuple[list[int], list[int]]] = []
        for x in a:  # move x from a to b
            options.append(([y for y in a if y != x], [*b, x]))
        for x in a:
            for y in b:  # swap x and y
                options.append(([z for z in a if z != x] + [y], [z for z in b if z != y] + [x]))
        for na, nb in options:
            if not self.fits(nb) or not self.fits(na):
                continue
            c = (self.cost(frozenset(na)) if na else 0.0) + self.cost(frozenset(nb))
            if c - base < best:
                best, best_ab = c - base, (na, nb)
        if best_ab is None:
            return False
        batches[bi], batches[bj] = best_ab
        return True


def _fcfs(b: _Batcher) -> list[list[int]]:
    batches: list[list[int]] = []
    cur: list[int] = []
    for i in range(len(b.orders)):
        if cur and not b.fits([*cur, i]):
            batches.append(cur)
            cur = []
        cur.append(i)
    if cur:
        batches.append(cur)
    return batches


def batch_orders(
    layout: Layout,
    orders: Sequence[Order],
    cart: Cart,
    method: str = "seed-ls",
    time_limit_s: float = 10.0,
    seed: int = 0,
) -> BatchingResult:
    """Group ``orders`` onto carts; returns batches with their walks (metres) in ``solve_ms`` ms.

    ``fcfs`` fills carts in order and routes each batch S-shape; ``seed-ls`` (default) optimises
    batches within ``time_limit_s`` seconds and routes each batch optimally.
    """
    t0 = time.perf_counter()
    if method not in BATCH_METHODS:
        raise InputError(f"method: unknown batching method {method!r} (one of {', '.join(BATCH_METHODS)})")
    seen: set[str] = set()
    for o in orders:
        if o.id in seen:
            raise InputError(f"order {o.id}: listed twice")
        seen.add(o.id)
        if not o.picks:
            raise InputError(f"order {o.id}: no picks")
        for k, p in enumerate(o.picks):
            layout.check_position(p, f"order {o.id} pick {k}")
        if o.volume_m3 < 0 or o.kg < 0:
            raise InputError(f"order {o.id}: negative volume or weight")
    check_cart(cart, orders)
    b = _Batcher(layout, orders, cart)
    routing_method = "optimal"
    if method == "fcfs":
        groups = _fcfs(b)
        routing_method = "s-shape"
    else:
        deadline = t0 + time_limit_s
        k_near = 12 if len(orders) <= 500 else 4
        groups = b.construct(k_near, soft_deadline=t0 + 0.6 * time_limit_s)
        groups = b.improve(groups, deadline, random.Random(seed))
    out: list[Batch] = []
    for g in groups:
        g = sorted(g)
        refs = [(orders[i].id, k) for i in g for k in range(len(orders[i].picks))]
        picks = [orders[i].picks[k] for i in g for k in range(len(orders[i].picks))]
        r = route(layout, picks, routing_method, time_limit_s=0.5)
        out.append(Batch(tuple(orders[i].id for i in g), r.length_m, tuple(refs[j] for j in r.order)))
    total = sum(x.length_m for x in out)
    return BatchingResult(tuple(out), total, method, (time.perf_counter() - t0) * 1e3)
