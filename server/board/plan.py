"""A warehouse plan for the board: aisles, cross aisles, locations and each cart's route as SVG geometry.

Pure: takes the optimizer's layout and pick positions, returns plain numbers in metres (the template draws them
in an SVG whose ``viewBox`` is in metres). A route follows the grid the optimizer measures: along the pick aisle
to the cross aisle that makes the shortest detour, across, and down the next aisle, so the drawn polyline is as
long as the metres the preview reports."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from optimizer import Layout, Point, Position

# distinct, colour-blind-friendly strokes (Okabe-Ito, then Tol's muted)
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#882255",
    "#117733",
    "#332288",
    "#999933",
)

XY = tuple[float, float]


@dataclass(frozen=True)
class Route:
    index: int
    colour: str
    points: list[XY]
    stops: list[XY]
    metres: float

    @property
    def path(self) -> str:
        return " ".join(f"{x:.2f},{y:.2f}" for x, y in self.points)


@dataclass(frozen=True)
class Plan:
    """Geometry in metres with y growing down the screen (the front cross aisle, with the depot, at the bottom)."""

    min_x: float
    min_y: float
    width: float
    height: float
    aisles: list[tuple[int, float, float, float]]  # number, x, y top, y bottom
    cross: list[tuple[float, float, float]]  # y, x left, x right
    racks: list[tuple[float, float, float, float]]  # x, y, w, h
    locations: list[XY]
    depot: XY
    routes: list[Route] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        return f"{self.min_x:.2f} {self.min_y:.2f} {self.width:.2f} {self.height:.2f}"


def _flip(layout: Layout, x: float, y: float) -> XY:
    return (round(x, 3), round(layout.length - y, 3))


def _cross_between(layout: Layout, y1: float, y2: float) -> float:
    """The cross aisle a picker changes aisle through: the one with the least walking up and down."""
    return min(layout.cross_y, key=lambda c: (abs(y1 - c) + abs(c - y2), abs(y1 - c)))


def leg(layout: Layout, a: Position, b: Position) -> list[XY]:
    """The corners of the shortest grid walk from ``a`` to ``b`` (both ends included), in layout metres."""
    xa, xb = layout.aisle_x[a.aisle], layout.aisle_x[b.aisle]
    if a.aisle == b.aisle:
        return [(xa, a.y), (xb, b.y)]
    c = _cross_between(layout, a.y, b.y)
    return [(xa, a.y), (xa, c), (xb, c), (xb, b.y)]


def _from_point(layout: Layout, p: Point, b: Position) -> list[XY]:
    x = layout.aisle_x[b.aisle]
    return [(p.x, p.y), (x, p.y), (x, b.y)]


def walk(layout: Layout, stops: Sequence[Position]) -> list[XY]:
    """Depot → stops → depot as one polyline (layout metres, y from the front)."""
    depot = layout.depot
    if not stops:
        return [(depot.x, depot.y)]
    points = _from_point(layout, depot, stops[0])
    for a, b in itertools.pairwise(stops):
        points.extend(leg(layout, a, b)[1:])
    points.extend(reversed(_from_point(layout, depot, stops[-1])[:-1]))
    # drop repeated corners (a leg of zero length)
    out: list[XY] = []
    for pt in points:
        if not out or abs(out[-1][0] - pt[0]) > 1e-9 or abs(out[-1][1] - pt[1]) > 1e-9:
            out.append(pt)
    return out


def polyline_m(points: Sequence[XY]) -> float:
    """Length of a polyline of horizontal and vertical segments."""
    return sum(abs(x2 - x1) + abs(y2 - y1) for (x1, y1), (x2, y2) in itertools.pairwise(points))


def build_plan(layout: Layout, locations: Iterable[Position], routes: Sequence[Sequence[Position]]) -> Plan:
    """The plan of ``layout`` with a dot per pick position and one coloured route per cart."""
    xs = layout.aisle_x
    pitch = min((b - a for a, b in itertools.pairwise(xs)), default=3.0)
    rack_w = max(pitch * 0.28, 0.3)
    margin = max(pitch, 3.0)
    length = layout.length
    aisles = [(i + 1, round(x, 3), 0.0, round(length, 3)) for i, x in enumerate(xs)]
    cross = [(round(length - y, 3), round(xs[0], 3), round(xs[-1], 3)) for y in layout.cross_y]
    racks: list[tuple[float, float, float, float]] = []
    blocks = list(itertools.pairwise(layout.cross_y))
    for x in xs:
        for lo, hi in blocks:
            top = length - hi + 0.6
            h = max(hi - lo - 1.2, 0.1)
            for side in (-1, 1):
                rx = x + side * (pitch * 0.22) - (rack_w if side < 0 else 0)
                racks.append((round(rx, 3), round(top, 3), round(rack_w, 3), round(h, 3)))
    dots = sorted({_flip(layout, xs[p.aisle], p.y) for p in locations})
    drawn = []
    for i, stops in enumerate(routes):
        pts = walk(layout, stops)
        drawn.append(
            Route(
                index=i,
                colour=PALETTE[i % len(PALETTE)],
                points=[_flip(layout, x, y) for x, y in pts],
                stops=[_flip(layout, xs[p.aisle], p.y) for p in stops],
                metres=round(polyline_m(pts), 2),
            )
        )
    min_x = min(xs[0], layout.depot.x) - margin
    max_x = max(xs[-1], layout.depot.x) + margin
    return Plan(
        min_x=round(min_x, 3),
        min_y=round(-margin, 3),
        width=round(max_x - min_x, 3),
        height=round(length + 2 * margin, 3),
        aisles=aisles,
        cross=cross,
        racks=racks,
        locations=dots,
        depot=_flip(layout, layout.depot.x, layout.depot.y),
        routes=drawn,
    )
