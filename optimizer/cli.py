"""`wes optimize ...` commands and `wes bench optimizer`: one JSON answer on stdout.

Bad input prints one line on stderr naming the offending item and exits with code 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from optimizer.model import InputError

__all__ = ["app", "bench_optimizer"]

app = typer.Typer(help="Routing, batching, slotting and cartonization on wes-*/1 JSON instances", no_args_is_help=True)

_INSTANCE = typer.Option(..., "--instance", help="Instance JSON file (see BENCH-FORMATS.md)")


def _run(fn: Callable[[], dict[str, Any]]) -> None:
    try:
        answer = fn()
    except InputError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    except Exception as e:
        msg = " ".join(str(e).split()) or "no details"
        typer.echo(f"error: internal error ({type(e).__name__}): {msg}", err=True)
        raise typer.Exit(2) from None
    sys.stdout.write(json.dumps(answer) + "\n")


@app.command("route")
def route_cmd(
    instance: Path = _INSTANCE,
    method: str = typer.Option("optimal", "--method", help="optimal, s-shape, return, midpoint, largest-gap, combined"),
    time_limit: float = typer.Option(2.0, "--time-limit", help="Seconds before the exact search stops"),
) -> None:
    """Route a picker through the picks of a wes-routing/1 instance."""
    from optimizer.instances import load_instance, parse_routing, routing_answer
    from optimizer.routing import route

    def go() -> dict[str, Any]:
        inst = parse_routing(load_instance(instance))
        return routing_answer(inst, route(inst.layout, inst.picks, method, time_limit_s=time_limit))

    _run(go)


@app.command("batch")
def batch_cmd(
    instance: Path = _INSTANCE,
    method: str = typer.Option("seed-ls", "--method", help="seed-ls or fcfs"),
    time_limit: float = typer.Option(10.0, "--time-limit", help="Seconds for the improvement search"),
    seed: int = typer.Option(0, "--seed", help="Random seed of the search"),
) -> None:
    """Batch the orders of a wes-batching/1 instance onto carts."""
    from optimizer.batching import batch_orders
    from optimizer.instances import batching_answer, load_instance, parse_batching

    def go() -> dict[str, Any]:
        inst = parse_batching(load_instance(instance))
        return batching_answer(batch_orders(inst.layout, inst.orders, inst.cart, method, time_limit, seed))

    _run(go)


@app.command("slot")
def slot_cmd(
    instance: Path = _INSTANCE,
    method: str = typer.Option(
        "",
        "--method",
        help="wes-slotting/1: optimal, coi, abc, random; wes-slotting/2: co-order, coi, turnover, random",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the random baseline and of the search"),
    time_limit: float = typer.Option(10.0, "--time-limit", help="Seconds for the wes-slotting/2 search"),
) -> None:
    """Slot the SKUs of a wes-slotting/1 or wes-slotting/2 instance."""
    from optimizer.instances import (
        load_instance,
        order_slotting_answer,
        parse_order_slotting,
        parse_slotting,
        slotting_answer,
    )
    from optimizer.slotting import slot
    from optimizer.slotting_orders import slot_by_orders

    def go() -> dict[str, Any]:
        raw = load_instance(instance)
        if raw.get("format") == "wes-slotting/2":
            prob = parse_order_slotting(raw)
            return order_slotting_answer(slot_by_orders(prob, method or "co-order", seed, time_limit))
        inst = parse_slotting(raw)
        return slotting_answer(slot(inst.layout, inst.locations, inst.skus, method or "optimal", seed))

    _run(go)


@app.command("cartonize")
def cartonize_cmd(
    instance: Path = _INSTANCE,
    method: str = typer.Option("best", "--method", help="best or first-fit"),
) -> None:
    """Choose cartons and place every unit for the orders of a wes-carton/1 instance."""
    from optimizer.cartonization import cartonize
    from optimizer.instances import carton_answer, load_instance, parse_carton

    def go() -> dict[str, Any]:
        inst = parse_carton(load_instance(instance))
        return carton_answer(cartonize(inst.orders, inst.cartons, method))

    _run(go)


def bench_optimizer(
    json_out: bool = typer.Option(False, "--json", help="Print the full JSON report"),
    quick: bool = typer.Option(False, "--quick", help="A small version for smoke tests (seconds)"),
    seed: int = typer.Option(1, "--seed", help="Seed of the generated instances"),
) -> None:
    """Benchmark every optimizer method against its baselines on seeded generated instances."""
    from optimizer.bench import run_bench

    report = run_bench(quick=quick, seed=seed)
    if json_out:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        for t in report["targets"]:
            mark = "PASS" if t["pass"] else "FAIL"
            typer.echo(f"{mark}  {t['name']}: {t['value']} (target {t['target']})")
