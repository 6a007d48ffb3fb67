import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer import (
    ROUTE_METHODS,
    DistanceCache,
    InputError,
    Layout,
    Location,
    Point,
    Position,
    layout_from_locations,
    route,
    tour_length,
)

from .optimizer_grid import walk_length


def brute_force(layout: Layout, picks, start: Point, end: Point) -> float:
    return min(
        walk_length(layout, [picks[i] for i in perm], start, end) for perm in itertools.permutations(range(len(picks)))
    )


@st.composite
def instances(draw, max_picks: int = 5, max_cross: int = 4):
    aisles = draw(st.integers(1, 5))
    cross = draw(st.integers(2, max_cross))
    length = 12.0
    depot_x = draw(st.sampled_from([0.0, 1.5, 3.0, 7.5, 14.0]))
    layout = Layout.rectangular(aisles, length, 3.0, cross, Point(depot_x, 0.0))
    # y on a 0.5 m grid so picks on cross aisles and shared positions happen often
    pos = st.builds(Position, st.integers(0, aisles - 1), st.integers(0, 24).map(lambda k: k / 2))
    picks = draw(st.lists(pos, min_size=1, max_size=max_picks))
    return layout, picks


def _check(layout, picks, r, start, end=None):
    assert sorted(r.order) == list(range(len(picks)))
    seq = [picks[i] for i in r.order]
    # the reported length is the grid walk of the reported order (independent Dijkstra walker)
    assert r.length_m == pytest.approx(walk_length(layout, seq, start, end), abs=1e-6)


