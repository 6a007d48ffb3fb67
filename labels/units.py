"""Millimetres, inches and printer dots.

Labels are laid out in millimetres; printers draw in whole dots. Every conversion in the package goes
through here so that no fractional coordinate or width ever reaches the ZPL.
"""

from __future__ import annotations

import math

MM_PER_INCH = 25.4


def dots_per_mm(dpi: int) -> float:
    """Dots per millimetre for a print head of `dpi` dots per inch (203 dpi -> 7.99)."""
    return dpi / MM_PER_INCH


def mm_to_dots(mm: float, dpi: int) -> int:
    """Convert a position or length in mm to the nearest whole number of dots at `dpi`.

    Rounds half away from zero (not Python's banker's rounding) so that a layout does not shift by a
    dot depending on whether the exact value is even.
    """
    exact = mm * dpi / MM_PER_INCH
    return math.floor(abs(exact) + 0.5) * (1 if exact >= 0 else -1)


def mm_to_dots_at_least(mm: float, dpi: int, minimum: int = 1) -> int:
    """Smallest whole number of dots that is at least `mm` millimetres (and at least `minimum`) at `dpi`.

    Used for minimum sizes (barcode module widths, line thickness): rounding down would break a
    specification such as GS1's minimum X-dimension.
    """
    # the small epsilon keeps 0.5 mm at 203.2 dpi-like exact values from rounding up by float noise
    return max(minimum, math.ceil(mm * dpi / MM_PER_INCH - 1e-9))


def inches_to_dots(inches: float, dpi: int) -> int:
    """Convert inches to whole dots at `dpi` (4 in at 203 dpi -> 812)."""
    return round(inches * dpi)


def dots_to_mm(dots: int, dpi: int) -> float:
    """Convert a number of dots at `dpi` back to millimetres (for reports and error messages)."""
    return dots * MM_PER_INCH / dpi
