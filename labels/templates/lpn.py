"""LPN label (4x2 in): the license plate number as Code 128, big, with what is on the unit."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from labels.elements import Element, Text, TextBlock, code128_symbol
from labels.profiles import LabelSize
from labels.render import LabelDocument
from labels.templates.common import LabelModel

WIDTH_MM = LabelSize.SIZE_4X2.width_mm


class LPNData(LabelModel):
    """A license plate (pallet, tote, case id). Quantity in the SKU's unit."""

    lpn: str = Field(pattern=r"^[A-Z0-9-]{4,20}$")
    warehouse: str = Field(min_length=1, max_length=20)
    sku: str | None = Field(default=None, max_length=30)
    description: str | None = Field(default=None, max_length=60)
    quantity: int | None = Field(default=None, ge=0)
    created: dt.date


def build(data: LPNData) -> LabelDocument:
    """Lay out an LPN label on 4x2 in stock (positions in mm)."""
    m = 4.0
    elements: list[Element] = [
        Text(m, 2.5, "LPN", 3.5, "layout"),
        TextBlock(
            40, 2.5, WIDTH_MM - 40 - m, f"{data.warehouse}  {data.created.isoformat()}", 3, 1, "warehouse", justify="R"
        ),
        code128_symbol(data.lpn, y_mm=8, height_mm=20, field="lpn", min_module_mm=0.375, hri_height_mm=5.5),
    ]
    details = "  ".join(
        part
        for part in (
            data.sku,
            f"QTY {data.quantity}" if data.quantity is not None else None,
            data.description,
        )
        if part
    )
    if details:
        elements.append(TextBlock(m, 41, WIDTH_MM - 2 * m, details, 3.2, 2, "description", line_gap_mm=0.4))
    return LabelDocument("lpn", LabelSize.SIZE_4X2, tuple(elements))
