"""Read, validate and write the ``wes-*/1`` JSON formats of BENCH-FORMATS.md.

Every error is an ``InputError`` whose one-line message names the offending item.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.batching import BatchingResult, Cart, Order
from optimizer.cartonization import CartonResult, CartonType, Item, OrderItems, merge_lines
from optimizer.model import InputError, Layout, Point, Position
from optimizer.routing import RouteResult
from optimizer.slotting import SlotLocation, SlotSku, SlottingResult
from optimizer.slotting_orders import HistoryOrder, OrderSlottingProblem, OrderSlottingResult, UnitSku

__all__ = [
    "BatchingInstance",
    "CartonInstance",
    "RoutingInstance",
    "SlottingInstance",
    "batching_answer",
    "carton_answer",
    "layout_to_json",
    "load_instance",
    "order_slotting_answer",
    "parse_batching",
    "parse_carton",
    "parse_order_slotting",
    "parse_routing",
    "parse_slotting",
    "resolve_locations",
    "routing_answer",
    "slotting_answer",
]


@dataclass(frozen=True)
class RoutingInstance:
    layout: Layout
    ids: tuple[str, ...]
    picks: tuple[Position, ...]


@dataclass(frozen=True)
class BatchingInstance:
    layout: Layout
    cart: Cart
    orders: tuple[Order, ...]


@dataclass(frozen=True)
class SlottingInstance:
    layout: Layout
    locations: tuple[SlotLocation, ...]
    skus: tuple[SlotSku, ...]


@dataclass(frozen=True)
class CartonInstance:
    cartons: tuple[CartonType, ...]
    orders: tuple[OrderItems, ...]


def _obj(v: Any, where: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise InputError(f"{where}: expected an object")
    return v


def _list(v: Any, where: str) -> list[Any]:
    if not isinstance(v, list):
        raise InputError(f"{where}: expected a list")
    return v


def _num(
    d: Mapping[str, Any], key: str, where: str, default: float | None = None, minimum: float | None = None
) -> float:
    if key not in d:
        if default is not None:
            return default
        raise InputError(f"{where}: missing {key!r}")
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise InputError(f"{where}: {key!r} must be a number, got {v!r}")
    if minimum is not None and v < minimum:
        raise InputError(f"{where}: {key!r} must be >= {minimum:g}, got {v}")
    return float(v)


def _int(d: Mapping[str, Any], key: str, where: str, default: int | None = None, minimum: int | None = None) -> int:
    if key not in d:
        if default is not None:
            return default
        raise InputError(f"{where}: missing {key!r}")
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, int):
        raise InputError(f"{where}: {key!r} must be an integer, got {v!r}")
    if minimum is not None and v < minimum:
        raise InputError(f"{where}: {key!r} must be >= {minimum}, got {v}")
    return v


def _str(d: Mapping[str, Any], key: str, where: str) -> str:
    v = d.get(key)
    if not isinstance(v, str) or not v:
        raise InputError(f"{where}: {key!r} must be a non-empty string")
    return v


def _opt_str(d: Mapping[str, Any], key: str) -> str | None:
    v = d.get(key)
    return str(v) if v is not None else None


def parse_layout(raw: Any) -> Layout:
    d = _obj(raw, "layout")
    dep = _obj(d.get("depot", {"x": 0.0, "y": 0.0}), "layout.depot")
    aisles = _int(d, "aisles", "layout", minimum=1)
    cross = _int(d, "cross_aisles", "layout", default=2, minimum=2)
    # guard rails against absurd sizes that would exhaust memory rather than describe a warehouse
    if aisles > 10_000 or cross > 200:
        raise InputError(f"layout: {aisles} aisles / {cross} cross aisles is beyond the supported size")
    return Layout.rectangular(
        aisles,
        _num(d, "aisle_length_m", "layout", minimum=1e-6),
        _num(d, "aisle_pitch_m", "layout", minimum=1e-6),
        cross,
        Point(_num(dep, "x", "layout.depot", default=0.0), _num(dep, "y", "layout.depot", default=0.0)),
    )


def layout_to_json(layout: Layout) -> dict[str, Any]:
    """The ``layout`` object for a uniform-pitch layout."""
    pitch = layout.aisle_x[1] - layout.aisle_x[0] if layout.aisles > 1 else 3.0
    return {
        "aisles": layout.aisles,
        "aisle_length_m": layout.length,
        "aisle_pitch_m": pitch,
        "cross_aisles": len(layout.cross_y),
        "depot": {"x": layout.depot.x, "y": layout.depot.y},
    }


def _position(layout: Layout, raw: Any, where: str) -> Position:
    d = _obj(raw, where)
    p = Position(_int(d, "aisle", where), _num(d, "y", where))
    layout.check_position(p, where)
    return p


def _check_format(d: Mapping[str, Any], expected: str) -> None:
    fmt = d.get("format")
    if fmt != expected:
        raise InputError(f"format: expected {expected!r}, got {fmt!r}")


def parse_routing(raw: Any) -> RoutingInstance:
    d = _obj(raw, "instance")
    _check_format(d, "wes-routing/1")
    layout = parse_layout(d.get("layout"))
    ids: list[str] = []
    picks: list[Position] = []
    seen: set[str] = set()
    for k, p in enumerate(_list(d.get("picks"), "picks")):
        pd = _obj(p, f"pick {k}")
        pid = str(pd.get("id", f"#{k}"))
        if pid in seen:
            raise InputError(f"pick {pid}: id listed twice")
        seen.add(pid)
        ids.append(pid)
        picks.append(_position(layout, pd, f"pick {pid}"))
    return RoutingInstance(layout, tuple(ids), tuple(picks))


def parse_batching(raw: Any) -> BatchingInstance:
    d = _obj(raw, "instance")
    _check_format(d, "wes-batching/1")
    layout = parse_layout(d.get("layout"))
    c = _obj(d.get("cart"), "cart")
    mv = c.get("max_volume_m3")
    mk = c.get("max_kg")
    cart = Cart(
        _int(c, "max_orders", "cart"),
        _int(c, "max_lines", "cart"),
        _num(c, "max_volume_m3", "cart", minimum=0) if mv is not None else None,
        _num(c, "max_kg", "cart", minimum=0) if mk is not None else None,
    )
    if cart.max_orders < 1 or cart.max_lines < 1:
        raise InputError(f"cart: impossible limits max_orders={cart.max_orders} max_lines={cart.max_lines}")
    orders: list[Order] = []
    for k, o in enumerate(_list(d.get("orders"), "orders")):
        od = _obj(o, f"order {k}")
        oid = str(od.get("id", f"#{k}"))
        picks = tuple(
            _position(layout, p, f"order {oid} pick {j}")
            for j, p in enumerate(_list(od.get("picks"), f"order {oid} picks"))
        )
        for j, p in enumerate(_list(od.get("picks"), f"order {oid} picks")):
            if "qty" in p and _num(p, "qty", f"order {oid} pick {j}") < 0:
                raise InputError(f"order {oid} pick {j}: negative quantity {p['qty']}")
        orders.append(
            Order(
                oid,
                picks,
                _num(od, "volume_m3", f"order {oid}", default=0.0, minimum=0),
                _num(od, "kg", f"order {oid}", default=0.0, minimum=0),
            )
        )
    return BatchingInstance(layout, cart, tuple(orders))


def parse_slotting(raw: Any) -> SlottingInstance:
    d = _obj(raw, "instance")
    _check_format(d, "wes-slotting/1")
    layout = parse_layout(d.get("layout"))
    locs = _locations(layout, d.get("locations"))
    skus: list[SlotSku] = []
    for k, r in enumerate(_list(d.get("skus"), "skus")):
        sd = _obj(r, f"sku {k}")
        sid = _str(sd, "id", f"sku {k}")
        w = f"sku {sid}"
        skus.append(
            SlotSku(
                sid,
                _num(sd, "picks_per_day", w, minimum=0),
                _num(sd, "cube_m3", w, minimum=0),
                _num(sd, "kg", w, default=0.0, minimum=0),
                _opt_str(sd, "zone"),
                _opt_str(sd, "owner"),
                _opt_str(sd, "type"),
            )
        )
    return SlottingInstance(layout, tuple(locs), tuple(skus))


def _locations(layout: Layout, raw: Any) -> list[SlotLocation]:
    locs: list[SlotLocation] = []
    seen: set[str] = set()
    for k, r in enumerate(_list(raw, "locations")):
        w = f"location {k}"
        ld = _obj(r, w)
        lid = _str(ld, "id", w)
        w = f"location {lid}"
        if lid in seen:
            raise InputError(f"{w}: listed twice")
        seen.add(lid)
        pos = _position(layout, ld, w)
        locs.append(
            SlotLocation(
                lid,
                pos.aisle,
                pos.y,
                _int(ld, "level", w, default=0, minimum=0),
                _num(ld, "capacity_m3", w, minimum=0),
                _num(ld, "max_kg", w, default=1e9, minimum=0),
                _opt_str(ld, "zone"),
                _opt_str(ld, "owner"),
                _opt_str(ld, "type"),
            )
        )
    return locs


def parse_order_slotting(raw: Any) -> OrderSlottingProblem:
    """Read a ``wes-slotting/2`` instance (order history based slotting)."""
    d = _obj(raw, "instance")
    _check_format(d, "wes-slotting/2")
    layout = parse_layout(d.get("layout"))
    locs = _locations(layout, d.get("locations"))
    skus: list[UnitSku] = []
    ids: set[str] = set()
    for k, r in enumerate(_list(d.get("skus"), "skus")):
        sd = _obj(r, f"sku {k}")
        sid = _str(sd, "id", f"sku {k}")
        w = f"sku {sid}"
        if sid in ids:
            raise InputError(f"{w}: listed twice")
        ids.add(sid)
        skus.append(
            UnitSku(
                sid,
                _num(sd, "unit_m3", w, minimum=0),
                _num(sd, "kg", w, default=0.0, minimum=0),
                _int(sd, "min_units", w, default=1, minimum=0),
            )
        )
    h = _obj(d.get("history"), "history")
    orders: list[HistoryOrder] = []
    for k, r in enumerate(_list(h.get("orders"), "history.orders")):
        od = _obj(r, f"history order {k}")
        oid = str(od.get("id", f"#{k}"))
        lines: list[tuple[str, int]] = []
        for j, ln in enumerate(_list(od.get("lines"), f"history order {oid} lines")):
            ld = _obj(ln, f"history order {oid} line {j}")
            sku = _str(ld, "sku", f"history order {oid} line {j}")
            if sku not in ids:
                raise InputError(f"history order {oid}: unknown sku {sku}")
            qty = _int(ld, "qty", f"history order {oid} sku {sku}", default=1)
            if qty < 0:
                raise InputError(f"history order {oid} sku {sku}: negative quantity {qty}")
            lines.append((sku, qty))
        orders.append(HistoryOrder(oid, tuple(lines)))
    return OrderSlottingProblem(
        layout,
        tuple(locs),
        tuple(skus),
        _int(h, "days", "history", default=1, minimum=1),
        tuple(orders),
        _num(d, "replenishment_cost_m", "instance", default=0.0, minimum=0),
    )


def order_slotting_answer(r: OrderSlottingResult) -> dict[str, Any]:
    return {
        "assignment": r.assignment,
        "history_m_per_order": _r(r.history_m_per_order),
        "method": r.method,
        "solve_ms": _r(r.solve_ms),
    }


def _dims(v: Any, where: str) -> tuple[int, int, int]:
    if not isinstance(v, list) or len(v) != 3:
        raise InputError(f"{where}: expected three dimensions in mm")
    out = []
    for x in v:
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x) or x <= 0:
            raise InputError(f"{where}: dimensions must be positive numbers (mm), got {v!r}")
        if isinstance(x, float) and not x.is_integer():
            raise InputError(f"{where}: dimensions are whole millimetres, got {x!r}")
        out.append(int(x))
    return out[0], out[1], out[2]


def parse_carton(raw: Any) -> CartonInstance:
    d = _obj(raw, "instance")
    _check_format(d, "wes-carton/1")
    cartons: list[CartonType] = []
    for k, r in enumerate(_list(d.get("cartons"), "cartons")):
        cd = _obj(r, f"carton {k}")
        cid = _str(cd, "id", f"carton {k}")
        w = f"carton {cid}"
        cartons.append(
            CartonType(
                cid,
                _dims(cd.get("inner_mm"), w),
                _num(cd, "max_kg", w, minimum=0),
                _num(cd, "cost", w, minimum=0),
            )
        )
    if not cartons:
        raise InputError("cartons: the catalogue is empty")
    orders: list[OrderItems] = []
    for k, r in enumerate(_list(d.get("orders"), "orders")):
        od = _obj(r, f"order {k}")
        oid = str(od.get("id", f"#{k}"))
        items: list[Item] = []
        for j, it in enumerate(_list(od.get("items"), f"order {oid} items")):
            idd = _obj(it, f"order {oid} item {j}")
            sku = _str(idd, "sku", f"order {oid} item {j}")
            w = f"order {oid} sku {sku}"
            qty = _int(idd, "qty", w, default=1)
            if qty < 0:
                raise InputError(f"{w}: negative quantity {qty}")
            items.append(Item(sku, _dims(idd.get("dims_mm"), w), _num(idd, "kg", w, default=0.0, minimum=0), qty))
        orders.append(merge_lines(OrderItems(oid, tuple(items))))
    return CartonInstance(tuple(cartons), tuple(orders))


def load_instance(path: Path) -> dict[str, Any]:
    """Read a JSON file; malformed JSON or a missing file is an InputError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: malformed JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    return _obj(data, str(path))


