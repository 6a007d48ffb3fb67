"""An independent grid walker for the tests: Dijkstra on the explicit aisle / cross-aisle graph.

It shares nothing with the optimizer's closed-form distances, so it checks them.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence

from optimizer import Layout, Point, Position


def _nodes(
    layout: Layout, extra: Sequence[tuple[float, float]]
) -> dict[tuple[float, float], list[tuple[tuple[float, float], float]]]:
    pts: set[tuple[float, float]] = set(extra)
    for x in layout.aisle_x:
        for y in layout.cross_y:
            pts.add((x, y))
    adj: dict[tuple[float, float], list[tuple[tuple[float, float], float]]] = {p: [] for p in pts}
    # aisles: vertical lines at aisle x; cross aisles: horizontal lines at cross y
    for x in layout.aisle_x:
        col = sorted(p for p in pts if abs(p[0] - x) < 1e-9)
        for a, b in itertools.pairwise(col):
            adj[a].append((b, b[1] - a[1]))
            adj[b].append((a, b[1] - a[1]))
    for y in layout.cross_y:
        row = sorted(p for p in pts if abs(p[1] - y) < 1e-9)
        for a, b in itertools.pairwise(row):
            adj[a].append((b, b[0] - a[0]))
            adj[b].append((a, b[0] - a[0]))
    return adj


def walk_length(layout: Layout, seq: Sequence[Position], start: Point, end: Point | None = None) -> float:
    """Metres of the shortest grid walk start -> seq (in order) -> end, by Dijkstra."""
    end = end or start
    stops = [(start.x, start.y)] + [(layout.aisle_x[p.aisle], p.y) for p in seq] + [(end.x, end.y)]
    adj = _nodes(layout, stops)
    total = 0.0
    for a, b in itertools.pairwise(stops):
        dist = {a: 0.0}
        heap = [(0.0, a)]
        while heap:
            d, u = heapq.heappop(heap)
            if u == b:
                break
            if d > dist[u]:
                continue
            for v, w in adj[u]:
                if d + w < dist.get(v, float("inf")):
                    dist[v] = d + w
                    heapq.heappush(heap, (d + w, v))
        total += dist[b]
    return total
