"""Pure inbound rules: purchase order states and the shelf-life check at receiving."""

from __future__ import annotations

from datetime import date, timedelta

from server.errors import Conflict
from server.inbound.models import PoStatus
from server.inventory.models import StockStatus

# Which state a purchase order may go to from which; receiving moves open → partially received → received.
PO_TRANSITIONS: dict[PoStatus, frozenset[PoStatus]] = {
    PoStatus.DRAFT: frozenset({PoStatus.OPEN, PoStatus.CANCELLED}),
    PoStatus.OPEN: frozenset({PoStatus.PARTIALLY_RECEIVED, PoStatus.RECEIVED, PoStatus.CLOSED, PoStatus.CANCELLED}),
    PoStatus.PARTIALLY_RECEIVED: frozenset({PoStatus.PARTIALLY_RECEIVED, PoStatus.RECEIVED, PoStatus.CLOSED}),
    PoStatus.RECEIVED: frozenset({PoStatus.CLOSED}),
    PoStatus.CLOSED: frozenset(),
    PoStatus.CANCELLED: frozenset(),
}
RECEIVABLE_PO = frozenset({PoStatus.OPEN, PoStatus.PARTIALLY_RECEIVED})


def check_po_transition(current: PoStatus, target: PoStatus, number: str) -> None:
    if target not in PO_TRANSITIONS[current]:
        allowed = ", ".join(sorted(PO_TRANSITIONS[current])) or "none (it is final)"
        raise Conflict(
            f"Purchase order {number} is {current}; it cannot become {target} (allowed: {allowed}).",
            code="invalid_po_transition",
            current=current.value,
            target=target.value,
        )


def po_status_after_receipt(current: PoStatus, lines: list[tuple[int, int]]) -> PoStatus:
    """The state after receiving, from (ordered, received) of every line."""
    if current not in RECEIVABLE_PO:
        return current
    if all(received >= ordered for ordered, received in lines):
        return PoStatus.RECEIVED
    if any(received > 0 for _, received in lines):
        return PoStatus.PARTIALLY_RECEIVED
    return current


def shelf_life_status(expiry: date | None, today: date, min_days: int) -> tuple[StockStatus, str]:
    """Available, or quarantine with the reason, for goods expiring on ``expiry`` received ``today``."""
    if expiry is None:
        return StockStatus.AVAILABLE, ""
    if expiry < today:
        return StockStatus.QUARANTINE, f"expired on {expiry.isoformat()}"
    if expiry < today + timedelta(days=min_days):
        left = (expiry - today).days
        return StockStatus.QUARANTINE, f"short-dated: {left} days of shelf life left, the owner requires {min_days}"
    return StockStatus.AVAILABLE, ""
