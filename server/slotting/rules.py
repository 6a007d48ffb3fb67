"""Pure: the database's slots, SKUs and picks turned into an order-slotting problem for the optimizer.

No framework code: plain values in, optimizer types out. Locations are pick slots on the walking grid (aisle and
depth ``y_m``); a slot with capacity 0 is not limited by cube; a SKU's unit cube comes from its dimensions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from optimizer import InputError
from optimizer.model import Location as GridLocation
from optimizer.model import layout_from_locations
from optimizer.slotting import SlotLocation
from optimizer.slotting_orders import HistoryOrder, OrderSlottingProblem, UnitSku

UNLIMITED_M3 = 1e6  # capacity 0 in the database means "not limited by cube"
UNLIMITED_KG = 1e6


@dataclass(frozen=True, slots=True)
class Slot:
    location_id: int
    code: str
    aisle: int
    x_m: float
    y_m: float
    level: int
    capacity_m3: float
    max_kg: float


@dataclass(frozen=True, slots=True)
class SkuFacts:
    sku_id: int
    code: str
    unit_m3: float
    kg: float
    min_units: int = 1


@dataclass(frozen=True, slots=True)
class PickLine:
    order_key: str
    sku_id: int
    qty: int


def unit_m3(length_mm: int, width_mm: int, height_mm: int) -> float:
    return max(length_mm, 0) * max(width_mm, 0) * max(height_mm, 0) / 1e9


def build_problem(
    slots: Sequence[Slot],
    skus: Sequence[SkuFacts],
    picks: Iterable[PickLine],
    days: int,
    replenishment_cost_m: float,
) -> tuple[OrderSlottingProblem, int]:
    """The problem (location ids and SKU ids as strings) and how many pick lines were left out because their SKU
    is not slotted."""
    if not slots:
        raise InputError("slots: the warehouse has no pick slots on the walking grid")
    layout, pos = layout_from_locations(
        [GridLocation(str(s.location_id), s.aisle, s.y_m, s.x_m, s.level) for s in slots]
    )
    locations = tuple(
        SlotLocation(
            str(s.location_id),
            pos[str(s.location_id)].aisle,
            pos[str(s.location_id)].y,
            s.level,
            s.capacity_m3 if s.capacity_m3 > 0 else UNLIMITED_M3,
            s.max_kg if s.max_kg > 0 else UNLIMITED_KG,
        )
        for s in slots
    )
    known = {s.sku_id for s in skus}
    orders: dict[str, dict[str, int]] = {}
    dropped = 0
    for p in picks:
        if p.sku_id not in known:
            dropped += 1
            continue
        lines = orders.setdefault(p.order_key, {})
        lines[str(p.sku_id)] = lines.get(str(p.sku_id), 0) + p.qty
    history = tuple(HistoryOrder(k, tuple(v.items())) for k, v in sorted(orders.items()))
    unit_skus = tuple(UnitSku(str(s.sku_id), s.unit_m3, s.kg, max(s.min_units, 1)) for s in skus)
    problem = OrderSlottingProblem(layout, locations, unit_skus, max(days, 1), history, replenishment_cost_m)
    return problem, dropped


def current_assignment(assigned: Mapping[int, int]) -> dict[str, str]:
    return {str(s): str(loc) for s, loc in assigned.items()}
