"""Product label (2x1 in): description, SKU as Code 128, GTIN (+ lot, expiry) as GS1 DataMatrix.

A GS1-128 (01) symbol at the GS1 X-dimension is about 67 mm wide, too wide for 2 in stock;
GS1 DataMatrix is the GS1 carrier that fits.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from labels.elements import Element, GS1DataMatrix, Text, TextBlock, code128_symbol
from labels.gs1 import ElementString, gs1_date
from labels.profiles import LabelSize
from labels.render import LabelDocument
from labels.templates.common import LabelModel, gtin_field


class ProductData(LabelModel):
    """A trade item: SKU, GTIN, and optionally the lot and expiry of this batch."""

    sku: str = Field(pattern=r"^[A-Z0-9-]{2,16}$")
    description: str = Field(min_length=1, max_length=60)
    gtin: str
    lot: str | None = Field(default=None, min_length=1, max_length=20)
    expiry: dt.date | None = None

    @field_validator("gtin")
    @classmethod
    def _gtin(cls, value: str) -> str:
        return gtin_field(value)

    def elements(self) -> ElementString:
        """(01) GTIN, (17) expiry, (10) lot."""
        pairs: list[tuple[str, str]] = [("01", self.gtin)]
        if self.expiry:
            pairs.append(("17", gs1_date(self.expiry)))
        if self.lot:
            pairs.append(("10", self.lot))
        return ElementString.of(*pairs, field="gtin")


def build(data: ProductData) -> LabelDocument:
    """Lay out a product label on 2x1 in stock (positions in mm)."""
    elements: list[Element] = [
        TextBlock(2, 1.5, 32, data.description, 2.6, 2, "description", line_gap_mm=0.3),
        Text(2, 8, data.sku, 3.5, "sku", max_width_mm=32),
        GS1DataMatrix(37.5, 1.5, data.elements(), "gtin", module_mm=0.5),
        code128_symbol(data.sku, y_mm=13, height_mm=7, field="sku", min_module_mm=0.25, hri_height_mm=2.4),
    ]
    return LabelDocument("product", LabelSize.SIZE_2X1, tuple(elements))
