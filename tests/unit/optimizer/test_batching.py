import pytest

from optimizer import Cart, InputError, Layout, Order, Position, batch_orders, route
from optimizer.generate import batching_instance

from .optimizer_grid import walk_length


def _check(layout, orders, cart, res):
    by_id = {o.id: o for o in orders}
    seen = [oid for b in res.batches for oid in b.orders]
    assert sorted(seen) == sorted(by_id)  # every order in exactly one batch
    total = 0.0
    for b in res.batches:
        assert len(b.orders) <= cart.max_orders
        lines = sum(len(by_id[o].picks) for o in b.orders)
        assert lines <= cart.max_lines
        # the sequence visits every pick of the batch exactly once
        expect = sorted((o, k) for o in b.orders for k in range(len(by_id[o].picks)))
        assert sorted(b.sequence) == expect
        seq = [by_id[o].picks[k] for o, k in b.sequence]
        assert b.length_m == pytest.approx(walk_length(layout, seq, layout.depot), abs=1e-6)
        total += b.length_m
    assert res.total_length_m == pytest.approx(total)


def test_seed_ls_respects_cart_and_beats_fcfs():
    layout, orders, cart = batching_instance(3, 40)
    ff = batch_orders(layout, orders, cart, "fcfs")
    ls = batch_orders(layout, orders, cart, "seed-ls", time_limit_s=1.0)
    _check(layout, orders, cart, ff)
    _check(layout, orders, cart, ls)
    assert ls.total_length_m < ff.total_length_m


def test_fcfs_keeps_file_order_and_routes_s_shape():
    layout, orders, cart = batching_instance(5, 10, max_orders=3)
    ff = batch_orders(layout, orders, cart, "fcfs")
    assert [o for b in ff.batches for o in b.orders] == [o.id for o in orders]
    first = ff.batches[0]
    picks = [p for o in orders[:3] for p in o.picks]
    assert first.length_m == pytest.approx(route(layout, picks, "s-shape").length_m)


def test_line_volume_and_weight_limits():
    layout = Layout.rectangular(4, 10.0, 3.0)
    orders = [
        Order(f"O{i}", (Position(i % 4, 2.0), Position((i + 1) % 4, 5.0)), volume_m3=0.4, kg=10.0) for i in range(9)
    ]
    cart = Cart(max_orders=5, max_lines=6, max_volume_m3=1.0, max_kg=25.0)
    res = batch_orders(layout, orders, cart, "seed-ls", time_limit_s=0.5)
    _check(layout, orders, cart, res)
    by_id = {o.id: o for o in orders}
    for b in res.batches:
        assert sum(by_id[o].volume_m3 for o in b.orders) <= 1.0 + 1e-9
        assert sum(by_id[o].kg for o in b.orders) <= 25.0


def test_impossible_cart_and_bad_orders_are_named():
    layout = Layout.rectangular(4, 10.0, 3.0)
    big = Order("BIG", tuple(Position(0, 1.0 + k) for k in range(5)))
    with pytest.raises(InputError, match="order BIG: 5 lines"):
        batch_orders(layout, [big], Cart(max_orders=2, max_lines=4))
    with pytest.raises(InputError, match="max_orders"):
        batch_orders(layout, [big], Cart(max_orders=0, max_lines=40))
    with pytest.raises(InputError, match="order X pick 0: aisle 9"):
        batch_orders(layout, [Order("X", (Position(9, 1.0),))], Cart(2, 10))
    with pytest.raises(InputError, match="order A: listed twice"):
        batch_orders(layout, [Order("A", (Position(0, 1.0),)), Order("A", (Position(1, 1.0),))], Cart(2, 10))
