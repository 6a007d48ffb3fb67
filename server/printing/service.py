"""One way to send a label to a printer from the server: ``tcp://host:9100`` or ``file:///path``."""

from __future__ import annotations

from labels.errors import LabelError, PrinterUnavailable, TransportError
from labels.transports import send
from server.errors import Conflict, InvalidInput

PRINTER_SCHEMES = ("tcp://", "file://")


def send_label(zpl: bytes, printer: str, *, timeout_s: float = 3.0) -> None:
    """Send ZPL to ``printer``; a bad address is 422, a printer that cannot take the job is 409."""
    uri = printer.strip()
    if not uri.startswith(PRINTER_SCHEMES):
        raise InvalidInput(
            "Give a printer address: tcp://host:9100 or file:///path.",
            code="bad_printer",
            errors=[{"field": "printer", "message": "tcp:// or file://"}],
        )
    try:
        send(zpl, uri, timeout=timeout_s, attempts=2)
    except PrinterUnavailable as exc:
        raise Conflict(f"The printer at {uri} is not answering: {exc}", code="printer_unavailable") from exc
    except (TransportError, LabelError, OSError) as exc:
        raise Conflict(f"The label could not be printed at {uri}: {exc}", code="print_failed") from exc
