"""Data shared by templates: addresses and small validators."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from labels.errors import LabelDataError
from labels.gs1 import validate_gtin, validate_sscc


class LabelModel(BaseModel):
    """Base of every template's data: strict about unknown fields, trims whitespace, immutable."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Address(LabelModel):
    """A postal address as printed: any script (UTF-8), street lines in order."""

    name: str = Field(min_length=1, max_length=80)
    company: str | None = Field(default=None, max_length=80)
    lines: list[str] = Field(min_length=1, max_length=4)
    city: str = Field(min_length=1, max_length=60)
    region: str | None = Field(default=None, max_length=60)
    postal_code: str = Field(min_length=1, max_length=12)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    phone: str | None = Field(default=None, max_length=30)

    def street_block(self, separator: str = " ") -> str:
        """Company, street lines, region and city as one text for a wrapped block.

        With separator "\n" each part starts a new line, so a building number is never split
        from its street across lines.
        """
        parts = [p for p in (self.company, *self.lines) if p]
        # Municipalities such as 上海市 are both region and city; print them once.
        region = self.region if self.region and self.region != self.city else None
        place = " ".join(p for p in (region, self.city) if p)
        return separator.join([*parts, place])

    def postal_line(self) -> str:
        """Postal code and country, e.g. '200120 CN'."""
        return f"{self.postal_code} {self.country}"


def gtin_field(value: str) -> str:
    """Pydantic validator body: a GTIN with a correct check digit, returned as 14 digits."""
    try:
        return validate_gtin(value)
    except LabelDataError as exc:
        raise ValueError(exc.message) from exc


def sscc_field(value: str) -> str:
    """Pydantic validator body: an 18-digit SSCC with a correct check digit."""
    try:
        return validate_sscc(value)
    except LabelDataError as exc:
        raise ValueError(exc.message) from exc


__all__ = ["Address", "LabelModel", "gtin_field", "sscc_field"]
