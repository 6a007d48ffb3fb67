"""Label documents and the pure function that renders them to ZPL bytes for a printer profile.

The label envelope (`^XA`, `^PW`, `^LL`, `~SD`, `^CI28`, `^GB` rules, `^XZ`) is written with the
`zpl` package, driven in dots (dpmm=1) so that it never truncates a millimetre value; text and
barcodes come from our typed elements in `labels.elements`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import zpl

from labels.elements import Box, Element, RenderContext, Rule, Text, TextBlock
from labels.errors import LayoutError
from labels.profiles import LabelSize, PrinterProfile


@dataclass(frozen=True, slots=True)
class LabelDocument:
    """A label as data: a name, a stock size and its elements (positions in mm)."""

    name: str
    size: LabelSize
    elements: tuple[Element, ...]
    copies: int = 1


def context_for(document: LabelDocument, profile: PrinterProfile) -> RenderContext:
    """The render context (profile, ^PW and ^LL in dots) of a document on a printer."""
    return RenderContext(profile, profile.width_dots(document.size), profile.length_dots(document.size))


def safe_comment(text: str) -> str:
    """Text for `^FX`: a comment ends at the next `^` or `~`, which would start a real command."""
    return re.sub(r"[\^~\x00-\x1f]", "-", text)


def check_layout(document: LabelDocument, ctx: RenderContext) -> None:
    """Raise LayoutError if an element or a barcode's quiet zone leaves the label, or if other ink
    falls into a barcode's quiet zone."""
    inks: list[tuple[Element, Box]] = [(element, element.ink(ctx)) for element in document.elements]
    for element, ink in inks:
        outer = element.clear(ctx) if not isinstance(element, Text | TextBlock | Rule) else ink
        if not outer.inside(ctx.width, ctx.length):
            raise LayoutError(
                element.field,
                f"drawn at dots {outer} outside the {ctx.width}x{ctx.length} dot label "
                f"({document.size.label} in at {ctx.profile.dpi} dpi)",
            )
    for element, _ in inks:
        if isinstance(element, Text | TextBlock | Rule):
            continue
        clear = element.clear(ctx)
        for other, other_ink in inks:
            if other is not element and other_ink.intersects(clear):
                raise LayoutError(element.field, f"quiet zone of the barcode is crossed by {other.field}")


def render(document: LabelDocument, profile: PrinterProfile) -> bytes:
    """Render a document to ZPL II bytes (UTF-8) for `profile`; every coordinate is in whole dots."""
    ctx = context_for(document, profile)
    check_layout(document, ctx)
    # dpmm=1: the zpl package multiplies by dpmm and truncates with %i; feeding it dots keeps it exact.
    label = zpl.Label(height=ctx.length, width=ctx.width, dpmm=1)
    label.zpl_raw(f"^FX{safe_comment(f'wes label {document.name} {document.size.label} {profile.name}')}")
    label.set_darkness(profile.darkness)
    label.zpl_raw(f"^PR{profile.speed}")
    label.zpl_raw("^LH0,0")
    label.change_international_font(28)  # ^CI28: field data is UTF-8
    for element in document.elements:
        if isinstance(element, Rule):
            x, y, w, h = element.dots(ctx)
            label.origin(x, y)
            label.draw_box(w, h, thickness=min(w, h))
            label.endorigin()
        else:
            label.zpl_raw(element.to_zpl(ctx))
    if document.copies > 1:
        label.zpl_raw(f"^PQ{document.copies}")
    return str(label.dumpZPL()).encode("utf-8")
