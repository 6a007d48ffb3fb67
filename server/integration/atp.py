"""Available to promise per SKU, owner and warehouse: on hand − allocated − held (stock not available).

Changes since a cursor come from the ledger (every stock change writes a movement) and the outbox (allocation
and cancellation change ``allocated`` without a movement): the cursor is ``"<movement id>.<outbox id>"``; the
reply lists the current figures of every SKU touched after it and the cursor to use next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select, tuple_

from server.db.uow import UnitOfWork
from server.errors import InvalidInput
from server.integration.models import OutboxEvent
from server.inventory.models import Movement, Stock, StockStatus
from server.layout.models import Location
from server.outbound.models import OrderLine, SalesOrder

ALLOCATION_EVENTS = ("order.allocated", "order.cancelled", "order.backordered", "order.shipped")


@dataclass(frozen=True, slots=True)
class AtpRow:
    owner_id: int
    warehouse_id: int
    sku_id: int
    on_hand: int
    allocated: int
    held: int

    @property
    def atp(self) -> int:
        return self.on_hand - self.allocated - self.held


def parse_cursor(cursor: str) -> tuple[int, int]:
    try:
        m, o = cursor.split(".")
        return int(m), int(o)
    except ValueError:
        raise InvalidInput(
            "The cursor is not one this server gave out (expected '<number>.<number>').", code="bad_cursor"
        ) from None


async def current_cursor(uow: UnitOfWork) -> str:
    m = (await uow.session.execute(select(func.max(Movement.id)))).scalar() or 0
    o = (await uow.session.execute(select(func.max(OutboxEvent.id)))).scalar() or 0
    return f"{m}.{o}"


async def atp_rows(
    uow: UnitOfWork, *, owner_id: int | None, warehouse_id: int | None, keys: list[tuple[int, int]] | None = None
) -> list[AtpRow]:
    """``keys``: restrict to these (owner, sku) pairs."""
    held = func.sum(case((Stock.status != StockStatus.AVAILABLE, Stock.on_hand), else_=0))
    stmt = (
        select(
            Stock.owner_id,
            Location.warehouse_id,
            Stock.sku_id,
            func.sum(Stock.on_hand),
            func.sum(Stock.allocated),
            held,
        )
        .join(Location, Location.id == Stock.location_id)
        .group_by(Stock.owner_id, Location.warehouse_id, Stock.sku_id)
        .order_by(Stock.owner_id, Location.warehouse_id, Stock.sku_id)
    )
    if owner_id is not None:
        stmt = stmt.where(Stock.owner_id == owner_id)
    if warehouse_id is not None:
        stmt = stmt.where(Location.warehouse_id == warehouse_id)
    if keys is not None:
        if not keys:
            return []
        stmt = stmt.where(tuple_(Stock.owner_id, Stock.sku_id).in_(keys))
    return [AtpRow(*(int(v or 0) for v in row)) for row in (await uow.session.execute(stmt)).all()]


async def changed_keys(uow: UnitOfWork, cursor: str, owner_id: int | None) -> list[tuple[int, int]]:
    m, o = parse_cursor(cursor)
    moved = select(Movement.owner_id, Movement.sku_id).where(Movement.id > m)
    if owner_id is not None:
        moved = moved.where(Movement.owner_id == owner_id)
    keys = {(int(a), int(b)) for a, b in (await uow.session.execute(moved.distinct())).all()}
    events = select(OutboxEvent.owner_id, OutboxEvent.payload).where(
        OutboxEvent.id > o, OutboxEvent.event_type.in_(ALLOCATION_EVENTS)
    )
    if owner_id is not None:
        events = events.where(OutboxEvent.owner_id == owner_id)
    order_ids: set[int] = set()
    for _owner, payload in (await uow.session.execute(events)).all():
        p: dict[str, Any] = payload or {}
        if isinstance(p.get("order_id"), int):
            order_ids.add(p["order_id"])
    if order_ids:
        lines = (
            select(SalesOrder.owner_id, OrderLine.sku_id)
            .join(SalesOrder, SalesOrder.id == OrderLine.order_id)
            .where(SalesOrder.id.in_(sorted(order_ids)))
        )
        keys |= {(int(a), int(b)) for a, b in (await uow.session.execute(lines.distinct())).all()}
    return sorted(keys)