def resolve_locations(ids: Sequence[str], positions: Mapping[str, Position]) -> list[Position]:
    """Positions of location ids (server side); an unknown id is an InputError naming it."""
    out = []
    for i in ids:
        p = positions.get(i)
        if p is None:
            raise InputError(f"location {i}: unknown location")
        out.append(p)
    return out


def _r(x: float, nd: int = 3) -> float:
    return round(x, nd)


def routing_answer(inst: RoutingInstance, r: RouteResult) -> dict[str, Any]:
    return {
        "length_m": _r(r.length_m),
        "sequence": [inst.ids[i] for i in r.order],
        "method": r.method,
        "optimal": r.optimal,
        "solve_ms": _r(r.solve_ms),
    }


def batching_answer(r: BatchingResult) -> dict[str, Any]:
    return {
        "total_length_m": _r(r.total_length_m),
        "batches": [
            {
                "orders": list(b.orders),
                "length_m": _r(b.length_m),
                "sequence": [[o, k] for o, k in b.sequence],
            }
            for b in r.batches
        ],
        "method": r.method,
        "solve_ms": _r(r.solve_ms),
    }


def slotting_answer(r: SlottingResult) -> dict[str, Any]:
    return {
        "assignment": r.assignment,
        "expected_m_per_line": _r(r.expected_m_per_line),
        "method": r.method,
        "solve_ms": _r(r.solve_ms),
    }


def carton_answer(r: CartonResult) -> dict[str, Any]:
    orders: list[dict[str, Any]] = []
    for p in r.orders:
        if p.reason is not None:
            orders.append({"id": p.id, "reason": p.reason})
            continue
        orders.append(
            {
                "id": p.id,
                "cartons": [
                    {
                        "carton": c.carton,
                        "placements": [
                            {"sku": pl.sku, "pos_mm": list(pl.pos_mm), "dims_mm": list(pl.dims_mm)}
                            for pl in c.placements
                        ],
                    }
                    for c in p.cartons
                ],
            }
        )
        if p.note is not None:
            orders[-1]["note"] = p.note
    return {
        "orders": orders,
        "total_cartons": r.total_cartons,
        "total_cost": _r(r.total_cost, 4),
        "fill": _r(r.fill, 4),
        "solve_ms": _r(r.solve_ms),
    }
