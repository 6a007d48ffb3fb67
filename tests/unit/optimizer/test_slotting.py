import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer import (
    InputError,
    Layout,
    SlotCandidate,
    SlotLocation,
    SlotSku,
    choose_location,
    expected_m_per_line,
    reslot,
    slot,
)
from optimizer.generate import slotting_instance
from optimizer.slotting import HEAVY_KG


def _check_rules(locs, skus, assignment):
    by_loc = {loc.id: loc for loc in locs}
    assert len(set(assignment.values())) == len(assignment)
    for s in skus:
        loc = by_loc[assignment[s.id]]
        assert loc.capacity_m3 >= s.cube_m3
        assert s.kg <= loc.max_kg
        if s.kg > HEAVY_KG:
            assert loc.level == 0


def test_methods_respect_rules_and_optimal_is_best():
    layout, locs, skus = slotting_instance(2, 300, 220)
    res = {m: slot(layout, locs, skus, m, seed=1) for m in ("optimal", "coi", "abc", "random")}
    for r in res.values():
        _check_rules(locs, skus, r.assignment)
        assert r.expected_m_per_line == pytest.approx(expected_m_per_line(layout, locs, skus, r.assignment))
    opt = res["optimal"].expected_m_per_line
    assert all(opt <= r.expected_m_per_line + 1e-6 for r in res.values())
    assert opt < 0.65 * res["random"].expected_m_per_line  # skewed demand pays off


def test_optimal_equals_brute_force_on_tiny_zone():
    rng = random.Random(7)
    layout = Layout.rectangular(3, 6.0, 3.0)
    locs = [
        SlotLocation(
            f"L{i}",
            rng.randrange(3),
            rng.choice([1.0, 3.0, 5.0]),
            rng.randrange(2),
            rng.choice([0.2, 0.5]),
            100.0,
        )
        for i in range(6)
    ]
    skus = [SlotSku(f"S{i}", rng.uniform(1, 50), rng.choice([0.1, 0.3]), rng.choice([1.0, 20.0])) for i in range(4)]
    r = slot(layout, locs, skus)
    best = float("inf")
    for perm in itertools.permutations(locs, len(skus)):
        a = {s.id: loc.id for s, loc in zip(skus, perm, strict=False)}
        try:
            best = min(best, expected_m_per_line(layout, locs, skus, a))
        except InputError:
            continue
    assert r.expected_m_per_line == pytest.approx(best, rel=1e-4)


def test_infeasible_sku_is_named():
    layout = Layout.rectangular(2, 6.0, 3.0)
    locs = [SlotLocation("L1", 0, 1.0, 1, 0.5, 100.0), SlotLocation("L2", 1, 1.0, 0, 0.1, 100.0)]
    with pytest.raises(InputError, match="sku HEAVY"):
        slot(layout, locs, [SlotSku("HEAVY", 5, 0.3, 25.0)])
    with pytest.raises(InputError, match="sku NEG"):
        slot(layout, locs, [SlotSku("NEG", -1, 0.1, 1.0)])
    with pytest.raises(InputError, match="location BAD: aisle 5"):
        slot(layout, [SlotLocation("BAD", 5, 1.0, 0, 1.0, 10.0)], [])


def test_choose_location_rules_and_demand():
    cands = [
        SlotCandidate("NEAR-HIGH", 5.0, 1.0, 100.0, level=2, zone="A", owner="o1"),
        SlotCandidate("NEAR-LOW", 6.0, 1.0, 500.0, level=0, zone="A", owner="o1"),
        SlotCandidate("FAR-LOW", 60.0, 1.0, 500.0, level=0, zone="A", owner="o1"),
        SlotCandidate("TINY", 1.0, 0.01, 500.0, level=0, zone="A", owner="o1"),
        SlotCandidate("OTHER-OWNER", 2.0, 1.0, 500.0, level=0, zone="A", owner="o2"),
    ]
    heavy = SlotSku("P", 10, 0.5, 30.0, zone="A", owner="o1")
    assert choose_location(heavy, cands, demand_percentile=1.0).location_id == "NEAR-LOW"
    slow = SlotSku("Q", 1, 0.5, 1.0, zone="A", owner="o1")
    assert choose_location(slow, cands, demand_percentile=0.0).location_id == "FAR-LOW"
    fast = SlotSku("R", 1, 0.5, 1.0, zone="A", owner="o1")
    assert choose_location(fast, cands, demand_percentile=1.0).location_id == "NEAR-HIGH"
    none = choose_location(SlotSku("Z", 1, 5.0, 1.0), cands)
    assert none.location_id is None
    assert "Z" in (none.reason or "")
    assert "capacity" in (none.reason or "")


