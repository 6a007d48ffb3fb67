"""Location label (4x2 in): location code, big check digits the picker reads aloud or keys in, and
the code as Code 128."""

from __future__ import annotations

import hashlib

from pydantic import Field

from labels.elements import Element, Text, code128_symbol
from labels.profiles import LabelSize
from labels.render import LabelDocument
from labels.templates.common import LabelModel


def default_check_digits(code: str) -> str:
    """Two check digits derived from the code (stable, spread out) when the layout gave none."""
    return f"{int(hashlib.sha256(code.encode()).hexdigest(), 16) % 100:02d}"


class LocationData(LabelModel):
    """A storage location; `check_digits` come from the layout (derived from the code if absent)."""

    code: str = Field(pattern=r"^[A-Z0-9-]{2,20}$")
    check_digits: str | None = Field(default=None, pattern=r"^[0-9]{2,3}$")
    zone: str | None = Field(default=None, max_length=30)

    def digits(self) -> str:
        """The check digits printed on the label."""
        return self.check_digits or default_check_digits(self.code)


def build(data: LocationData) -> LabelDocument:
    """Lay out a location label on 4x2 in stock (positions in mm)."""
    m = 4.0
    # 0.42 mm modules: wide enough to scan from a reach truck, and 10 dots (the ^BY limit) at 600 dpi.
    elements: list[Element] = [
        Text(m, 3, data.code, 9, "code", max_width_mm=62),
        Text(70, 3, data.digits(), 20, "check_digits", max_width_mm=28),
        code128_symbol(data.code, y_mm=27, height_mm=14, field="code", min_module_mm=0.42, hri_height_mm=0),
    ]
    if data.zone:
        elements.append(Text(m, 44, data.zone, 3, "zone", max_width_mm=93))
    return LabelDocument("location", LabelSize.SIZE_4X2, tuple(elements))
