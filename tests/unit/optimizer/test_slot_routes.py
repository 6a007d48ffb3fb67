"""The batched exact route objective against a brute-force router, and order slotting's rules."""

import itertools
import random
from typing import Any

import numpy as np
import pytest

from optimizer import InputError, Layout, Point, Position, SlotLocation, route
from optimizer.generate import order_slotting_instance
from optimizer.slot_routes import BatchRouter
from optimizer.slotting_orders import (
    HistoryOrder,
    OrderEvaluator,
    OrderSlottingProblem,
    UnitSku,
    order_objective,
    plan_reslot,
    slot_by_orders,
)

from .optimizer_grid import walk_length


def _brute(layout: Layout, picks: list[Position]) -> float:
    """Shortest closed walk by trying every visiting order, distances from the independent grid walker."""
    return min(walk_length(layout, list(p), layout.depot) for p in itertools.permutations(picks))


@pytest.mark.parametrize("depot", [Point(0.0, 0.0), Point(4.5, 0.0), Point(6.0, 10.0), Point(-2.0, 0.0)])
def test_batched_routes_equal_brute_force(depot):
    rng = random.Random(7)
    layout = Layout.rectangular(4, 10.0, 3.0, 2, depot)
    locs = [(a, round(rng.uniform(0.5, 9.5), 1)) for a in range(4) for _ in range(5)]
    router = BatchRouter(layout, [a for a, _ in locs], [y for _, y in locs])
    orders = [rng.sample(range(len(locs)), rng.randint(1, 5)) for _ in range(60)]
    got = router.lengths(
        np.array([k for k, o in enumerate(orders) for _ in o]), np.array([i for o in orders for i in o]), len(orders)
    )
    for k, o in enumerate(orders):
        assert got[k] == pytest.approx(_brute(layout, [Position(*locs[i]) for i in o]), abs=1e-6), o


def test_batched_routes_equal_the_exact_router_and_are_fast():
    problem, _ = order_slotting_instance(5, skus=300, locations=400, days=6, orders_per_day=200, holdout_days=1)
    assignment = slot_by_orders(problem, "turnover").assignment
    ev = OrderEvaluator(problem, problem.orders)
    by_id = {loc.id: i for i, loc in enumerate(problem.locations)}
    loc_of = np.array([by_id[assignment[s.id]] for s in problem.skus])
    ev.routes(loc_of)  # warm
    import time

    t0 = time.perf_counter()
    lengths = ev.routes(loc_of)
    assert time.perf_counter() - t0 < 1.0  # 1,000 orders, far below a second even on a busy machine
    locs = {loc.id: loc for loc in problem.locations}
    for k, o in enumerate(problem.orders[:40]):
        picks = sorted({(locs[assignment[s]].aisle, locs[assignment[s]].y) for s, _ in o.lines})
        assert lengths[k] == pytest.approx(route(problem.layout, [Position(a, y) for a, y in picks]).length_m)


def _tiny(**kw):
    layout = Layout.rectangular(2, 6.0, 3.0, 2)
    locs = (
        SlotLocation("L0", 0, 1.0, 0, 0.5, 100.0),
        SlotLocation("L1", 0, 3.0, 1, 0.5, 100.0),
        SlotLocation("L2", 1, 1.0, 0, 0.05, 100.0),
    )
    skus = (UnitSku("A", 0.01, 1.0, 2), UnitSku("B", 0.01, 20.0, 2))
    orders = (HistoryOrder("H1", (("A", 1), ("B", 1))),)
    base: dict[str, Any] = {
        "layout": layout,
        "locations": locs,
        "skus": skus,
        "days": 1,
        "orders": orders,
        "replenishment_cost_m": 0.0,
    }
    base.update(kw)
    return OrderSlottingProblem(**base)


def test_bad_input_names_the_culprit():
    p = _tiny()
    with pytest.raises(InputError, match="location L0: listed twice"):
        slot_by_orders(_tiny(locations=(*p.locations, p.locations[0])), "turnover")
    with pytest.raises(InputError, match="unknown sku ZZ"):
        slot_by_orders(_tiny(orders=(HistoryOrder("H9", (("ZZ", 1),)),)), "turnover")
    with pytest.raises(InputError, match="3 SKUs but only 2 locations"):
        slot_by_orders(_tiny(locations=p.locations[:2], skus=(*p.skus, UnitSku("C", 0.01, 1.0, 1))), "turnover")
    with pytest.raises(InputError, match="sku BIG: fits no location \\(mostly: capacity\\)"):
        slot_by_orders(_tiny(skus=(*p.skus, UnitSku("BIG", 1.0, 1.0, 1))), "turnover")
    heavy = (UnitSku("A", 0.01, 20.0, 2), UnitSku("B", 0.01, 20.0, 2), UnitSku("C", 0.01, 20.0, 1))
    with pytest.raises(
        InputError, match="infeasible: 3 SKUs have units over 15 kg but only 2 locations are on level 0"
    ):
        slot_by_orders(_tiny(skus=heavy, orders=()), "co-order")


