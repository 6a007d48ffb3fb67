"""Pack and ship use cases. Each takes the request's unit of work and never commits (the HTTP edge or the job runner
does); every stock change goes through the inventory service with a ledger row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from optimizer.cartonization import CartonType as OptCarton
from optimizer.cartonization import Item as OptItem
from optimizer.cartonization import OrderItems, cartonize_order
from server.catalog.models import Barcode, BarcodeKind, Sku
from server.catalog.services import find_by_barcode
from server.db.base import utcnow
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.exceptions.models import ExceptionStatus, FloorException
from server.exceptions.services import open_exception, register_action, resolve_exception
from server.identity.models import Warehouse
from server.integration import outbox
from server.inventory.models import MovementReason, Stock
from server.inventory.services import DocRef, InventoryService
from server.layout.models import Location, LocationType, Zone
from server.layout.rules import check_digits_for
from server.outbound.models import OrderLine, OrderStatus, SalesOrder
from server.outbound.scans import parse_gs1, parse_item
from server.outbound.services import set_status
from server.printing import send_label
from server.settings import Settings
from server.shipping import labels, rules
from server.shipping.carriers import Trace, WaybillRequest, adapter_for
from server.shipping.models import (
    Carrier,
    CarrierService,
    Carton,
    CartonStatus,
    CartonType,
    LabelPrint,
    Manifest,
    PackedItem,
    PackStation,
    Shipment,
    ShipmentStatus,
    ShippingSettings,
    TrackingEvent,
)
from server.shipping.scale import read_scale

DOC = "shipment"
FINAL = frozenset({ShipmentStatus.HANDED_OVER, ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED})


def _emit(uow: UnitOfWork, shipment: Shipment, event: str, **extra: Any) -> None:
    uow.emit(
        "shipping",
        {
            "event": event,
            "shipment_id": shipment.id,
            "order_id": shipment.order_id,
            "owner_id": shipment.owner_id,
            "warehouse_id": shipment.warehouse_id,
            "status": shipment.status.value,
            **extra,
        },
    )


def _staff_only(uow: UnitOfWork) -> None:
    if uow.caller.owner_id is not None:
        raise Forbidden("Packing and shipping are warehouse work.", code="forbidden")


# -- master data ------------------------------------------------------------------------------------------------
async def shipping_settings(uow: UnitOfWork, warehouse_id: int, *, lock: bool = False) -> ShippingSettings:
    stmt = select(ShippingSettings).where(ShippingSettings.warehouse_id == warehouse_id)
    row = (await uow.session.execute(for_update(stmt) if lock else stmt)).scalar_one_or_none()
    if row is None:
        try:
            async with uow.session.begin_nested():
                uow.session.add(ShippingSettings(warehouse_id=warehouse_id))
        except IntegrityError:
            pass  # another request made it a moment ago
        row = (await uow.session.execute(for_update(stmt) if lock else stmt)).scalar_one()
    return row


async def update_settings(uow: UnitOfWork, warehouse_id: int, values: dict[str, Any]) -> ShippingSettings:
    row = await shipping_settings(uow, warehouse_id, lock=True)
    prefix = values.get("gs1_company_prefix")
    if prefix is not None and not (prefix.isdigit() and 6 <= len(prefix) <= 12):
        raise InvalidInput("A GS1 company prefix has 6 to 12 digits.", code="invalid_prefix")
    for k, v in values.items():
        if v is not None:
            setattr(row, k, v)
    await uow.session.flush()
    return row


async def _station_location(uow: UnitOfWork, warehouse_id: int, code: str) -> int:
    """The station's pack location (type pack_station), made when the layout has none by that code."""
    loc = (
        await uow.session.execute(select(Location).where(Location.warehouse_id == warehouse_id, Location.code == code))
    ).scalar_one_or_none()
    if loc is not None:
        if loc.type != LocationType.PACK_STATION:
            raise InvalidInput(
                f"Location {code} is a {loc.type} location, not a pack station.", code="not_pack_station"
            )
        return loc.id
    wh = await uow.session.get(Warehouse, warehouse_id)
    zone_id = (
        await uow.session.execute(select(Zone.id).where(Zone.warehouse_id == warehouse_id).order_by(Zone.id).limit(1))
    ).scalar_one_or_none()
    if wh is None or zone_id is None:
        raise InvalidInput("This warehouse has no zones yet.", code="no_layout")
    new = Location(
        warehouse_id=warehouse_id,
        zone_id=zone_id,
        code=code,
        type=LocationType.PACK_STATION,
        check_digits=check_digits_for(wh.code, code),
    )
    uow.session.add(new)
    await uow.session.flush()
    return new.id


async def create_station(
    uow: UnitOfWork, *, warehouse_id: int, code: str, printer_uri: str, scale_uri: str, location_code: str | None
) -> PackStation:
    if not printer_uri.startswith(("tcp://", "file://")):
        raise InvalidInput("Give the station's printer: tcp://host:9100 or file:///path.", code="bad_printer")
    if scale_uri and not scale_uri.startswith(("tcp://", "fixed:")):
        raise InvalidInput("Give the scale as tcp://host:port (or leave it empty).", code="bad_scale")
    exists = (
        await uow.session.execute(
            select(PackStation.id).where(PackStation.warehouse_id == warehouse_id, PackStation.code == code)
        )
    ).first()
    if exists:
        raise Conflict(f"Pack station {code} exists.", code="duplicate")
    location_id = await _station_location(uow, warehouse_id, location_code or f"PACK-{code}")
    st = PackStation(
        warehouse_id=warehouse_id, code=code, location_id=location_id, printer_uri=printer_uri, scale_uri=scale_uri
    )
    uow.session.add(st)
    await uow.session.flush()
    return st


async def get_station(uow: UnitOfWork, station_id: int) -> PackStation:
    st = await uow.session.get(PackStation, station_id)
    if st is None or not st.active:
        raise NotFound(f"There is no pack station {station_id}.", code="station_not_found")
    return st


