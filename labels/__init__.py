"""Labels: ZPL documents built from typed elements, printer profiles, transports, offline preview.

A pure package: it imports nothing from `server`, `optimizer` or `pda_client`.
Render with `labels.render.render(document, profile)`; templates are in `labels.templates`.
"""

from labels.errors import LabelDataError, LabelError, LayoutError, PrinterUnavailable, TextDoesNotFit
from labels.profiles import PROFILES, LabelSize, PrinterProfile, profile_for_dpi
from labels.render import LabelDocument

__all__ = [
    "PROFILES",
    "LabelDataError",
    "LabelDocument",
    "LabelError",
    "LabelSize",
    "LayoutError",
    "PrinterProfile",
    "PrinterUnavailable",
    "TextDoesNotFit",
    "profile_for_dpi",
]
