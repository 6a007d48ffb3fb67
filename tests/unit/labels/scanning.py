"""Helpers for label tests: render to an image and decode every barcode on it."""

from __future__ import annotations

from dataclasses import dataclass

import biip
import zxingcpp
from PIL import Image

from labels.preview import render_image
from labels.profiles import PrinterProfile
from labels.render import LabelDocument, render


@dataclass(frozen=True)
class Scan:
    format: str
    text: str
    raw: str
    symbology: str
    content_type: str

    def gs1(self) -> dict[str, str]:
        """AI -> value, parsed by biip from the symbology identifier and raw content (with GS)."""
        message = biip.parse(self.symbology + self.raw).gs1_message
        assert message is not None, f"not GS1: {self}"
        return {es.ai.ai: es.value for es in message.element_strings}


def scan_image(image: Image.Image) -> list[Scan]:
    return [
        Scan(
            format=str(b.format),
            text=b.text,
            raw=b.bytes.decode("latin-1"),
            symbology=b.symbology_identifier,
            content_type=str(b.content_type),
        )
        for b in zxingcpp.read_barcodes(image)
    ]


def render_and_scan(document: LabelDocument, profile: PrinterProfile) -> tuple[bytes, Image.Image, list[Scan]]:
    zpl_bytes = render(document, profile)
    image = render_image(zpl_bytes, profile)
    return zpl_bytes, image, scan_image(image)


def by_format(scans: list[Scan], fmt: str) -> list[Scan]:
    return [s for s in scans if s.format == fmt]


def ink_outside(zpl_bytes: bytes, profile: PrinterProfile, width: int, length: int, margin: int = 300) -> bool:
    """Render `zpl_bytes` without its ^PW/^LL on a canvas `margin` dots bigger; True if any black pixel
    falls right of `width` or below `length` (i.e. would be drawn off the label)."""
    import io

    import zplkit

    from labels import preview

    unbounded = zpl_bytes.replace(f"^PW{width}^LL{length}".encode(), b"")
    assert unbounded != zpl_bytes, "label has no ^PW/^LL"
    options = zplkit.Options(profile="specification", dpi=profile.dpi, width=width + margin, height=length + margin)
    document = zplkit.render(
        preview.font_download(profile) + preview._strip_printer_settings(unbounded), options, limits=preview._LIMITS
    )
    image = Image.open(io.BytesIO(document.labels[0].png())).convert("L")
    black = image.point(lambda v: 255 if v < 128 else 0)
    right = black.crop((width, 0, width + margin, length + margin)).getbbox()
    below = black.crop((0, length, width + margin, length + margin)).getbbox()
    return right is not None or below is not None