@settings(max_examples=120, deadline=None)
@given(instances())
def test_optimal_equals_brute_force(inst):
    layout, picks = inst
    # no time limit: this checks the DP's answer; a loaded machine could otherwise stop it at the deadline and
    # return the (valid, not proven) heuristic tour. Time budgets are measured by `wes bench optimizer`.
    r = route(layout, picks, time_limit_s=None)
    _check(layout, picks, r, layout.depot)
    assert r.optimal
    assert r.length_m == pytest.approx(brute_force(layout, picks, layout.depot, layout.depot), abs=1e-6)
    assert r.bound_m == pytest.approx(r.length_m, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(instances(max_picks=4), st.sampled_from([0.0, 3.0, 4.5]), st.integers(0, 3))
def test_open_route_to_drop_off_equals_brute_force(inst, x, level):
    layout, picks = inst
    end = Point(x, layout.cross_y[min(level, len(layout.cross_y) - 1)])
    r = route(layout, picks, end=end, time_limit_s=None)
    _check(layout, picks, r, layout.depot, end)
    assert r.length_m == pytest.approx(brute_force(layout, picks, layout.depot, end), abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(instances(max_picks=6))
def test_baselines_are_valid_tours_never_below_optimum(inst):
    layout, picks = inst
    opt = route(layout, picks).length_m
    for m in ROUTE_METHODS[1:]:
        r = route(layout, picks, m)
        _check(layout, picks, r, layout.depot)
        assert r.length_m >= opt - 1e-6
        assert not r.optimal


def test_larger_instances_beat_or_match_every_baseline():
    rng = random.Random(3)
    for cross in (2, 3, 4):
        layout = Layout.rectangular(10, 20.0, 3.0, cross)
        for _ in range(5):
            picks = [Position(rng.randrange(10), round(rng.uniform(0, 20), 1)) for _ in range(25)]
            r = route(layout, picks)
            _check(layout, picks, r, layout.depot)
            assert r.optimal
            for m in ROUTE_METHODS[1:]:
                assert r.length_m <= route(layout, picks, m).length_m + 1e-6
    # on one block with many picks S-shape is clearly worse than optimal on average
    layout = Layout.rectangular(12, 20.0, 3.0, 2)
    gaps = []
    for _ in range(10):
        picks = [Position(rng.randrange(12), round(rng.uniform(0, 20), 1)) for _ in range(15)]
        gaps.append(route(layout, picks, "s-shape").length_m / route(layout, picks).length_m - 1)
    assert sum(gaps) / len(gaps) > 0.03


def test_time_limit_returns_best_found_not_optimal():
    rng = random.Random(1)
    layout = Layout.rectangular(12, 30.0, 3.0, 6)
    picks = [Position(rng.randrange(12), round(rng.uniform(0, 30), 1)) for _ in range(30)]
    r = route(layout, picks, time_limit_s=0.0)
    assert not r.optimal
    _check(layout, picks, r, layout.depot)
    assert r.length_m <= route(layout, picks, "combined").length_m + 1e-6


def test_beam_mode_is_flagged_not_optimal_and_valid():
    rng = random.Random(2)
    layout = Layout.rectangular(8, 20.0, 3.0, 4)
    picks = [Position(rng.randrange(8), round(rng.uniform(0, 20), 1)) for _ in range(15)]
    r = route(layout, picks, beam=5)
    _check(layout, picks, r, layout.depot)
    assert r.length_m >= route(layout, picks).length_m - 1e-6


def test_no_picks_is_zero_and_pick_at_depot():
    layout = Layout.rectangular(3, 10.0, 3.0)
    assert route(layout, []).length_m == 0
    r = route(layout, [Position(0, 0.0)])
    assert r.length_m == 0
    assert r.optimal


def test_bad_input_names_the_pick():
    layout = Layout.rectangular(3, 10.0, 3.0)
    with pytest.raises(InputError, match="pick 1: aisle 7"):
        route(layout, [Position(0, 1.0), Position(7, 1.0)])
    with pytest.raises(InputError, match="pick 0: y = 11"):
        route(layout, [Position(0, 11.0)])
    with pytest.raises(InputError, match="unknown routing method"):
        route(layout, [Position(0, 1.0)], "teleport")
    with pytest.raises(InputError, match="cross_aisles"):
        Layout.rectangular(3, 10.0, 3.0, 1)


def test_distance_cache_matrix_matches_grid_walk():
    rng = random.Random(4)
    layout = Layout.rectangular(6, 15.0, 2.5, 4, Point(4.0, 0.0))
    pts = [Position(rng.randrange(6), round(rng.uniform(0, 15), 1)) for _ in range(12)]
    cache = DistanceCache(layout)
    m = cache.matrix(pts)
    for i, a in enumerate(pts):
        assert cache.depot_distance(a) == pytest.approx(walk_length(layout, [a], layout.depot) / 2)
        for j, b in enumerate(pts):
            assert m[i, j] == pytest.approx(cache.distance(a, b))
            assert cache.distance(a, b) == pytest.approx(
                walk_length(layout, [a, b], layout.depot) - cache.depot_distance(a) - cache.depot_distance(b)
            )
    assert tour_length(layout, pts) == pytest.approx(walk_length(layout, pts, layout.depot))


def test_layout_from_generic_locations_routes():
    locs = [
        Location("A-01", aisle=10, y=2.0, x=0.0),
        Location("A-02", aisle=10, y=8.0, x=0.0),
        Location("B-01", aisle=11, y=5.0, x=3.2, level=1),
        Location("C-01", aisle=13, y=9.0, x=6.4),
    ]
    layout, pos = layout_from_locations(locs, cross_aisles=2, aisle_length_m=10.0, depot=Point(0.0, 0.0))
    assert layout.aisles == 3
    assert pos["C-01"] == Position(2, 9.0)
    r = route(layout, [pos[k] for k in ("C-01", "A-01", "B-01")])
    assert r.optimal
    assert r.length_m == pytest.approx(
        brute_force(layout, [pos[k] for k in ("C-01", "A-01", "B-01")], layout.depot, layout.depot)
    )
    with pytest.raises(InputError, match="location Z: y = 12"):
        layout_from_locations([*locs, Location("Z", 10, 12.0, 0.0)], aisle_length_m=10.0)


def test_baseline_visiting_orders_on_a_hand_example():
    # one block, 3 aisles: P0 (aisle 0, 2 m), P1 (1, 5 m), P2 (2, 8 m), P3 (1, 9 m)
    layout = Layout.rectangular(3, 10.0, 3.0)
    picks = [Position(0, 2.0), Position(1, 5.0), Position(2, 8.0), Position(1, 9.0)]
    # S-shape: up aisle 0, down aisle 1 (9 then 5), up aisle 2
    assert route(layout, picks, "s-shape").order == (0, 3, 1, 2)
    # return: each aisle entered from the front, left to right
    assert route(layout, picks, "return").order == (0, 1, 3, 2)
    # midpoint: 9 m is in aisle 1's back half (from the back), 5 m in the front half (on the way home)
    assert route(layout, picks, "midpoint").order == (0, 3, 2, 1)
    # largest gap: aisle 1's largest gap is 0-5 m, so both picks are taken from the back
    assert route(layout, picks, "largest-gap").order == (0, 3, 1, 2)
    # the optimum: depot, P1 (3 + 5), P3 (4), P2 via the back (1 + 3 + 2), P0 via the front (8 + 6 + 2), depot (2)
    assert route(layout, picks).length_m == pytest.approx(36.0)
    assert brute_force(layout, picks, layout.depot, layout.depot) == pytest.approx(36.0)
