"""The board's warehouse plan: every drawn route is as long as the optimizer's grid walk of the same stops, along
aisles and cross aisles only, starting and ending at the depot."""

from __future__ import annotations

import itertools
import random

import pytest

from optimizer import Layout, Point, Position, tour_length
from server.board.plan import build_plan, leg, polyline_m, walk


@pytest.mark.parametrize("cross", [2, 3, 4])
def test_drawn_walk_is_as_long_as_the_grid_walk(cross: int) -> None:
    rng = random.Random(cross)
    layout = Layout.rectangular(8, 30.0, 3.0, cross, Point(6.0, 0.0))
    for _ in range(200):
        stops = [Position(rng.randrange(8), round(rng.uniform(0, 30), 1)) for _ in range(rng.randrange(1, 9))]
        points = walk(layout, stops)
        assert polyline_m(points) == pytest.approx(tour_length(layout, stops), abs=1e-6)
        assert points[0] == points[-1] == (6.0, 0.0)
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            assert x1 == x2 or y1 == y2  # never diagonal
            if y1 == y2 and x1 != x2:  # sideways only on a cross aisle
                assert any(abs(y1 - c) < 1e-9 for c in layout.cross_y)
            if x1 == x2 and y1 != y2:  # up and down only in an aisle (or the depot's own column)
                assert x1 in layout.aisle_x


def test_leg_changes_aisle_through_the_shorter_cross_aisle() -> None:
    layout = Layout.rectangular(3, 20.0, 3.0, 2)
    assert leg(layout, Position(0, 18.0), Position(2, 17.0)) == [(0.0, 18.0), (0.0, 20.0), (6.0, 20.0), (6.0, 17.0)]
    assert leg(layout, Position(0, 2.0), Position(2, 3.0)) == [(0.0, 2.0), (0.0, 0.0), (6.0, 0.0), (6.0, 3.0)]


def test_plan_geometry() -> None:
    layout = Layout.rectangular(4, 10.0, 3.0, 2)
    spots = [Position(a, y) for a in range(4) for y in (0.5, 1.5, 8.5)]
    plan = build_plan(layout, spots, [[Position(0, 0.5), Position(3, 8.5)], [Position(1, 1.5)]])
    assert len(plan.aisles) == 4 and len(plan.cross) == 2 and len(plan.locations) == 12
    assert [r.colour for r in plan.routes] == ["#0072B2", "#D55E00"]
    assert plan.routes[0].metres == pytest.approx(tour_length(layout, [Position(0, 0.5), Position(3, 8.5)]))
    # y grows down the screen: the front cross aisle (with the depot) is at the bottom
    assert plan.depot == (0.0, 10.0) and plan.routes[1].stops == [(3.0, 8.5)]
    x, y, w, h = (float(v) for v in plan.view_box.split())
    assert x < 0 < 9 < x + w and y < 0 < 10 < y + h
