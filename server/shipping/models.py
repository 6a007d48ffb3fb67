"""Pack and ship: pack stations, carton types, carriers and their services, shipments with their cartons and
packed items, label prints (the reprint audit), tracking events and end-of-day manifests."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Enum, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin, UtcDateTime, utcnow


class CarrierKind(enum.StrEnum):
    TABLE_RATE = "table_rate"  # offline: rates by weight band and zone, numbers from an assigned range
    EWAYBILL = "ewaybill"  # an express-data aggregator (Kdniao-style e-waybill API)


class ShipmentStatus(enum.StrEnum):
    PACKING = "packing"
    LABEL_CREATED = "label_created"  # every carton closed and labelled: the order is packed
    HANDED_OVER = "handed_over"  # on a closed manifest: the carrier has it, the order is shipped
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    EXCEPTION = "exception"


class CartonStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # SSCC, tracking number, labels printed
    LOADED = "loaded"  # scanned onto a dock door / trailer
    SHIPPED = "shipped"  # on a closed manifest


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class ShippingSettings(Base):
    """Per warehouse: the GS1 company prefix and the SSCC serial counter, the ship-from address, the weight
    tolerance of a closed carton."""

    __tablename__ = "shipping_settings"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    gs1_company_prefix: Mapped[str] = mapped_column(String(12), default="6900000")
    sscc_extension: Mapped[int] = mapped_column(default=0)
    next_sscc_serial: Mapped[int] = mapped_column(default=1)
    ship_from: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    weight_tolerance_kg: Mapped[Decimal] = mapped_column(Numeric(8, 3), default=Decimal("0.2"))
    weight_tolerance_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("5"))


class PackStation(IdMixin, TimestampMixin, Base):
    """A pack bench: its location (where packed cartons sit until shipped), its label printer and scale."""

    __tablename__ = "pack_stations"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    printer_uri: Mapped[str] = mapped_column(String(200))
    scale_uri: Mapped[str] = mapped_column(String(200), default="")  # '' = weights are typed in
    active: Mapped[bool] = mapped_column(default=True)


class CartonType(IdMixin, TimestampMixin, Base):
    """A carton of the warehouse's catalogue: inner size (mm), tare and max weight (kg), cost."""

    __tablename__ = "carton_types"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    length_mm: Mapped[int] = mapped_column()
    width_mm: Mapped[int] = mapped_column()
    height_mm: Mapped[int] = mapped_column()
    tare_kg: Mapped[Decimal] = mapped_column(Numeric(8, 3), default=Decimal(0))
    max_kg: Mapped[Decimal] = mapped_column(Numeric(8, 3), default=Decimal(30))
    cost: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    active: Mapped[bool] = mapped_column(default=True)


class Carrier(IdMixin, TimestampMixin, Base):
    """A carrier account of a warehouse and the adapter that talks to it.

    ``config`` by kind: table_rate ``{"zones": {"CN": "1", "*": "3"}, "rates": {"1": [[1.0, 8.0], [5.0, 12.0]]},
    "per_kg_over": 2.0, "tracking": {"prefix": "EA", "suffix": "CN", "first": 1, "last": 99999999}}``;
    ewaybill ``{"shipper_code": "ZTO", "pay_type": 1, "exp_type": 1}`` (the account's keys are settings)."""

    __tablename__ = "carriers"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[CarrierKind] = mapped_column(_enum(CarrierKind, "carrier_kind"))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    next_tracking_serial: Mapped[int] = mapped_column(default=0)  # table rate: the next number of the range
    active: Mapped[bool] = mapped_column(default=True)


class CarrierService(IdMixin, Base):
    """A service of a carrier (express, standard...) with its daily cut-off (local time of the warehouse) and its
    level (1 = fastest); rate shopping picks the cheapest service at least as fast as asked."""

    __tablename__ = "carrier_services"
    __table_args__ = (UniqueConstraint("carrier_id", "code"),)

    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(default=2)
    cutoff: Mapped[str] = mapped_column(String(5), default="17:00")  # HH:MM
    rate_factor: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal(1))