async def create_carrier(
    uow: UnitOfWork,
    *,
    warehouse_id: int,
    code: str,
    name: str,
    kind: str,
    config: dict[str, Any],
    services: list[dict[str, Any]],
) -> Carrier:
    exists = (
        await uow.session.execute(select(Carrier.id).where(Carrier.warehouse_id == warehouse_id, Carrier.code == code))
    ).first()
    if exists:
        raise Conflict(f"Carrier {code} exists in this warehouse.", code="duplicate")
    c = Carrier(warehouse_id=warehouse_id, code=code, name=name, kind=kind, config=config)
    tracking = config.get("tracking")
    if tracking:
        try:
            rules.s10_number(
                str(tracking.get("prefix", "EA")), int(tracking.get("first", 1)), str(tracking.get("suffix", "CN"))
            )
        except ValueError as exc:
            raise InvalidInput(f"The tracking range is not valid: {exc}.", code="invalid_tracking_range") from exc
        c.next_tracking_serial = int(tracking.get("first", 1))
    uow.session.add(c)
    await uow.session.flush()
    for s in services:
        uow.session.add(
            CarrierService(
                carrier_id=c.id,
                code=s["code"],
                name=s.get("name") or s["code"],
                level=int(s.get("level", 2)),
                cutoff=rules.parse_cutoff(str(s.get("cutoff", "17:00"))),
                rate_factor=Decimal(str(s.get("rate_factor", 1))),
            )
        )
    await uow.session.flush()
    return c


async def carrier_services(uow: UnitOfWork, carrier_ids: list[int]) -> dict[int, list[CarrierService]]:
    out: dict[int, list[CarrierService]] = defaultdict(list)
    rows = await uow.session.execute(
        select(CarrierService).where(CarrierService.carrier_id.in_(carrier_ids)).order_by(CarrierService.level)
    )
    for s in rows.scalars():
        out[s.carrier_id].append(s)
    return out


async def quotes(
    uow: UnitOfWork,
    settings: Settings,
    warehouse_id: int,
    *,
    weight_kg: Decimal,
    country: str,
    postcode: str,
    max_level: int | None = None,
    only: list[int] | None = None,
) -> list[rules.Quote]:
    """Rate shopping: every active carrier's services that deliver there, cheapest first."""
    stmt = select(Carrier).where(Carrier.warehouse_id == warehouse_id, Carrier.active.is_(True))
    if only is not None:
        stmt = stmt.where(Carrier.id.in_(only))
    carriers = list((await uow.session.execute(stmt.order_by(Carrier.id))).scalars())
    services = await carrier_services(uow, [c.id for c in carriers])
    out: list[rules.Quote] = []
    for c in carriers:
        try:
            base = adapter_for(c, settings).quote(weight_kg, country, postcode)
        except InvalidInput:
            continue  # no zone or no rate there: this carrier does not offer it
        for s in services.get(c.id, []):
            out.append(rules.Quote(c.code, s.code, s.level, (base * s.rate_factor).quantize(Decimal("0.01")), s.cutoff))
    return rules.shop(out, max_level=max_level)


async def create_carton_type(uow: UnitOfWork, warehouse_id: int, data: dict[str, Any]) -> CartonType:
    exists = (
        await uow.session.execute(
            select(CartonType.id).where(CartonType.warehouse_id == warehouse_id, CartonType.code == data["code"])
        )
    ).first()
    if exists:
        raise Conflict(f"Carton type {data['code']} exists.", code="duplicate")
    ct = CartonType(warehouse_id=warehouse_id, **data)
    uow.session.add(ct)
    await uow.session.flush()
    return ct


async def carton_types(uow: UnitOfWork, warehouse_id: int) -> list[CartonType]:
    rows = await uow.session.execute(
        select(CartonType)
        .where(CartonType.warehouse_id == warehouse_id, CartonType.active.is_(True))
        .order_by(CartonType.id)
    )
    return list(rows.scalars())


# -- the shipment's lines ---------------------------------------------------------------------------------------
@dataclass
class LineState:
    sku_id: int
    sku_code: str
    name: str
    expected: int  # picked units of the order
    packed: int = 0
    short: int = 0

    @property
    def remaining(self) -> int:
        return self.expected - self.packed - self.short


@dataclass
class ShipmentView:
    shipment: Shipment
    order: SalesOrder
    lines: list[LineState]
    cartons: list[Carton]
    items: dict[int, list[PackedItem]] = field(default_factory=dict)
    carrier_code: str = ""


async def _lines(uow: UnitOfWork, shipment: Shipment) -> list[LineState]:
    picked = (
        await uow.session.execute(
            select(OrderLine.sku_id, Sku.code, Sku.name, func.sum(OrderLine.picked_qty))
            .join(Sku, Sku.id == OrderLine.sku_id)
            .where(OrderLine.order_id == shipment.order_id)
            .group_by(OrderLine.sku_id, Sku.code, Sku.name)
            .order_by(OrderLine.sku_id)
        )
    ).all()
    packed = dict(
        (
            await uow.session.execute(
                select(PackedItem.sku_id, func.sum(PackedItem.qty))
                .join(Carton, Carton.id == PackedItem.carton_id)
                .where(Carton.shipment_id == shipment.id)
                .group_by(PackedItem.sku_id)
            )
        ).all()
    )
    return [
        LineState(int(sid), code, name, int(q or 0), int(packed.get(sid, 0) or 0), int(shipment.short.get(str(sid), 0)))
        for sid, code, name, q in picked
        if int(q or 0) > 0
    ]


async def view(uow: UnitOfWork, shipment: Shipment) -> ShipmentView:
    order = await uow.session.get(SalesOrder, shipment.order_id)
    assert order is not None
    cartons = list(
        (
            await uow.session.execute(select(Carton).where(Carton.shipment_id == shipment.id).order_by(Carton.seq))
        ).scalars()
    )
    items: dict[int, list[PackedItem]] = defaultdict(list)
    if cartons:
        for it in (
            await uow.session.execute(
                select(PackedItem).where(PackedItem.carton_id.in_([c.id for c in cartons])).order_by(PackedItem.id)
            )
        ).scalars():
            items[it.carton_id].append(it)
    carrier = await uow.session.get(Carrier, shipment.carrier_id) if shipment.carrier_id else None
    return ShipmentView(
        shipment, order, await _lines(uow, shipment), cartons, dict(items), carrier.code if carrier else ""
    )


