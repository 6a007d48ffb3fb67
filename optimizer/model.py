"""The walking model: a rectangular (multi-block) warehouse, pick positions and grid distances.

Every distance in this package is in metres along aisle and cross-aisle centre lines. Aisles are
vertical (constant ``x``), cross aisles horizontal (constant ``y``); ``y = 0`` is the front cross aisle.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = [
    "DistanceCache",
    "InputError",
    "Layout",
    "Location",
    "Point",
    "Position",
    "cache_for",
    "layout_from_locations",
    "tour_length",
]

_EPS = 1e-9


class InputError(ValueError):
    """Bad input: the message names the offending item (shown to users as one line)."""


@dataclass(frozen=True, slots=True)
class Point:
    """A point on a cross aisle (depot, drop-off): ``x`` and ``y`` in metres."""

    x: float
    y: float = 0.0


@dataclass(frozen=True, slots=True)
class Position:
    """A pick position: aisle index (0-based) and metres along the aisle from the front."""

    aisle: int
    y: float


@dataclass(frozen=True, slots=True)
class Location:
    """A storage location as the server knows it (plain values, no ORM).

    ``x``/``y`` in metres; ``aisle`` is the pick aisle index the picker walks; ``level`` 0 is the floor.
    """

    id: str
    aisle: int
    y: float
    x: float
    level: int = 0


@dataclass(frozen=True)
class Layout:
    """A rectangular warehouse: parallel pick aisles joined by straight cross aisles.

    ``aisle_x`` gives each aisle's centre line in metres (uniform pitch for the benchmark layout,
    any increasing values for a real one); ``cross_y`` the cross aisles' ``y`` in metres (first 0,
    last the aisle length). The depot is on a cross aisle.
    """

    aisle_x: tuple[float, ...]
    cross_y: tuple[float, ...]
    depot: Point = field(default_factory=lambda: Point(0.0, 0.0))

    def __post_init__(self) -> None:
        if len(self.aisle_x) < 1:
            raise InputError("layout: at least one aisle is needed")
        if any(b <= a for a, b in zip(self.aisle_x, self.aisle_x[1:], strict=False)):
            raise InputError("layout: aisle x positions must increase")
        if len(self.cross_y) < 2 or abs(self.cross_y[0]) > _EPS:
            raise InputError("layout: at least 2 cross aisles, the first at y = 0")
        if any(b <= a for a, b in zip(self.cross_y, self.cross_y[1:], strict=False)):
            raise InputError("layout: cross aisle y positions must increase")
        self.check_point(self.depot, "depot")

    @classmethod
    def rectangular(
        cls,
        aisles: int,
        aisle_length_m: float,
        aisle_pitch_m: float,
        cross_aisles: int = 2,
        depot: Point | None = None,
    ) -> Layout:
        """The benchmark layout of BENCH-FORMATS.md (lengths in metres)."""
        if aisles < 1:
            raise InputError(f"layout: aisles must be >= 1, got {aisles}")
        if aisle_length_m <= 0 or aisle_pitch_m <= 0:
            raise InputError("layout: aisle_length_m and aisle_pitch_m must be > 0")
        if cross_aisles < 2:
            raise InputError(f"layout: cross_aisles must be >= 2, got {cross_aisles}")
        xs = tuple(i * aisle_pitch_m for i in range(aisles))
        ys = tuple(k * aisle_length_m / (cross_aisles - 1) for k in range(cross_aisles))
        return cls(xs, ys, depot or Point(0.0, 0.0))

    @property
    def aisles(self) -> int:
        return len(self.aisle_x)

    @property
    def length(self) -> float:
        """Aisle length in metres."""
        return self.cross_y[-1]

    @property
    def blocks(self) -> int:
        return len(self.cross_y) - 1

    def cross_index(self, y: float) -> int | None:
        """Index of the cross aisle at ``y`` (metres), or None if ``y`` is not on one."""
        i = bisect.bisect_left(self.cross_y, y - 1e-6)
        if i < len(self.cross_y) and abs(self.cross_y[i] - y) <= 1e-6:
            return i
        return None

    def block_of(self, y: float) -> int:
        """Block index holding ``y`` (a point on a cross aisle belongs to the block above it)."""
        i = bisect.bisect_right(self.cross_y, y + 1e-9) - 1
        return min(max(i, 0), self.blocks - 1)

    def check_position(self, p: Position, name: str) -> None:
        """Raise InputError naming ``name`` if ``p`` is outside the layout."""
        if not 0 <= p.aisle < self.aisles:
            raise InputError(f"{name}: aisle {p.aisle} outside the layout (0..{self.aisles - 1})")
        if not -_EPS <= p.y <= self.length + _EPS:
            raise InputError(f"{name}: y = {p.y} outside the aisle (0..{self.length:g} m)")

    def check_point(self, p: Point, name: str) -> None:
        """Raise InputError if ``p`` is not on a cross aisle inside the layout."""
        if self.cross_index(p.y) is None:
            raise InputError(f"{name}: y = {p.y} is not on a cross aisle")
        if not self.aisle_x[0] - 1e3 <= p.x <= self.aisle_x[-1] + 1e3:
            raise InputError(f"{name}: x = {p.x} too far outside the layout")

    # -- distances (metres along the grid) ------------------------------------------------
    def _vertical_via_cross(self, y1: float, y2: float) -> float:
        """Shortest vertical metres from y1 up/down to some cross aisle and on to y2."""
        if y1 > y2:
            y1, y2 = y2, y1
        # a cross aisle between the two points costs nothing extra
        b1 = self.block_of(y1)
        b2 = self.block_of(y2)
        if b1 != b2 or self.cross_index(y1) is not None or self.cross_index(y2) is not None:
            return y2 - y1
        lo = self.cross_y[b1]
        hi = self.cross_y[b1 + 1]
        return min(y1 + y2 - 2 * lo, 2 * hi - y1 - y2)

    def distance(self, a: Position, b: Position) -> float:
        """Shortest walk in metres between two pick positions."""
        if a.aisle == b.aisle:
            return abs(a.y - b.y)
        return abs(self.aisle_x[a.aisle] - self.aisle_x[b.aisle]) + self._vertical_via_cross(a.y, b.y)

    def point_distance(self, p: Point, b: Position) -> float:
        """Shortest walk in metres from a cross-aisle point (depot) to a pick position."""
        return abs(p.x - self.aisle_x[b.aisle]) + abs(p.y - b.y)

    def point_to_point(self, p: Point, q: Point) -> float:
        """Shortest walk in metres between two cross-aisle points."""
        if abs(p.y - q.y) <= _EPS:
            return abs(p.x - q.x)
        # change cross aisle through the aisle that minimises the horizontal detour
        lo, hi = min(p.x, q.x), max(p.x, q.x)
        best = min(abs(p.x - ax) + abs(ax - q.x) for ax in self.aisle_x)
        if any(lo - _EPS <= ax <= hi + _EPS for ax in self.aisle_x):
            best = hi - lo
        return best + abs(p.y - q.y)


class DistanceCache:
    """Distances for one layout, computed once per position and reused across requests.

    Positions are registered by key (a location id or a ``Position``); each request asks only for
    the matrix of the picks at hand, so no work is quadratic in the size of the warehouse.
    """

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._pair: dict[tuple[Position, Position], float] = {}
        self._depot: dict[Position, float] = {}

    def depot_distance(self, p: Position, point: Point | None = None) -> float:
        """Metres from the depot (or ``point``) to ``p``."""
        if point is not None and point != self.layout.depot:
            return self.layout.point_distance(point, p)
        d = self._depot.get(p)
        if d is None:
            d = self.layout.point_distance(self.layout.depot, p)
            self._depot[p] = d
        return d

    def distance(self, a: Position, b: Position) -> float:
        """Metres between two positions (memoised)."""
        key = (a, b) if (a.aisle, a.y) <= (b.aisle, b.y) else (b, a)
        d = self._pair.get(key)
        if d is None:
            d = self.layout.distance(a, b)
            if len(self._pair) < 2_000_000:  # bound memory on long-running servers
                self._pair[key] = d
        return d

    def matrix(self, positions: Sequence[Position]) -> npt.NDArray[np.float64]:
        """Square matrix (metres) over ``positions``; index 0.. in the given order."""
        lay = self.layout
        n = len(positions)
        xs = np.array([lay.aisle_x[p.aisle] for p in positions])
        ys = np.array([p.y for p in positions])
        aisle = np.array([p.aisle for p in positions])
        cy = np.array(lay.cross_y)
        # vertical part through the best cross aisle, vectorised over all cross aisles
        via = np.abs(ys[:, None, None] - cy[None, None, :]) + np.abs(ys[None, :, None] - cy[None, None, :])
        vert = via.min(axis=2)
        same = aisle[:, None] == aisle[None, :]
        out = np.where(same, np.abs(ys[:, None] - ys[None, :]), np.abs(xs[:, None] - xs[None, :]) + vert)
        if n:
            np.fill_diagonal(out, 0.0)
        return np.asarray(out, dtype=np.float64)


@functools.lru_cache(maxsize=64)
def cache_for(layout: Layout) -> DistanceCache:
    """The shared DistanceCache of ``layout`` (layouts are immutable, so one cache per layout)."""
    return DistanceCache(layout)


def tour_length(
    layout: Layout,
    sequence: Iterable[Position],
    start: Point | None = None,
    end: Point | None = None,
) -> float:
    """Independent evaluator: metres of the shortest grid walk start → sequence → end.

    Uses only the closed-form grid distance between consecutive stops, so it checks any router.
    """
    start = start or layout.depot
    end = end or start
    seq = list(sequence)
    if not seq:
        return layout.point_to_point(start, end)
    total = layout.point_distance(start, seq[0]) + layout.point_distance(end, seq[-1])
    for a, b in itertools.pairwise(seq):
        total += layout.distance(a, b)
    return total


def layout_from_locations(
    locations: Sequence[Location],
    cross_aisles: int = 2,
    aisle_length_m: float | None = None,
    depot: Point | None = None,
) -> tuple[Layout, dict[str, Position]]:
    """Build the walking model from the server's locations.

    Each aisle's centre line is the mean ``x`` of its locations (metres); aisle indices need not be
    contiguous (they are renumbered in ``x`` order). ``aisle_length_m`` defaults to the largest ``y``.
    Returns the layout and each location id's pick position.
    """
    if not locations:
        raise InputError("locations: at least one location is needed")
    by_aisle: dict[int, list[float]] = {}
    for loc in locations:
        if loc.y < 0:
            raise InputError(f"location {loc.id}: negative y {loc.y}")
        by_aisle.setdefault(loc.aisle, []).append(loc.x)
    order = sorted(by_aisle, key=lambda a: sum(by_aisle[a]) / len(by_aisle[a]))
    index = {a: i for i, a in enumerate(order)}
    xs = [sum(by_aisle[a]) / len(by_aisle[a]) for a in order]
    # two aisles sharing a centre line would make a zero-width column; nudge to keep x increasing
    for i in range(1, len(xs)):
        if xs[i] <= xs[i - 1]:
            xs[i] = xs[i - 1] + 1e-3
    length = aisle_length_m if aisle_length_m is not None else max(loc.y for loc in locations)
    length = max(length, 1e-3)
    if cross_aisles < 2:
        raise InputError(f"layout: cross_aisles must be >= 2, got {cross_aisles}")
    ys = tuple(k * length / (cross_aisles - 1) for k in range(cross_aisles))
    layout = Layout(tuple(xs), ys, depot or Point(xs[0], 0.0))
    positions: dict[str, Position] = {}
    for loc in locations:
        if loc.y > length + _EPS:
            raise InputError(f"location {loc.id}: y = {loc.y} beyond the aisle length {length:g} m")
        positions[loc.id] = Position(index[loc.aisle], loc.y)
    return layout, positions
