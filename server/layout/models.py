"""Zones and locations: where stock can sit, where it is on the walking grid, how much it holds."""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Enum, Float, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin


class LocationType(enum.StrEnum):
    DOCK = "dock"
    RECEIVING = "receiving"
    QUARANTINE = "quarantine"
    RESERVE = "reserve"
    PICK_FACE = "pick_face"
    PACK_STATION = "pack_station"
    STAGING = "staging"
    SHIPPING = "shipping"


STORAGE_TYPES = frozenset({LocationType.RESERVE, LocationType.PICK_FACE})


class Zone(IdMixin, TimestampMixin, Base):
    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))


class Location(IdMixin, TimestampMixin, Base):
    """One place stock sits, e.g. ``A-03-12-B`` = zone A, aisle 03, bay 12, level B.

    ``aisle`` and ``y_m`` put the location on the walking grid (pick from the aisle centre line);
    ``x_m``/``y_m`` are plan coordinates in metres. ``check_digits`` are printed on the label and asked
    for when a handheld confirms the location.
    """

    __tablename__ = "locations"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "code"),
        CheckConstraint("capacity_units >= 0", name="capacity_units_nonneg"),
        CheckConstraint("level >= 0", name="level_nonneg"),
    )

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    type: Mapped[LocationType] = mapped_column(
        Enum(
            LocationType,
            name="location_type",
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    aisle: Mapped[int | None] = mapped_column()
    bay: Mapped[int | None] = mapped_column()
    level: Mapped[int] = mapped_column(default=0)
    position: Mapped[str] = mapped_column(String(8), default="")
    x_m: Mapped[float] = mapped_column(Float, default=0.0)
    y_m: Mapped[float] = mapped_column(Float, default=0.0)
    capacity_units: Mapped[int] = mapped_column(default=0)  # 0 = not limited by units
    capacity_m3: Mapped[Decimal] = mapped_column(Numeric(10, 4), default=Decimal(0))
    max_kg: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    check_digits: Mapped[str] = mapped_column(String(2))
    # A location dedicated to one owner (common in 3PL cages); none = shared.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    block_reason: Mapped[str] = mapped_column(String(200), default="")
