"""Write an event other systems must hear of, in the caller's transaction (invariant 8).

The row commits or rolls back with the change it describes, so an event is never lost after a crash and never
sent for a change that did not happen; a worker delivers it afterwards, at least once."""

from __future__ import annotations

from typing import Any

from server.db.uow import UnitOfWork
from server.integration.models import OutboxEvent

EVENT_TYPES = frozenset(
    {
        "order.received",
        "order.allocated",
        "order.backordered",
        "order.cancelled",
        "order.picked",
        "order.packed",
        "order.shipped",
        "receipt.completed",
        "inventory.adjusted",
        "return.received",
        "vendor_return.shipped",
        "invoice.issued",
        "shipment.status",
    }
)


def record(
    uow: UnitOfWork,
    event_type: str,
    payload: dict[str, Any],
    *,
    owner_id: int | None,
    warehouse_id: int | None = None,
    key: str = "",
) -> OutboxEvent:
    """Add the event to the unit of work's session; it is flushed and committed with the rest."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown outbox event type {event_type!r}; add it to EVENT_TYPES")
    event = OutboxEvent(event_type=event_type, payload=payload, owner_id=owner_id, warehouse_id=warehouse_id, key=key)
    uow.session.add(event)
    return event
