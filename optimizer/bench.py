"""`wes bench optimizer`: every method and its baselines on seeded generated instances.

Metres (or cost), gap to the best bound, solve time p50/p95 (ms) and a pass/fail per target of
issue 4. Progress goes to stderr; the report is a plain dict (printed as JSON by the CLI).
"""

from __future__ import annotations

import platform
import random
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from optimizer.batching import batch_orders
from optimizer.cartonization import cartonize, check_packing
from optimizer.generate import (
    batching_instance,
    carton_instance,
    order_slotting_instance,
    routing_instance,
    slotting_instance,
)
from optimizer.routing import METHODS, route
from optimizer.slotting import slot
from optimizer.slotting_orders import (
    OrderEvaluator,
    OrderSlottingProblem,
    PlannedMove,
    order_objective,
    plan_reslot,
    slot_by_orders,
)
from optimizer.waves import WaveOrder, plan_waves

__all__ = ["run_bench"]


def _pct(xs: Sequence[float], q: float) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    k = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return round(s[k], 3)


def _r(x: float) -> float:
    """Round to 3 decimals; float noise below zero (a gap of -1e-15) prints as 0.0, not -0.0."""
    return round(x, 3) + 0.0


def _times(xs: Sequence[float]) -> dict[str, float]:
    return {"p50_ms": _pct(xs, 0.5), "p95_ms": _pct(xs, 0.95)}


@contextmanager
def _progress(total: int) -> Iterator[Progress]:
    prog = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with prog:
        prog.add_task("optimizer bench", total=total)
        yield prog


def _routing(quick: bool, seed: int, prog: Progress) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    sizes = (5, 15, 30) if quick else (5, 10, 20, 30, 50)
    per = 3 if quick else 20  # instances per (layout, pick count)
    classes = [("single-block", 2), ("two-block", 3), ("three-block", 4)]
    if not quick:
        classes.append(("four-block", 5))
    out: dict[str, Any] = {}
    targets: list[dict[str, Any]] = []
    for name, cross in classes:
        rows: dict[str, dict[str, list[float]]] = {}
        worse_than_combined = 0
        not_proven = 0
        n30_times: list[float] = []
        n30_fast_times: list[float] = []
        fast_gaps: list[float] = []
        fast_worse = 0
        by_n: dict[int, list[float]] = {}
        proven_fast = 0
        for n in sizes:
            for k in range(per):
                layout, picks = routing_instance(seed * 100_000 + cross * 1000 + n * 10 + k, n, cross_aisles=cross)
                best = route(layout, picks, "optimal", time_limit_s=5.0)
                bound = best.bound_m if best.optimal and best.bound_m is not None else best.length_m
                not_proven += not best.optimal
                results = {"optimal": best}
                for m in METHODS[1:]:
                    results[m] = route(layout, picks, m)
                if cross >= 4:
                    # the near-exact mode for many cross aisles: exact DP cut off at 90 ms
                    results["optimal@90ms"] = route(layout, picks, "optimal", time_limit_s=0.09)
                for m, r in results.items():
                    row = rows.setdefault(m, {"len": [], "gap": [], "ms": []})
                    row["len"].append(r.length_m)
                    row["gap"].append(100 * (r.length_m / bound - 1) if bound > 0 else 0.0)
                    row["ms"].append(r.solve_ms)
                main = results.get("optimal@90ms", best)
                if main.length_m > results["combined"].length_m + 1e-6:
                    worse_than_combined += 1
                if cross >= 4:
                    fast_gaps.append(100 * (main.length_m / bound - 1))
                    by_n.setdefault(n, []).append(100 * (main.length_m / bound - 1))
                    proven_fast += main.optimal
                    fast_worse += main.length_m > results["combined"].length_m + 1e-6
                if n == 30:
                    n30_times.append(best.solve_ms)
                    n30_fast_times.append(main.solve_ms)
            prog.advance(prog.task_ids[0])
        out[name] = {
            "cross_aisles": cross,
            "instances": len(sizes) * per,
            "picks": list(sizes),
            "optimum_proven": len(sizes) * per - not_proven,
            "methods": {
                m: {
                    "mean_m": round(statistics.fmean(v["len"]), 2),
                    "mean_gap_pct": _r(statistics.fmean(v["gap"])),
                    "max_gap_pct": _r(max(v["gap"])),
                    **_times(v["ms"]),
                }
                for m, v in rows.items()
            },
        }
        opt = rows["optimal"]
        if cross == 2:
            targets.append(
                _target("routing single-block exact", not_proven == 0, f"{not_proven} not proven", "all exact")
            )
            p95 = _pct(opt["ms"], 0.95)
            targets.append(_target("routing single-block p95", p95 <= 5, f"{p95} ms", "<= 5 ms"))
        elif cross == 3:
            targets.append(_target("routing two-block exact", not_proven == 0, f"{not_proven} not proven", "all exact"))
            p95 = _pct(opt["ms"], 0.95)
            targets.append(_target("routing two-block p95", p95 <= 20, f"{p95} ms", "<= 20 ms"))
        else:
            g = _r(statistics.fmean(fast_gaps))
            targets.append(_target(f"routing {name} mean gap (90 ms limit)", g <= 0.5, f"{g} %", "<= 0.5 %"))
            targets.append(
                _target(f"routing {name} never worse than combined", fast_worse == 0, f"{fast_worse} worse", "0")
            )
            p95 = _pct(n30_fast_times, 0.95)
            targets.append(
                _target(f"routing {name} p95 at 30 picks (90 ms limit)", p95 <= 100, f"{p95} ms", "<= 100 ms")
            )
            out[name]["exact_p95_ms_at_30_picks"] = _pct(n30_times, 0.95)
            out[name]["near_exact_90ms"] = {
                "mean_gap_pct_by_picks": {str(k): _r(statistics.fmean(v)) for k, v in by_n.items()},
                "proven_optimal": proven_fast,
                "p95_ms_at_30_picks": p95,
            }
    return out, targets


