"""The simulation's HTML report: a summary table and two line charts (inline SVG, no scripts, works offline)."""

from __future__ import annotations

from html import escape
from typing import Any

COLOURS = {"location_order": "#c0392b", "optimized": "#2471a3", "optimized_slotted": "#1e8449"}
NAMES = {
    "location_order": "Location order, first-come batches",
    "optimized": "Our batching + routing",
    "optimized_slotted": "Our batching + routing + slotting",
}


def line_chart(title: str, series: dict[str, list[float]], x_step: float, x_label: str, y_label: str) -> str:
    width, height, left, bottom, top, right = 720, 300, 60, 40, 30, 20
    n = max((len(v) for v in series.values()), default=1)
    y_max = max((max(v) for v in series.values() if v), default=1.0) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + plot_w * i / max(1, n - 1)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / y_max)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}">',
        f'<text x="{left}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#444"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#444"/>',
    ]
    for k in range(5):
        v = y_max * k / 4
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="10" text-anchor="end">{v:,.0f}</text>')
        parts.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{left + plot_w}" y2="{y(v):.1f}" stroke="#eee"/>')
    ticks = max(1, n // 8)
    for i in range(0, n, ticks):
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="middle">{i * x_step:g}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 6}" font-size="11" text-anchor="middle">{escape(x_label)}</text>'
    )
    parts.append(
        f'<text x="14" y="{top + plot_h / 2}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2})">{escape(y_label)}</text>'
    )
    for k, (name, values) in enumerate(series.items()):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        colour = COLOURS.get(name, "#555")
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        ly = top + 6 + 14 * k
        parts.append(f'<rect x="{left + plot_w - 250}" y="{ly}" width="12" height="3" fill="{colour}"/>')
        parts.append(
            f'<text x="{left + plot_w - 232}" y="{ly + 5}" font-size="11">{escape(NAMES.get(name, name))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def html_report(result: dict[str, Any]) -> str:
    strategies: dict[str, dict[str, Any]] = result["strategies"]
    rows = []
    for name, r in strategies.items():
        saving = result["metres_per_line_saving_pct"].get(name)
        rows.append(
            "<tr>"
            f"<td>{escape(NAMES.get(name, name))}</td><td>{r['batches']}</td><td>{r['lines']}</td>"
            f"<td>{r['walk_m']:,.0f}</td><td>{r['metres_per_line']}</td>"
            f"<td>{'' if saving is None else f'{saving} %'}</td><td>{r['lines_per_picker_hour']}</td>"
            f"<td>{r['late_orders']} ({r['late_pct']} %)</td><td>{r['last_batch_done_h']}</td>"
            "</tr>"
        )
    cfg = result["config"]
    walked = line_chart(
        "Walked metres per hour",
        {k: v["walked_m_per_hour"] for k, v in strategies.items()},
        1,
        "hour of the shift",
        "metres",
    )
    backlog = line_chart(
        "Backlog over the day (orders received, not yet picked)",
        {k: [float(x) for x in v["backlog_every_10_min"]] for k, v in strategies.items()},
        10 / 60,
        "hour of the shift",
        "orders",
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WES shift simulation</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:60em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:first-child,th:first-child{{text-align:left}}</style>
</head><body>
<h1>Shift simulation / 班次仿真</h1>
<p>{result["orders"]} orders, {result["order_lines"]} lines over {cfg["hours"]} h;
{cfg["pickers"]} pickers at {cfg["walk_m_per_s"]} m/s, {cfg["pick_s_per_line"]} s a line, carts of
{cfg["cart_orders"]} orders / {cfg["cart_lines"]} lines, a wave every {cfg["wave_every_min"]} min; {cfg["skus"]} SKUs,
the top 20 % of them carry {100 * result["top_20pct_skus_share_of_lines"]:.0f} % of the lines.</p>
<table><tr><th>strategy</th><th>batches</th><th>lines</th><th>walked m</th><th>m / line</th>
<th>saving</th><th>lines / picker-hour</th><th>late orders</th><th>last batch done (h)</th></tr>
{"".join(rows)}</table>
<p>{walked}</p><p>{backlog}</p>
</body></html>
"""
