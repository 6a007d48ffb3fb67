"""Pure catalog rules: GTIN validation (with biip) and SKU checks."""

from __future__ import annotations

from biip import ParseError
from biip.gtin import Gtin

from server.errors import InvalidInput


def normalize_gtin(value: str, *, field: str = "gtin") -> str:
    """The GTIN as 14 digits, or a 422 that says what is wrong (length, digits, check digit)."""
    v = value.strip()
    if not v.isdigit() or len(v) not in (8, 12, 13, 14):
        raise InvalidInput(
            f"'{value}' is not a GTIN: it must be 8, 12, 13 or 14 digits.",
            code="invalid_gtin",
            errors=[{"field": field, "message": "not 8/12/13/14 digits"}],
        )
    try:
        gtin = Gtin.parse(v)
    except ParseError as exc:
        raise InvalidInput(
            f"'{value}' is not a valid GTIN: {exc}",
            code="invalid_gtin",
            errors=[{"field": field, "message": str(exc)}],
        ) from exc
    return gtin.as_gtin_14()


def check_dimensions(length_mm: int, width_mm: int, height_mm: int, weight_kg: float) -> None:
    bad = [
        n
        for n, v in (
            ("length_mm", length_mm),
            ("width_mm", width_mm),
            ("height_mm", height_mm),
            ("weight_kg", weight_kg),
        )
        if v < 0
    ]
    if bad:
        raise InvalidInput(
            f"Dimensions and weight may not be negative: {', '.join(bad)}.",
            code="invalid_dimensions",
            errors=[{"field": b, "message": "< 0"} for b in bad],
        )


def gtin_check_digit(payload: str) -> int:
    """The GS1 mod-10 check digit for a GTIN payload (all digits but the last), weights 3,1,3,... from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10


def make_gtin13(prefix: str, item: int) -> str:
    """A valid GTIN-13 from a company prefix and an item reference (for demo and test data)."""
    payload = f"{prefix}{item:0{12 - len(prefix)}d}"
    return payload + str(gtin_check_digit(payload))
