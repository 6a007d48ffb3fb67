"""GS1 logistic label (4x6 in): SSCC, and the content GTIN, count, lot and expiry as GS1-128.

Sections top to bottom as in the GS1 Logistic Label Guideline: free-form (from/to), human-readable
data, barcodes with the SSCC last. The (02)(17)(37)(10) element string is split over as many symbols
as the 4 in width needs at the GS1 X-dimension.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from labels.elements import Element, Rule, Text, TextBlock, gs1_128_symbol, split_for_width
from labels.gs1 import ElementString, gs1_date, sscc_hri
from labels.profiles import LabelSize
from labels.render import LabelDocument
from labels.templates.common import LabelModel, gtin_field, sscc_field

WIDTH_MM = LabelSize.SIZE_4X6.width_mm


class LogisticLabelData(LabelModel):
    """A pallet or case: its SSCC and what it contains (trade items of one GTIN)."""

    sscc: str
    ship_from: str = Field(min_length=1, max_length=120)
    ship_to: str = Field(min_length=1, max_length=160)
    content_gtin: str = Field(description="GTIN of the trade items inside, printed as AI (02)")
    description: str = Field(min_length=1, max_length=80)
    count: int = Field(ge=1, le=99_999_999, description="trade items inside, AI (37)")
    lot: str | None = Field(default=None, min_length=1, max_length=20, description="AI (10)")
    expiry: dt.date | None = Field(default=None, description="use-by date, AI (17)")

    @field_validator("sscc")
    @classmethod
    def _sscc(cls, value: str) -> str:
        return sscc_field(value)

    @field_validator("content_gtin")
    @classmethod
    def _gtin(cls, value: str) -> str:
        return gtin_field(value)

    def content_elements(self) -> ElementString:
        """(02) GTIN, (17) expiry, (37) count, (10) lot: fixed-length first, FNC1 where needed."""
        pairs: list[tuple[str, str]] = [("02", self.content_gtin)]
        if self.expiry:
            pairs.append(("17", gs1_date(self.expiry)))
        pairs.append(("37", str(self.count)))
        if self.lot:
            pairs.append(("10", self.lot))
        return ElementString.of(*pairs, field="content")


def build(data: LogisticLabelData) -> LabelDocument:
    """Lay out a GS1 logistic label on 4x6 in stock (positions in mm)."""
    m = 4.0
    inner = WIDTH_MM - 2 * m
    elements: list[Element] = [
        Text(m, 3, "FROM", 2.5, "layout"),
        TextBlock(m, 6, inner, data.ship_from, 3, 2, "ship_from"),
        Text(m, 14, "TO", 2.5, "layout"),
        TextBlock(m, 17, inner, data.ship_to, 3.5, 3, "ship_to"),
        Rule(3, 31, WIDTH_MM - 6, 0.5),
        Text(m, 33, f"SSCC  {data.sscc}", 4.5, "sscc", max_width_mm=inner),
        Text(m, 39.5, f"CONTENT  {data.content_gtin}", 3.5, "content_gtin", max_width_mm=inner),
        TextBlock(m, 44.5, inner, data.description, 3.5, 1, "description"),
        Text(m, 49.5, f"COUNT  {data.count}", 3.5, "count", max_width_mm=45),
    ]
    if data.expiry:
        elements.append(Text(52, 49.5, f"USE BY  {data.expiry.isoformat()}", 3.5, "expiry", max_width_mm=46))
    if data.lot:
        elements.append(Text(m, 54.5, f"BATCH/LOT  {data.lot}", 3.5, "lot", max_width_mm=inner))
    elements.append(Rule(3, 60, WIDTH_MM - 6, 0.5))

    groups = split_for_width(data.content_elements(), WIDTH_MM, field="content")
    top, bottom = 62.0, 121.0  # mm available for the content symbols
    pitch = (bottom - top) / len(groups)
    bar_height = min(16.0, pitch - 6.0)
    for index, group in enumerate(groups):
        elements.append(gs1_128_symbol(group, y_mm=top + index * pitch, height_mm=bar_height, field="content"))
    elements.append(Rule(3, 122, WIDTH_MM - 6, 0.5))
    elements.append(
        gs1_128_symbol(
            ElementString.of(("00", data.sscc), field="sscc"),
            y_mm=124,
            height_mm=22,
            field="sscc",
            hri_text=sscc_hri(data.sscc),
        )
    )
    return LabelDocument("gs1_logistic", LabelSize.SIZE_4X6, tuple(elements))
