"""Pack-and-ship endpoints: stations, carton types, carriers and rates (set-up); packing by scans at a station;
carton close with labels and reprints; loading, manifests (CSV, PDF); the tracking push of the e-waybill platform."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Response, get, patch, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy import select

from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.errors import Forbidden, InvalidInput, NotFound
from server.http.deps import Limit, Offset, Page
from server.http.guards import FLOOR, MANAGERS, PUBLIC, STAFF, allow
from server.identity.models import Warehouse
from server.outbound.models import SalesOrder
from server.settings import Settings
from server.shipping import manifest as mf
from server.shipping import rules, services
from server.shipping.carriers import traces_of
from server.shipping.models import (
    Carrier,
    Carton,
    Manifest,
    PackStation,
    Shipment,
    ShipmentStatus,
)
from server.shipping.schemas import (
    CarrierIn,
    CarrierOut,
    CartonOut,
    CartonTypeIn,
    CartonTypeOut,
    CloseIn,
    CloseOut,
    LabelPrintOut,
    LineStateOut,
    LoadIn,
    ManifestIn,
    ManifestOut,
    OpenCartonIn,
    PackedItemOut,
    QuoteOut,
    RatesIn,
    ReprintIn,
    ScanIn,
    ServiceOut,
    SettingsIn,
    SettingsOut,
    ShipmentOut,
    ShortIn,
    StartIn,
    StationIn,
    StationOut,
)


async def shipment_out(uow: UnitOfWork, sh: Shipment) -> ShipmentOut:
    v = await services.view(uow, sh)
    return ShipmentOut(
        id=sh.id,
        order_id=sh.order_id,
        channel_order_id=v.order.channel_order_id,
        order_status=v.order.status.value,
        tote=v.order.tote,
        warehouse_id=sh.warehouse_id,
        owner_id=sh.owner_id,
        station_id=sh.station_id,
        status=sh.status.value,
        carrier=v.carrier_code,
        service=sh.service,
        suggestion=sh.suggestion,
        lines=[
            LineStateOut(
                sku_id=ln.sku_id,
                sku_code=ln.sku_code,
                name=ln.name,
                expected=ln.expected,
                packed=ln.packed,
                short=ln.short,
                remaining=ln.remaining,
            )
            for ln in v.lines
        ],
        cartons=[_carton_out(c, v.items.get(c.id, [])) for c in v.cartons],
        shipped_at=sh.shipped_at,
    )


def _carton_out(c: Carton, items: list[Any]) -> CartonOut:
    return CartonOut.model_validate(c).model_copy(update={"items": [PackedItemOut.model_validate(i) for i in items]})


async def _carrier_out(uow: UnitOfWork, carriers: list[Carrier]) -> list[CarrierOut]:
    svcs = await services.carrier_services(uow, [c.id for c in carriers])
    out = []
    for c in carriers:
        out.append(
            CarrierOut.model_validate(c).model_copy(
                update={"services": [ServiceOut.model_validate(s) for s in svcs.get(c.id, [])]}
            )
        )
    return out


class ShippingSetupController(Controller):
    path = "/api/v1"
    tags = ["shipping"]

    @get("/pack-stations", opt=allow(*STAFF), summary="Pack stations (printer and scale per station)")
    async def stations(self, uow: UnitOfWork, warehouse_id: int | None = None) -> list[StationOut]:
        stmt = select(PackStation).where(PackStation.active.is_(True)).order_by(PackStation.code)
        if warehouse_id is not None:
            stmt = stmt.where(PackStation.warehouse_id == warehouse_id)
        return [StationOut.model_validate(s) for s in (await uow.session.execute(stmt)).scalars()]

    @post("/pack-stations", opt=allow(*MANAGERS), summary="Add a pack station with its label printer URI")
    async def add_station(self, data: StationIn, uow: UnitOfWork) -> StationOut:
        st = await services.create_station(
            uow,
            warehouse_id=data.warehouse_id,
            code=data.code,
            printer_uri=data.printer_uri,
            scale_uri=data.scale_uri,
            location_code=data.location_code,
        )
        return StationOut.model_validate(st)

    @get("/warehouses/{warehouse_id:int}/carton-types", opt=allow(*STAFF), summary="The carton catalogue")
    async def carton_types(self, warehouse_id: int, uow: UnitOfWork) -> list[CartonTypeOut]:
        return [CartonTypeOut.model_validate(c) for c in await services.carton_types(uow, warehouse_id)]

    @post("/warehouses/{warehouse_id:int}/carton-types", opt=allow(*MANAGERS), summary="Add a carton type")
    async def add_carton_type(self, warehouse_id: int, data: CartonTypeIn, uow: UnitOfWork) -> CartonTypeOut:
        return CartonTypeOut.model_validate(await services.create_carton_type(uow, warehouse_id, data.model_dump()))

    @get(
        "/warehouses/{warehouse_id:int}/shipping-settings",
        opt=allow(*MANAGERS),
        summary="GS1 company prefix, SSCC counter, ship-from address, weight tolerance",
    )
    async def get_settings(self, warehouse_id: int, uow: UnitOfWork) -> SettingsOut:
        return SettingsOut.model_validate(await services.shipping_settings(uow, warehouse_id))

    @patch("/warehouses/{warehouse_id:int}/shipping-settings", opt=allow(*MANAGERS), summary="Change them")
    async def set_settings(self, warehouse_id: int, data: SettingsIn, uow: UnitOfWork) -> SettingsOut:
        row = await services.update_settings(uow, warehouse_id, data.model_dump(exclude_unset=True))
        return SettingsOut.model_validate(row)

    @get("/carriers", opt=allow(*STAFF), summary="Carriers and their services with cut-offs")
    async def carriers(self, uow: UnitOfWork, warehouse_id: int | None = None) -> list[CarrierOut]:
        stmt = select(Carrier).order_by(Carrier.code)
        if warehouse_id is not None:
            stmt = stmt.where(Carrier.warehouse_id == warehouse_id)
        return await _carrier_out(uow, list((await uow.session.execute(stmt)).scalars()))

    @post("/carriers", opt=allow(*MANAGERS), summary="Add a carrier (table_rate or ewaybill) with its services")
    async def add_carrier(self, data: CarrierIn, uow: UnitOfWork) -> CarrierOut:
        c = await services.create_carrier(
            uow,
            warehouse_id=data.warehouse_id,
            code=data.code,
            name=data.name,
            kind=data.kind,
            config=data.config,
            services=[s.model_dump() for s in data.services],
        )
        return (await _carrier_out(uow, [c]))[0]

    @post(
        "/shipping/rates",
        opt=allow(*STAFF),
        summary="Rate shopping: every carrier's services, cheapest first",
        status_code=200,
    )
    async def rates(self, data: RatesIn, uow: UnitOfWork, settings: Settings) -> list[QuoteOut]:
        wh = await uow.session.get(Warehouse, data.warehouse_id)
        if wh is None:
            raise NotFound(f"There is no warehouse {data.warehouse_id}.", code="warehouse_not_found")
        now = datetime.now(ZoneInfo(wh.timezone))
        qs = await services.quotes(
            uow,
            settings,
            data.warehouse_id,
            weight_kg=data.weight_kg,
            country=data.country.upper(),
            postcode=data.postcode,
            max_level=data.max_level,
        )
        return [
            QuoteOut(
                carrier=q.carrier,
                service=q.service,
                level=q.level,
                cost=q.cost,
                cutoff=q.cutoff,
                before_cutoff=rules.before_cutoff(now, q.cutoff),
            )
            for q in qs
        ]


class PackingController(Controller):
    path = "/api/v1/packing"
    tags = ["shipping"]

    @post(
        "/start", opt=allow(*FLOOR), summary="Scan a tote (or order number) at a station: what to pack", status_code=200
    )
    async def start(self, data: StartIn, uow: UnitOfWork, settings: Settings) -> ShipmentOut:
        sh = await services.start_packing(uow, settings, data.station_id, data.scan, data.carrier, data.service)
        return await shipment_out(uow, sh)


class ShipmentController(Controller):
    path = "/api/v1/shipments"
    tags = ["shipping"]

    @get("/", opt=allow(*STAFF), summary="Shipments, newest first")
    async def list_(
        self,
        uow: UnitOfWork,
        warehouse_id: int | None = None,
        status: ShipmentStatus | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ShipmentOut]:
        where = []
        if warehouse_id is not None:
            where.append(Shipment.warehouse_id == warehouse_id)
        if status is not None:
            where.append(Shipment.status == status)
        items, total = await list_page(
            uow.session, Shipment, *where, limit=limit, offset=offset, order_by=Shipment.id.desc()
        )
        return Page(items=[await shipment_out(uow, s) for s in items], total=total, limit=limit, offset=offset)

    @get("/{shipment_id:int}", opt=allow(*STAFF), summary="A shipment: lines to pack, cartons, carrier")
    async def get_one(self, shipment_id: int, uow: UnitOfWork) -> ShipmentOut:
        return await shipment_out(uow, await services.get_shipment(uow, shipment_id))

    @post("/{shipment_id:int}/cartons", opt=allow(*FLOOR), summary="Open the next carton (suggested or another)")
    async def open_carton(self, shipment_id: int, data: OpenCartonIn, uow: UnitOfWork) -> ShipmentOut:
        await services.open_carton(uow, shipment_id, data.carton_type)
        return await shipment_out(uow, await services.get_shipment(uow, shipment_id))

    @post("/{shipment_id:int}/scans", opt=allow(*FLOOR), summary="Scan an item into the open carton", status_code=200)
    async def scan(self, shipment_id: int, data: ScanIn, uow: UnitOfWork) -> ShipmentOut:
        await services.pack_scan(uow, shipment_id, data.item, data.qty)
        return await shipment_out(uow, await services.get_shipment(uow, shipment_id))

    @post(
        "/{shipment_id:int}/short",
        opt=allow(*FLOOR),
        summary="Report picked units missing (pack_short)",
        status_code=200,
    )
    async def short(self, shipment_id: int, data: ShortIn, uow: UnitOfWork) -> dict[str, Any]:
        exc = await services.report_short(uow, shipment_id, data.sku, data.qty, data.note)
        sh = await shipment_out(uow, await services.get_shipment(uow, shipment_id))
        return {"exception_id": exc.id, "shipment": sh.model_dump(mode="json")}

    @post("/{shipment_id:int}/finish", opt=allow(*FLOOR), summary="Finish a shipment packed short", status_code=200)
    async def finish(self, shipment_id: int, uow: UnitOfWork) -> ShipmentOut:
        return await shipment_out(uow, await services.finish_packing(uow, shipment_id))


class CartonController(Controller):
    path = "/api/v1/cartons"
    tags = ["shipping"]

    @post(
        "/{carton_id:int}/close",
        opt=allow(*FLOOR),
        summary="Weigh and close: SSCC, waybill, labels printed at the station (or a weight mismatch to recheck)",
        status_code=200,
    )
    async def close(self, carton_id: int, data: CloseIn, uow: UnitOfWork, settings: Settings) -> CloseOut:
        res = await services.close_carton(uow, settings, carton_id, data.weight_kg)
        sh = await services.get_shipment(uow, res.carton.shipment_id)
        items = (await services.view(uow, sh)).items.get(res.carton.id, [])
        return CloseOut(
            weight_ok=res.weight_ok,
            message=res.message,
            message_zh=res.message_zh,
            exception_id=res.exception_id,
            printed=res.printed,
            carton=_carton_out(res.carton, items),
            shipment=await shipment_out(uow, sh),
        )

    @post(
        "/{carton_id:int}/reprint",
        opt=allow(*FLOOR),
        summary="Print a carton's labels again (audited)",
        status_code=200,
    )
    async def reprint(self, carton_id: int, data: ReprintIn, uow: UnitOfWork) -> dict[str, Any]:
        printed = await services.reprint(uow, carton_id, list(data.labels), data.reason, data.printer)
        return {"carton_id": carton_id, "printed": printed}

    @get("/{carton_id:int}/labels", opt=allow(*STAFF), summary="A carton's label ZPL and every print of it")
    async def labels(self, carton_id: int, uow: UnitOfWork) -> dict[str, Any]:
        c = await services._get_carton(uow, carton_id)
        prints = await services.prints_of(uow, carton_id)
        return {
            "carton": c.code,
            "sscc": c.sscc,
            "tracking_number": c.tracking_number,
            "waybill_zpl": c.waybill_zpl,
            "sscc_zpl": c.sscc_zpl,
            "prints": [LabelPrintOut.model_validate(p).model_dump(mode="json") for p in prints],
        }


async def _manifest_doc(uow: UnitOfWork, m: Manifest) -> mf.ManifestDoc:
    rows = (
        await uow.session.execute(
            select(Carton, SalesOrder)
            .join(Shipment, Shipment.id == Carton.shipment_id)
            .join(SalesOrder, SalesOrder.id == Shipment.order_id)
            .where(Carton.manifest_id == m.id)
            .order_by(Carton.id)
        )
    ).all()
    carrier = await uow.session.get(Carrier, m.carrier_id)
    wh = await uow.session.get(Warehouse, m.warehouse_id)
    return mf.ManifestDoc(
        code=m.code,
        warehouse=wh.code if wh else "",
        carrier=f"{carrier.code} {carrier.name}" if carrier else "",
        closed_at=m.created_at.astimezone(UTC),
        rows=[
            mf.ManifestRow(
                carton=c.code,
                order=o.channel_order_id,
                sscc=c.sscc or "",
                tracking_number=c.tracking_number or "",
                weight_kg=c.weight_kg or Decimal(0),
                door=c.door,
                ship_to=str(o.ship_to.get("name", "")),
                city=str(o.ship_to.get("city", "")),
            )
            for c, o in rows
        ],
        missing=[str(x.get("carton")) for x in m.missing],
    )


class DispatchController(Controller):
    path = "/api/v1"
    tags = ["shipping"]

    @post("/dispatch/load", opt=allow(*FLOOR), summary="Scan a carton onto a dock door / trailer", status_code=200)
    async def load(self, data: LoadIn, uow: UnitOfWork) -> CartonOut:
        c = await services.load(uow, data.warehouse_id, data.scan, data.door)
        return _carton_out(c, [])

    @post("/manifests", opt=allow(*MANAGERS), summary="End-of-day close-out of a carrier: manifest, orders shipped")
    async def close(self, data: ManifestIn, uow: UnitOfWork) -> ManifestOut:
        m = await services.close_manifest(uow, data.warehouse_id, data.carrier)
        doc = await _manifest_doc(uow, m)
        return ManifestOut.model_validate(m).model_copy(update={"shipped_orders": sorted({r.order for r in doc.rows})})

    @get("/manifests", opt=allow(*STAFF), summary="Manifests, newest first")
    async def manifests(
        self, uow: UnitOfWork, warehouse_id: int | None = None, limit: Limit = 50, offset: Offset = 0
    ) -> Page[ManifestOut]:
        where = [Manifest.warehouse_id == warehouse_id] if warehouse_id is not None else []
        items, total = await list_page(
            uow.session, Manifest, *where, limit=limit, offset=offset, order_by=Manifest.id.desc()
        )
        return Page(items=[ManifestOut.model_validate(m) for m in items], total=total, limit=limit, offset=offset)

    async def _manifest(self, uow: UnitOfWork, manifest_id: int) -> Manifest:
        if uow.caller.owner_id is not None:
            raise Forbidden("Manifests are warehouse documents.", code="forbidden")
        m = await uow.session.get(Manifest, manifest_id)
        if m is None:
            raise NotFound(f"There is no manifest {manifest_id}.", code="manifest_not_found")
        return m

    @get("/manifests/{manifest_id:int}", opt=allow(*STAFF), summary="A manifest")
    async def manifest(self, manifest_id: int, uow: UnitOfWork) -> ManifestOut:
        return ManifestOut.model_validate(await self._manifest(uow, manifest_id))

    @get("/manifests/{manifest_id:int}/manifest.csv", opt=allow(*STAFF), summary="The manifest as CSV")
    async def manifest_csv(self, manifest_id: int, uow: UnitOfWork) -> Response[str]:
        m = await self._manifest(uow, manifest_id)
        return Response(
            mf.to_csv(await _manifest_doc(uow, m)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{m.code}.csv"'},
        )

    @get("/manifests/{manifest_id:int}/manifest.pdf", opt=allow(*STAFF), summary="The manifest as a printable PDF")
    async def manifest_pdf(self, manifest_id: int, uow: UnitOfWork) -> Response[bytes]:
        m = await self._manifest(uow, manifest_id)
        return Response(
            mf.to_pdf(await _manifest_doc(uow, m)),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{m.code}.pdf"'},
        )


class TrackingController(Controller):
    path = "/api/v1/tracking"
    tags = ["shipping"]

    @post(
        "/push",
        opt=PUBLIC,
        summary="Tracking pushes of the e-waybill platform (form POST, DataSign verified; repeats are harmless)",
        status_code=200,
    )
    async def push(
        self,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
        uow: UnitOfWork,
        settings: Settings,
    ) -> dict[str, Any]:
        request_data = data.get("RequestData", "")
        if not settings.ewaybill_app_key:
            raise Forbidden("Tracking pushes are not configured here.", code="push_not_configured")
        if not request_data or not rules.sign_matches(
            request_data, data.get("DataSign", ""), settings.ewaybill_app_key
        ):
            raise Forbidden("The push's DataSign does not match: refused.", code="bad_signature")
        try:
            body = json.loads(request_data)
        except ValueError as exc:
            raise InvalidInput("RequestData is not JSON.", code="bad_push") from exc
        traces = [t for item in body.get("Data") or [] if isinstance(item, dict) for t in traces_of(item)]
        await services.apply_traces(uow, traces, "push")
        return {
            "EBusinessID": settings.ewaybill_business_id,
            "UpdateTime": datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S"),
            "Success": True,
            "Reason": "",
        }


CONTROLLERS = [
    ShippingSetupController,
    PackingController,
    ShipmentController,
    CartonController,
    DispatchController,
    TrackingController,
]