async def get_shipment(uow: UnitOfWork, shipment_id: int, *, lock: bool = False) -> Shipment:
    _staff_only(uow)
    stmt = select(Shipment).where(Shipment.id == shipment_id)
    sh = (await uow.session.execute(for_update(stmt) if lock else stmt)).scalar_one_or_none()
    if sh is None:
        raise NotFound(f"There is no shipment {shipment_id}.", code="shipment_not_found")
    return sh


# -- packing ----------------------------------------------------------------------------------------------------
async def _find_order(uow: UnitOfWork, warehouse_id: int, scan: str) -> SalesOrder:
    s = scan.strip()
    by_tote = (
        (
            await uow.session.execute(
                select(SalesOrder).where(
                    SalesOrder.warehouse_id == warehouse_id, SalesOrder.tote == s, SalesOrder.tote != ""
                )
            )
        )
        .scalars()
        .all()
    )
    found = list(by_tote) or list(
        (
            await uow.session.execute(
                select(SalesOrder).where(SalesOrder.warehouse_id == warehouse_id, SalesOrder.channel_order_id == s)
            )
        ).scalars()
    )
    if not found:
        raise NotFound(f"No order has the tote or number {s!r} in this warehouse.", code="order_not_found")
    if len(found) > 1:
        raise Conflict(f"Several orders answer to {s!r}; scan the tote instead.", code="ambiguous_order")
    return found[0]


async def _suggest(uow: UnitOfWork, order: SalesOrder, lines: list[LineState]) -> list[dict[str, Any]]:
    """The optimizer's cartons for what was picked: ``[{"carton": code, "units": {sku_code: n}}]`` ([] when no
    carton type fits or the SKUs have no dimensions)."""
    types = await carton_types(uow, order.warehouse_id)
    if not types or not lines:
        return []
    skus = {
        s.id: s
        for s in (await uow.session.execute(select(Sku).where(Sku.id.in_([ln.sku_id for ln in lines])))).scalars()
    }
    items = tuple(
        OptItem(
            skus[ln.sku_id].code,
            (skus[ln.sku_id].length_mm, skus[ln.sku_id].width_mm, skus[ln.sku_id].height_mm),
            float(skus[ln.sku_id].weight_kg),
            ln.remaining,
        )
        for ln in lines
        if ln.remaining > 0
    )
    opt = [
        OptCarton(t.code, (t.length_mm, t.width_mm, t.height_mm), float(t.max_kg - t.tare_kg), float(t.cost))
        for t in types
    ]
    packed = cartonize_order(OrderItems(order.channel_order_id, items), opt, time_budget_s=1.0)
    out: list[dict[str, Any]] = []
    for c in packed.cartons:
        units: dict[str, int] = defaultdict(int)
        for p in c.placements:
            units[p.sku] += 1
        out.append({"carton": c.carton, "units": dict(units)})
    return out


async def _choose_carrier(
    uow: UnitOfWork, settings: Settings, order: SalesOrder, weight_kg: Decimal, carrier: str | None, service: str | None
) -> tuple[int | None, str]:
    wanted = carrier or order.carrier
    country = str(order.ship_to.get("country", "CN"))
    postcode = str(order.ship_to.get("postcode", ""))
    if wanted:
        c = (
            await uow.session.execute(
                select(Carrier).where(
                    Carrier.warehouse_id == order.warehouse_id, Carrier.code == wanted, Carrier.active.is_(True)
                )
            )
        ).scalar_one_or_none()
        if c is not None:
            svcs = (await carrier_services(uow, [c.id])).get(c.id, [])
            wanted_service = service or order.service
            if wanted_service and not any(s.code == wanted_service for s in svcs):
                raise InvalidInput(f"Carrier {c.code} has no service {wanted_service}.", code="unknown_service")
            return c.id, wanted_service or (svcs[0].code if svcs else "")
        if carrier:
            raise InvalidInput(f"There is no carrier {carrier} in this warehouse.", code="unknown_carrier")
    best = await quotes(uow, settings, order.warehouse_id, weight_kg=weight_kg, country=country, postcode=postcode)
    if not best:
        return None, ""
    cid = (
        await uow.session.execute(
            select(Carrier.id).where(Carrier.warehouse_id == order.warehouse_id, Carrier.code == best[0].carrier)
        )
    ).scalar_one()
    return int(cid), best[0].service


async def _expected_kg(uow: UnitOfWork, lines: list[LineState]) -> Decimal:
    weights = dict(
        (await uow.session.execute(select(Sku.id, Sku.weight_kg).where(Sku.id.in_([ln.sku_id for ln in lines])))).all()
    )
    return sum((Decimal(weights.get(ln.sku_id) or 0) * ln.expected for ln in lines), Decimal(0))


async def start_packing(
    uow: UnitOfWork,
    settings: Settings,
    station_id: int,
    scan: str,
    carrier: str | None = None,
    service: str | None = None,
) -> Shipment:
    """The packer scans a tote (or the order number) at a station: the order's shipment, made on first scan, with
    the carton suggestion and the carrier (the order's, or the cheapest by rate shopping)."""
    _staff_only(uow)
    station = await get_station(uow, station_id)
    order = await _find_order(uow, station.warehouse_id, scan)
    order = (await uow.session.execute(for_update(select(SalesOrder).where(SalesOrder.id == order.id)))).scalar_one()
    existing = (await uow.session.execute(select(Shipment).where(Shipment.order_id == order.id))).scalar_one_or_none()
    if existing is not None:
        if existing.status == ShipmentStatus.PACKING:
            existing.station_id = station.id
        return existing
    if order.status != OrderStatus.PICKED:
        raise Conflict(
            f"Order {order.channel_order_id} is {order.status}; only picked orders are packed.", code="order_not_picked"
        )
    sh = Shipment(
        order_id=order.id,
        warehouse_id=order.warehouse_id,
        owner_id=order.owner_id,
        station_id=station.id,
        packed_by_id=uow.caller.user_id,
        short={},
        suggestion=[],
    )
    uow.session.add(sh)
    await uow.session.flush()
    lines = await _lines(uow, sh)
    sh.suggestion = await _suggest(uow, order, lines)
    sh.carrier_id, sh.service = await _choose_carrier(
        uow, settings, order, await _expected_kg(uow, lines), carrier, service
    )
    await uow.session.flush()
    _emit(uow, sh, "packing_started", station=station.code)
    return sh


