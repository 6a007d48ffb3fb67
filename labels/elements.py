"""Immutable typed label elements, positioned in millimetres, rendered to ZPL in whole dots.

This is our small typed layer for what the `zpl` package lacks or writes wrongly:

- `^BY` with a whole-dot module width (`zpl` writes `module_mm * dpmm`, e.g. `^BY2.4`),
- Code 128 / GS1-128 with explicit subset invocation (`>;` start C, `>8` FNC1, `>6` to subset B),
- Unicode text with `^A@` (the profile's TrueType font) and `^FH` escaping of `^`, `~` and `_`,
- `^FB` text blocks whose line breaks we choose, so we can say before printing whether text fits,
- QR (`^BQ`) and GS1 DataMatrix (`^BX`).

Each element knows its ink box and, for barcodes, the box that must stay clear (quiet zones), in dots;
`labels.render` uses them to refuse layouts that spill off the label or crowd a barcode.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from labels.errors import LabelDataError, LayoutError, TextDoesNotFit
from labels.gs1 import AIS, ElementString
from labels.profiles import PrinterProfile
from labels.units import mm_to_dots, mm_to_dots_at_least

# GS1 General Specifications, logistic labels: X-dimension 0.495-1.016 mm.
GS1_LOGISTIC_MIN_X_MM = 0.495
# Carrier tracking barcodes: 13 mil (0.33 mm) is the usual minimum in carrier label guides.
TRACKING_MIN_X_MM = 0.33
CODE128_QUIET_MODULES = 10
QR_QUIET_MODULES = 4
DATAMATRIX_QUIET_MODULES = 1


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in dots: x0, y0 inclusive, x1, y1 exclusive."""

    x0: int
    y0: int
    x1: int
    y1: int

    def intersects(self, other: Box) -> bool:
        """True when the two boxes share at least one dot."""
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, width: int, height: int) -> bool:
        """True when the box lies within a label of `width` x `height` dots."""
        return self.x0 >= 0 and self.y0 >= 0 and self.x1 <= width and self.y1 <= height


@dataclass(frozen=True, slots=True)
class RenderContext:
    """What an element needs to turn mm into dots: the printer profile and the label size in dots."""

    profile: PrinterProfile
    width: int  # ^PW in dots
    length: int  # ^LL in dots

    def dots(self, mm: float) -> int:
        """Whole dots for `mm` millimetres."""
        return mm_to_dots(mm, self.profile.dpi)


# --- text ----------------------------------------------------------------------------------------


def escape_field_data(text: str) -> str:
    """Escape text for a `^FH_` field: `^`, `~` and `_` become hex escapes.

    A raw `^` or `~` inside `^FD` would start a new command (the same trap as in `^FX` comments).
    """
    out: list[str] = []
    for char in text:
        if char in "^~_":
            out.append(f"_{ord(char):02X}")
        elif unicodedata.category(char) == "Cc":
            raise ValueError(f"control character U+{ord(char):04X} cannot be printed")
        else:
            out.append(char)
    return "".join(out)


def _char_width_em(char: str) -> float:
    """Conservative advance width of one character in ems of a proportional sans font.

    We over-estimate on purpose: if the printer's font is narrower than we think, a line is merely
    shorter; if it were wider, the printer would wrap again and drop the last line of an address.
    """
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in "mwMW@%":
        return 1.0
    if char == " ":
        return 0.35
    if char.isupper():
        return 0.75
    if char in "ilj.,:;'|!":
        return 0.35
    return 0.62


def text_width_dots(text: str, height_dots: int) -> int:
    """Estimated width in dots of `text` printed with `^A@` at `height_dots` (font width = height)."""
    return round(sum(_char_width_em(c) for c in text) * height_dots)


