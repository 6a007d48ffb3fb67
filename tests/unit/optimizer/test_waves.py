from optimizer import Cart, Layout, Position, WaveOrder, plan_waves


def test_waves_group_by_cutoff_carrier_zone_in_release_order():
    layout = Layout.rectangular(6, 10.0, 3.0)
    orders = [
        WaveOrder(
            f"O{i}",
            (Position(i % 6, 1.0 + i % 8),),
            cutoff=["15:00", "12:00"][i % 2],
            carrier=["DHL", "UPS"][i % 3 % 2],
            zone="A",
        )
        for i in range(24)
    ]
    plan = plan_waves(layout, orders, Cart(4, 20), pickers=2, time_limit_s=0.5)
    assert sorted(o for w in plan.waves for o in w.orders) == sorted(o.id for o in orders)
    cut = [w.cutoff for w in plan.waves]
    assert cut == sorted(cut)
    by_id = {o.id: o for o in orders}
    for w in plan.waves:
        assert {(by_id[o].cutoff, by_id[o].carrier, by_id[o].zone) for o in w.orders} == {(w.cutoff, w.carrier, w.zone)}
        assert sorted(o for b in w.batches for o in b.orders) == sorted(w.orders)
        assert w.total_m == sum(b.length_m for b in w.batches)
        # minutes: walking at 60 m/min plus 10 s per line
        assert abs(w.pick_minutes - (w.total_m / 60 + len(w.orders) * 10 / 60)) < 1e-9
        assert w.elapsed_minutes >= w.pick_minutes / 2 - 1e-9


def test_max_orders_per_wave_below_one_is_an_input_error():
    import pytest

    from optimizer import InputError

    layout = Layout.rectangular(6, 10.0, 3.0)
    orders = [WaveOrder("O1", (Position(0, 1.0),), cutoff="12:00", carrier="DHL", zone="A")]
    for bad in (0, -1):
        with pytest.raises(InputError, match="max_orders_per_wave"):
            plan_waves(layout, orders, Cart(4, 20), max_orders_per_wave=bad, time_limit_s=0.1)
