"""Seeded instance generators for the benchmarks (same seed → same instance)."""

from __future__ import annotations

import random

from optimizer.batching import Cart, Order
from optimizer.cartonization import CartonType, Item, OrderItems
from optimizer.model import Layout, Point, Position
from optimizer.slotting import SlotLocation, SlotSku
from optimizer.slotting_orders import HistoryOrder, OrderSlottingProblem, UnitSku

__all__ = [
    "batching_instance",
    "carton_instance",
    "order_slotting_instance",
    "routing_instance",
    "slotting_instance",
]


def _pos(rng: random.Random, layout: Layout) -> Position:
    return Position(rng.randrange(layout.aisles), round(rng.uniform(0.5, layout.length - 0.5), 2))


def routing_instance(
    seed: int, picks: int, aisles: int = 12, cross_aisles: int = 2, aisle_length_m: float = 20.0
) -> tuple[Layout, list[Position]]:
    """Uniform random picks on a rectangular layout with a 3 m pitch, depot at the front left."""
    rng = random.Random(seed)
    layout = Layout.rectangular(aisles, aisle_length_m, 3.0, cross_aisles, Point(0.0, 0.0))
    return layout, [_pos(rng, layout) for _ in range(picks)]


def batching_instance(
    seed: int, orders: int, aisles: int = 12, max_orders: int = 4, cross_aisles: int = 2
) -> tuple[Layout, list[Order], Cart]:
    """Orders of 1-6 lines (mostly small); picks skewed towards the front aisles (fast movers)."""
    rng = random.Random(seed)
    layout = Layout.rectangular(aisles, 20.0, 3.0, cross_aisles, Point(0.0, 0.0))
    out: list[Order] = []
    for i in range(orders):
        n = min(6, 1 + int(rng.expovariate(0.6)))
        picks = []
        for _ in range(n):
            # 80/20-ish demand: 60 % of picks in the first third of the aisles
            a = rng.randrange(max(1, aisles // 3)) if rng.random() < 0.6 else rng.randrange(aisles)
            picks.append(Position(a, round(rng.uniform(0.5, layout.length - 0.5), 2)))
        out.append(Order(f"O{i + 1}", tuple(picks)))
    return layout, out, Cart(max_orders=max_orders, max_lines=40)


def slotting_instance(
    seed: int, locations: int = 2000, skus: int = 1500, aisles: int = 20
) -> tuple[Layout, list[SlotLocation], list[SlotSku]]:
    """A zone of ``locations`` slots on 4 levels with 80/20 (Pareto-like) pick demand."""
    rng = random.Random(seed)
    levels = 4
    aisles = min(aisles, max(1, locations // 100))
    per_aisle_side = max(1, -(-locations // (aisles * levels * 2)))
    length = per_aisle_side * 1.2
    layout = Layout.rectangular(aisles, length, 3.0, 2, Point(0.0, 0.0))
    locs: list[SlotLocation] = []
    for a in range(aisles):
        for side in (0, 1):
            for k in range(per_aisle_side):
                for lv in range(levels):
                    if len(locs) >= locations:
                        break
                    cap = rng.choice([0.25, 0.5, 0.5, 1.0])
                    locs.append(
                        SlotLocation(
                            f"A{a:02d}-{side}{k:02d}-{lv}",
                            a,
                            round(0.6 + k * 1.2, 2),
                            lv,
                            cap,
                            400.0 if lv == 0 else 150.0,
                        )
                    )
    skus_out: list[SlotSku] = []
    for i in range(skus):
        # Pareto demand: about 20 % of SKUs carry 80 % of the picks
        demand = round(1000 * (i + 1) ** -1.1 * rng.uniform(0.8, 1.2), 3)
        kg = rng.choice([0.5, 1.0, 2.0, 5.0, 10.0]) if rng.random() < 0.92 else rng.choice([18.0, 30.0])
        cube = rng.uniform(0.02, 0.45) if rng.random() < 0.9 else rng.uniform(0.45, 0.95)
        skus_out.append(SlotSku(f"S{i + 1:04d}", demand, round(cube, 3), kg))
    rng.shuffle(skus_out)
    return layout, locs, skus_out


CATALOGUE = (
    CartonType("XS", (200, 150, 100), 5.0, 0.25),
    CartonType("S", (300, 200, 150), 10.0, 0.35),
    CartonType("M", (400, 300, 200), 15.0, 0.55),
    CartonType("L", (500, 400, 300), 20.0, 0.85),
    CartonType("XL", (600, 500, 400), 30.0, 1.30),
)


def carton_instance(seed: int, orders: int = 200, max_units: int = 6) -> tuple[list[CartonType], list[OrderItems]]:
    """Orders of 1..``max_units`` units from a catalogue of 40 SKUs (dims in mm, weight in kg)."""
    rng = random.Random(seed)
    skus = []
    for s in range(40):
        dims = (rng.randint(40, 280), rng.randint(30, 220), rng.randint(20, 160))
        kg = round(dims[0] * dims[1] * dims[2] / 1e9 * rng.uniform(150, 600), 2)
        skus.append((f"K{s:02d}", dims, max(kg, 0.05)))
    out: list[OrderItems] = []
    for i in range(orders):
        units = rng.randint(1, max_units)
        items: dict[str, Item] = {}
        for _ in range(units):
            sku, dims, kg = rng.choice(skus)
            prev = items.get(sku)
            items[sku] = Item(sku, dims, kg, (prev.qty if prev else 0) + 1)
        out.append(OrderItems(f"C{i + 1}", tuple(items.values())))
    return list(CATALOGUE), out


def order_slotting_instance(
    seed: int,
    skus: int = 1500,
    locations: int = 2000,
    days: int = 20,
    orders_per_day: int = 400,
    holdout_days: int = 5,
) -> tuple[OrderSlottingProblem, list[HistoryOrder]]:
    """A wes-slotting/2 problem whose history is the first days; the last ``holdout_days`` are returned
    apart, to measure on future orders from the same process.

    The process: popularity is Zipf (about 20 % of SKUs carry 80 % of the lines); SKUs belong to
    families of 8-25 that are ordered together; a third of the orders have one line, the rest 2-10,
    drawn mostly from one family; a fifth of the 150 fastest movers are bulky, and 8 % of SKUs have
    units over 15 kg (level 0 only). Slots come in four sizes on four levels of a single-block layout.
    """
    rng = random.Random(seed)
    aisles, levels = 10, 4
    per_side = -(-locations // (aisles * 2 * levels))
    layout = Layout.rectangular(aisles, per_side * 1.2, 3.0, 2, Point(0.0, 0.0))
    locs: list[SlotLocation] = []
    for a in range(aisles):
        for side in range(2):
            for k in range(per_side):
                for lv in range(levels):
                    if len(locs) < locations:
                        cap = rng.choice([0.05, 0.1, 0.2, 0.4])
                        locs.append(
                            SlotLocation(
                                f"A{a:02d}-{side}{k:02d}-{lv}",
                                a,
                                round(0.6 + 1.2 * k, 2),
                                lv,
                                cap,
                                60.0 if lv == 0 else 30.0,  # max kg
                            )
                        )
    # popularity rank i has weight 1/(i+1); the SKU ids are shuffled against rank
    rank = list(range(skus))
    rng.shuffle(rank)
    popularity = [1.0 / (rank[i] + 1) for i in range(skus)]
    items: list[UnitSku] = []
    for i in range(skus):
        bulky = rank[i] < 150 and rng.random() < 0.2
        heavy = rng.random() < 0.08
        unit = rng.uniform(0.006, 0.012) if bulky else rng.uniform(0.0005, 0.004)
        kg = rng.uniform(16.0, 25.0) if heavy else rng.choice([0.2, 0.5, 1.0, 2.0, 5.0])
        items.append(UnitSku(f"S{i:04d}", round(unit, 5), round(kg, 2), rng.choice([4, 6, 8])))
    ids = list(range(skus))
    rng.shuffle(ids)
    families: list[list[int]] = []
    while ids:
        size = rng.randint(8, 25)
        families.append(ids[:size])
        ids = ids[size:]
    family_of = {s: f for f, fam in enumerate(families) for s in fam}
    orders: list[HistoryOrder] = []
    for d in range(days):
        for k in range(orders_per_day):
            anchor = rng.choices(range(skus), popularity)[0]
            n_lines = 1 if rng.random() < 1 / 3 else rng.randint(2, 10)
            fam = families[family_of[anchor]]
            fam_w = [popularity[s] for s in fam]
            lines: dict[str, int] = {items[anchor].id: rng.randint(1, 3)}
            for _ in range(n_lines - 1):
                s = rng.choices(fam, fam_w)[0] if rng.random() < 0.75 else rng.choices(range(skus), popularity)[0]
                lines[items[s].id] = lines.get(items[s].id, 0) + rng.randint(1, 3)
            orders.append(HistoryOrder(f"H{d:02d}-{k:05d}", tuple(lines.items())))
    cut = (days - holdout_days) * orders_per_day
    problem = OrderSlottingProblem(layout, tuple(locs), tuple(items), days - holdout_days, tuple(orders[:cut]), 40.0)
    return problem, orders[cut:]