def wrap_text(text: str, height_dots: int, width_dots: int) -> list[str]:
    """Break `text` into lines no wider than `width_dots` (estimate), at spaces or between CJK characters.

    A word longer than a line is broken between characters.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for token in _tokens(paragraph):
            candidate = current + token
            if text_width_dots(candidate.rstrip(), height_dots) <= width_dots:
                current = candidate
                continue
            if current.strip():
                lines.append(current.rstrip())
            current = token.lstrip()
            while text_width_dots(current, height_dots) > width_dots:
                # hard-break a token that is longer than a whole line
                cut = len(current)
                while cut > 1 and text_width_dots(current[:cut], height_dots) > width_dots:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        if current.strip() or not lines:
            lines.append(current.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    """Split into break units: a CJK character alone, or a Latin word with its leading spaces."""
    tokens: list[str] = []
    current = ""
    for char in text:
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        if wide:
            if current:
                tokens.append(current)
            tokens.append(char)
            current = ""
        elif char == " " and current and not current.isspace():
            tokens.append(current)
            current = char
        else:
            current += char
    if current:
        tokens.append(current)
    return tokens


def _font_command(ctx: RenderContext, height_dots: int) -> str:
    # ^A@ scalable font: orientation N, height and width in dots, then the font path.
    return f"^A@N,{height_dots},{height_dots},{ctx.profile.font}"


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text at (x_mm, y_mm), `height_mm` tall, that must fit within `max_width_mm`.

    `field` names the data field the text comes from, for error messages.
    """

    x_mm: float
    y_mm: float
    text: str
    height_mm: float
    field: str
    max_width_mm: float | None = None

    def _height(self, ctx: RenderContext) -> int:
        return max(10, ctx.dots(self.height_mm))  # scalable fonts need >= 10 dots

    def _max_width(self, ctx: RenderContext) -> int:
        if self.max_width_mm is not None:
            return ctx.dots(self.max_width_mm)
        return ctx.width - ctx.dots(self.x_mm)

    def to_zpl(self, ctx: RenderContext) -> str:
        """ZPL for this line: `^FO` in dots, `^A@` font, `^FH_` escaped `^FD`."""
        height = self._height(ctx)
        if text_width_dots(self.text, height) > self._max_width(ctx):
            raise TextDoesNotFit(self.field, f"{self.text!r} is wider than {self.max_width_mm or 'the label'} mm")
        try:
            data = escape_field_data(self.text)
        except ValueError as exc:
            raise LabelDataError(self.field, str(exc)) from exc
        x, y = ctx.dots(self.x_mm), ctx.dots(self.y_mm)
        return f"^FO{x},{y}{_font_command(ctx, height)}^FH_^FD{data}^FS"

    def ink(self, ctx: RenderContext) -> Box:
        """Where ink may fall, in dots (estimated width)."""
        x, y, height = ctx.dots(self.x_mm), ctx.dots(self.y_mm), self._height(ctx)
        return Box(x, y, x + text_width_dots(self.text, height), y + height)


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Wrapped text in a `width_mm` wide block of at most `max_lines` lines, `height_mm` per line.

    Line breaks are ours (sent as `\\&` inside `^FB`), so `lines()` tells before printing whether
    the text fits; it raises TextDoesNotFit naming `field` when it does not.
    """

    x_mm: float
    y_mm: float
    width_mm: float
    text: str
    height_mm: float
    max_lines: int
    field: str
    line_gap_mm: float = 0.5
    justify: Literal["L", "C", "R"] = "L"

    def _height(self, ctx: RenderContext) -> int:
        return max(10, ctx.dots(self.height_mm))

    def lines(self, ctx: RenderContext) -> list[str]:
        """The lines the block will print, or TextDoesNotFit."""
        lines = wrap_text(self.text, self._height(ctx), ctx.dots(self.width_mm))
        if len(lines) > self.max_lines:
            raise TextDoesNotFit(
                self.field,
                f"needs {len(lines)} lines of {self.width_mm:g} mm at {self.height_mm:g} mm text, "
                f"only {self.max_lines} fit",
            )
        return lines

    def to_zpl(self, ctx: RenderContext) -> str:
        """ZPL: `^FO`, `^A@`, `^FB` (width dots, lines, gap dots, justification), `^FH_^FD...^FS`."""
        if "\\" in self.text:
            # In ^FB a backslash starts an escape ('\&' = new line); under ^CI28 even '_5C' is
            # decoded before ^FB reads it, so there is no reliable way to print one.
            raise LabelDataError(self.field, "a backslash cannot be printed in a wrapped text block")
        try:
            data = "\\&".join(escape_field_data(line) for line in self.lines(ctx))
        except ValueError as exc:
            raise LabelDataError(self.field, str(exc)) from exc
        x, y = ctx.dots(self.x_mm), ctx.dots(self.y_mm)
        width, gap = ctx.dots(self.width_mm), ctx.dots(self.line_gap_mm)
        return (
            f"^FO{x},{y}{_font_command(ctx, self._height(ctx))}"
            f"^FB{width},{self.max_lines},{gap},{self.justify},0^FH_^FD{data}^FS"
        )

    def ink(self, ctx: RenderContext) -> Box:
        """The block's box in dots, as tall as the lines it prints."""
        x, y = ctx.dots(self.x_mm), ctx.dots(self.y_mm)
        n = len(self.lines(ctx))
        height = n * self._height(ctx) + (n - 1) * ctx.dots(self.line_gap_mm)
        return Box(x, y, x + ctx.dots(self.width_mm), y + height)