def test_rules_hold_for_every_method_and_heavy_stays_low():
    p = _tiny()
    for m in ("co-order", "turnover", "coi", "random"):
        a = slot_by_orders(p, m, time_limit_s=0.2).assignment
        assert a["B"] in ("L0", "L2")  # a 20 kg unit only on level 0
        assert len(set(a.values())) == 2
        assert order_objective(p, a) > 0


def test_reslot_plan_ranks_moves_and_the_budget_cuts_it():
    problem, _ = order_slotting_instance(4, skus=120, locations=160, days=8, orders_per_day=60, holdout_days=1)
    current = slot_by_orders(problem, "random", seed=3).assignment
    full = plan_reslot(problem, current, time_limit_s=3.0, seed=1)
    assert full.moves and full.m_per_day_after < full.m_per_day_before
    assert full.m_per_day_before - full.m_per_day_after == pytest.approx(full.full_m_per_day_saved, rel=1e-6)
    # each SKU moves at most once; applying the moves gives the reported objective
    moved = [m.sku for m in full.moves] + [m.swap_sku for m in full.moves if m.swap_sku]
    assert len(moved) == len(set(moved))
    after = dict(current)
    for m in full.moves:
        assert after[m.sku] == m.from_id
        after[m.sku] = m.to_id
        if m.swap_sku:
            assert after[m.swap_sku] == m.to_id
            after[m.swap_sku] = m.from_id
    assert order_objective(problem, after) == pytest.approx(full.m_per_order_after)
    # the curve is cumulative, ends at the whole saving, and the first fifth of the moves holds most of it
    shares = [s for _, s in full.curve]
    assert shares[-1] == pytest.approx(1.0)
    head = max(s for f, s in full.curve if f <= 0.2)
    assert head >= 0.5
    cut = plan_reslot(problem, current, max_moves=3, time_limit_s=3.0, seed=1)
    assert len(cut.moves) == 3 and cut.m_per_day_after < cut.m_per_day_before
    mins = plan_reslot(problem, current, max_minutes=10.0, time_limit_s=3.0, seed=1)
    assert sum(m.labour_min for m in mins.moves) <= 10.0
    with pytest.raises(InputError, match=r"location .*: holds two SKUs"):
        plan_reslot(problem, {**current, problem.skus[1].id: current[problem.skus[0].id]})


def test_putaway_puts_a_new_sku_next_to_what_it_is_ordered_with():
    from optimizer.slotting_orders import putaway_costs

    layout = Layout.rectangular(3, 10.0, 3.0, 2)
    locs = (
        SlotLocation("NEAR", 0, 1.0, 0, 0.5, 100.0),  # the nearest empty slot
        SlotLocation("MATE", 2, 5.0, 0, 0.5, 100.0),
        SlotLocation("BESIDE", 2, 5.5, 0, 0.5, 100.0),
        SlotLocation("SMALL", 2, 4.5, 0, 0.001, 100.0),  # too small for the new SKU
    )
    skus = (UnitSku("M", 0.01, 1.0, 1), UnitSku("N", 0.01, 1.0, 2))
    orders = tuple(HistoryOrder(f"H{k}", (("M", 1), ("N", 1))) for k in range(5))
    p = OrderSlottingProblem(layout, locs, skus, 5, orders, 0.0)
    costs = putaway_costs(p, {"M": "MATE"}, "N", ["NEAR", "BESIDE", "SMALL"])
    assert set(costs) == {"NEAR", "BESIDE"}
    assert costs["BESIDE"] < costs["NEAR"]
    assert costs["BESIDE"] == pytest.approx(2 * 6.0 + 2 * 5.5)  # one order a day, its exact route
    assert costs["NEAR"] == pytest.approx(2 * 6.0 + 2 * 1.0 + 2 * 5.0)