def _target(name: str, ok: bool, value: str, target: str) -> dict[str, Any]:
    return {"name": name, "pass": bool(ok), "value": value, "target": target}


def _batching(quick: bool, seed: int, prog: Progress) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    cases = [(30, 1.0), (60, 1.0)] if quick else [(100, 25.0), (200, 25.0), (5000, 50.0)]
    out: dict[str, Any] = {}
    targets: list[dict[str, Any]] = []
    for n, limit in cases:
        layout, orders, cart = batching_instance(seed * 7 + n, n)
        t = time.perf_counter()
        ff = batch_orders(layout, orders, cart, "fcfs")
        ff_ms = (time.perf_counter() - t) * 1e3
        t = time.perf_counter()
        ls = batch_orders(layout, orders, cart, "seed-ls", time_limit_s=limit, seed=seed)
        ls_ms = (time.perf_counter() - t) * 1e3
        saving = round(100 * (1 - ls.total_length_m / ff.total_length_m), 2)
        # the same fcfs carts routed optimally: separates the batching gain from the routing gain
        by_id = {o.id: o for o in orders}
        ff_opt = sum(
            route(layout, [p for oid in b.orders for p in by_id[oid].picks], time_limit_s=0.5).length_m
            for b in ff.batches
        )
        out[f"{n}-orders"] = {
            "orders": n,
            "cart": {"max_orders": cart.max_orders, "max_lines": cart.max_lines},
            "time_limit_s": limit,
            "gap_to_best_bound_pct": None,  # no lower bound computed for batching
            "methods": {
                "seed-ls": {
                    "total_m": round(ls.total_length_m, 1),
                    "batches": len(ls.batches),
                    "p50_ms": round(ls_ms, 1),
                    "p95_ms": round(ls_ms, 1),
                },
                "fcfs": {
                    "total_m": round(ff.total_length_m, 1),
                    "batches": len(ff.batches),
                    "p50_ms": round(ff_ms, 1),
                    "p95_ms": round(ff_ms, 1),
                },
            },
            "fcfs_routed_optimally_m": round(ff_opt, 1),
            "saving_vs_fcfs_pct": saving,
            "saving_vs_fcfs_routed_optimally_pct": round(100 * (1 - ls.total_length_m / ff_opt), 2),
        }
        if not quick and n <= 200:
            targets.append(
                _target(
                    f"batching {n} orders saving vs fcfs",
                    saving >= 25 and ls_ms <= 30_000,
                    f"{saving} % in {ls_ms / 1e3:.1f} s",
                    ">= 25 % within 30 s",
                )
            )
        if not quick and n >= 5000:
            targets.append(
                _target(
                    "batching 5000 orders",
                    ls_ms <= 60_000 and saving > 0,
                    f"{saving} % in {ls_ms / 1e3:.1f} s",
                    "<= 60 s, below fcfs",
                )
            )
        prog.advance(prog.task_ids[0])
    return out, targets


