"""A carton's two labels as ZPL, built with the labels package: the carrier waybill and the GS1 logistic label
(SSCC; the content GTIN, count, lot and expiry when the carton holds one trade item, the SSCC alone when mixed, as
the GS1 logistic label guideline does for mixed cartons)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from labels.elements import Rule, Text, TextBlock, gs1_128_symbol
from labels.errors import LabelError
from labels.gs1 import ElementString, sscc_hri
from labels.profiles import LabelSize, profile_for_dpi
from labels.render import LabelDocument, render
from labels.templates.common import Address
from labels.templates.gs1_logistic import LogisticLabelData
from labels.templates.gs1_logistic import build as build_logistic
from labels.templates.waybill import WaybillData
from labels.templates.waybill import build as build_waybill
from server.errors import InvalidInput

DPI = 203


@dataclass(frozen=True, slots=True)
class CartonContent:
    gtin: str
    description: str
    qty: int
    lot: str = ""
    expiry: dt.date | None = None


def address(a: dict[str, Any]) -> Address:
    """An order's ``ship_to`` (or the warehouse's ship-from) as the labels package's address."""
    lines = [str(a[k]) for k in ("line1", "line2", "line3") if a.get(k)] or [str(a.get("address", "-"))]
    return Address(
        name=str(a.get("name") or "-")[:80],
        company=a.get("company") or None,
        lines=lines[:4],
        city=str(a.get("city") or "-")[:60],
        region=a.get("region") or None,
        postal_code=str(a.get("postcode") or a.get("postal_code") or "-")[:12],
        country=str(a.get("country") or "CN").upper(),
        phone=a.get("phone") or None,
    )


def _one_line(a: dict[str, Any]) -> str:
    ad = address(a)
    return f"{ad.name}, {ad.street_block()} {ad.postal_line()}"


def waybill_zpl(
    *,
    carrier: str,
    service: str,
    tracking_number: str,
    sscc: str,
    order_reference: str,
    ship_from: dict[str, Any],
    ship_to: dict[str, Any],
    weight_kg: Decimal,
    piece: int,
    pieces: int,
    ship_date: dt.date,
) -> str:
    try:
        data = WaybillData(
            carrier=carrier[:30],
            service=(service or "standard")[:30],
            tracking_number=tracking_number,
            sscc=sscc,
            order_reference=order_reference[:30],
            ship_from=address(ship_from),
            ship_to=address(ship_to),
            weight_kg=float(weight_kg),
            piece_number=piece,
            piece_count=pieces,
            ship_date=ship_date,
        )
        return render(build_waybill(data), profile_for_dpi(DPI)).decode("utf-8")
    except (ValidationError, LabelError) as exc:
        raise InvalidInput(f"The waybill cannot be printed: {exc}", code="label_data_invalid") from exc


def _sscc_only(sscc: str, ship_from: str, ship_to: str, summary: str) -> LabelDocument:
    width = LabelSize.SIZE_4X6.width_mm
    m = 4.0
    elements = (
        Text(m, 3, "FROM", 2.5, "layout"),
        TextBlock(m, 6, width - 2 * m, ship_from, 3, 2, "ship_from"),
        Text(m, 14, "TO", 2.5, "layout"),
        TextBlock(m, 17, width - 2 * m, ship_to, 3.5, 3, "ship_to"),
        Rule(3, 31, width - 6, 0.5),
        Text(m, 33, f"SSCC  {sscc}", 4.5, "sscc", max_width_mm=width - 2 * m),
        TextBlock(m, 40, width - 2 * m, summary, 3.5, 2, "description"),
        Rule(3, 122, width - 6, 0.5),
        gs1_128_symbol(
            ElementString.of(("00", sscc), field="sscc"), y_mm=124, height_mm=22, field="sscc", hri_text=sscc_hri(sscc)
        ),
    )
    return LabelDocument("gs1_logistic_mixed", LabelSize.SIZE_4X6, elements)


def logistic_zpl(sscc: str, ship_from: dict[str, Any], ship_to: dict[str, Any], content: list[CartonContent]) -> str:
    """The GS1 logistic label of a carton."""
    try:
        if len(content) == 1 and content[0].gtin:
            c = content[0]
            data = LogisticLabelData(
                sscc=sscc,
                ship_from=_one_line(ship_from)[:120],
                ship_to=_one_line(ship_to)[:160],
                content_gtin=c.gtin,
                description=(c.description or "-")[:80],
                count=c.qty,
                lot=c.lot[:20] or None,
                expiry=c.expiry,
            )
            doc = build_logistic(data)
        else:
            units = sum(c.qty for c in content)
            doc = _sscc_only(sscc, _one_line(ship_from)[:120], _one_line(ship_to)[:160], f"MIXED  {units} units")
        return render(doc, profile_for_dpi(DPI)).decode("utf-8")
    except (ValidationError, LabelError) as exc:
        raise InvalidInput(f"The GS1 logistic label cannot be printed: {exc}", code="label_data_invalid") from exc
