"""An invoice or credit note as CSV and as a one-document PDF (fpdf2). Plain values in, bytes out.

The PDF embeds the CJK font the labels package finds (fonts-wqy-microhei, or $WES_LABEL_FONT) so Chinese owner
names print; without one it falls back to a core font and writes characters it cannot show as '?', rather than
failing the download."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from fpdf import FPDF

from labels.errors import PreviewError
from labels.preview import find_font

COLUMNS = ("number", "kind", "owner", "period", "currency", "seq", "charge_code", "qty", "rate", "amount", "events")


@dataclass(frozen=True, slots=True)
class DocLine:
    seq: int
    charge_code: str
    qty: Decimal
    rate: Decimal
    amount: Decimal
    events: int


@dataclass(frozen=True, slots=True)
class InvoiceDoc:
    number: str
    kind: str
    owner_code: str
    owner_name: str
    period_start: date
    period_end: date
    currency: str
    total: Decimal
    issued_at: datetime
    reason: str
    credit_of: str
    lines: list[DocLine]


def qty_text(q: Decimal) -> str:
    """A quantity without trailing zeros (``12``, ``0.36``)."""
    return f"{q.normalize():f}"


def to_csv(doc: InvoiceDoc) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    period = f"{doc.period_start:%Y-%m}"
    for ln in doc.lines:
        w.writerow(
            [
                doc.number,
                doc.kind,
                doc.owner_code,
                period,
                doc.currency,
                ln.seq,
                ln.charge_code,
                qty_text(ln.qty),
                f"{ln.rate.normalize():f}",
                f"{ln.amount:.2f}",
                ln.events,
            ]
        )
    w.writerow(
        [doc.number, doc.kind, doc.owner_code, period, doc.currency, "", "total", "", "", f"{doc.total:.2f}", ""]
    )
    return out.getvalue()


class _Pdf:
    """fpdf2 with the CJK font when there is one, else a core font and '?' for what it cannot show."""

    def __init__(self) -> None:
        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        try:
            self.pdf.add_font("cjk", "", str(find_font()), collection_font_number=0)
            self.family, self.unicode = "cjk", True
        except (PreviewError, OSError, RuntimeError):
            self.family, self.unicode = "helvetica", False

    def text(self, value: str) -> str:
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: int) -> None:
        self.pdf.set_font(self.family, size=size)

    def line(self, value: str, h: float = 7) -> None:
        self.pdf.cell(0, h, self.text(value), new_x="LMARGIN", new_y="NEXT")


def to_pdf(doc: InvoiceDoc) -> bytes:
    p = _Pdf()
    p.pdf.add_page()
    p.font(16)
    title = "Credit note 贷项通知单" if doc.kind == "credit_note" else "Invoice 发票"
    p.line(f"{title}  {doc.number}", 10)
    p.font(10)
    p.line(f"Client 客户: {doc.owner_name} ({doc.owner_code})")
    p.line(f"Period 账期: {doc.period_start:%Y-%m-%d} - {doc.period_end:%Y-%m-%d}    Currency 币种: {doc.currency}")
    p.line(f"Issued 开具: {doc.issued_at:%Y-%m-%d %H:%M} UTC")
    if doc.credit_of:
        p.line(f"Corrects 更正: {doc.credit_of}    Reason 原因: {doc.reason[:80]}")
    p.pdf.ln(2)
    widths = (10, 62, 32, 28, 34, 20)
    heads = ("#", "Charge 费用项", "Qty 数量", "Rate 单价", "Amount 金额", "Events")
    p.font(9)
    for w, h in zip(widths, heads, strict=True):
        p.pdf.cell(w, 7, p.text(h), border=1)
    p.pdf.ln()
    for ln in doc.lines:
        values = (
            str(ln.seq),
            ln.charge_code,
            qty_text(ln.qty),
            f"{ln.rate.normalize():f}",
            f"{ln.amount:.2f}",
            str(ln.events),
        )
        for w, v in zip(widths, values, strict=True):
            p.pdf.cell(w, 6, p.text(v), border=1)
        p.pdf.ln()
    p.pdf.ln(2)
    p.font(11)
    p.line(f"Total 合计: {doc.total:.2f} {doc.currency}")
    return bytes(p.pdf.output())