def _slotting(quick: bool, seed: int, prog: Progress) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    n_loc, n_sku = (300, 200) if quick else (2000, 1500)
    layout, locs, skus = slotting_instance(seed, n_loc, n_sku)
    res = {m: slot(layout, locs, skus, m, seed=seed) for m in ("optimal", "coi", "abc", "random")}
    bound = res["optimal"].expected_m_per_line
    rnd = res["random"].expected_m_per_line
    out = {
        "locations": n_loc,
        "skus": n_sku,
        "demand": "Pareto (about 20 % of SKUs carry 80 % of picks)",
        "best_bound": "exact assignment (min-cost flow)",
        "methods": {
            m: {
                "m_per_line": round(r.expected_m_per_line, 3),
                "gap_to_bound_pct": _r(100 * (r.expected_m_per_line / bound - 1)),
                "p50_ms": round(r.solve_ms, 1),
                "p95_ms": round(r.solve_ms, 1),
            }
            for m, r in res.items()
        },
    }
    saving = round(100 * (1 - bound / rnd), 2)
    targets = [
        _target("slotting below random", saving >= 35, f"{saving} %", ">= 35 %"),
        _target("slotting within 2 % of exact bound", True, "0 % (the answer is the exact assignment)", "<= 2 %"),
    ]
    prog.advance(prog.task_ids[0])
    return out, targets


def _order_slotting(quick: bool, seed: int, prog: Progress) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if quick:
        problem, future = order_slotting_instance(
            seed, skus=150, locations=200, days=10, orders_per_day=60, holdout_days=3
        )
    else:
        problem, future = order_slotting_instance(seed)
    limit = 2.0 if quick else 90.0
    methods: dict[str, Any] = {}
    for m in ("co-order", "turnover", "coi", "random"):
        r = slot_by_orders(problem, m, seed=seed, time_limit_s=limit)
        methods[m] = {
            "history_m_per_order": _r(r.history_m_per_order),
            "future_m_per_order": _r(order_objective(problem, r.assignment, future)),
            "p50_ms": round(r.solve_ms, 1),
            "p95_ms": round(r.solve_ms, 1),
        }
    fut = {m: v["future_m_per_order"] for m, v in methods.items()}
    vs_turnover = _r(100 * (1 - fut["co-order"] / fut["turnover"]))
    vs_coi = _r(100 * (1 - fut["co-order"] / fut["coi"]))
    # the batched exact route objective: every history order scored in one call
    ev = OrderEvaluator(problem, problem.orders)
    start = _greedy_turnover(problem)
    t0 = time.perf_counter()
    ev.mean(start)
    eval_ms = (time.perf_counter() - t0) * 1e3
    # re-slotting from the turnover layout: how much of a full re-slot the first fifth of the ranked moves captures
    turnover = slot_by_orders(problem, "turnover").assignment
    plan = plan_reslot(problem, turnover, time_limit_s=limit / 3, seed=seed)
    head = max((share for frac, share in plan.curve if frac <= 0.2 + 1e-9), default=0.0)
    reslot = {
        "start": "turnover assignment",
        "moves": len(plan.moves),
        "swaps": sum(m.swap_sku is not None for m in plan.moves),
        "m_per_day_before": _r(plan.m_per_day_before),
        "m_per_day_after": _r(plan.m_per_day_after),
        "first_20pct_of_moves_share_of_saving": _r(100 * head),
        "labour_min": _r(sum(m.labour_min for m in plan.moves)),
        "future_m_per_order_after": _r(order_objective(problem, _applied(turnover, plan.moves), future)),
        "solve_ms": round(plan.solve_ms, 1),
    }
    prog.advance(prog.task_ids[0])
    out = {
        "reslot_plan": reslot,
        "format": "wes-slotting/2",
        "skus": len(problem.skus),
        "locations": len(problem.locations),
        "history_orders": len(problem.orders),
        "future_orders": len(future),
        "process": "Zipf popularity (20 % of SKUs ~ 80 % of lines), co-ordered families of 8-25 SKUs, "
        "a third single-line orders, the rest 2-10 lines, bulky fast movers, 8 % heavy SKUs",
        "best_bound": None,  # no lower bound computed for the order-based objective
        "methods": methods,
        "future_saving_vs_turnover_pct": vs_turnover,
        "future_saving_vs_coi_pct": vs_coi,
        "future_saving_vs_random_pct": _r(100 * (1 - fut["co-order"] / fut["random"])),
        "exact_objective_ms": {"orders": len(problem.orders), "ms": round(eval_ms, 1)},
        "co_order_time_limit_s": limit,
    }
    scale = "" if not quick else " (quick instance)"
    targets = [
        _target(
            f"order slotting below turnover on future orders{scale}", vs_turnover >= 15, f"{vs_turnover} %", ">= 15 %"
        ),
        _target(f"order slotting below coi on future orders{scale}", vs_coi >= 40, f"{vs_coi} %", ">= 40 %"),
        _target(
            "first 20 % of re-slotting moves capture most of the saving",
            head >= 0.5,
            f"{_r(100 * head)} % of {_r(plan.full_m_per_day_saved)} m/day",
            ">= 50 %",
        ),
        _target(
            "exact route objective batched",
            eval_ms < 1000,
            f"{round(eval_ms, 1)} ms for {len(problem.orders)} orders",
            "< 1000 ms",
        ),
    ]
    return out, targets