class Shipment(IdMixin, TimestampMixin, Base):
    """What leaves for one order: its cartons, carrier and service, status and the short-packed units."""

    __tablename__ = "shipments"
    __table_args__ = (Index("ix_shipments_queue", "warehouse_id", "status"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"), unique=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("pack_stations.id"))
    status: Mapped[ShipmentStatus] = mapped_column(
        _enum(ShipmentStatus, "shipment_status"), default=ShipmentStatus.PACKING
    )
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carriers.id"), index=True)
    service: Mapped[str] = mapped_column(String(32), default="")
    suggestion: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the optimizer's cartons
    short: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # sku id -> units reported short
    packed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Carton(IdMixin, TimestampMixin, Base):
    """One box of a shipment. ``code`` is the LPN its packed stock sits on; SSCC and tracking come at close."""

    __tablename__ = "cartons"
    __table_args__ = (
        UniqueConstraint("shipment_id", "seq"),
        Index("ix_cartons_carrier_status", "carrier_id", "status"),
    )

    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column()
    code: Mapped[str] = mapped_column(String(40), unique=True)
    carton_type_id: Mapped[int] = mapped_column(ForeignKey("carton_types.id"))
    suggested: Mapped[bool] = mapped_column(default=False)  # the optimizer's carton type was used
    status: Mapped[CartonStatus] = mapped_column(_enum(CartonStatus, "carton_status"), default=CartonStatus.OPEN)
    sscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carriers.id"))
    tracking_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    sort_code: Mapped[str] = mapped_column(String(40), default="")
    expected_kg: Mapped[Decimal | None] = mapped_column(Numeric(8, 3))
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(8, 3))
    weight_exception_id: Mapped[int | None] = mapped_column(ForeignKey("floor_exceptions.id"))
    door: Mapped[str] = mapped_column(String(40), default="")
    loaded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("manifests.id"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    waybill_zpl: Mapped[str] = mapped_column(String, default="")
    sscc_zpl: Mapped[str] = mapped_column(String, default="")


class PackedItem(IdMixin, Base):
    """Units scanned into a carton (one row per scan)."""

    __tablename__ = "packed_items"
    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)

    carton_id: Mapped[int] = mapped_column(ForeignKey("cartons.id", ondelete="CASCADE"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot: Mapped[str] = mapped_column(String(64), default="")
    expiry: Mapped[date | None] = mapped_column(Date)
    serial: Mapped[str] = mapped_column(String(64), default="")
    qty: Mapped[int] = mapped_column()
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LabelPrint(IdMixin, Base):
    """Every label sent for a carton: the first print and each reprint (who, where, why)."""

    __tablename__ = "label_prints"

    carton_id: Mapped[int] = mapped_column(ForeignKey("cartons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # waybill, sscc
    printer: Mapped[str] = mapped_column(String(200))
    reprint: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Manifest(IdMixin, TimestampMixin, Base):
    """The end-of-day close-out of one carrier: the cartons handed over, and the ones missing at close."""

    __tablename__ = "manifests"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    cartons: Mapped[int] = mapped_column(default=0)
    total_kg: Mapped[Decimal] = mapped_column(Numeric(12, 3), default=Decimal(0))
    missing: Mapped[list[Any]] = mapped_column(JSON, default=list)  # cartons closed but never loaded
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TrackingEvent(IdMixin, Base):
    """A carrier scan of a carton (pushed or polled); pushes repeat, so one row per number, time and state."""

    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("tracking_number", "at", "state"),)

    carton_id: Mapped[int] = mapped_column(ForeignKey("cartons.id", ondelete="CASCADE"), index=True)
    tracking_number: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))  # a ShipmentStatus value
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    station: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(16), default="push")  # push, poll
