"""The parts of ``co-order`` slotting: co-occurrence, SKU groups, the incremental (delta) route evaluation
of the local search and its two-halves acceptance rule."""

import random

import numpy as np
import pytest

from optimizer.generate import order_slotting_instance
from optimizer.slotting_orders import (
    GROUP_RESOLUTIONS,
    HistoryOrder,
    OrderEvaluator,
    _cooccurrence,
    _groups,
    _rates,
    _Search,
    check_problem,
    slot_by_orders,
)


@pytest.fixture(scope="module")
def small():
    return order_slotting_instance(5, skus=80, locations=100, days=6, orders_per_day=40, holdout_days=2)


def _start(problem):
    idx = {loc.id: i for i, loc in enumerate(problem.locations)}
    r = slot_by_orders(problem, "turnover")
    return np.array([idx[r.assignment[s.id]] for s in problem.skus], dtype=np.int64)


def test_cooccurrence_counts_each_pair_once_per_order(small):
    problem, _ = small
    orders = list(problem.orders[:60])
    # a repeated line of a SKU in one order counts once
    sk = problem.skus
    orders.append(HistoryOrder("dup", ((sk[0].id, 1), (sk[1].id, 2), (sk[0].id, 3))))
    ev = OrderEvaluator(problem, orders)
    co = _cooccurrence(ev, len(sk))
    idx = {s.id: i for i, s in enumerate(sk)}
    brute = np.zeros((len(sk), len(sk)))
    for o in orders:
        ids = sorted({idx[s] for s, _ in o.lines})
        for a in ids:
            for b in ids:
                if a != b:
                    brute[a, b] += 1
    assert np.array_equal(co, brute)
    assert np.array_equal(co, co.T)


def test_groups_find_planted_families_despite_popular_noise():
    rng = random.Random(4)
    n_fam, size = 40, 8  # each family a small share of all links, as in a real catalogue
    n = n_fam * size + 4
    fam = [list(range(f * size, (f + 1) * size)) for f in range(n_fam)]
    popular = list(range(n_fam * size, n))  # ordered with everything
    co = np.zeros((n, n))
    for _ in range(6000):
        f = fam[rng.randrange(n_fam)]
        skus = set(rng.sample(f, rng.randint(2, 5)))
        if rng.random() < 0.6:
            skus.add(rng.choice(popular))
        for a in skus:
            for b in skus:
                if a != b:
                    co[a, b] += 1
    for resolution in GROUP_RESOLUTIONS:
        label = _groups(co, resolution, random.Random(0))
        groups = [set(label[f].tolist()) for f in fam]
        # every family whole, and no two families share a group
        assert all(len(g) == 1 for g in groups), resolution
        assert len(set().union(*groups)) == n_fam, resolution


def test_delta_evaluation_equals_full_reevaluation_on_random_swaps(small):
    problem, _ = small
    ev = OrderEvaluator(problem, problem.orders)
    loc_of = _start(problem)
    full = ev.routes(loc_of)
    rng = np.random.default_rng(3)
    n = len(problem.skus)
    for _ in range(30):
        s, t = (int(x) for x in rng.choice(n, 2, replace=False))
        orders = np.union1d(ev.orders_of(s), ev.orders_of(t))
        if not len(orders):
            continue
        delta = ev.routes_with(
            orders,
            loc_of,
            [
                (np.full(len(orders), s, dtype=np.int64), np.full(len(orders), loc_of[t], dtype=np.int64)),
                (np.full(len(orders), t, dtype=np.int64), np.full(len(orders), loc_of[s], dtype=np.int64)),
            ],
        )
        swapped = loc_of.copy()
        swapped[s], swapped[t] = loc_of[t], loc_of[s]
        again = ev.routes(swapped)
        assert np.allclose(delta, again[orders])
        # orders without either SKU do not change: the delta over the touched orders is the whole change
        assert again.sum() - full.sum() == pytest.approx(delta.sum() - full[orders].sum(), abs=1e-6)


@pytest.mark.parametrize(("consistent", "sample"), [(False, 120), (True, 120), (True, 4)])
def test_search_keeps_routes_exact_and_every_kept_move_pays(small, consistent, sample):
    problem, _ = small
    ok = check_problem(problem)
    lines, _ = _rates(problem)
    ev = OrderEvaluator(problem, problem.orders)
    halves = [OrderEvaluator(problem, problem.orders[h::2]) for h in (0, 1)]
    search = _Search(problem, ev, ok, _start(problem), lines, random.Random(1), consistent=consistent)
    search.sample = sample  # a small sample sends busy SKUs through the sampled-then-remeasured path
    kept = 0
    for _ in range(300):
        before = search.loc_of.copy()
        value = ev.mean(before) * ev.n_orders
        half_routes = [h.routes(before).sum() for h in halves]
        op = search.try_sku(int(np.random.default_rng(kept + _).integers(len(problem.skus))))
        # the incrementally kept routes equal a full re-evaluation after every step
        assert np.allclose(search.route, ev.routes(search.loc_of))
        if op is None:
            assert np.array_equal(before, search.loc_of)
            continue
        kept += 1
        after = ev.mean(search.loc_of) * ev.n_orders
        assert value - after == pytest.approx(op.saving, abs=1e-6)
        assert op.saving > 0
        if consistent:
            d_rep = float(ev.replen(search.loc_of).sum() - ev.replen(before).sum())
            for h, old in zip(halves, half_routes, strict=True):
                assert h.routes(search.loc_of).sum() - old + d_rep / 2 < 0
    assert kept > 0