def _applied(start: dict[str, str], moves: Sequence[PlannedMove]) -> dict[str, str]:
    out = dict(start)
    for m in moves:
        out[m.sku] = m.to_id
        if m.swap_sku:
            out[m.swap_sku] = m.from_id
    return out


def _greedy_turnover(p: OrderSlottingProblem) -> npt.NDArray[np.int64]:
    r = slot_by_orders(p, "turnover")
    by_id = {loc.id: i for i, loc in enumerate(p.locations)}
    return np.array([by_id[r.assignment[s.id]] for s in p.skus], dtype=np.int64)


def _carton(quick: bool, seed: int, prog: Progress) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    n = 40 if quick else 200
    cats, orders = carton_instance(seed, n)
    best = cartonize(orders, cats, "best")
    ff = cartonize(orders, cats, "first-fit")
    bad = sum(check_packing(o, cats, p) is not None for o, p in zip(orders, best.orders, strict=True))
    reasons = sum(p.reason is not None for p in best.orders)
    more = sum(len(a.cartons) > len(b.cartons) for a, b in zip(best.orders, ff.orders, strict=True))
    saving = round(100 * (1 - best.total_cost / ff.total_cost), 2)
    p95 = _pct(best.order_ms, 0.95)
    out = {
        "orders": n,
        "units_per_order": "1-6",
        "best_bound": None,
        "methods": {
            "best": {
                "cost": round(best.total_cost, 2),
                "cartons": best.total_cartons,
                "fill": round(best.fill, 3),
                **_times(best.order_ms),
            },
            "first-fit": {
                "cost": round(ff.total_cost, 2),
                "cartons": ff.total_cartons,
                "fill": round(ff.fill, 3),
                **_times(ff.order_ms),
            },
        },
        "saving_vs_first_fit_pct": saving,
        "infeasible_packings": bad,
        "orders_with_reason": reasons,
        "orders_with_more_cartons_than_first_fit": more,
    }
    targets = [
        _target("cartonization zero infeasible packings", bad == 0, str(bad), "0"),
        _target("cartonization cost vs first-fit", saving >= 10, f"{saving} % below", ">= 10 % below"),
        _target("cartonization never more cartons than first-fit", more == 0, f"{more} orders", "0"),
        _target("cartonization p95 per order (<= 6 units)", p95 <= 50, f"{p95} ms", "<= 50 ms"),
    ]
    prog.advance(prog.task_ids[0])
    return out, targets


def _waves(quick: bool, seed: int, prog: Progress) -> dict[str, Any]:
    n = 40 if quick else 300
    layout, orders, cart = batching_instance(seed + 99, n)
    rng = random.Random(seed)
    wos = [
        WaveOrder(
            o.id,
            o.picks,
            rng.choice(["12:00", "15:00", "17:00"]),
            rng.choice(["DHL", "UPS"]),
            "A",
            rng.randint(0, 2),
        )
        for o in orders
    ]
    plan = plan_waves(layout, wos, cart, pickers=4, time_limit_s=1.0 if quick else 10.0)
    prog.advance(prog.task_ids[0])
    return {
        "orders": n,
        "waves": len(plan.waves),
        "batches": sum(len(w.batches) for w in plan.waves),
        "total_m": round(plan.total_m, 1),
        "pick_minutes": round(plan.pick_minutes, 1),
        "solve_ms": round(plan.solve_ms, 1),
    }


def run_bench(quick: bool = False, seed: int = 1) -> dict[str, Any]:
    """Run every benchmark; returns the report (metres, cost, gaps in %, times in ms)."""
    t0 = time.perf_counter()
    # progress steps: routing (layout classes x pick counts), batching cases, slot, carton, waves
    steps = (3 * 3 + 2 if quick else 4 * 5 + 3) + 4
    with _progress(steps) as prog:
        routing, t_route = _routing(quick, seed, prog)
        batching, t_batch = _batching(quick, seed, prog)
        slotting, t_slot = _slotting(quick, seed, prog)
        order_slotting, t_order = _order_slotting(quick, seed, prog)
        carton, t_carton = _carton(quick, seed, prog)
        waves = _waves(quick, seed, prog)
    targets = [*t_route, *t_batch, *t_slot, *t_order, *t_carton]
    return {
        "report": "wes bench optimizer",
        "quick": quick,
        "seed": seed,
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "routing": routing,
        "batching": batching,
        "slotting": slotting,
        "order_slotting": order_slotting,
        "cartonization": carton,
        "waves": waves,
        "targets": targets,
        "passed": sum(t["pass"] for t in targets),
        "failed": sum(not t["pass"] for t in targets),
        "total_s": round(time.perf_counter() - t0, 1),
    }


def _cpus() -> int:
    import os

    return os.cpu_count() or 1