# --- lines ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """A filled rectangle (a line when thin): `^GB` with width, height and thickness in whole dots."""

    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float
    field: str = "layout"

    def dots(self, ctx: RenderContext) -> tuple[int, int, int, int]:
        """(x, y, width, height) in dots; width and height are at least one dot."""
        return (
            ctx.dots(self.x_mm),
            ctx.dots(self.y_mm),
            max(1, ctx.dots(self.width_mm)),
            max(1, ctx.dots(self.height_mm)),
        )

    def ink(self, ctx: RenderContext) -> Box:
        """The rectangle in dots."""
        x, y, w, h = self.dots(ctx)
        return Box(x, y, x + w, y + h)


# --- Code 128 and GS1-128 ------------------------------------------------------------------------

# ZPL ^BC subset invocation codes (ZPL II manual, ^BC "Code 128 Invocation Characters").
START_B = ">:"
START_C = ">;"
FNC1 = ">8"
TO_B = ">6"


@dataclass(frozen=True, slots=True)
class Code128Data:
    """Field data for `^BC` with invocation codes, and the number of symbol characters it makes."""

    zpl: str
    symbols: int  # start + data symbols (check and stop not included)

    @property
    def modules(self) -> int:
        """Width of the whole symbol in modules: 11 per symbol, 11 for the check, 13 for stop."""
        return 11 * (self.symbols + 1) + 13


# Characters that are ZPL syntax get ^BC invocation codes (ZPL II manual, ^BC table: code value 30
# is '>' written '>0', 62 is '^' written '><', 94 is '~' written '>='); never '^'/'~' raw in ^FD.
_BC_ESCAPES = {">": ">0", "^": "><", "~": ">="}


def _subset_b(char: str, field: str) -> str:
    """`^BC` field data for one subset-B character (ASCII 32-126)."""
    if not 32 <= ord(char) <= 126:
        raise LabelDataError(field, f"character {char!r} cannot be encoded in a Code 128 label")
    return _BC_ESCAPES.get(char, char)