async def _open_carton(uow: UnitOfWork, sh: Shipment) -> Carton | None:
    return (
        await uow.session.execute(select(Carton).where(Carton.shipment_id == sh.id, Carton.status == CartonStatus.OPEN))
    ).scalar_one_or_none()


async def open_carton(uow: UnitOfWork, shipment_id: int, carton_type: str | None) -> Carton:
    """Open the next carton: the suggested type unless the packer names another (an override, recorded)."""
    sh = await get_shipment(uow, shipment_id, lock=True)
    if sh.status != ShipmentStatus.PACKING:
        raise Conflict(f"Shipment {sh.id} is {sh.status}; it is no longer packed.", code="shipment_closed")
    if await _open_carton(uow, sh) is not None:
        raise Conflict("A carton is open on this shipment: close it first.", code="carton_open")
    count = (await uow.session.execute(select(func.count()).where(Carton.shipment_id == sh.id))).scalar_one()
    suggested = sh.suggestion[count]["carton"] if count < len(sh.suggestion) else None
    code = carton_type or suggested
    if code is None:
        raise InvalidInput(
            "Name the carton type (carton_type): there is no suggestion for this carton.", code="carton_type_required"
        )
    ct = (
        await uow.session.execute(
            select(CartonType).where(
                CartonType.warehouse_id == sh.warehouse_id, CartonType.code == code, CartonType.active.is_(True)
            )
        )
    ).scalar_one_or_none()
    if ct is None:
        raise InvalidInput(f"There is no carton type {code}.", code="unknown_carton_type")
    seq = int(count) + 1
    carton = Carton(
        shipment_id=sh.id,
        seq=seq,
        code=f"CTN{sh.id:06d}-{seq}",
        carton_type_id=ct.id,
        suggested=code == suggested,
        carrier_id=sh.carrier_id,
    )
    uow.session.add(carton)
    await uow.session.flush()
    return carton


async def pack_scan(uow: UnitOfWork, shipment_id: int, item: str, qty: int) -> PackedItem:
    """One scan into the open carton: a wrong or surplus item is refused and changes nothing; the units move from
    the tote on the cart to the carton at the station (ledger reason ``pack``)."""
    if qty <= 0:
        raise InvalidInput("The quantity must be above zero.", code="invalid_quantity")
    sh = await get_shipment(uow, shipment_id, lock=True)
    if sh.status != ShipmentStatus.PACKING:
        raise Conflict(f"Shipment {sh.id} is {sh.status}; it is no longer packed.", code="shipment_closed")
    order = await uow.session.get(SalesOrder, sh.order_id)
    station = await get_station(uow, sh.station_id)
    assert order is not None
    if order.status != OrderStatus.PICKED:
        raise Conflict(
            f"Order {order.channel_order_id} is {order.status}: stop packing it and hand the tote to a supervisor.",
            code="order_not_picked",
        )
    carton = await _open_carton(uow, sh)
    if carton is None:
        carton = await open_carton(uow, sh.id, None)
    scan = parse_item(item)
    ais = parse_gs1(item.strip()) or {}
    serial = ais.get("21", "")
    matches = await find_by_barcode(uow, scan.gtin or scan.code, order.owner_id)
    lines = {ln.sku_id: ln for ln in await _lines(uow, sh)}
    hit = [(s, b) for s, b in matches if s.id in lines]
    if not hit:
        raise InvalidInput(
            f"Wrong item: {item!r} is not in order {order.channel_order_id}. Put it aside.",
            code="wrong_item",
            errors=[{"field": "item", "message": "not in this order"}],
        )
    sku, barcode = hit[0]
    units = qty * max(1, barcode.units)
    line = lines[sku.id]
    if units > line.remaining:
        raise InvalidInput(
            f"Surplus item: {line.remaining} of {sku.code} are left to pack, {units} scanned.",
            code="surplus_item",
            errors=[{"field": "item", "message": f"at most {line.remaining}"}],
        )
    if sku.serial_controlled:
        if not serial or units != 1:
            raise InvalidInput(
                f"SKU {sku.code} is serial-controlled: scan each unit's GS1 code with its serial (21).",
                code="serial_required",
            )
        dup = (
            await uow.session.execute(
                select(PackedItem.id)
                .join(Carton, Carton.id == PackedItem.carton_id)
                .where(Carton.shipment_id == sh.id, PackedItem.serial == serial)
            )
        ).first()
        if dup:
            raise InvalidInput(f"Serial {serial} is already packed.", code="duplicate_serial")
    stmt = select(Stock).where(
        Stock.owner_id == order.owner_id, Stock.sku_id == sku.id, Stock.lpn == order.tote, Stock.on_hand > 0
    )
    if scan.lot:
        stmt = stmt.where(Stock.lot == scan.lot)
    rows = list((await uow.session.execute(stmt.order_by(Stock.expiry, Stock.id))).scalars())
    if sum(r.on_hand for r in rows) < units:
        what = f"lot {scan.lot} of {sku.code}" if scan.lot else sku.code
        raise InvalidInput(
            f"Tote {order.tote} holds {sum(r.on_hand for r in rows)} of {what}; {units} scanned.",
            code="wrong_lot" if scan.lot else "not_in_tote",
        )
    inv = InventoryService(uow)
    left = units
    last: PackedItem | None = None
    for r in rows:
        take = min(left, r.on_hand)
        if take <= 0:
            continue
        await inv.move(
            r.id,
            take,
            station.location_id,
            to_lpn=carton.code,
            reason=MovementReason.PACK,
            doc=DocRef(DOC, carton.code),
            note=f"order {order.channel_order_id}",
        )
        last = PackedItem(carton_id=carton.id, sku_id=sku.id, lot=r.lot, expiry=r.expiry, serial=serial, qty=take)
        uow.session.add(last)
        left -= take
        if left == 0:
            break
    await uow.session.flush()
    assert last is not None
    _emit(uow, sh, "packed_item", sku_id=sku.id, qty=units, carton=carton.code)
    return last


