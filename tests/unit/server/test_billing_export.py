"""Invoice downloads: the CSV adds up; the PDF carries a Chinese owner name with the CJK font, and without one
still downloads (characters it cannot show become '?')."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from pypdf import PdfReader

from labels.preview import FONT_ENV
from server.billing.export import DocLine, InvoiceDoc, to_csv, to_pdf

DOC = InvoiceDoc(
    number="INV-202610-OWNB",
    kind="invoice",
    owner_code="OWNB",
    owner_name="上海贝塔贸易有限公司",
    period_start=date(2026, 10, 1),
    period_end=date(2026, 10, 31),
    currency="CNY",
    total=D("36.15"),
    issued_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    reason="",
    credit_of="",
    lines=[
        DocLine(1, "storage.m3_day", D("1.828000"), D("9.0000"), D("16.45"), 31),
        DocLine(2, "outbound.order", D("2"), D("3.5000"), D("7.00"), 2),
        DocLine(3, "inbound.unit", D("50"), D("0.2500"), D("12.50"), 1),
        DocLine(4, "vas.RELABEL", D("2"), D("0.1000"), D("0.20"), 1),
    ],
)


def test_csv_lines_add_up_to_the_total() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(DOC))))
    assert [r["qty"] for r in rows[:-1]] == ["1.828", "2", "50", "2"]
    assert rows[0]["rate"] == "9" and rows[0]["events"] == "31"
    assert sum(D(r["amount"]) for r in rows[:-1]) == D(rows[-1]["amount"]) == D("36.15")


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_pdf_prints_a_chinese_owner_name() -> None:
    cjk = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    if not cjk.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail("fonts-wqy-microhei is missing: scripts/install-test-deps.sh installs it")
        pytest.skip("fonts-wqy-microhei is not installed")  # a developer laptop without it; CI=true fails above instead
    text = _text(to_pdf(DOC))
    assert "INV-202610-OWNB" in text and "36.15" in text and "上海贝塔贸易有限公司" in text


def test_pdf_without_a_cjk_font_still_downloads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(FONT_ENV, str(tmp_path / "no-such-font.ttc"))
    text = _text(to_pdf(DOC))
    assert "INV-202610-OWNB" in text and "36.15" in text and "?????" in text
