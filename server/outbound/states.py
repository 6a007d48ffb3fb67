"""Checked order transitions: which status may follow which. Pure; no framework."""

from __future__ import annotations

from server.errors import Conflict
from server.outbound.models import OrderStatus as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.RECEIVED: frozenset({S.ALLOCATED, S.BACKORDERED, S.CANCELLED}),
    S.ALLOCATED: frozenset({S.RECEIVED, S.BACKORDERED, S.RELEASED, S.CANCELLED}),
    S.BACKORDERED: frozenset({S.RECEIVED, S.ALLOCATED, S.CANCELLED}),
    S.RELEASED: frozenset({S.ALLOCATED, S.PICKING, S.PICKED, S.CANCELLED}),  # allocated: its wave called back
    S.PICKING: frozenset({S.PICKED, S.CANCELLED}),
    S.PICKED: frozenset({S.PACKED, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset(),
    S.CANCELLED: frozenset(),
}

# A changed submission from the channel is applied only before release; after that the floor is working on it.
CHANGEABLE = frozenset({S.RECEIVED, S.ALLOCATED, S.BACKORDERED})
ALLOCATABLE = frozenset({S.RECEIVED, S.BACKORDERED, S.ALLOCATED})


def can_move(current: S, new: S) -> bool:
    return new in TRANSITIONS[current]


def check_transition(current: S, new: S, what: str = "The order") -> None:
    """Refuse (409 ``invalid_transition``) a status change the order's life does not allow."""
    if not can_move(current, new):
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing"
        raise Conflict(
            f"{what} is {current}; it cannot become {new} (from {current} it may become: {allowed}).",
            code="invalid_transition",
            current=current.value,
            requested=new.value,
        )
