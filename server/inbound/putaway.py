"""The one place the server calls the optimizer's slotting to choose a putaway destination.

Pure: plain values in and out. The service builds the candidates from the database (free space, distance from
the depot on the walking graph, what already sits there); this adapter turns them into the optimizer's types,
prefers consolidation with stock of the same SKU and lot, and gives back the chosen location id or a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optimizer import PutawayChoice, SlotCandidate, SlotSku, choose_location

# Demand class of a SKU -> its demand percentile: A movers go near the depot, C movers further away.
DEMAND_PERCENTILE = {"A": 0.9, "B": 0.5, "C": 0.1}


@dataclass(frozen=True, slots=True)
class PutawayItem:
    sku_id: int
    owner_id: int
    qty: int
    unit_m3: float
    unit_kg: float
    demand_class: str = "C"
    zone: str = ""  # the SKU's storage zone; '' = any


@dataclass(frozen=True, slots=True)
class Candidate:
    """A storage location that may take the goods: free cube (m³), round trip from the depot (m)."""

    location_id: int
    distance_m: float
    free_m3: float
    max_kg: float
    level: int
    zone: str
    owner_id: int | None
    holds_same_sku: bool = False
    holds_same_lot: bool = False


@dataclass(frozen=True, slots=True)
class Suggestion:
    location_id: int | None
    reason: str | None = None
    consolidated: bool = False


def _to_optimizer(c: Candidate) -> SlotCandidate:
    return SlotCandidate(
        id=str(c.location_id),
        distance_m=c.distance_m,
        free_m3=c.free_m3,
        max_kg=c.max_kg,
        level=c.level,
        zone=c.zone,
        owner=None if c.owner_id is None else str(c.owner_id),
    )


def suggest(item: PutawayItem, candidates: Sequence[Candidate]) -> Suggestion:
    """Where the goods should go: a location already holding the same SKU and lot if one fits (then the same
    SKU), else the optimizer's class-based choice over every candidate."""
    sku = SlotSku(
        id=str(item.sku_id),
        picks_per_day=0.0,
        cube_m3=item.qty * item.unit_m3,
        kg=item.unit_kg,
        owner=str(item.owner_id),
        zone=item.zone or None,
    )
    percentile = DEMAND_PERCENTILE.get(item.demand_class, 0.5)
    for pool in (
        [c for c in candidates if c.holds_same_lot],
        [c for c in candidates if c.holds_same_sku],
    ):
        if pool:
            near: PutawayChoice = choose_location(sku, [_to_optimizer(c) for c in pool], 1.0)
            if near.location_id is not None:
                return Suggestion(int(near.location_id), consolidated=True)
    choice = choose_location(sku, [_to_optimizer(c) for c in candidates], percentile)
    if choice.location_id is None:
        return Suggestion(None, choice.reason or "no location fits")
    return Suggestion(int(choice.location_id))
