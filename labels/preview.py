"""Offline preview: ZPL -> PNG with the local `zplkit` renderer, no printer and no network.

A real printer holds the profile's TrueType font (`PrinterProfile.font`). The renderer has no fonts of
its own for `^A@`, so the preview first downloads a CJK-capable TrueType font into the renderer
under that same name with `~DY` (the ZPL way of storing a font on a printer), then renders the label.
"""

from __future__ import annotations

import functools
import io
import os
import re
import struct
from pathlib import Path

import zplkit
import zplkit.rendering
from PIL import Image

from labels.errors import PreviewError
from labels.profiles import LabelSize, PrinterProfile

FONT_ENV = "WES_LABEL_FONT"
# Debian packages with a TrueType (quadratic outline) font that has CJK, Latin and digits.
# OpenType/CFF fonts such as Noto Sans CJK are not accepted by the renderer.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
)
_LIMITS = zplkit.rendering.Limits(input_bytes=64 << 20, font_bytes=64 << 20)


def find_font() -> Path:
    """The TrueType/TTC font file used for previews: $WES_LABEL_FONT or a known system font."""
    configured = os.environ.get(FONT_ENV)
    candidates = [configured] if configured else list(FONT_CANDIDATES)
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise PreviewError(
        "no CJK TrueType font for the preview: install the Debian package fonts-wqy-microhei "
        f"or point {FONT_ENV} at a .ttf/.ttc file"
    )


def ttc_face(data: bytes, index: int = 0) -> bytes:
    """Extract one face of a TrueType collection (.ttc) as a standalone .ttf (bytes).

    Table offsets in a collection count from the start of the collection file; in a single font
    they count from its own start, so the tables are copied and the directory rewritten.
    """
    if data[:4] != b"ttcf":
        return data
    (count,) = struct.unpack(">I", data[8:12])
    if not 0 <= index < count:
        raise PreviewError(f"font collection has {count} faces, not {index + 1}")
    (offset,) = struct.unpack(">I", data[12 + 4 * index : 16 + 4 * index])
    (num_tables,) = struct.unpack(">H", data[offset + 4 : offset + 6])
    directory_size = 12 + 16 * num_tables
    records: list[bytes] = []
    body = bytearray()
    for i in range(num_tables):
        start = offset + 12 + 16 * i
        tag, checksum, table_offset, length = struct.unpack(">4sIII", data[start : start + 16])
        records.append(struct.pack(">4sIII", tag, checksum, directory_size + len(body), length))
        body += data[table_offset : table_offset + length]
        body += b"\0" * (-len(body) % 4)  # tables are 4-byte aligned
    return data[offset : offset + 12] + b"".join(records) + bytes(body)


@functools.lru_cache(maxsize=4)
def _font_bytes(path: str) -> bytes:
    return ttc_face(Path(path).read_bytes())


def font_download(profile: PrinterProfile, font_path: Path | None = None) -> bytes:
    """`~DY` command that stores the preview font on a printer (or the renderer) as `profile.font`.

    Binary format ('B'), extension T (TrueType). Also usable to install the font on a real printer.
    """
    device, _, file_name = profile.font.partition(":")
    name = re.sub(r"\.TTF$", "", file_name, flags=re.IGNORECASE)
    data = _font_bytes(str(font_path or find_font()))
    return b"~DY%s:%s,B,T,%d,," % (device.encode(), name.encode(), len(data)) + data


def _strip_printer_settings(zpl_bytes: bytes) -> bytes:
    # zplkit rejects ~SD (darkness) and ^PR (print speed) although both are standard ZPL II; neither
    # changes a 1-bit preview, so the preview drops them. The printed ZPL keeps them.
    return re.sub(rb"~SD\d{1,2}|\^PR\d{1,2}", b"", zpl_bytes)


def render_png(zpl_bytes: bytes, profile: PrinterProfile, size: LabelSize | None = None) -> bytes:
    """Render ZPL for `profile` to PNG bytes (one pixel per dot).

    `size` sets the canvas when the ZPL has no `^PW`/`^LL`; labels from `labels.render` always do.
    """
    options = zplkit.Options(
        profile="specification",
        dpi=profile.dpi,
        width=profile.width_dots(size) if size else None,
        height=profile.length_dots(size) if size else None,
    )
    try:
        document = zplkit.render(font_download(profile) + _strip_printer_settings(zpl_bytes), options, limits=_LIMITS)
        if not document.labels:
            raise PreviewError("the ZPL contains no label (^XA ... ^XZ)")
        return document.labels[0].png()
    except ValueError as exc:  # zplkit's RenderError / ParseError / OutputError
        raise PreviewError(f"preview renderer refused the ZPL: {exc}") from exc


def render_image(zpl_bytes: bytes, profile: PrinterProfile, size: LabelSize | None = None) -> Image.Image:
    """Like `render_png`, as a greyscale PIL image (for tests and barcode decoding)."""
    return Image.open(io.BytesIO(render_png(zpl_bytes, profile, size))).convert("L")
