"""Helpers for outbound tests: order bodies and stock received straight through the inventory service."""

from __future__ import annotations

from datetime import date
from typing import Any

from server.db.engine import create_engine, create_session_factory
from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from server.inventory.rules import StockKey
from server.inventory.services import InventoryService

ADDRESS = {
    "name": "王小明",
    "line1": "1 Nanjing Road",
    "city": "Shanghai",
    "postcode": "200001",
    "country": "CN",
}


def order_body(world: Any, ref: str, lines: list[tuple[str, int]], **extra: Any) -> dict[str, Any]:
    return {
        "warehouse_id": world.warehouse_id,
        "channel": "web",
        "channel_order_id": ref,
        "ship_to": ADDRESS,
        "lines": [{"sku": s, "qty": q} for s, q in lines],
        **extra,
    }


async def receive(
    url: str, owner_id: int, sku_id: int, location_id: int, qty: int, lot: str = "", expiry: date | None = None
) -> int:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            row = await InventoryService(UnitOfWork(session, SYSTEM)).receive(
                StockKey(owner_id, sku_id, location_id, lot, expiry), qty
            )
            await session.commit()
            return row.id
    finally:
        await engine.dispose()


async def add_outbound(url: str, world: Any) -> Any:
    """Per owner: one received order of one unit of SKU0 (``world.outbound[owner]['order']``). Kept out of
    ``build_world`` so that tests counting orders see the small world only."""
    from server.outbound import services
    from server.outbound.schemas import OrderIn

    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            uow = UnitOfWork(session, SYSTEM)
            for code, oid in world.owners.items():
                body = order_body(world, f"WORLD-{code}", [(f"{code}-SKU0", 1)], owner_id=oid)
                order, _ = await services.submit_order(uow, OrderIn.model_validate(body))
                world.outbound[code] = {"order": order.id}
            await session.commit()
    finally:
        await engine.dispose()
    return world


async def outbox_rows(url: str, event_type: str | None = None) -> list[dict[str, Any]]:
    """The outbox as the delivery worker will read it: event type, owner, key and payload, in write order."""
    from sqlalchemy import select

    from server.integration.models import OutboxEvent

    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            stmt = select(OutboxEvent).order_by(OutboxEvent.id)
            if event_type is not None:
                stmt = stmt.where(OutboxEvent.event_type == event_type)
            return [
                {"event_type": e.event_type, "owner_id": e.owner_id, "key": e.key, "payload": e.payload}
                for e in (await session.execute(stmt)).scalars()
            ]
    finally:
        await engine.dispose()