def encode_code128(data: str, field: str = "barcode") -> Code128Data:
    """`^BC` field data for plain Code 128: subset C for an even run of digits only, else subset B.

    We do not switch back from B to C (`>5`): the ZPL manual allows it but renderers and printers
    disagree about it, and a wrong guess loses digits silently.
    """
    if not data:
        raise LabelDataError(field, "barcode data must not be empty")
    if data.isascii() and data.isdigit() and len(data) % 2 == 0:
        return Code128Data(START_C + data, 1 + len(data) // 2)
    return Code128Data(START_B + "".join(_subset_b(c, field) for c in data), 1 + len(data))


def encode_gs1_128(elements: ElementString, field: str = "gs1") -> Code128Data:
    """`^BC` field data for GS1-128: start C, FNC1, digit pairs in C, `>6` to B for the rest,
    FNC1 after every variable-length AI that another AI follows.
    """
    tokens: list[str] = []  # one character each, or FNC1
    for index, (ai, value) in enumerate(elements.elements):
        tokens.extend(ai + value)
        if AIS[ai].variable and index < len(elements.elements) - 1:
            tokens.append(FNC1)
    out = [START_C, FNC1]
    symbols = 2
    subset = "C"
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == FNC1:
            out.append(FNC1)
            symbols += 1
            i += 1
            continue
        if subset == "C":
            run = 0
            while i + run < len(tokens) and len(tokens[i + run]) == 1 and tokens[i + run].isdigit():
                run += 1
            pairs = run // 2
            if pairs:
                out.append("".join(tokens[i : i + 2 * pairs]))
                symbols += pairs
                i += 2 * pairs
                continue
            # a single digit or a letter: subset C would drop it, go to B and stay there
            out.append(TO_B)
            symbols += 1
            subset = "B"
        out.append(_subset_b(token, field))
        symbols += 1
        i += 1
    return Code128Data("".join(out), symbols)


@dataclass(frozen=True, slots=True)
class _LinearBarcode:
    """Shared geometry of Code 128 symbols: centred when x_mm is None, HRI text under the bars."""

    y_mm: float
    height_mm: float
    field: str
    x_mm: float | None
    min_module_mm: float
    hri_height_mm: float

    def module(self, ctx: RenderContext) -> int:
        """Module (narrow bar) width in whole dots, never below the minimum X-dimension."""
        module = mm_to_dots_at_least(self.min_module_mm, ctx.profile.dpi)
        if module > ctx.profile.max_module_dots:
            raise LayoutError(
                self.field,
                f"needs a {self.min_module_mm} mm module = {module} dots at {ctx.profile.dpi} dpi, "
                f"but ^BY on this printer allows at most {ctx.profile.max_module_dots} dots",
            )
        return module

    def _geometry(self, ctx: RenderContext, modules: int) -> tuple[int, int, int, int]:
        module = self.module(ctx)
        width = modules * module
        x = (ctx.width - width) // 2 if self.x_mm is None else ctx.dots(self.x_mm)
        return x, ctx.dots(self.y_mm), width, ctx.dots(self.height_mm)

    def _hri_zpl(self, ctx: RenderContext, x: int, y: int, width: int, text: str) -> str:
        if not self.hri_height_mm:
            return ""
        height = max(10, ctx.dots(self.hri_height_mm))
        if "\\" in text:  # the HRI is an ^FB block, where a backslash is an escape (see TextBlock)
            raise LabelDataError(self.field, "a backslash cannot be printed under a barcode")
        if text_width_dots(text, height) > width + 2 * CODE128_QUIET_MODULES * self.module(ctx):
            raise TextDoesNotFit(self.field, f"human-readable text {text!r} is wider than its barcode")
        gap = ctx.dots(1.0)
        # The HRI is centred in a block as wide as the symbol plus its quiet zones.
        quiet = CODE128_QUIET_MODULES * self.module(ctx)
        return (
            f"^FO{x - quiet},{y + gap}{_font_command(ctx, height)}"
            f"^FB{width + 2 * quiet},1,0,C,0^FH_^FD{escape_field_data(text)}^FS"
        )

    def _boxes(self, ctx: RenderContext, modules: int) -> tuple[Box, Box]:
        x, y, width, height = self._geometry(ctx, modules)
        quiet = CODE128_QUIET_MODULES * self.module(ctx)
        hri = ctx.dots(1.0) + max(10, ctx.dots(self.hri_height_mm)) if self.hri_height_mm else 0
        ink = Box(x, y, x + width, y + height + hri)
        clear = Box(x - quiet, y, x + width + quiet, y + height)
        return ink, clear


def _bc(ctx: RenderContext, x: int, y: int, module: int, height: int, data: str) -> str:
    # ^BY: module width in whole dots. ^BC: orientation N, height, no printer interpretation line
    # (we print our own HRI), no line above, no UCC check digit, mode N (invocation codes active).
    return f"^FO{x},{y}^BY{module}^BCN,{height},N,N,N,N^FD{data}^FS"


@dataclass(frozen=True, slots=True)
class Code128(_LinearBarcode):
    """A Code 128 barcode of `data` (tracking numbers, LPNs, locations) with its text underneath."""

    data: str = ""

    def encoded(self) -> Code128Data:
        """The `^BC` data and symbol count."""
        return encode_code128(self.data, self.field)

    def to_zpl(self, ctx: RenderContext) -> str:
        """`^FO^BY^BC^FD^FS` plus the human-readable line."""
        encoded = self.encoded()
        x, y, width, height = self._geometry(ctx, encoded.modules)
        return _bc(ctx, x, y, self.module(ctx), height, encoded.zpl) + self._hri_zpl(
            ctx, x, y + height, width, self.data
        )

    def ink(self, ctx: RenderContext) -> Box:
        """Bars and HRI text, in dots."""
        return self._boxes(ctx, self.encoded().modules)[0]

    def clear(self, ctx: RenderContext) -> Box:
        """Bars plus the 10-module quiet zones left and right, in dots."""
        return self._boxes(ctx, self.encoded().modules)[1]


@dataclass(frozen=True, slots=True)
class GS1_128(_LinearBarcode):
    """A GS1-128 symbol of an element string, with bracketed HRI text (or `hri_text`) underneath."""

    elements: ElementString = field(default_factory=lambda: ElementString(()))
    hri_text: str | None = None

    def encoded(self) -> Code128Data:
        """The `^BC` data (start C, FNC1, ...) and symbol count."""
        return encode_gs1_128(self.elements, self.field)

    def to_zpl(self, ctx: RenderContext) -> str:
        """`^FO^BY^BC^FD^FS` plus the bracketed human-readable line."""
        encoded = self.encoded()
        x, y, width, height = self._geometry(ctx, encoded.modules)
        text = self.hri_text or " ".join(f"({ai}) {value}" for ai, value in self.elements.elements)
        return _bc(ctx, x, y, self.module(ctx), height, encoded.zpl) + self._hri_zpl(ctx, x, y + height, width, text)

    def ink(self, ctx: RenderContext) -> Box:
        """Bars and HRI text, in dots."""
        return self._boxes(ctx, self.encoded().modules)[0]

    def clear(self, ctx: RenderContext) -> Box:
        """Bars plus the 10-module quiet zones, in dots."""
        return self._boxes(ctx, self.encoded().modules)[1]


def code128_symbol(
    data: str, *, y_mm: float, height_mm: float, field: str, x_mm: float | None = None,
    min_module_mm: float = TRACKING_MIN_X_MM, hri_height_mm: float = 3.0,
) -> Code128:  # fmt: skip
    """A Code 128 element (centred when x_mm is None)."""
    return Code128(y_mm, height_mm, field, x_mm, min_module_mm, hri_height_mm, data)


def gs1_128_symbol(
    elements: ElementString, *, y_mm: float, height_mm: float, field: str, x_mm: float | None = None,
    min_module_mm: float = GS1_LOGISTIC_MIN_X_MM, hri_height_mm: float = 3.0, hri_text: str | None = None,
) -> GS1_128:  # fmt: skip
    """A GS1-128 element at the GS1 logistic X-dimension (centred when x_mm is None)."""
    return GS1_128(y_mm, height_mm, field, x_mm, min_module_mm, hri_height_mm, elements, hri_text)


def split_for_width(
    elements: ElementString, width_mm: float, module_mm: float = 0.51, field: str = "gs1"
) -> list[ElementString]:
    """Split an element string over as few GS1-128 symbols as fit `width_mm` with their quiet zones.

    `module_mm` is the widest module any supported printer will use for the GS1 X-dimension
    (0.495 mm rounded up to whole dots: 0.500 mm at 203 dpi, 0.508 mm at 300 dpi), so the split is
    the same at every resolution. Keeps AI order; each symbol starts with its own FNC1.
    Raises TextDoesNotFit when a single AI does not fit at all.
    """
    max_modules = int(width_mm / module_mm)
    groups: list[list[tuple[str, str]]] = []
    for pair in elements.elements:
        if groups and _gs1_modules(ElementString((*groups[-1], pair))) <= max_modules:
            groups[-1].append(pair)
            continue
        if _gs1_modules(ElementString((pair,))) > max_modules:
            raise TextDoesNotFit(f"{field}({pair[0]})", "too long for one GS1-128 symbol on this label")
        groups.append([pair])
    return [ElementString(tuple(group)) for group in groups]


def _gs1_modules(elements: ElementString) -> int:
    return encode_gs1_128(elements).modules + 2 * CODE128_QUIET_MODULES


# --- 2D codes ------------------------------------------------------------------------------------

# QR byte-mode capacity at error correction level M, versions 1..20 (ISO/IEC 18004 table 7).
_QR_BYTES_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666)


