"""The board's Shipping page: shipments by status with their cartons (SSCC, tracking number, weight), and the
manifests with their CSV and PDF. Read-only and live (it refreshes on the ``shipping`` channel)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy import func, select

from server.board.api import BOARD, PAGE, BoardPages, pager
from server.db.uow import UnitOfWork
from server.outbound.models import SalesOrder
from server.settings import Settings
from server.shipping.models import Carrier, Carton, Manifest, Shipment, ShipmentStatus


async def _rows(uow: UnitOfWork, status: str, offset: int) -> dict[str, Any]:
    where = [Shipment.status == ShipmentStatus(status)] if status in {s.value for s in ShipmentStatus} else []
    total = (await uow.session.execute(select(func.count(Shipment.id)).where(*where))).scalar_one()
    rows = (
        await uow.session.execute(
            select(Shipment, SalesOrder)
            .join(SalesOrder, SalesOrder.id == Shipment.order_id)
            .where(*where)
            .order_by(Shipment.id.desc())
            .limit(PAGE)
            .offset(offset)
        )
    ).all()
    cartons: dict[int, list[Carton]] = {}
    if rows:
        for c in (
            await uow.session.execute(
                select(Carton).where(Carton.shipment_id.in_([s.id for s, _ in rows])).order_by(Carton.seq)
            )
        ).scalars():
            cartons.setdefault(c.shipment_id, []).append(c)
    carriers = dict((await uow.session.execute(select(Carrier.id, Carrier.code))).all())
    manifests = list((await uow.session.execute(select(Manifest).order_by(Manifest.id.desc()).limit(20))).scalars())
    return {
        "rows": [(s, o, cartons.get(s.id, [])) for s, o in rows],
        "carriers": carriers,
        "manifests": manifests,
        "status": status,
        "statuses": [s.value for s in ShipmentStatus],
        "pages": pager(total, offset),
    }


class ShippingBoard(BoardPages):
    @get("/shipping", opt=BOARD)
    async def shipping_page(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        status: FromQuery[str] = "",
        offset: FromQuery[int] = 0,
    ) -> Template:
        data = await _rows(uow, status, max(offset, 0))
        return Template("shipping.html", context=self._ctx(uow, settings, request, **data))

    @get("/partials/shipping", opt=BOARD)
    async def shipping_partial(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        status: FromQuery[str] = "",
        offset: FromQuery[int] = 0,
    ) -> Template:
        data = await _rows(uow, status, max(offset, 0))
        return Template("_shipping.html", context=self._ctx(uow, settings, request, **data))
