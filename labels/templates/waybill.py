"""4x6 in carrier waybill: ship-from, ship-to, service, weight, tracking (Code 128), SSCC (GS1-128),
a QR code with the tracking data, and the order reference."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from labels.elements import Element, QRCode, Rule, Text, TextBlock, code128_symbol, gs1_128_symbol
from labels.gs1 import ElementString, sscc_hri
from labels.profiles import LabelSize
from labels.render import LabelDocument
from labels.templates.common import Address, LabelModel, sscc_field

WIDTH_MM = LabelSize.SIZE_4X6.width_mm


class WaybillData(LabelModel):
    """What a waybill carries. Weight in kg."""

    carrier: str = Field(min_length=1, max_length=30)
    service: str = Field(min_length=1, max_length=30)
    tracking_number: str = Field(pattern=r"^[A-Z0-9]{8,30}$")
    sscc: str
    order_reference: str = Field(min_length=1, max_length=30)
    ship_from: Address
    ship_to: Address
    weight_kg: float = Field(gt=0, le=1000)
    piece_number: int = Field(default=1, ge=1)
    piece_count: int = Field(default=1, ge=1)
    ship_date: dt.date

    @field_validator("sscc")
    @classmethod
    def _sscc(cls, value: str) -> str:
        return sscc_field(value)

    def qr_content(self) -> str:
        """The 2D code's content: tracking data as KEY:value pairs separated by '|' (ASCII only)."""
        return "|".join(
            [
                f"TRK:{self.tracking_number}",
                f"CAR:{_ascii(self.carrier)}",
                f"SSCC:{self.sscc}",
                f"ORD:{_ascii(self.order_reference)}",
                f"TO:{self.ship_to.postal_code} {self.ship_to.country}",
                f"KG:{self.weight_kg:.2f}",
                f"PC:{self.piece_number}/{self.piece_count}",
            ]
        )


def _ascii(text: str) -> str:
    # The QR code stays printable ASCII so every scanner reads it the same way (no charset guessing).
    # Non-ASCII characters are left out (the full text is printed on the label anyway).
    return " ".join("".join(c for c in text if 32 <= ord(c) <= 126 and c not in "^~|").split())


def build(data: WaybillData) -> LabelDocument:
    """Lay out a waybill on 4x6 in stock (positions in mm)."""
    m = 4.0  # left margin, mm
    inner = WIDTH_MM - 2 * m
    sender = data.ship_from
    to = data.ship_to
    elements: list[Element] = [
        Text(m, 4, data.carrier, 5, "carrier", max_width_mm=48),
        TextBlock(53, 4.5, WIDTH_MM - 53 - m, data.service, 4.5, 1, "service", justify="R"),
        Rule(3, 12, WIDTH_MM - 6, 0.5),
        Text(m, 13.5, "FROM", 2.5, "layout"),
        TextBlock(
            m,
            16.5,
            inner,
            f"{sender.name}, {sender.street_block()} {sender.postal_line()}",
            3,
            3,
            "ship_from",
            line_gap_mm=0.4,
        ),
        Rule(3, 29, WIDTH_MM - 6, 0.5),
        Text(m, 30.5, "SHIP TO", 2.5, "layout"),
        Text(m, 33.5, to.name + (f"  {to.phone}" if to.phone else ""), 5.5, "ship_to.name", max_width_mm=inner),
        TextBlock(m, 40.5, inner, to.street_block("\n"), 4.5, 4, "ship_to.lines", line_gap_mm=0.8),
        Text(m, 63, to.postal_line(), 5.5, "ship_to.postal_code", max_width_mm=inner),
        Rule(3, 70, WIDTH_MM - 6, 0.5),
        Text(m, 72.5, f"WEIGHT  {data.weight_kg:.2f} kg", 3.5, "weight_kg", max_width_mm=60),
        Text(m, 77.5, f"PIECE  {data.piece_number} of {data.piece_count}", 3.5, "piece_number", max_width_mm=60),
        Text(m, 82.5, f"ORDER  {data.order_reference}", 3.5, "order_reference", max_width_mm=60),
        Text(m, 87.5, f"DATE  {data.ship_date.isoformat()}", 3.5, "ship_date", max_width_mm=60),
        QRCode(72, 73, data.qr_content(), "qr", module_mm=0.5),
        Rule(3, 98.5, WIDTH_MM - 6, 0.4),
        Text(m, 99.8, "TRACKING", 2.5, "layout"),
        code128_symbol(data.tracking_number, y_mm=103, height_mm=15, field="tracking_number", hri_height_mm=3.5),
        Rule(3, 124.5, WIDTH_MM - 6, 0.5),
        Text(m, 126, "SSCC", 2.5, "layout"),
        gs1_128_symbol(
            ElementString.of(("00", data.sscc), field="sscc"),
            y_mm=129.5,
            height_mm=16,
            field="sscc",
            hri_text=sscc_hri(data.sscc),
        ),
    ]
    return LabelDocument("waybill", LabelSize.SIZE_4X6, tuple(elements))