async def report_short(uow: UnitOfWork, shipment_id: int, sku_code: str, qty: int, note: str) -> FloorException:
    """The packer cannot find units that were picked: they are not packed, and a ``pack_short`` exception goes to
    the supervisors (the units are still booked on the tote until someone finds or adjusts them)."""
    sh = await get_shipment(uow, shipment_id, lock=True)
    if sh.status != ShipmentStatus.PACKING:
        raise Conflict(f"Shipment {sh.id} is {sh.status}.", code="shipment_closed")
    order = await uow.session.get(SalesOrder, sh.order_id)
    assert order is not None
    lines = await _lines(uow, sh)
    line = next((ln for ln in lines if sku_code in (ln.sku_code, str(ln.sku_id))), None)
    if line is None:
        raise InvalidInput(f"SKU {sku_code} is not in order {order.channel_order_id}.", code="wrong_item")
    if qty <= 0 or qty > line.remaining:
        raise InvalidInput(
            f"Between 1 and {line.remaining} of {line.sku_code} can be reported short.", code="invalid_quantity"
        )
    sh.short = {**sh.short, str(line.sku_id): line.short + qty}
    await uow.session.flush()
    return await open_exception(
        uow,
        "pack_short",
        warehouse_id=sh.warehouse_id,
        owner_id=sh.owner_id,
        ref_type="shipment",
        ref_id=str(sh.id),
        message=(
            f"Pack short for order {order.channel_order_id}: {qty} of {line.sku_code} not found in tote "
            f"{order.tote}." + (f" {note}" if note else "")
        ),
        details={"order_id": order.id, "sku_id": line.sku_id, "qty": qty, "tote": order.tote},
    )


@dataclass
class CloseResult:
    carton: Carton
    weight_ok: bool
    message: str = ""
    message_zh: str = ""
    exception_id: int | None = None
    shipment_status: str = ""
    printed: list[str] = field(default_factory=list)


async def _carton_content(uow: UnitOfWork, carton: Carton) -> list[labels.CartonContent]:
    rows = (
        await uow.session.execute(
            select(PackedItem.sku_id, PackedItem.lot, PackedItem.expiry, func.sum(PackedItem.qty))
            .where(PackedItem.carton_id == carton.id)
            .group_by(PackedItem.sku_id, PackedItem.lot, PackedItem.expiry)
        )
    ).all()
    gtins = dict(
        (
            await uow.session.execute(
                select(Barcode.sku_id, Barcode.value).where(
                    Barcode.sku_id.in_([r[0] for r in rows]), Barcode.kind == BarcodeKind.GTIN, Barcode.units == 1
                )
            )
        ).all()
    )
    names = dict((await uow.session.execute(select(Sku.id, Sku.name).where(Sku.id.in_([r[0] for r in rows])))).all())
    return [
        labels.CartonContent(
            str(gtins.get(sid, "")).zfill(14) if gtins.get(sid) else "", names.get(sid, ""), int(q), lot, exp
        )
        for sid, lot, exp, q in rows
    ]


def _print(uow: UnitOfWork, carton: Carton, printer: str, kinds: list[str], *, reprint: bool, reason: str) -> list[str]:
    zpl = {"waybill": carton.waybill_zpl, "sscc": carton.sscc_zpl}
    for kind in kinds:
        send_label(zpl[kind].encode("utf-8"), printer)
        uow.session.add(
            LabelPrint(
                carton_id=carton.id,
                kind=kind,
                printer=printer,
                reprint=reprint,
                reason=reason[:200],
                user_id=uow.principal.user_id if uow.principal else None,
            )
        )
    return kinds


