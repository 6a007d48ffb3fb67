"""Exact single-block order routes for thousands of orders at once (Ratliff–Rosenthal, vectorised).

A single-block warehouse has a front (y = 0) and a back (y = L) cross aisle. The shortest closed walk
depot → every pick of an order → depot is found by the Ratliff–Rosenthal sweep over the aisles, left
to right: after each aisle the partial walk is summarised by the degree parity of the aisle's front
and back corner (absent, even, odd) and whether the two are connected. The transition table between
these states is derived once per layout by a small symbolic union–find (no hand-written table), and
then applied to a whole batch of orders with numpy: one ``minimum`` per transition and aisle. Layouts
with more cross aisles fall back to the exact DP of :mod:`optimizer.routing`, one order at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.model import InputError, Layout, Position
from optimizer.routing import route

__all__ = ["BatchRouter"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_EPS = 1e-9
# vertical options in one aisle: (degree added at front corner, at back corner, joins the corners,
# needs the front corner, needs the back corner)
_NONE, _T1, _T2, _FRONT, _BACK, _BOTH = range(6)
_VERT = {
    _NONE: (0, 0, False, False, False),
    _T1: (1, 1, True, False, False),  # one traversal
    _T2: (2, 2, True, False, False),  # two traversals
    _FRONT: (0, 0, False, True, False),  # in from the front to the deepest pick and back
    _BACK: (0, 0, False, False, True),  # in from the back to the shallowest pick and back
    _BOTH: (0, 0, False, True, True),  # from both ends, leaving out the largest gap between picks
}
_ABSENT, _EVEN, _ODD = 0, 1, 2
_State = tuple[int, int, bool]  # (front corner class, back corner class, corners connected)
_EMPTY: _State = (_ABSENT, _ABSENT, False)
_CLOSED: _State = (_ABSENT, _ABSENT, True)  # the walk is complete; nothing may be added


def _step(s: _State, t: int, u: int, v: int, need_a: bool, need_b: bool) -> _State | None:
    """State after adding ``t`` front / ``u`` back cross-aisle edges to the next aisle and option ``v``."""
    if s == _CLOSED:
        ok = t == u == 0 and v == _NONE and not need_a and not need_b
        return _CLOSED if ok else None
    pa, pb, conn = s
    for cls, mult in ((pa, t), (pb, u)):  # the left corners are final now: even degree, no spurs
        if (cls == _ABSENT and mult > 0) or (cls == _ODD and mult != 1) or (cls == _EVEN and mult == 1):
            return None
    da, db, joins, va, vb = _VERT[v]
    pres_a = t > 0 or da > 0 or va or need_a
    pres_b = u > 0 or db > 0 or vb or need_b
    parent = [0, 1, 2, 3]  # old front, old back, new front, new back

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    def union(x: int, y: int) -> None:
        parent[find(x)] = find(y)

    if pa != _ABSENT and pb != _ABSENT and conn:
        union(0, 1)
    if t:
        union(0, 2)
    if u:
        union(1, 3)
    if joins:
        union(2, 3)
    old = {find(x) for x, c in ((0, pa), (1, pb)) if c != _ABSENT}
    new = {find(x) for x, p in ((2, pres_a), (3, pres_b)) if p}
    ended = old - new
    if ended:
        # a component that stops here must be the whole walk
        if len(ended) > 1 or new or len(old) > 1:
            return None
        return _CLOSED
    na = (_ODD if (t + da) % 2 else _EVEN) if pres_a else _ABSENT
    nb = (_ODD if (u + db) % 2 else _EVEN) if pres_b else _ABSENT
    return (na, nb, pres_a and pres_b and find(2) == find(3))


@dataclass(frozen=True, slots=True)
class _Trans:
    src: int
    dst: int
    mult: int  # t + u cross-aisle edges (each the gap to the previous aisle)
    v: int


def _table(need_a: bool, need_b: bool, only_none: bool) -> tuple[list[_State], list[_Trans]]:
    """Every reachable state and transition for an aisle (the depot's corner must be in the walk)."""
    states: list[_State] = [_EMPTY, _CLOSED]
    seen = {_EMPTY: 0, _CLOSED: 1}
    todo = [_EMPTY]
    while todo:  # the closure over all aisle kinds, so one state numbering serves the whole layout
        s = todo.pop()
        for t in range(3):
            for u in range(3):
                for v in _VERT:
                    for na, nb in ((False, False), (True, False), (False, True)):
                        d = _step(s, t, u, v, na, nb)
                        if d is not None and d not in seen:
                            seen[d] = len(states)
                            states.append(d)
                            todo.append(d)
    trans: list[_Trans] = []
    for s in states:
        for t in range(3):
            for u in range(3):
                for v in (_NONE,) if only_none else tuple(_VERT):
                    d = _step(s, t, u, v, need_a, need_b)
                    if d is not None:
                        trans.append(_Trans(seen[s], seen[d], t + u, v))
    return states, trans


class BatchRouter:
    """Shortest closed walks (metres) depot → locations → depot for many orders in one call.

    ``aisle`` / ``y`` give each location's aisle index and depth (metres from the front).
    """

    def __init__(self, layout: Layout, aisle: Sequence[int], y: Sequence[float]) -> None:
        self.layout = layout
        self.aisle = np.asarray(aisle, dtype=np.int64)
        self.y = np.asarray(y, dtype=np.float64)
        self.single_block = layout.blocks == 1
        self._memo: dict[frozenset[int], float] = {}
        if not self.single_block:
            return
        self.length = layout.length
        xs = list(layout.aisle_x)
        depot = layout.depot
        self.col_of_aisle = np.arange(len(xs), dtype=np.int64)
        virtual: int | None = None
        if not any(abs(depot.x - x) <= 1e-6 for x in xs):
            # the depot sits on a cross aisle between (or beside) aisles: a column without an aisle
            virtual = sum(x < depot.x for x in xs)
            xs.insert(virtual, depot.x)
            self.col_of_aisle = np.array([a + (a >= virtual) for a in range(layout.aisles)], dtype=np.int64)
        self.xs = np.array(xs)
        depot_col = virtual if virtual is not None else min(range(len(xs)), key=lambda c: abs(xs[c] - depot.x))
        front = abs(depot.y) <= 1e-6
        self.cols: list[list[_Trans]] = []
        self.states: list[_State] = []
        for c in range(len(xs)):
            states, trans = _table(c == depot_col and front, c == depot_col and not front, c == virtual)
            if c == 0:
                trans = [tr for tr in trans if tr.mult == 0]  # nothing to the left of the first aisle
            self.cols.append(trans)
            self.states = states
        self.closed = self.states.index(_CLOSED)
        # after the last aisle the walk must close: even corners in one component
        self.final = [
            i for i, s in enumerate(self.states) if s == _CLOSED or _step(s, 0, 0, _NONE, False, False) == _CLOSED
        ]

    def lengths(self, order_of_line: IntArray, loc_of_line: IntArray, n_orders: int) -> FloatArray:
        """Route metres of ``n_orders`` orders; line k of order ``order_of_line[k]`` is at ``loc_of_line[k]``."""
        order_of_line = np.asarray(order_of_line, dtype=np.int64)
        loc_of_line = np.asarray(loc_of_line, dtype=np.int64)
        if n_orders == 0:
            return np.zeros(0)
        if not self.single_block:
            return self._fallback(order_of_line, loc_of_line, n_orders)
        n_cols = len(self.xs)
        col = self.col_of_aisle[self.aisle[loc_of_line]]
        ys = self.y[loc_of_line]
        key = order_of_line * n_cols + col
        idx = np.lexsort((ys, key))
        key, ys = key[idx], ys[idx]
        gap = np.zeros(len(ys))
        if len(ys) > 1:
            same = key[1:] == key[:-1]
            gap[1:] = np.where(same, ys[1:] - ys[:-1], 0.0)
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
        gkey = key[starts]
        ymin = np.full((n_cols, n_orders), np.inf)
        ymax = np.full((n_cols, n_orders), np.inf)
        inner = np.full((n_cols, n_orders), np.inf)
        has = np.zeros((n_cols, n_orders), dtype=bool)
        if len(starts):
            go, gc = gkey // n_cols, gkey % n_cols
            has[gc, go] = True
            ymin[gc, go] = ys[starts]
            ymax[gc, go] = np.maximum.reduceat(ys, starts)
            inner[gc, go] = np.maximum.reduceat(gap, starts)
        big_l = self.length
        dp = np.full((len(self.states), n_orders), np.inf)
        dp[self.states.index(_EMPTY)] = 0.0
        prev_x = self.xs[0]
        for c in range(n_cols):
            w = self.xs[c] - prev_x
            prev_x = self.xs[c]
            hc, yc = has[c], ymax[c]
            vcost = {
                _NONE: np.where(hc, np.inf, 0.0),
                _T1: np.full(n_orders, big_l),
                _T2: np.full(n_orders, 2 * big_l),
                _FRONT: np.where(hc, 2 * yc, np.inf),
                _BACK: np.where(hc, 2 * (big_l - ymin[c]), np.inf),
                _BOTH: np.where(hc, 2 * (big_l - np.where(hc, inner[c], 0.0)), np.inf),
            }
            new = np.full_like(dp, np.inf)
            for tr in self.cols[c]:
                np.minimum(new[tr.dst], dp[tr.src] + (tr.mult * w + vcost[tr.v]), out=new[tr.dst])
            dp = new
        out: FloatArray = dp[self.final].min(axis=0)
        # an order whose picks all sit at the depot corner (none here) would stay at 0: correct
        return out

    def _fallback(self, order_of_line: IntArray, loc_of_line: IntArray, n_orders: int) -> FloatArray:
        out = np.zeros(n_orders)
        groups: list[set[int]] = [set() for _ in range(n_orders)]
        for o, loc in zip(order_of_line.tolist(), loc_of_line.tolist(), strict=True):
            groups[o].add(loc)
        for o, g in enumerate(groups):
            if not g:
                continue
            key = frozenset(g)
            d = self._memo.get(key)
            if d is None:
                picks = [Position(int(self.aisle[i]), float(self.y[i])) for i in sorted(g)]
                res = route(self.layout, picks, time_limit_s=2.0)
                if not res.optimal:
                    raise InputError(f"route: no proven shortest walk for {len(picks)} picks within the time limit")
                d = res.length_m
                if len(self._memo) < 200_000:
                    self._memo[key] = d
            out[o] = d
        return out