@dataclass(frozen=True, slots=True)
class QRCode:
    """A QR code (model 2, error correction M) of ASCII `data`; module size at least `module_mm`."""

    x_mm: float
    y_mm: float
    data: str
    field: str
    module_mm: float = 0.5

    def magnification(self, ctx: RenderContext) -> int:
        """`^BQ` magnification = module size in whole dots (1-10)."""
        return min(10, mm_to_dots_at_least(self.module_mm, ctx.profile.dpi))

    def modules(self) -> int:
        """Symbol side in modules (upper bound: assumes byte mode)."""
        size = len(self.data.encode())
        for version, capacity in enumerate(_QR_BYTES_M, start=1):
            if size <= capacity:
                return 17 + 4 * version
        raise LabelDataError(self.field, f"{size} bytes is too much for a label QR code")

    def to_zpl(self, ctx: RenderContext) -> str:
        """`^BQN,2,mag` and `^FDMA,data` (M = error level, A = automatic data mode)."""
        for char in self.data:
            if not (32 <= ord(char) <= 126) or char in "^~":
                raise LabelDataError(self.field, f"character {char!r} cannot go into the QR code")
        self.modules()
        x, y = ctx.dots(self.x_mm), ctx.dots(self.y_mm)
        return f"^FO{x},{y}^BQN,2,{self.magnification(ctx)}^FDMA,{self.data}^FS"

    def ink(self, ctx: RenderContext) -> Box:
        """The symbol in dots."""
        x, y = ctx.dots(self.x_mm), ctx.dots(self.y_mm)
        side = self.modules() * self.magnification(ctx)
        return Box(x, y, x + side, y + side)

    def clear(self, ctx: RenderContext) -> Box:
        """The symbol and its 4-module quiet zone, in dots."""
        box, quiet = self.ink(ctx), QR_QUIET_MODULES * self.magnification(ctx)
        return Box(box.x0 - quiet, box.y0 - quiet, box.x1 + quiet, box.y1 + quiet)