async def close_carton(uow: UnitOfWork, settings: Settings, carton_id: int, weight_kg: Decimal | None) -> CloseResult:
    """Weigh and close: a weight outside the tolerance opens (or keeps) a ``weight_mismatch`` exception and the
    carton stays open for a recheck; within it, the carton gets its SSCC and waybill number, and both labels
    print on the station's printer. The last carton of a fully packed shipment makes the order packed."""
    carton = await _get_carton(uow, carton_id, lock=True)
    sh = await get_shipment(uow, carton.shipment_id, lock=True)
    if carton.status != CartonStatus.OPEN:
        raise Conflict(f"Carton {carton.code} is already {carton.status}.", code="carton_closed")
    content = await _carton_content(uow, carton)
    if not content:
        raise Conflict(f"Carton {carton.code} is empty: scan items into it first.", code="carton_empty")
    station = await get_station(uow, sh.station_id)
    if weight_kg is None:
        if not station.scale_uri:
            raise InvalidInput(
                "Enter the carton's weight (weight_kg): this station has no scale.", code="weight_required"
            )
        weight_kg = await read_scale(station.scale_uri)
    ct = await uow.session.get(CartonType, carton.carton_type_id)
    assert ct is not None
    unit_kg = dict(
        (
            await uow.session.execute(
                select(Sku.id, Sku.weight_kg).where(
                    Sku.id.in_(select(PackedItem.sku_id).where(PackedItem.carton_id == carton.id))
                )
            )
        ).all()
    )
    items = (await uow.session.execute(select(PackedItem).where(PackedItem.carton_id == carton.id))).scalars().all()
    expected = Decimal(ct.tare_kg) + sum((Decimal(unit_kg.get(i.sku_id) or 0) * i.qty for i in items), Decimal(0))
    conf = await shipping_settings(uow, sh.warehouse_id)
    check = rules.check_weight(
        expected,
        weight_kg,
        tolerance_kg=Decimal(conf.weight_tolerance_kg),
        tolerance_pct=Decimal(conf.weight_tolerance_pct),
    )
    carton.expected_kg = expected
    carton.weight_kg = weight_kg
    order = await uow.session.get(SalesOrder, sh.order_id)
    assert order is not None
    if not check.ok:
        msg = (
            f"Weight mismatch on carton {carton.code}: {weight_kg} kg weighed, {expected} kg expected "
            f"(±{check.allowed_kg} kg). Check the contents and weigh again."
        )
        zh = (
            f"箱 {carton.code} 重量不符：称重 {weight_kg} 千克，应为 {expected} 千克"
            f"（允许 ±{check.allowed_kg}）。请核对内容后重新称重。"
        )
        open_exc = (
            await uow.session.get(FloorException, carton.weight_exception_id) if carton.weight_exception_id else None
        )
        if open_exc is None or open_exc.status != ExceptionStatus.OPEN:
            exc = await open_exception(
                uow,
                "weight_mismatch",
                warehouse_id=sh.warehouse_id,
                owner_id=sh.owner_id,
                ref_type="carton",
                ref_id=str(carton.id),
                message=msg,
                details={
                    "carton": carton.code,
                    "order_id": order.id,
                    "expected_kg": str(expected),
                    "weight_kg": str(weight_kg),
                },
            )
            carton.weight_exception_id = exc.id
        await uow.session.flush()
        return CloseResult(carton, False, msg, zh, carton.weight_exception_id, sh.status.value)
    if sh.carrier_id is None:
        raise Conflict(
            "The shipment has no carrier: choose one (no carrier delivers there by rate).", code="no_carrier"
        )
    carrier = (await uow.session.execute(for_update(select(Carrier).where(Carrier.id == sh.carrier_id)))).scalar_one()
    conf = await shipping_settings(uow, sh.warehouse_id, lock=True)
    from labels.gs1 import MemorySerialSource, SSCCGenerator

    sscc = SSCCGenerator(conf.gs1_company_prefix, conf.sscc_extension, MemorySerialSource()).make(conf.next_sscc_serial)
    conf.next_sscc_serial += 1
    pieces = max(carton.seq, len(sh.suggestion))
    wh = await uow.session.get(Warehouse, sh.warehouse_id)
    ship_from = conf.ship_from or {
        "name": wh.name if wh else "Warehouse",
        "line1": "-",
        "city": "-",
        "postcode": "-",
        "country": "CN",
    }
    waybill = await adapter_for(carrier, settings).create_waybill(
        WaybillRequest(
            order_code=carton.code,
            service=sh.service,
            weight_kg=weight_kg,
            ship_from=ship_from,
            ship_to=order.ship_to,
            order_reference=order.channel_order_id,
            piece=carton.seq,
            pieces=pieces,
            goods=content[0].description or "goods",
        )
    )
    carton.sscc = sscc
    carton.tracking_number = waybill.tracking_number
    carton.carrier_id = carrier.id
    carton.sort_code = waybill.sort_code[:40]
    tz = ZoneInfo(wh.timezone if wh else "UTC")
    carton.waybill_zpl = labels.waybill_zpl(
        carrier=carrier.name,
        service=sh.service,
        tracking_number=waybill.tracking_number,
        sscc=sscc,
        order_reference=order.channel_order_id,
        ship_from=ship_from,
        ship_to=order.ship_to,
        weight_kg=weight_kg,
        piece=carton.seq,
        pieces=pieces,
        ship_date=datetime.now(tz).date(),
    )
    carton.sscc_zpl = labels.logistic_zpl(sscc, ship_from, order.ship_to, content)
    carton.status = CartonStatus.CLOSED
    carton.closed_at = utcnow()
    await uow.session.flush()
    printed = _print(uow, carton, station.printer_uri, ["sscc", "waybill"], reprint=False, reason="")
    if carton.weight_exception_id is not None:
        mismatch = await uow.session.get(FloorException, carton.weight_exception_id)
        if mismatch is not None and mismatch.status == ExceptionStatus.OPEN:
            await resolve_exception(uow, mismatch.id, "recheck", note=f"re-weighed: {weight_kg} kg")
    if all(ln.remaining == 0 for ln in await _lines(uow, sh)):
        await _packed(uow, sh, order)
    await uow.session.flush()
    _emit(uow, sh, "carton_closed", carton=carton.code, sscc=sscc, tracking_number=waybill.tracking_number)
    return CloseResult(carton, True, shipment_status=sh.status.value, printed=printed)


async def _packed(uow: UnitOfWork, sh: Shipment, order: SalesOrder) -> None:
    sh.status = ShipmentStatus.LABEL_CREATED
    set_status(order, OrderStatus.PACKED)
    outbox.record(
        uow,
        "order.packed",
        {"order_id": order.id, "channel_order_id": order.channel_order_id, "status": order.status.value},
        owner_id=order.owner_id,
        warehouse_id=order.warehouse_id,
        key=f"order:{order.id}",
    )
    uow.emit(
        "outbound",
        {
            "event": "packed",
            "order_id": order.id,
            "owner_id": order.owner_id,
            "warehouse_id": order.warehouse_id,
            "status": order.status.value,
        },
    )


async def finish_packing(uow: UnitOfWork, shipment_id: int) -> Shipment:
    """After a short report: the shipment is complete with what was found (every carton closed)."""
    sh = await get_shipment(uow, shipment_id, lock=True)
    if sh.status != ShipmentStatus.PACKING:
        raise Conflict(f"Shipment {sh.id} is {sh.status}.", code="shipment_closed")
    order = (await uow.session.execute(for_update(select(SalesOrder).where(SalesOrder.id == sh.order_id)))).scalar_one()
    lines = await _lines(uow, sh)
    left = [f"{ln.remaining} of {ln.sku_code}" for ln in lines if ln.remaining > 0]
    if left:
        raise Conflict("Still to pack (or report short): " + ", ".join(left) + ".", code="not_fully_packed")
    if await _open_carton(uow, sh) is not None:
        raise Conflict("Close the open carton first.", code="carton_open")
    cartons = (await uow.session.execute(select(func.count()).where(Carton.shipment_id == sh.id))).scalar_one()
    if not cartons:
        raise Conflict("Nothing was packed: the order cannot ship empty.", code="carton_empty")
    await _packed(uow, sh, order)
    await uow.session.flush()
    return sh


