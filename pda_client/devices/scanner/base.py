"""The scanner interface: something that calls back with each scan's raw text."""

from __future__ import annotations

from collections.abc import Callable

ScanCallback = Callable[[str], None]


class Scanner:
    """Delivers scans to one listener. Subclasses call :meth:`deliver` with the raw text of each scan."""

    def __init__(self) -> None:
        self._listener: ScanCallback | None = None

    def start(self, listener: ScanCallback) -> None:
        self._listener = listener

    def stop(self) -> None:
        self._listener = None

    def deliver(self, raw: str) -> None:
        if self._listener is not None and raw:
            self._listener(raw)