def test_reslot_moves_reach_the_plan():
    layout, locs, skus = slotting_instance(4, 120, 80)
    current = slot(layout, locs, skus, "random", seed=3).assignment
    plan = reslot(layout, locs, skus, current)
    assert plan.m_per_line_before is not None
    assert plan.m_per_line_after < plan.m_per_line_before
    where = dict(current)
    holder = {v: k for k, v in current.items()}
    for mv in plan.moves:
        assert where[mv.sku] == mv.from_id
        assert mv.to_id not in holder  # destination empty when used
        del holder[mv.from_id]
        holder[mv.to_id] = mv.sku
        where[mv.sku] = mv.to_id
    assert where == plan.assignment
    limited = reslot(layout, locs, skus, current, max_moves=5)
    _check_rules(locs, skus, limited.assignment)
    assert limited.m_per_line_before is not None
    assert limited.m_per_line_after <= limited.m_per_line_before


def _replay(current, plan):
    """Apply the moves to ``current``; every destination must be empty when used."""
    where = dict(current)
    holder = {v: k for k, v in current.items()}
    assert len(holder) == len(current)
    for mv in plan.moves:
        assert where.get(mv.sku) == mv.from_id
        assert mv.to_id not in holder, f"{mv} lands on {holder.get(mv.to_id)}"
        if mv.from_id is not None:
            del holder[mv.from_id]
        holder[mv.to_id] = mv.sku
        where[mv.sku] = mv.to_id
    return where


_RS_LAYOUT = Layout.rectangular(3, 20.0, 3.0)
_RS_LOCS = [SlotLocation(f"L{i}", i % 3, 2.0 + 3 * i, 0, 1.0, 100.0) for i in range(6)]


def test_reslot_cycles_use_a_location_freed_by_an_earlier_move():
    # the reviewer's rs3 search: every such instance has a free location at some point
    rng = random.Random(2)
    for _ in range(3000):
        k = rng.randint(2, 5)
        skus = [SlotSku(f"S{i}", rng.randint(0, 100), 0.1, 1.0) for i in range(k)]
        ids = [loc.id for loc in _RS_LOCS]
        rng.shuffle(ids)
        cur = {s.id: ids[i] for i, s in enumerate(skus)}
        plan = reslot(_RS_LAYOUT, _RS_LOCS, skus, cur)
        assert _replay(cur, plan) == plan.assignment


def test_reslot_max_moves_never_puts_two_skus_in_one_location():
    skus = [SlotSku("S0", 64, 0.1, 1.0), SlotSku("S1", 52, 0.1, 1.0), SlotSku("S2", 62, 0.1, 1.0)]
    cur = {"S0": "L4", "S1": "L1", "S2": "L0"}
    for m in range(4):
        plan = reslot(_RS_LAYOUT, _RS_LOCS, skus, cur, max_moves=m)
        assert len(set(plan.assignment.values())) == len(skus)
        assert _replay(cur, plan) == plan.assignment
        assert sum(cur.get(s) != t for s, t in plan.assignment.items()) <= m


def test_reslot_rejects_a_current_sku_that_is_not_in_the_zone():
    locs = [
        SlotLocation("NEAR", 0, 1.0, 0, 1.0, 100.0),
        SlotLocation("FAR", 2, 19.0, 0, 1.0, 100.0),
        SlotLocation("FREE", 2, 18.0, 0, 1.0, 100.0),
    ]
    with pytest.raises(InputError, match="OLD"):
        reslot(_RS_LAYOUT, locs, [SlotSku("S1", 10, 0.1, 1.0)], {"S1": "FAR", "OLD": "NEAR"})


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(0, 2),
    st.lists(st.integers(0, 100), min_size=6, max_size=6),
    st.permutations(range(8)),
    st.integers(0, 7),
    st.one_of(st.none(), st.integers(0, 8)),
)
def test_reslot_property_moves_replay_to_a_valid_assignment(k, spare, picks, perm, unslotted, max_moves):
    locs = [SlotLocation(f"L{i}", i % 3, 2.0 + 2.5 * i, 0, 1.0, 100.0) for i in range(k + spare)]
    skus = [SlotSku(f"S{i}", picks[i], 0.1, 1.0) for i in range(k)]
    free = [f"L{i}" for i in perm if i < k + spare]
    cur = {s.id: free[i] for i, s in enumerate(skus) if i != unslotted}
    if len(cur) == len(locs):  # no free location at all: a swap cycle is impossible, say so clearly
        try:
            plan = reslot(_RS_LAYOUT, locs, skus, cur, max_moves=max_moves)
        except InputError as e:
            message = str(e)
            if "free location" not in message:
                raise
            return
    else:  # feasible: must never raise
        plan = reslot(_RS_LAYOUT, locs, skus, cur, max_moves=max_moves)
    assert set(plan.assignment) == {s.id for s in skus}
    assert len(set(plan.assignment.values())) == len(skus)
    assert _replay(cur, plan) == plan.assignment