async def _get_carton(uow: UnitOfWork, carton_id: int, *, lock: bool = False) -> Carton:
    _staff_only(uow)
    stmt = select(Carton).where(Carton.id == carton_id)
    c = (await uow.session.execute(for_update(stmt) if lock else stmt)).scalar_one_or_none()
    if c is None:
        raise NotFound(f"There is no carton {carton_id}.", code="carton_not_found")
    return c


async def reprint(uow: UnitOfWork, carton_id: int, kinds: list[str], reason: str, printer: str | None) -> list[str]:
    """Print a closed carton's labels again; every reprint is an audit row (who, which printer, why)."""
    carton = await _get_carton(uow, carton_id)
    if carton.status == CartonStatus.OPEN:
        raise Conflict(f"Carton {carton.code} has no labels yet: close it first.", code="carton_open")
    if not reason.strip():
        raise InvalidInput("Say why the label is printed again (reason).", code="reason_required")
    sh = await get_shipment(uow, carton.shipment_id)
    station = await get_station(uow, sh.station_id)
    return _print(uow, carton, printer or station.printer_uri, kinds, reprint=True, reason=reason)


async def prints_of(uow: UnitOfWork, carton_id: int) -> list[LabelPrint]:
    return list(
        (
            await uow.session.execute(
                select(LabelPrint).where(LabelPrint.carton_id == carton_id).order_by(LabelPrint.id)
            )
        ).scalars()
    )


# -- dispatch ---------------------------------------------------------------------------------------------------
async def load(uow: UnitOfWork, warehouse_id: int, scan: str, door: str) -> Carton:
    """A carton scanned onto a dock door / trailer (by SSCC, tracking number or carton code)."""
    _staff_only(uow)
    if not door.strip():
        raise InvalidInput("Scan the dock door or trailer (door).", code="door_required")
    s = scan.strip()
    ais = parse_gs1(s)
    if ais and "00" in ais:
        s = ais["00"]
    carton = (
        await uow.session.execute(
            for_update(
                select(Carton)
                .join(Shipment, Shipment.id == Carton.shipment_id)
                .where(
                    Shipment.warehouse_id == warehouse_id,
                    (Carton.sscc == s) | (Carton.tracking_number == s) | (Carton.code == s),
                )
            )
        )
    ).scalar_one_or_none()
    if carton is None:
        raise NotFound(f"No carton of this warehouse answers to {scan!r}.", code="carton_not_found")
    if carton.status == CartonStatus.OPEN:
        raise Conflict(f"Carton {carton.code} is still open at the pack station.", code="carton_open")
    if carton.status == CartonStatus.SHIPPED:
        raise Conflict(f"Carton {carton.code} has already left on a manifest.", code="carton_shipped")
    carton.status = CartonStatus.LOADED
    carton.door = door.strip()[:40]
    carton.loaded_at = utcnow()
    await uow.session.flush()
    return carton


async def close_manifest(uow: UnitOfWork, warehouse_id: int, carrier_code: str) -> Manifest:
    """End-of-day close-out of one carrier: every loaded carton goes on the manifest and is handed over; a closed
    carton never loaded is reported missing (and stays). Shipments whose every carton is handed over are shipped:
    the order becomes shipped, its packed stock leaves the books, and ``order.shipped`` goes to the outbox."""
    _staff_only(uow)
    carrier = (
        await uow.session.execute(
            for_update(select(Carrier).where(Carrier.warehouse_id == warehouse_id, Carrier.code == carrier_code))
        )
    ).scalar_one_or_none()
    if carrier is None:
        raise NotFound(f"There is no carrier {carrier_code} in this warehouse.", code="carrier_not_found")
    cartons = list(
        (
            await uow.session.execute(
                for_update(
                    select(Carton)
                    .where(
                        Carton.carrier_id == carrier.id,
                        Carton.manifest_id.is_(None),
                        Carton.status.in_([CartonStatus.CLOSED, CartonStatus.LOADED]),
                    )
                    .order_by(Carton.id)
                )
            )
        ).scalars()
    )
    loaded = [c for c in cartons if c.status == CartonStatus.LOADED]
    missing = [c for c in cartons if c.status == CartonStatus.CLOSED]
    if not loaded:
        raise Conflict(
            f"No carton of {carrier.code} is loaded; {len(missing)} closed carton(s) wait at the stations.",
            code="nothing_to_manifest",
            missing=[c.code for c in missing],
        )
    day = datetime.now(UTC).strftime("%Y%m%d")
    m = Manifest(
        warehouse_id=warehouse_id,
        carrier_id=carrier.id,
        code=f"MF-{carrier.code}-{day}-{utcnow().strftime('%H%M%S%f')[:10]}",
        cartons=len(loaded),
        total_kg=sum((Decimal(c.weight_kg or 0) for c in loaded), Decimal(0)),
        missing=[
            {"carton": c.code, "sscc": c.sscc, "tracking_number": c.tracking_number, "shipment_id": c.shipment_id}
            for c in missing
        ],
        closed_by_id=uow.caller.user_id,
    )
    uow.session.add(m)
    await uow.session.flush()
    for c in loaded:
        c.status = CartonStatus.SHIPPED
        c.manifest_id = m.id
    await uow.session.flush()
    for sid in sorted({c.shipment_id for c in loaded}):
        await _ship(uow, sid)
    uow.emit(
        "shipping",
        {
            "event": "manifest_closed",
            "manifest_id": m.id,
            "warehouse_id": warehouse_id,
            "carrier": carrier.code,
            "cartons": m.cartons,
            "missing": len(missing),
        },
    )
    return m


