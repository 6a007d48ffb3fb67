"""A closed manifest as CSV and as a printable PDF (fpdf2, with a CJK TrueType font so Chinese names print).

fpdf2 was chosen over reportlab: pure Python, maintained, embeds TrueType collections (``.ttc``) directly and
subsets them, so a one-page manifest with Chinese text stays small."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF

from labels.errors import PreviewError
from labels.preview import find_font
from server.errors import Conflict

COLUMNS = ("carton", "order", "sscc", "tracking_number", "weight_kg", "door", "ship_to", "city")


@dataclass(frozen=True, slots=True)
class ManifestRow:
    carton: str
    order: str
    sscc: str
    tracking_number: str
    weight_kg: Decimal
    door: str
    ship_to: str
    city: str


@dataclass(frozen=True, slots=True)
class ManifestDoc:
    code: str
    warehouse: str
    carrier: str
    closed_at: datetime
    rows: list[ManifestRow]
    missing: list[str]

    @property
    def total_kg(self) -> Decimal:
        return sum((r.weight_kg for r in self.rows), Decimal(0))


def to_csv(doc: ManifestDoc) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in doc.rows:
        w.writerow([r.carton, r.order, r.sscc, r.tracking_number, f"{r.weight_kg:.3f}", r.door, r.ship_to, r.city])
    return out.getvalue()


def _font() -> Path:
    try:
        return find_font()
    except PreviewError as exc:
        raise Conflict(f"The manifest PDF needs a CJK font: {exc}", code="font_missing") from exc


def to_pdf(doc: ManifestDoc) -> bytes:
    """A4 landscape: header, one line per carton, totals, and the cartons missing at close-out."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_font("cjk", "", str(_font()), collection_font_number=0)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, f"Manifest 交接清单  {doc.code}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.cell(
        0,
        7,
        f"Carrier 承运商: {doc.carrier}    Warehouse 仓库: {doc.warehouse}    "
        f"Closed 关闭时间: {doc.closed_at:%Y-%m-%d %H:%M} UTC",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    widths = (34, 30, 44, 38, 20, 22, 50, 35)
    heads = (
        "Carton 箱号",
        "Order 订单",
        "SSCC",
        "Tracking 运单号",
        "kg 重量",
        "Door 月台",
        "Ship to 收件人",
        "City 城市",
    )
    pdf.set_font("cjk", size=9)
    for w, h in zip(widths, heads, strict=True):
        pdf.cell(w, 7, h, border=1)
    pdf.ln()
    for r in doc.rows:
        values = (r.carton, r.order, r.sscc, r.tracking_number, f"{r.weight_kg:.3f}", r.door, r.ship_to, r.city)
        for w, v in zip(widths, values, strict=True):
            pdf.cell(w, 6, v[:40], border=1)
        pdf.ln()
    pdf.ln(2)
    pdf.set_font("cjk", size=10)
    pdf.cell(0, 7, f"Cartons 箱数: {len(doc.rows)}    Total 总重: {doc.total_kg:.3f} kg", new_x="LMARGIN", new_y="NEXT")
    if doc.missing:
        pdf.cell(0, 7, "Missing at close-out 未装车: " + ", ".join(doc.missing), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.cell(0, 7, "Driver 司机签字: ____________________    Warehouse 仓库签字: ____________________")
    return bytes(pdf.output())
