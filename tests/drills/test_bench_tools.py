"""The pure parts of the load and simulation tools: SQL capture rendering, the pgbench script, the picker crew."""

from __future__ import annotations

from datetime import UTC, datetime

from server.bench.capture import literal, pgbench_script, render
from server.bench.handheld import percentile
from server.simulate.report import html_report
from server.simulate.shift import ShiftConfig, SimBatch, SimOrder, run_pickers, summarize


def test_parameters_become_literals() -> None:
    sql = "UPDATE t SET a = $1, b = $2, c = $10 WHERE d = $3 AND e = $4 AND f = $5"
    params = ["it's", None, True, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), b"\x01\xff", 1, 2, 3, 4, 7]
    out = render(sql, params)
    assert out == (
        "UPDATE t SET a = 'it''s', b = NULL, c = 7 WHERE d = true AND e = '2026-01-02T03:04:05+00:00' "
        "AND f = '\\x01ff'::bytea"
    )
    assert literal({"a": [1, "x"]}) == '\'{"a": [1, "x"]}\''
    assert literal(2.5) == "2.5"


def test_pgbench_script_gives_each_client_its_confirm_rolled_back() -> None:
    script = pgbench_script([["SELECT 1"], ["SELECT 2;", "INSERT INTO x (y) VALUES (1) RETURNING x.id"]])
    assert script.splitlines() == [
        "\\if :client_id % 2 = 0",
        "BEGIN;",
        "SELECT 1;",
        "ROLLBACK;",
        "\\elif :client_id % 2 = 1",
        "BEGIN;",
        "SELECT 2;",
        "INSERT INTO x (y) VALUES (1) ON CONFLICT DO NOTHING RETURNING x.id;",
        "ROLLBACK;",
        "\\endif",
    ]


def test_percentiles() -> None:
    assert percentile([], 99) == 0.0
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 51.0 and percentile(values, 99) == 99.0


def test_pickers_take_the_earliest_cutoff_and_late_orders_are_counted() -> None:
    cfg = ShiftConfig(pickers=1, batch_setup_s=0, pick_s_per_line=10, walk_m_per_s=1.0, hours=1)
    stream = [SimOrder("A", 0, 3600, [(0, 1)]), SimOrder("B", 0, 600, [(1, 1)])]
    batches = [SimBatch(0, 3600, 100, 1, ["A"]), SimBatch(0, 600, 500, 1, ["B"])]
    out = run_pickers(cfg, batches)
    assert out.done_s == {"B": 510, "A": 620}  # B first (earlier cut-off), then A
    summary = summarize(cfg, stream, out)
    assert summary["late_orders"] == 0 and summary["metres_per_line"] == 300
    late = summarize(cfg, [SimOrder("A", 0, 100, [(0, 1)]), SimOrder("B", 0, 100, [(1, 1)])], out)
    assert late["late_orders"] == 2


def test_html_report_draws_both_charts() -> None:
    cfg = ShiftConfig(hours=1)
    stream = [SimOrder("A", 0, 3600, [(0, 1)])]
    s = summarize(cfg, stream, run_pickers(cfg, [SimBatch(0, 3600, 100, 1, ["A"])]))
    result = {
        "config": cfg.__dict__,
        "orders": 1,
        "order_lines": 1,
        "top_20pct_skus_share_of_lines": 1.0,
        "strategies": {"location_order": s, "optimized": s},
        "metres_per_line_saving_pct": {"optimized": 0.0},
    }
    page = html_report(result)
    assert page.count("<svg") == 2 and "Walked metres per hour" in page and "Backlog" in page