async def _ship(uow: UnitOfWork, shipment_id: int) -> None:
    sh = (await uow.session.execute(for_update(select(Shipment).where(Shipment.id == shipment_id)))).scalar_one()
    cartons = list(
        (await uow.session.execute(select(Carton).where(Carton.shipment_id == sh.id).order_by(Carton.seq))).scalars()
    )
    if sh.status != ShipmentStatus.LABEL_CREATED or any(c.status != CartonStatus.SHIPPED for c in cartons):
        return  # a carton still waits (or packing is not finished): the shipment leaves with its last carton
    order = (await uow.session.execute(for_update(select(SalesOrder).where(SalesOrder.id == sh.order_id)))).scalar_one()
    station = await uow.session.get(PackStation, sh.station_id)
    assert station is not None
    inv = InventoryService(uow)
    rows = (
        (
            await uow.session.execute(
                select(Stock)
                .where(
                    Stock.location_id == station.location_id,
                    Stock.lpn.in_([c.code for c in cartons]),
                    Stock.on_hand > 0,
                )
                .order_by(Stock.id)
            )
        )
        .scalars()
        .all()
    )
    for r in rows:
        await inv.ship(r.id, r.on_hand, doc=DocRef(DOC, f"order:{order.channel_order_id}"[:64]), note=f"carton {r.lpn}")
    sh.status = ShipmentStatus.HANDED_OVER
    sh.shipped_at = utcnow()
    set_status(order, OrderStatus.SHIPPED)
    carrier = await uow.session.get(Carrier, sh.carrier_id) if sh.carrier_id else None
    payload = {
        "order_id": order.id,
        "channel": order.channel.value,
        "channel_order_id": order.channel_order_id,
        "status": order.status.value,
        "carrier": carrier.code if carrier else "",
        "service": sh.service,
        "shipped_at": sh.shipped_at.isoformat(),
        "cartons": [
            {"sscc": c.sscc, "tracking_number": c.tracking_number, "weight_kg": str(c.weight_kg)} for c in cartons
        ],
    }
    outbox.record(
        uow, "order.shipped", payload, owner_id=order.owner_id, warehouse_id=order.warehouse_id, key=f"order:{order.id}"
    )
    uow.emit(
        "outbound",
        {
            "event": "shipped",
            "order_id": order.id,
            "owner_id": order.owner_id,
            "warehouse_id": order.warehouse_id,
            "status": order.status.value,
        },
    )
    _emit(uow, sh, "shipped")
    await uow.session.flush()


# -- tracking ---------------------------------------------------------------------------------------------------
async def apply_traces(uow: UnitOfWork, traces: list[Trace], source: str) -> int:
    """Record carrier scans (repeats are ignored) and move shipments forward; each change of a shipment's status
    goes to the outbox as ``shipment.status``. Returns how many new scans were recorded."""
    new = 0
    for t in sorted(traces, key=lambda t: t.at):
        carton = (
            await uow.session.execute(select(Carton).where(Carton.tracking_number == t.tracking_number))
        ).scalar_one_or_none()
        if carton is None:
            continue
        seen = (
            await uow.session.execute(
                select(TrackingEvent.id).where(
                    TrackingEvent.tracking_number == t.tracking_number,
                    TrackingEvent.at == t.at,
                    TrackingEvent.state == t.state,
                )
            )
        ).first()
        if seen:
            continue
        uow.session.add(
            TrackingEvent(
                carton_id=carton.id,
                tracking_number=t.tracking_number,
                state=t.state,
                at=t.at,
                station=t.station[:300],
                source=source,
            )
        )
        new += 1
        sh = (
            await uow.session.execute(for_update(select(Shipment).where(Shipment.id == carton.shipment_id)))
        ).scalar_one()
        if rules.advances(sh.status.value, t.state):
            sh.status = ShipmentStatus(t.state)
            if sh.status == ShipmentStatus.DELIVERED:
                sh.delivered_at = t.at
            order = await uow.session.get(SalesOrder, sh.order_id)
            assert order is not None
            outbox.record(
                uow,
                "shipment.status",
                {
                    "order_id": order.id,
                    "channel_order_id": order.channel_order_id,
                    "shipment_id": sh.id,
                    "status": sh.status.value,
                    "tracking_number": t.tracking_number,
                    "at": t.at.isoformat(),
                    "station": t.station,
                },
                owner_id=sh.owner_id,
                warehouse_id=sh.warehouse_id,
                key=f"order:{order.id}",
            )
            _emit(uow, sh, "status", tracking_number=t.tracking_number)
        await uow.session.flush()
    return new


async def poll_tracking(uow: UnitOfWork, settings: Settings, *, limit: int = 200) -> dict[str, int]:
    """Ask each carrier with a tracking service about the cartons handed over and not delivered yet."""
    rows = (
        await uow.session.execute(
            select(Carton, Carrier)
            .join(Shipment, Shipment.id == Carton.shipment_id)
            .join(Carrier, Carrier.id == Carton.carrier_id)
            .where(
                Shipment.status.in_([ShipmentStatus.HANDED_OVER, ShipmentStatus.IN_TRANSIT, ShipmentStatus.EXCEPTION]),
                Carton.tracking_number.is_not(None),
            )
            .order_by(Carton.id)
            .limit(limit)
        )
    ).all()
    by_carrier: dict[int, tuple[Carrier, list[str]]] = {}
    for carton, carrier in rows:
        by_carrier.setdefault(carrier.id, (carrier, []))[1].append(str(carton.tracking_number))
    asked = new = 0
    for carrier, numbers in by_carrier.values():
        traces = await adapter_for(carrier, settings).track(numbers)
        asked += len(numbers)
        new += await apply_traces(uow, traces, "poll")
    return {"asked": asked, "new_events": new}


# -- the weight mismatch's recheck action -----------------------------------------------------------------------
async def _recheck(uow: UnitOfWork, exc: FloorException, note: str) -> None:
    """Recheck: the carton stays open, its weight is cleared, and the packer checks the contents and weighs again
    (a carton already closed within tolerance needs nothing more)."""
    carton = await uow.session.get(Carton, int(exc.ref_id), with_for_update=True)
    if carton is not None and carton.status == CartonStatus.OPEN:
        carton.weight_kg = None


register_action("weight_mismatch", "recheck", "Recheck and weigh again", "复核并重新称重", _recheck)
