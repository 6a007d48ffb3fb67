"""Pick routing: the shortest walk from the depot through a set of pick positions (metres).

``optimal`` is an exact dynamic program over the aisles (Ratliff & Rosenthal 1983 for one block,
generalised to any number of cross aisles as in Roodbergen & de Koster 2001 / Pansart et al. 2018):
it sweeps the layout column by column and keeps, for the nodes on the sweep frontier, each node's
degree parity and which nodes are already joined. An aisle segment between two cross aisles is
walked in one of the classic ways (not at all, once through, twice through, from one end and back,
or from both ends leaving the largest gap), so the state space stays small.

Baselines (``s-shape``, ``return``, ``midpoint``, ``largest-gap``, ``combined``) follow Roodbergen &
de Koster 2001: up the leftmost pick aisle to the farthest block, then block by block towards the
front, each block swept with the method's aisle rule (on one block these are the classic single-block
heuristics). Each produces a visiting order; its ``length_m`` is the shortest grid walk through that
order (``tour_length``), as the answer format defines it — never longer than the literal heuristic
walk, so the savings reported against baselines are conservative.

With three or more blocks the exact DP grows quickly; ``time_limit_s`` bounds it, and a 2-opt /
or-opt local search (with kicks) supplies both the pruning bound and the fallback answer.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from optimizer.model import InputError, Layout, Point, Position, cache_for, tour_length

__all__ = ["METHODS", "RouteResult", "route"]

_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class RouteResult:
    """A route: ``order`` indexes the input picks; ``length_m`` in metres; ``solve_ms`` milliseconds."""

    order: tuple[int, ...]
    length_m: float
    method: str
    optimal: bool
    solve_ms: float
    bound_m: float | None = None  # proven lower bound in metres, when the method has one


# --------------------------------------------------------------------------------------------
# the exact sweep dynamic program
# --------------------------------------------------------------------------------------------

# an option for an edge step: (deg added to u, deg added to v, joins u and v, metres, kind)
_Opt = tuple[int, int, bool, float, str]
_State = tuple[int, ...]

_MISS: _State = (-1,)  # sentinel: "not cached yet" (no real state starts with -1)
# transition caches shared by every call: the state space depends only on the number of cross
# aisles, so after a few requests every transition is a dictionary hit
# edge steps: (frontier positions, option shapes) -> state -> [(next state, option index)]
_EDGE_CACHE: dict[tuple[int, int, tuple[tuple[int, int, bool], ...]], dict[_State, list[tuple[_State, int]]]] = {}
_FORGET_CACHE: dict[tuple[int, int, bool], dict[_State, _State | None]] = {}


def _canon(s: list[int]) -> _State:
    """Relabel components in order of first appearance so equal states compare equal."""
    mapping: dict[int, int] = {}
    for i in range(2, len(s), 2):
        if s[i - 1]:
            lab = s[i]
            if lab not in mapping:
                mapping[lab] = len(mapping) + 1
            s[i] = mapping[lab]
        else:
            s[i] = 0
    return tuple(s)


def _edge(st: _State, pu: int, pv: int, mu: int, mv: int, conn: bool) -> _State | None:
    if st[0]:  # a closed tour exists already: nothing more may be walked
        return st if mu == 0 and mv == 0 else None
    s = list(st)
    nextlab = max(s[2::2], default=0) + 1
    for p, m in ((pu, mu), (pv, mv)):
        if not m:
            continue
        i = 1 + 2 * p
        d = s[i]
        if m == 1:
            s[i] = 2 if d == 1 else 1
        else:
            s[i] = 1 if d == 1 else 2
        if d == 0:
            s[i + 1] = nextlab
            nextlab += 1
    if conn:
        a, b = s[2 + 2 * pu], s[2 + 2 * pv]
        if a != b:
            for i in range(2, len(s), 2):
                if s[i] == b:
                    s[i] = a
    return _canon(s)


def _forget(st: _State, p: int, odd: int, required: bool) -> _State | None:
    i = 1 + 2 * p
    d, lab = st[i], st[i + 1]
    rest = list(st[:i] + st[i + 2 :])
    if st[0]:
        return None if required else tuple(rest)
    if d == 0:
        return None if (required or odd) else _canon(rest)
    if (d == 1) != bool(odd):
        return None
    if any(rest[j] == lab for j in range(2, len(rest), 2)):
        return _canon(rest)
    # the node's component is complete: it must be the only one (then it is the tour)
    if any(rest[j] for j in range(1, len(rest), 2)):
        return None
    rest[0] = 1
    return tuple(rest)


@dataclass
class _Step:
    kind: str  # "intro" | "edge" | "forget"
    pu: int = 0
    pv: int = 0
    opts: tuple[_Opt, ...] = ()
    odd: int = 0
    required: bool = False
    u: int = 0  # node ids, for rebuilding the walk
    v: int = 0
    picks: tuple[tuple[float, int], ...] = ()  # (y, pick index) inside a vertical segment


def _segment_options(length: float, ys: Sequence[float]) -> tuple[_Opt, ...]:
    """The ways to walk an aisle segment of ``length`` metres with picks at offsets ``ys``."""
    full: list[_Opt] = [(1, 1, True, length, "full1"), (2, 2, True, 2 * length, "full2")]
    if not ys:
        return ((0, 0, False, 0.0, "none"), *full)
    lo, hi = min(ys), max(ys)
    opts = [*full, (2, 0, False, 2 * hi, "bot"), (0, 2, False, 2 * (length - lo), "top")]
    if len(ys) >= 2:
        srt = sorted(ys)
        gap = max(b - a for a, b in itertools.pairwise(srt))
        opts.append((2, 2, False, 2 * (length - gap), "gap"))
    return tuple(opts)


class _SweepProblem:
    """The sweep steps for one routing request."""

    def __init__(self, layout: Layout, picks: Sequence[Position], start: Point, end: Point) -> None:
        self.layout = layout
        c = len(layout.cross_y)
        self.levels = c
        pick_aisles = {p.aisle for p in picks}
        xs_rel = [layout.aisle_x[a] for a in pick_aisles] + [start.x, end.x]
        xmin, xmax = min(xs_rel) - 1e-9, max(xs_rel) + 1e-9
        cols: list[tuple[float, int | None]] = [(x, a) for a, x in enumerate(layout.aisle_x) if xmin <= x <= xmax]
        for pt in (start, end):
            if all(abs(x - pt.x) > 1e-9 for x, _ in cols):
                cols.append((pt.x, None))
        cols.sort(key=lambda t: t[0])
        self.cols = cols
        col_of_aisle = {a: j for j, (_, a) in enumerate(cols) if a is not None}
        node_picks: dict[int, list[int]] = {}
        seg_picks: dict[tuple[int, int], list[tuple[float, int]]] = {}
        for i, p in enumerate(picks):
            j = col_of_aisle[p.aisle]
            k = layout.cross_index(p.y)
            if k is not None:
                node_picks.setdefault(j * c + k, []).append(i)
            else:
                b = layout.block_of(p.y)
                seg_picks.setdefault((j, b), []).append((p.y - layout.cross_y[b], i))
        self.node_picks = node_picks

        def node_of(pt: Point) -> int:
            j = next(j for j, (x, _) in enumerate(cols) if abs(x - pt.x) <= 1e-9)
            k = layout.cross_index(pt.y)
            assert k is not None
            return j * c + k

        self.s = node_of(start)
        self.t = node_of(end)
        required = set(node_picks) | {self.s, self.t}
        odd = {self.s, self.t} if self.s != self.t else set()
        steps: list[_Step] = []
        frontier: list[int] = []
        for j, (x, aisle) in enumerate(cols):
            for k in range(c):
                nid = j * c + k
                frontier.append(nid)
                steps.append(_Step("intro", u=nid))
                if k > 0 and aisle is not None:
                    seg = sorted(seg_picks.get((j, k - 1), []))
                    length = layout.cross_y[k] - layout.cross_y[k - 1]
                    steps.append(
                        _Step(
                            "edge",
                            frontier.index(nid - 1),
                            frontier.index(nid),
                            _segment_options(length, [y for y, _ in seg]),
                            u=nid - 1,
                            v=nid,
                            picks=tuple(seg),
                        )
                    )
                if j > 0:
                    prev = (j - 1) * c + k
                    dx = x - cols[j - 1][0]
                    hopts: tuple[_Opt, ...] = (
                        (0, 0, False, 0.0, "none"),
                        (1, 1, True, dx, "h1"),
                        (2, 2, True, 2 * dx, "h2"),
                    )
                    steps.append(_Step("edge", frontier.index(prev), frontier.index(nid), hopts, u=prev, v=nid))
                    steps.append(
                        _Step(
                            "forget",
                            frontier.index(prev),
                            odd=int(prev in odd),
                            required=prev in required,
                            u=prev,
                        )
                    )
                    frontier.remove(prev)
        for nid in list(frontier):
            steps.append(_Step("forget", frontier.index(nid), odd=int(nid in odd), required=nid in required, u=nid))
            frontier.remove(nid)
        self.steps = steps
        # lower bound (metres) on what every step from i on must still add: each non-empty aisle
        # segment its cheapest way, and each gap between columns two crossings (the extreme
        # columns hold required nodes, so a closed walk crosses every gap at least twice)
        lb = [0.0] * (len(steps) + 1)
        seen_gap: set[int] = set()
        for i in range(len(steps) - 1, -1, -1):
            st = steps[i]
            add = 0.0
            if st.kind == "edge" and st.picks:
                add = min(o[3] for o in st.opts)
            elif st.kind == "edge" and st.u // c != st.v // c:
                gap = st.v // c
                if st.u % c == 0 and gap not in seen_gap:
                    seen_gap.add(gap)
                    # an open walk (start != end) may cross a gap only once
                    add = (2 if self.s == self.t else 1) * (cols[gap][0] - cols[gap - 1][0])
            lb[i] = lb[i + 1] + add
        self.lb = lb

    def solve(
        self, upper_bound: float, beam: int | None, deadline: float = float("inf")
    ) -> tuple[float, list[int], bool] | None:
        """Run the DP; returns (metres, option index per step, exact), or None if nothing beats
        ``upper_bound`` (metres) or the ``deadline`` (``time.perf_counter()``) passed."""
        cur: dict[_State, float] = {(0,): 0.0}
        history: list[dict[_State, tuple[_State, int]]] = []
        exact = True
        ub = upper_bound + 1e-6
        for si, step in enumerate(self.steps):
            if time.perf_counter() > deadline:
                return None
            limit = ub - self.lb[si + 1]
            nxt: dict[_State, float] = {}
            bp: dict[_State, tuple[_State, int]] = {}
            if step.kind == "intro":
                for st, cost in cur.items():
                    grown = (*st, 0, 0)
                    nxt[grown] = cost
                    bp[grown] = (st, 0)
            elif step.kind == "edge":
                pu, pv = step.pu, step.pv
                shapes = tuple((o[0], o[1], o[2]) for o in step.opts)
                key = (pu, pv, shapes)
                tab = _EDGE_CACHE.get(key)
                if tab is None:
                    tab = _EDGE_CACHE[key] = {}
                metres = [o[3] for o in step.opts]
                for st, cost in cur.items():
                    trans = tab.get(st)
                    if trans is None:
                        trans = []
                        for oi, (mu, mv, conn) in enumerate(shapes):
                            es = _edge(st, pu, pv, mu, mv, conn)
                            if es is not None:
                                trans.append((es, oi))
                        tab[st] = trans
                    for ns, oi in trans:
                        nc = cost + metres[oi]
                        if nc > limit:
                            continue
                        old = nxt.get(ns)
                        if old is None or nc < old:
                            nxt[ns] = nc
                            bp[ns] = (st, oi)
            else:
                fkey = (step.pu, step.odd, step.required)
                ftab = _FORGET_CACHE.get(fkey)
                if ftab is None:
                    ftab = _FORGET_CACHE[fkey] = {}
                for st, cost in cur.items():
                    if cost > limit:
                        continue
                    fs = ftab.get(st, _MISS)
                    if fs is _MISS:
                        fs = ftab[st] = _forget(st, step.pu, step.odd, step.required)
                    if fs is None:
                        continue
                    old = nxt.get(fs)
                    if old is None or cost < old:
                        nxt[fs] = cost
                        bp[fs] = (st, 0)
            if beam is not None and len(nxt) > beam:
                keep = sorted(nxt, key=nxt.__getitem__)[:beam]
                nxt = {k: nxt[k] for k in keep}
                exact = False
            history.append(bp)
            cur = nxt
            if not cur:
                return None
        final = (1,)
        if final not in cur:
            return None
        choice = [0] * len(self.steps)
        st = final
        for i in range(len(self.steps) - 1, -1, -1):
            prev, oi = history[i][st]
            choice[i] = oi
            st = prev
        return cur[final], choice, exact

    def walk(self, choice: Sequence[int]) -> list[int]:
        """Turn the chosen options into an Euler walk and return the pick visiting order."""
        # edges: (u, v, picks in u->v order); loops have u == v
        edges: list[tuple[int, int, list[int]]] = []
        for step, oi in zip(self.steps, choice, strict=True):
            if step.kind != "edge":
                continue
            kind = step.opts[oi][4]
            ids = [i for _, i in step.picks]
            if kind in ("h1", "full1"):
                edges.append((step.u, step.v, ids))
            elif kind in ("h2", "full2"):
                edges.append((step.u, step.v, ids))
                edges.append((step.u, step.v, []))
            elif kind == "bot":
                edges.append((step.u, step.u, ids))
            elif kind == "top":
                edges.append((step.v, step.v, ids[::-1]))
            elif kind == "gap":
                ys = [y for y, _ in step.picks]
                cut = max(range(1, len(ys)), key=lambda q: ys[q] - ys[q - 1])
                edges.append((step.u, step.u, ids[:cut]))
                edges.append((step.v, step.v, ids[cut:][::-1]))
        adj: dict[int, list[int]] = {}
        for e, (u, v, _) in enumerate(edges):
            adj.setdefault(u, []).append(e)
            if v != u:
                adj.setdefault(v, []).append(e)
        used = [False] * len(edges)
        # Hierholzer: the walk as (node, edge used to arrive, direction forward?)
        stack: list[tuple[int, int, bool]] = [(self.s, -1, True)]
        circuit: list[tuple[int, int, bool]] = []
        while stack:
            node = stack[-1][0]
            lst = adj.get(node, [])
            while lst and used[lst[-1]]:
                lst.pop()
            if lst:
                e = lst.pop()
                used[e] = True
                u, v, _ = edges[e]
                forward = u == node
                stack.append((v if forward else u, e, forward))
            else:
                circuit.append(stack.pop())
        circuit.reverse()
        order: list[int] = []
        seen: set[int] = set()

        def take(ids: Sequence[int]) -> None:
            for i in ids:
                if i not in seen:
                    seen.add(i)
                    order.append(i)

        take(self.node_picks.get(self.s, []))
        for node, e, forward in circuit[1:]:
            ids = edges[e][2]
            take(ids if forward else ids[::-1])
            take(self.node_picks.get(node, []))
        return order


def _local_search(
    layout: Layout,
    picks: Sequence[Position],
    start: Point,
    end: Point,
    order: Sequence[int],
    budget_s: float = 0.0,
) -> list[int]:
    """2-opt and or-opt on the grid distances of the picks at hand (an upper bound for the DP),
    then kicks (random segment moves) and re-descents while ``budget_s`` seconds last."""
    n = len(picks)
    if n < 3:
        return list(order)
    deadline = time.perf_counter() + budget_s
    dm: list[list[float]] = cache_for(layout).matrix(picks).tolist()
    # nodes n and n+1 are the start and the end of the walk
    for row, pt in ((n, start), (n + 1, end)):
        for i in range(n):
            dm[i].append(0.0)
            dm[i].append(0.0)
        dm.append([layout.point_distance(pt, p) for p in picks] + [0.0, 0.0])
        del row
    for i in range(n):
        dm[i][n] = dm[n][i]
        dm[i][n + 1] = dm[n + 1][i]

    def cost(t: list[int]) -> float:
        return sum(dm[a][b] for a, b in itertools.pairwise(t))

    def descend(tour: list[int]) -> list[int]:
        improved = True
        while improved:
            improved = False
            m = len(tour)
            for i in range(1, m - 2):  # 2-opt: reverse tour[i..j]
                a, b = tour[i - 1], tour[i]
                dab = dm[a][b]
                for j in range(i + 1, m - 1):
                    c, d = tour[j], tour[j + 1]
                    if dm[a][c] + dm[b][d] < dab + dm[c][d] - 1e-9:
                        tour[i : j + 1] = tour[i : j + 1][::-1]
                        improved = True
                        b = tour[i]
                        dab = dm[a][b]
            for seg in (1, 2, 3):  # or-opt: move a run of 1-3 picks elsewhere
                i = 1
                while i + seg < m:
                    p, q, r = tour[i - 1], tour[i + seg - 1], tour[i + seg]
                    run = tour[i : i + seg]
                    gain = dm[p][run[0]] + dm[q][r] - dm[p][r]
                    rest = tour[:i] + tour[i + seg :]
                    top, where, rev = 1e-9, -1, False
                    for k in range(len(rest) - 1):
                        u, v = rest[k], rest[k + 1]
                        fwd = dm[u][run[0]] + dm[q][v] - dm[u][v]
                        bwd = dm[u][q] + dm[run[0]][v] - dm[u][v]
                        if gain - fwd > top:
                            top, where, rev = gain - fwd, k, False
                        if gain - bwd > top:
                            top, where, rev = gain - bwd, k, True
                    if where >= 0:
                        tour = rest[: where + 1] + (run[::-1] if rev else run) + rest[where + 1 :]
                        improved = True
                    i += 1
        return tour

    best = descend([n, *order, n + 1])
    best_cost = cost(best)
    rng = random.Random(n)  # deterministic kicks: same picks, same answer
    stall = 0
    # stop when out of time, or when many kicks in a row found nothing (converged)
    while time.perf_counter() < deadline and stall < 3 * n:
        stall += 1
        cand = best[:]
        # double-bridge style kick on the inner part of the walk
        i, j, k = sorted(rng.sample(range(1, n + 1), 3))
        cand = cand[:i] + cand[j:k] + cand[i:j] + cand[k:]
        cand = descend(cand)
        c = cost(cand)
        if c < best_cost - 1e-9:
            best, best_cost, stall = cand, c, 0
    tour = best
    return tour[1:-1]


# --------------------------------------------------------------------------------------------
# baselines (Roodbergen & de Koster 2001), as visiting orders
# --------------------------------------------------------------------------------------------


def _by_aisle_block(layout: Layout, picks: Sequence[Position]) -> dict[tuple[int, int], list[int]]:
    groups: dict[tuple[int, int], list[int]] = {}
    for i, p in enumerate(picks):
        groups.setdefault((p.aisle, layout.block_of(p.y)), []).append(i)
    for ids in groups.values():
        ids.sort(key=lambda i: picks[i].y)
    return groups


def _blockwise(
    layout: Layout,
    picks: Sequence[Position],
    depot: Point,
    per_block: Callable[[int, list[int], float, dict[tuple[int, int], list[int]]], tuple[list[int], int]],
) -> list[int]:
    """Shared skeleton: up the leftmost pick aisle to the farthest block, then block by block back.

    ``per_block(block, aisles in sweep order, current x, groups)`` returns the picks of that block
    and the aisle where the picker leaves it.
    """
    groups = _by_aisle_block(layout, picks)
    if not groups:
        return []
    left = min(a for a, _ in groups)
    order: list[int] = []
    for b in range(layout.blocks):
        order += groups.pop((left, b), [])
    cur_x = layout.aisle_x[left]
    for b in sorted({b for _, b in groups}, reverse=True):
        aisles = sorted(a for a, bb in groups if bb == b)
        if abs(cur_x - layout.aisle_x[aisles[0]]) > abs(cur_x - layout.aisle_x[aisles[-1]]):
            aisles.reverse()
        ids, last = per_block(b, aisles, cur_x, groups)
        order += ids
        cur_x = layout.aisle_x[last]
    del depot
    return order


def _s_shape(layout: Layout, picks: Sequence[Position], depot: Point) -> list[int]:
    def block(b: int, aisles: list[int], _x: float, groups: dict[tuple[int, int], list[int]]) -> tuple[list[int], int]:
        out: list[int] = []
        down = True
        for a in aisles:
            ids = groups[(a, b)]
            out += ids[::-1] if down else ids
            down = not down
        return out, aisles[-1]

    return _blockwise(layout, picks, depot, block)


def _return(layout: Layout, picks: Sequence[Position], depot: Point) -> list[int]:
    return sorted(range(len(picks)), key=lambda i: (layout.aisle_x[picks[i].aisle], picks[i].y))


def _split_route(
    split: Callable[[int, list[float]], int],
) -> Callable[[Layout, Sequence[Position], Point], list[int]]:
    """Midpoint / largest gap: per block, back parts left→right, last aisle through, front parts back.

    ``split(block, ys)`` returns how many of the sorted picks are taken from the block's front.
    """

    def run(layout: Layout, picks: Sequence[Position], depot: Point) -> list[int]:
        def block(
            b: int, aisles: list[int], _x: float, groups: dict[tuple[int, int], list[int]]
        ) -> tuple[list[int], int]:
            if len(aisles) == 1:
                return groups[(aisles[0], b)][::-1], aisles[0]
            back: list[int] = []
            front: list[list[int]] = []
            for a in aisles[:-1]:
                ids = groups[(a, b)]
                cut = split(b, [picks[i].y for i in ids])
                front.append(ids[:cut])
                back += ids[cut:][::-1]
            fronts = [i for ids_f in reversed(front) for i in ids_f]
            # the picker ends at the front of the block, back at the first aisle of the sweep
            return back + groups[(aisles[-1], b)][::-1] + fronts, aisles[0]

        return _blockwise(layout, picks, depot, block)

    return run


def _midpoint(layout: Layout, picks: Sequence[Position], depot: Point) -> list[int]:
    def split(b: int, ys: list[float]) -> int:
        mid = (layout.cross_y[b] + layout.cross_y[b + 1]) / 2
        return sum(1 for y in ys if y <= mid)

    return _split_route(split)(layout, picks, depot)


def _largest_gap(layout: Layout, picks: Sequence[Position], depot: Point) -> list[int]:
    def split(b: int, ys: list[float]) -> int:
        pts = [layout.cross_y[b], *ys, layout.cross_y[b + 1]]
        gaps = [pts[q + 1] - pts[q] for q in range(len(pts) - 1)]
        # the largest gap is left unwalked: picks below it come from the front
        return max(range(len(gaps)), key=lambda q: gaps[q])

    return _split_route(split)(layout, picks, depot)


def _combined(layout: Layout, picks: Sequence[Position], depot: Point) -> list[int]:
    """Combined heuristic: each aisle either traversed or entered and left on the same side (DP)."""

    def block(
        b: int, aisles: list[int], cur_x: float, groups: dict[tuple[int, int], list[int]]
    ) -> tuple[list[int], int]:
        lo, hi = layout.cross_y[b], layout.cross_y[b + 1]
        length = hi - lo
        inf = float("inf")
        # side 1 = back of the block (we arrive there), side 0 = front
        cost = {1: 0.0, 0: inf}
        trace: list[dict[int, tuple[int, str]]] = []
        x = cur_x
        for a in aisles:
            ys = [picks[i].y for i in groups[(a, b)]]
            move = abs(layout.aisle_x[a] - x)
            x = layout.aisle_x[a]
            new = {0: inf, 1: inf}
            tr: dict[int, tuple[int, str]] = {}
            for side, c0 in cost.items():
                if c0 == inf:
                    continue
                depth = 2 * (hi - min(ys)) if side == 1 else 2 * (max(ys) - lo)
                for nside, kind, add in ((1 - side, "through", length), (side, "return", depth)):
                    if c0 + move + add < new[nside]:
                        new[nside] = c0 + move + add
                        tr[nside] = (side, kind)
            trace.append(tr)
            cost = new
        side = 0 if cost[0] <= cost[1] + length else 1
        kinds: list[tuple[int, str]] = []
        for tr in reversed(trace):
            prev, kind = tr[side]
            kinds.append((prev, kind))
            side = prev
        kinds.reverse()
        out: list[int] = []
        for a, (from_side, _kind) in zip(aisles, kinds, strict=True):
            ids = groups[(a, b)]
            out += ids[::-1] if from_side == 1 else ids
        return out, aisles[-1]

    return _blockwise(layout, picks, depot, block)


_BASELINES: dict[str, Callable[[Layout, Sequence[Position], Point], list[int]]] = {
    "s-shape": _s_shape,
    "return": _return,
    "midpoint": _midpoint,
    "largest-gap": _largest_gap,
    "combined": _combined,
}

METHODS: tuple[str, ...] = ("optimal", *_BASELINES)


def route(
    layout: Layout,
    picks: Sequence[Position],
    method: str = "optimal",
    start: Point | None = None,
    end: Point | None = None,
    beam: int | None = None,
    time_limit_s: float | None = 2.0,
) -> RouteResult:
    """Route a picker from ``start`` (default the depot) through ``picks`` to ``end`` (default ``start``).

    ``method`` is ``optimal`` (exact DP, ``optimal=True`` when proven; with ``beam`` set it keeps only
    the best ``beam`` states per step; past ``time_limit_s`` seconds it returns the best tour found
    with ``optimal=False``) or a baseline name. Lengths in metres.
    """
    t0 = time.perf_counter()
    start = start or layout.depot
    end = end or start
    layout.check_point(start, "start")
    layout.check_point(end, "end")
    for i, p in enumerate(picks):
        layout.check_position(p, f"pick {i}")
    if method in _BASELINES:
        order = _BASELINES[method](layout, picks, start)
        length = tour_length(layout, [picks[i] for i in order], start, end)
        return RouteResult(tuple(order), length, method, False, (time.perf_counter() - t0) * 1e3)
    if method != "optimal":
        raise InputError(f"method: unknown routing method {method!r} (one of {', '.join(METHODS)})")
    if not picks or all(
        layout.point_distance(start, p) <= _EPS and layout.point_distance(end, p) <= _EPS for p in picks
    ):
        length = tour_length(layout, picks, start, end)
        return RouteResult(tuple(range(len(picks))), length, "optimal", True, (time.perf_counter() - t0) * 1e3, length)
    # a good heuristic tour bounds the DP so hopeless states are dropped early; the tighter it is,
    # the fewer states survive, so with more cross aisles it is polished by local search first
    heur = _combined(layout, picks, start)
    if layout.blocks >= 3:
        # with many cross aisles the DP is costly; a few ms of local search buys a tight bound
        budget = 0.0 if layout.blocks == 3 else min(0.05, 0.5 * (time_limit_s or 1.0))
        heur = _local_search(layout, picks, start, end, heur, budget)
    ub = tour_length(layout, [picks[i] for i in heur], start, end)
    problem = _SweepProblem(layout, picks, start, end)
    # stop the DP a little early: rebuilding the walk afterwards takes a moment too
    deadline = t0 + 0.9 * time_limit_s if time_limit_s is not None else float("inf")
    solved = problem.solve(ub, beam, deadline)
    if solved is None:
        # nothing beats the bound (then the heuristic tour is optimal) or the time ran out
        proven = time.perf_counter() <= deadline and beam is None
        return RouteResult(tuple(heur), ub, "optimal", proven, (time.perf_counter() - t0) * 1e3, ub if proven else None)
    cost, choice, exact = solved
    order = problem.walk(choice)
    length = tour_length(layout, [picks[i] for i in order], start, end)
    if length > ub:  # a beam-limited walk can lose to the heuristic; never return the worse one
        order, length = heur, ub
    return RouteResult(
        tuple(order), length, "optimal", exact, (time.perf_counter() - t0) * 1e3, cost if exact else None
    )
