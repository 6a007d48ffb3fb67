"""Errors of the labels package. Each names the data field at fault, so a caller can show one line."""

from __future__ import annotations


class LabelError(Exception):
    """Base class: `field` is the data field at fault (dotted path, e.g. 'ship_to.name')."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class LabelDataError(LabelError):
    """The data cannot make a correct label (bad GTIN check digit, unsupported character, ...)."""


class TextDoesNotFit(LabelError):
    """A text does not fit in the space the template gives it."""


class LayoutError(LabelError):
    """An element (with its quiet zone) would be drawn outside the label or over another element."""


class TransportError(Exception):
    """A label could not be delivered to the printer or file named by a URI."""


class PrinterUnavailable(TransportError):
    """The printer did not accept a connection (off, unplugged, wrong address) after all retries."""


class PreviewError(Exception):
    """The offline preview could not be rendered (missing font, renderer error)."""