# ECC 200 square symbols: (side in modules, data codewords).
_DM_SIZES = ((10, 3), (12, 5), (14, 8), (16, 12), (18, 18), (20, 22), (22, 30), (24, 36), (26, 44),
             (32, 62), (36, 86), (40, 114), (44, 144))  # fmt: skip
DM_ESCAPE = "_"


@dataclass(frozen=True, slots=True)
class GS1DataMatrix:
    """A GS1 DataMatrix (ECC 200) of an element string; module size at least `module_mm`.

    Encoded with `^BX` quality 200 and `_` as escape character: `_1` is FNC1, first as the GS1 flag,
    then as the separator after variable-length fields.
    """

    x_mm: float
    y_mm: float
    elements: ElementString
    field: str
    module_mm: float = 0.5

    def module(self, ctx: RenderContext) -> int:
        """Module size in whole dots."""
        return mm_to_dots_at_least(self.module_mm, ctx.profile.dpi)

    def field_data(self) -> str:
        """`^FD` content: `_1` then AIs and values, `_1` after non-final variable fields."""
        parts = [DM_ESCAPE + "1"]
        for index, (ai, value) in enumerate(self.elements.elements):
            if DM_ESCAPE in value:
                raise LabelDataError(self.field, f"{DM_ESCAPE!r} cannot be in DataMatrix data")
            parts.append(ai + value)
            if AIS[ai].variable and index < len(self.elements.elements) - 1:
                parts.append(DM_ESCAPE + "1")
        return "".join(parts)

    def modules(self) -> int:
        """Symbol side in modules (upper bound from ASCII encodation: digit pairs are one codeword)."""
        data = self.field_data().replace(DM_ESCAPE + "1", "\x1d")
        codewords, i = 0, 0
        while i < len(data):
            i += 2 if data[i : i + 2].isdigit() and len(data[i : i + 2]) == 2 else 1
            codewords += 1
        for side, capacity in _DM_SIZES:
            if codewords <= capacity:
                return side
        raise LabelDataError(self.field, "too much data for a label DataMatrix")

    def to_zpl(self, ctx: RenderContext) -> str:
        """`^BXN,module,200,0,0,6,_` (auto size, escape `_`) and the field data."""
        x, y = ctx.dots(self.x_mm), ctx.dots(self.y_mm)
        return f"^FO{x},{y}^BXN,{self.module(ctx)},200,0,0,6,{DM_ESCAPE}^FD{self.field_data()}^FS"

    def ink(self, ctx: RenderContext) -> Box:
        """The symbol in dots."""
        x, y = ctx.dots(self.x_mm), ctx.dots(self.y_mm)
        side = self.modules() * self.module(ctx)
        return Box(x, y, x + side, y + side)

    def clear(self, ctx: RenderContext) -> Box:
        """The symbol and its 1-module quiet zone, in dots."""
        box, quiet = self.ink(ctx), DATAMATRIX_QUIET_MODULES * self.module(ctx)
        return Box(box.x0 - quiet, box.y0 - quiet, box.x1 + quiet, box.y1 + quiet)


Barcode = Code128 | GS1_128 | QRCode | GS1DataMatrix
Element = Text | TextBlock | Rule | Barcode
