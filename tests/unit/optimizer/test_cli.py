import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from optimizer import InputError
from optimizer.cli import app, bench_optimizer
from optimizer.generate import batching_instance, carton_instance, routing_instance, slotting_instance
from optimizer.instances import (
    layout_to_json,
    parse_batching,
    parse_carton,
    parse_order_slotting,
    parse_routing,
    parse_slotting,
)

from .optimizer_grid import walk_length

runner = CliRunner()


def _write(tmp_path, name, data):
    p = tmp_path / name
    p.write_text(json.dumps(data))
    return str(p)


def _routing_file(tmp_path, cross=2):
    layout, picks = routing_instance(5, 12, aisles=6, cross_aisles=cross)
    data = {
        "format": "wes-routing/1",
        "layout": layout_to_json(layout),
        "picks": [{"id": f"L{i}", "aisle": p.aisle, "y": p.y} for i, p in enumerate(picks)],
    }
    return layout, picks, _write(tmp_path, "route.json", data)


@pytest.mark.parametrize("method", ["optimal", "s-shape", "largest-gap"])
def test_route_round_trip(tmp_path, method):
    layout, picks, path = _routing_file(tmp_path, cross=3)
    res = runner.invoke(app, ["route", "--instance", path, "--method", method])
    assert res.exit_code == 0, res.output
    ans = json.loads(res.stdout)
    assert sorted(ans["sequence"]) == sorted(f"L{i}" for i in range(len(picks)))
    seq = [picks[int(s[1:])] for s in ans["sequence"]]
    assert ans["length_m"] == pytest.approx(walk_length(layout, seq, layout.depot), abs=1e-3)
    assert ans["optimal"] is (method == "optimal")


def test_batch_slot_cartonize_round_trips(tmp_path):
    layout, orders, cart = batching_instance(2, 12)
    bpath = _write(
        tmp_path,
        "b.json",
        {
            "format": "wes-batching/1",
            "layout": layout_to_json(layout),
            "cart": {"max_orders": cart.max_orders, "max_lines": cart.max_lines},
            "orders": [{"id": o.id, "picks": [{"aisle": p.aisle, "y": p.y} for p in o.picks]} for o in orders],
        },
    )
    for m in ("seed-ls", "fcfs"):
        res = runner.invoke(app, ["batch", "--instance", bpath, "--method", m, "--time-limit", "0.3"])
        assert res.exit_code == 0, res.output
        ans = json.loads(res.stdout)
        assert sorted(o for b in ans["batches"] for o in b["orders"]) == sorted(o.id for o in orders)
        by_id = {o.id: o for o in orders}
        for b in ans["batches"]:
            seq = [by_id[o].picks[k] for o, k in b["sequence"]]
            assert b["length_m"] == pytest.approx(walk_length(layout, seq, layout.depot), abs=1e-3)

    layout, locs, skus = slotting_instance(3, 120, 60)
    spath = _write(
        tmp_path,
        "s.json",
        {
            "format": "wes-slotting/1",
            "layout": layout_to_json(layout),
            "locations": [
                {
                    "id": x.id,
                    "aisle": x.aisle,
                    "y": x.y,
                    "level": x.level,
                    "capacity_m3": x.capacity_m3,
                    "max_kg": x.max_kg,
                }
                for x in locs
            ],
            "skus": [{"id": s.id, "picks_per_day": s.picks_per_day, "cube_m3": s.cube_m3, "kg": s.kg} for s in skus],
        },
    )
    opt = json.loads(runner.invoke(app, ["slot", "--instance", spath]).stdout)
    rnd = json.loads(runner.invoke(app, ["slot", "--instance", spath, "--method", "random", "--seed", "4"]).stdout)
    assert set(opt["assignment"]) == {s.id for s in skus}
    assert opt["expected_m_per_line"] < rnd["expected_m_per_line"]

    cats, corders = carton_instance(3, 10)
    cpath = _write(
        tmp_path,
        "c.json",
        {
            "format": "wes-carton/1",
            "cartons": [{"id": c.id, "inner_mm": list(c.inner_mm), "max_kg": c.max_kg, "cost": c.cost} for c in cats],
            "orders": [
                {
                    "id": o.id,
                    "items": [{"sku": i.sku, "dims_mm": list(i.dims_mm), "kg": i.kg, "qty": i.qty} for i in o.items],
                }
                for o in corders
            ],
        },
    )
    res = runner.invoke(app, ["cartonize", "--instance", cpath])
    assert res.exit_code == 0, res.output
    ans = json.loads(res.stdout)
    assert len(ans["orders"]) == 10
    assert ans["total_cartons"] >= 10
    units = sum(len(c["placements"]) for o in ans["orders"] for c in o["cartons"])
    assert units == sum(i.qty for o in corders for i in o.items)


