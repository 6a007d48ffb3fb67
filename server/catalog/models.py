"""SKUs and their barcodes, per owner."""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin


class BarcodeKind(enum.StrEnum):
    GTIN = "gtin"  # validated GTIN-8/12/13/14
    ALTERNATE = "alternate"  # a supplier's or marketplace's own code


class Sku(IdMixin, TimestampMixin, Base):
    __tablename__ = "skus"
    __table_args__ = (
        UniqueConstraint("owner_id", "code"),
        CheckConstraint("case_pack >= 1", name="case_pack_positive"),
        CheckConstraint("weight_kg >= 0", name="weight_nonneg"),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    uom: Mapped[str] = mapped_column(String(16), default="EA")
    case_pack: Mapped[int] = mapped_column(default=1)
    length_mm: Mapped[int] = mapped_column(default=0)
    width_mm: Mapped[int] = mapped_column(default=0)
    height_mm: Mapped[int] = mapped_column(default=0)
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(10, 3), default=Decimal(0))
    lot_controlled: Mapped[bool] = mapped_column(Boolean, default=False)
    expiry_controlled: Mapped[bool] = mapped_column(Boolean, default=False)
    serial_controlled: Mapped[bool] = mapped_column(Boolean, default=False)
    fragile: Mapped[bool] = mapped_column(Boolean, default=False)
    hazmat: Mapped[bool] = mapped_column(Boolean, default=False)
    demand_class: Mapped[str] = mapped_column(String(1), default="C")  # A/B/C for slotting
    # The zone putaway keeps this SKU in (e.g. a cold room, a cage for valuables); '' = any storage zone.
    storage_zone: Mapped[str] = mapped_column(String(16), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def unit_m3(self) -> float:
        return self.length_mm * self.width_mm * self.height_mm / 1e9


class Barcode(IdMixin, TimestampMixin, Base):
    """A code that identifies a SKU when scanned. ``units`` > 1 for a case or inner pack GTIN."""

    __tablename__ = "barcodes"
    # Two owners of a 3PL may sell the same GTIN; within an owner a code means one SKU.
    __table_args__ = (UniqueConstraint("owner_id", "value"),)

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[BarcodeKind] = mapped_column(
        Enum(
            BarcodeKind,
            name="barcode_kind",
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    units: Mapped[int] = mapped_column(default=1)
