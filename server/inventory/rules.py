"""Pure stock rules: what a stock change may do, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from server.errors import Conflict, InsufficientStock, InvalidInput
from server.inventory.models import MovementReason, StockStatus

# Adjustments need one of these reasons; each tells finance and the auditor why stock appeared or vanished.
ADJUSTMENT_REASONS = frozenset(
    {
        MovementReason.ADJUST_FOUND,
        MovementReason.ADJUST_LOST,
        MovementReason.DAMAGE,
        MovementReason.COUNT,
        MovementReason.SCRAP,
        MovementReason.IMPORT,
    }
)
MOVE_REASONS = frozenset({MovementReason.MOVE, MovementReason.PUTAWAY, MovementReason.REPLENISH, MovementReason.PACK})


@dataclass(frozen=True, slots=True)
class StockKey:
    """The identity of a stock row."""

    owner_id: int
    sku_id: int
    location_id: int
    lot: str = ""
    expiry: date | None = None
    lpn: str = ""
    status: StockStatus = StockStatus.AVAILABLE


def require_positive(qty: int, field: str = "qty") -> None:
    if qty <= 0:
        raise InvalidInput(
            f"The quantity must be a whole number above zero, got {qty}.",
            code="invalid_quantity",
            errors=[{"field": field, "message": "must be > 0"}],
        )


def check_can_take(*, on_hand: int, allocated: int, qty: int, what: str, allow_allocated: bool = False) -> None:
    """Refuse to take more than is free (or, for a pick of allocated stock, more than is on hand)."""
    free = on_hand if allow_allocated else on_hand - allocated
    if qty > free:
        raise InsufficientStock(
            f"Only {free} of {what} can be taken here ({on_hand} on hand, {allocated} allocated); asked for {qty}.",
            available=free,
            requested=qty,
        )


def check_lot_rules(
    *, lot_controlled: bool, expiry_controlled: bool, lot: str, expiry: date | None, sku_code: str
) -> None:
    problems = []
    if lot_controlled and not lot:
        problems.append({"field": "lot", "message": f"SKU {sku_code} is lot-controlled: give the lot"})
    if expiry_controlled and expiry is None:
        problems.append({"field": "expiry", "message": f"SKU {sku_code} is expiry-controlled: give the expiry"})
    if problems:
        raise InvalidInput(
            "; ".join(p["message"] for p in problems) + ".", code="lot_or_expiry_required", errors=problems
        )


def check_destination(*, active: bool, blocked: bool, code: str, location_owner_id: int | None, owner_id: int) -> None:
    if not active:
        raise Conflict(f"Location {code} is not in use.", code="location_inactive")
    if blocked:
        raise Conflict(f"Location {code} is blocked.", code="location_blocked")
    if location_owner_id is not None and location_owner_id != owner_id:
        raise Conflict(f"Location {code} is dedicated to another owner.", code="location_owner_mismatch")


@dataclass(frozen=True, slots=True)
class Spread:
    """Free loose units of one SKU/lot/expiry of one owner at one storage location (for consolidation)."""

    stock_id: int
    location_id: int
    location_code: str
    qty: int


def consolidation_moves(rows: list[Spread], *, max_moves: int = 10) -> list[tuple[Spread, Spread]]:
    """Moves that gather the same goods into the location that already holds most of them: (from, to) pairs,
    smallest first, so the fewest units travel to free the most locations."""
    if len({r.location_id for r in rows}) < 2:
        return []
    target = max(rows, key=lambda r: (r.qty, -r.stock_id))
    others = sorted((r for r in rows if r.location_id != target.location_id), key=lambda r: (r.qty, r.stock_id))
    return [(r, target) for r in others[:max_moves]]