BAD = [
    (
        "route",
        {
            "format": "wes-routing/1",
            "layout": {"aisles": 3, "aisle_length_m": 10, "aisle_pitch_m": 3},
            "picks": [{"id": "L9", "aisle": 5, "y": 1}],
        },
        "pick L9",
    ),
    (
        "route",
        {
            "format": "wes-routing/1",
            "layout": {"aisles": 3, "aisle_length_m": 10, "aisle_pitch_m": 3},
            "picks": [{"id": "L2", "aisle": 1, "y": 14}],
        },
        "pick L2",
    ),
    ("route", {"format": "wes-batching/1"}, "format"),
    (
        "batch",
        {
            "format": "wes-batching/1",
            "layout": {"aisles": 3, "aisle_length_m": 10, "aisle_pitch_m": 3},
            "cart": {"max_orders": 0, "max_lines": 5},
            "orders": [],
        },
        "cart",
    ),
    (
        "batch",
        {
            "format": "wes-batching/1",
            "layout": {"aisles": 3, "aisle_length_m": 10, "aisle_pitch_m": 3},
            "cart": {"max_orders": 2, "max_lines": 1},
            "orders": [{"id": "O7", "picks": [{"aisle": 0, "y": 1}, {"aisle": 1, "y": 2}]}],
        },
        "order O7",
    ),
    (
        "batch",
        {
            "format": "wes-batching/1",
            "layout": {"aisles": 3, "aisle_length_m": 10, "aisle_pitch_m": 3},
            "cart": {"max_orders": 2, "max_lines": 5},
            "orders": [{"id": "O8", "picks": [{"aisle": 0, "y": 1, "qty": -2}]}],
        },
        "O8",
    ),
    (
        "slot",
        {
            "format": "wes-slotting/1",
            "layout": {"aisles": 3, "aisle_length_m": 10, "aisle_pitch_m": 3},
            "locations": [],
            "skus": [{"id": "S1", "picks_per_day": -3, "cube_m3": 0.1}],
        },
        "sku S1",
    ),
    (
        "cartonize",
        {
            "format": "wes-carton/1",
            "cartons": [{"id": "S", "inner_mm": [300, 200, 150], "max_kg": 10, "cost": 0.35}],
            "orders": [{"id": "O1", "items": [{"sku": "A", "dims_mm": [10, 10, 10], "kg": 0.1, "qty": -1}]}],
        },
        "sku A",
    ),
]


@pytest.mark.parametrize(("cmd", "data", "needle"), BAD)
def test_bad_input_one_line_error_exit_2(tmp_path, cmd, data, needle):
    res = runner.invoke(app, [cmd, "--instance", _write(tmp_path, "bad.json", data)])
    assert res.exit_code == 2
    assert needle in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.output
    assert res.stdout == ""


def test_malformed_json_and_missing_file(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("{not json")
    res = runner.invoke(app, ["route", "--instance", str(p)])
    assert res.exit_code == 2
    assert "malformed JSON" in res.stderr
    res = runner.invoke(app, ["route", "--instance", str(tmp_path / "nope.json")])
    assert res.exit_code == 2
    assert "cannot read" in res.stderr


def test_unknown_method_is_exit_2(tmp_path):
    _, _, path = _routing_file(tmp_path)
    res = runner.invoke(app, ["route", "--instance", path, "--method", "zigzag"])
    assert res.exit_code == 2
    assert "zigzag" in res.stderr


def test_quick_bench_prints_a_full_report(capsys):
    bench_optimizer(json_out=True, quick=True, seed=2)
    report = json.loads(capsys.readouterr().out)
    for area in ("routing", "batching", "slotting", "cartonization", "waves"):
        assert area in report
    assert report["routing"]["single-block"]["optimum_proven"] == report["routing"]["single-block"]["instances"]
    for m in ("optimal", "s-shape", "return", "midpoint", "largest-gap", "combined"):
        stats = report["routing"]["two-block"]["methods"][m]
        assert stats["mean_gap_pct"] >= 0
        assert stats["p95_ms"] >= stats["p50_ms"]
    assert report["routing"]["two-block"]["methods"]["optimal"]["max_gap_pct"] == 0
    assert report["cartonization"]["infeasible_packings"] == 0
    assert {t["name"] for t in report["targets"]} >= {"cartonization zero infeasible packings"}
    slotting = report["order_slotting"]
    for m in ("co-order", "turnover", "coi", "random"):
        assert slotting["methods"][m]["future_m_per_order"] > 0 and slotting["methods"][m]["history_m_per_order"] > 0
    # the quick instance (2 s of search) is too small to beat turnover reliably; the full bench reports that target
    assert slotting["future_saving_vs_coi_pct"] > 10
    assert slotting["methods"]["co-order"]["future_m_per_order"] < slotting["methods"]["random"]["future_m_per_order"]
    assert slotting["reslot_plan"]["m_per_day_after"] <= slotting["reslot_plan"]["m_per_day_before"]


# the field names of the formats, so junk reaches deep into the parsers
_KEYS = st.sampled_from(
    [
        "id",
        "aisle",
        "y",
        "qty",
        "picks",
        "max_orders",
        "max_lines",
        "level",
        "capacity_m3",
        "max_kg",
        "picks_per_day",
        "cube_m3",
        "kg",
        "inner_mm",
        "cost",
        "sku",
        "dims_mm",
        "items",
        "x",
        "depot",
    ]
) | st.text(max_size=3)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 50) | st.floats(-5, 50) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=6),
    max_leaves=20,
)
_LAYOUT = {"aisles": 3, "aisle_length_m": 10, "aisle_pitch_m": 3}


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["wes-routing/1", "wes-batching/1", "wes-slotting/1", "wes-slotting/2", "wes-carton/1"]),
    st.dictionaries(
        st.sampled_from(["layout", "picks", "orders", "cart", "locations", "skus", "cartons", "items", "history"]),
        json_values,
        max_size=4,
    ),
    st.booleans(),
)
def test_parsers_reject_junk_with_input_error_only(fmt, body, good_layout):
    data = {"format": fmt, **body}
    if good_layout:
        data["layout"] = _LAYOUT
    parse = {
        "wes-routing/1": parse_routing,
        "wes-batching/1": parse_batching,
        "wes-slotting/1": parse_slotting,
        "wes-slotting/2": parse_order_slotting,
        "wes-carton/1": parse_carton,
    }[fmt]
    message = None
    try:
        parse(data)
    except InputError as e:
        message = str(e)
    # anything else (KeyError, TypeError, ...) would fail the test: junk gets a one-line reason
    if message is not None:
        assert message
        assert "\n" not in message
