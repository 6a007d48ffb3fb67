"""Printer profiles and label sizes as data.

A profile says how one printer draws: resolution, darkness, speed, and which scalable TrueType font it
holds for Unicode text (the font name goes into `^A@`). The label size belongs to the label
document; the profile turns both into dots.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from labels.units import dots_per_mm, inches_to_dots, mm_to_dots


class LabelSize(Enum):
    """Label stock sizes we support, as (width, height) in inches."""

    SIZE_4X6 = (4.0, 6.0)
    SIZE_4X2 = (4.0, 2.0)
    SIZE_2X1 = (2.0, 1.0)

    @property
    def width_in(self) -> float:
        """Width in inches."""
        return self.value[0]

    @property
    def height_in(self) -> float:
        """Height (label length) in inches."""
        return self.value[1]

    @property
    def width_mm(self) -> float:
        """Width in mm."""
        return self.value[0] * 25.4

    @property
    def height_mm(self) -> float:
        """Height in mm."""
        return self.value[1] * 25.4

    @property
    def label(self) -> str:
        """Short name such as '4x6'."""
        return f"{self.value[0]:g}x{self.value[1]:g}"


SUPPORTED_DPI = (203, 300, 600)


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    """How one printer model draws.

    `font` is the printer's scalable TrueType font used for all text, as the `^A@` path
    (device:NAME.TTF). `max_module_dots` is the widest `^BY` module the firmware accepts.
    `darkness` is `~SD` 0-30, `speed` is `^PR` in inches per second.
    """

    name: str
    dpi: int
    darkness: int = 15
    speed: int = 4
    font: str = "E:CJKSANS.TTF"
    # ZPL II manual: ^BY module width accepts 1-10 dots. Some firmware accepts 12; say so here.
    max_module_dots: int = 10

    def __post_init__(self) -> None:
        if self.dpi not in SUPPORTED_DPI:
            raise ValueError(f"dpi must be one of {SUPPORTED_DPI}, not {self.dpi}")
        if not 0 <= self.darkness <= 30:
            raise ValueError(f"darkness must be 0-30, not {self.darkness}")
        if not 1 <= self.speed <= 14:
            raise ValueError(f"speed must be 1-14 in/s, not {self.speed}")
        device, _, file_name = self.font.partition(":")
        if device not in {"R", "E", "B", "A", "Z"} or not file_name.upper().endswith(".TTF"):
            raise ValueError(f"font must look like E:NAME.TTF, not {self.font!r}")

    @property
    def dots_per_mm(self) -> float:
        """Dots per millimetre (203 dpi -> 7.99)."""
        return dots_per_mm(self.dpi)

    def dots(self, mm: float) -> int:
        """Whole dots for a length or position in mm on this printer."""
        return mm_to_dots(mm, self.dpi)

    def width_dots(self, size: LabelSize) -> int:
        """`^PW` for a label size, in dots (4 in at 203 dpi -> 812)."""
        return inches_to_dots(size.width_in, self.dpi)

    def length_dots(self, size: LabelSize) -> int:
        """`^LL` for a label size, in dots (6 in at 203 dpi -> 1218)."""
        return inches_to_dots(size.height_in, self.dpi)


PROFILES: dict[str, PrinterProfile] = {
    # Typical desktop / industrial Zebra heads; darkness and speed are safe starting points for
    # direct-thermal 4x6 stock, tune per site.
    "zebra-203": PrinterProfile(name="zebra-203", dpi=203, darkness=15, speed=5),
    "zebra-300": PrinterProfile(name="zebra-300", dpi=300, darkness=18, speed=4),
    "zebra-600": PrinterProfile(name="zebra-600", dpi=600, darkness=20, speed=2),
}


def profile_for_dpi(dpi: int) -> PrinterProfile:
    """The built-in profile for a resolution in dpi (203, 300 or 600)."""
    for profile in PROFILES.values():
        if profile.dpi == dpi:
            return profile
    raise ValueError(f"no printer profile for {dpi} dpi; supported: {', '.join(map(str, SUPPORTED_DPI))}")
