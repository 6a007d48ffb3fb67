import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer import (
    CartonType,
    Item,
    OrderItems,
    PackedCarton,
    PackedOrder,
    Placement,
    cartonize,
    check_packing,
)
from optimizer.cartonization import cartonize_order
from optimizer.generate import CATALOGUE, carton_instance

items = st.builds(
    Item,
    st.sampled_from(["A", "B", "C", "D"]),
    st.tuples(st.integers(20, 260), st.integers(20, 200), st.integers(10, 150)),
    st.floats(0.05, 4.0),
    st.integers(0, 4),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(items, min_size=1, max_size=4, unique_by=lambda i: i.sku))
def test_every_packing_passes_the_checker_and_never_uses_more_cartons(its):
    order = OrderItems("O", tuple(its))
    ff = cartonize_order(order, CATALOGUE, "first-fit")
    best = cartonize_order(order, CATALOGUE, "best")
    assert check_packing(order, CATALOGUE, ff) is None
    assert check_packing(order, CATALOGUE, best) is None
    assert len(best.cartons) <= len(ff.cartons)
    cost = {c.id: c.cost for c in CATALOGUE}
    # the objective is fewest cartons, then lowest cost
    mine = (len(best.cartons), sum(cost[c.carton] for c in best.cartons))
    theirs = (len(ff.cartons), sum(cost[c.carton] for c in ff.cartons) + 1e-9)
    assert mine <= theirs


def test_generated_orders_cost_less_than_first_fit():
    cats, orders = carton_instance(11, 60)
    best = cartonize(orders, cats, "best")
    ff = cartonize(orders, cats, "first-fit")
    assert all(check_packing(o, cats, p) is None for o, p in zip(orders, best.orders, strict=False))
    assert best.total_cost < ff.total_cost
    assert 0 < best.fill <= 1


def test_item_larger_than_every_carton_gets_a_reason():
    order = OrderItems("BIG", (Item("SOFA", (2000, 900, 800), 40.0, 1), Item("A", (100, 100, 100), 1.0, 1)))
    p = cartonize_order(order, CATALOGUE)
    assert p.cartons == ()
    assert p.reason is not None
    assert "SOFA" in p.reason
    heavy = OrderItems("H", (Item("LEAD", (100, 100, 100), 99.0, 1),))
    assert "LEAD" in (cartonize_order(heavy, CATALOGUE).reason or "")


def test_checker_catches_broken_packings():
    cat = [CartonType("S", (300, 200, 150), 10.0, 0.35)]
    order = OrderItems("O", (Item("A", (100, 80, 50), 0.4, 2),))
    good = cartonize_order(order, cat)
    assert check_packing(order, cat, good) is None
    pls = good.cartons[0].placements

    def with_pl(new):
        return PackedOrder("O", (PackedCarton("S", tuple(new)),))

    overlap = [pls[0], dataclasses.replace(pls[1], pos_mm=pls[0].pos_mm)]
    assert "overlaps" in (check_packing(order, cat, with_pl(overlap)) or "")
    outside = [pls[0], dataclasses.replace(pls[1], pos_mm=(250, 0, 0))]
    assert "sticks out" in (check_packing(order, cat, with_pl(outside)) or "")
    wrong = [pls[0], Placement("A", pls[1].pos_mm, (100, 80, 60))]
    assert "rotation" in (check_packing(order, cat, with_pl(wrong)) or "")
    assert "1 placed" in (check_packing(order, cat, with_pl(pls[:1])) or "")
    heavy_cat = [CartonType("S", (300, 200, 150), 0.5, 0.35)]
    assert "kg" in (check_packing(order, heavy_cat, with_pl(pls)) or "")
