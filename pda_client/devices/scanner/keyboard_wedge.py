"""Keyboard-wedge scanners type the code and press Enter into the focused field.

Keys arrive one at a time; a scan is the characters up to Enter. Characters typed much slower than a scanner
types (a person on the on-screen keyboard) are still accepted: the wedge cannot tell, and does not need to.
The GS1 group separator arrives as the configured substitute (most wedges cannot type 0x1D) and is restored by
scan parsing.
"""

from __future__ import annotations

from pda_client.devices.scanner.base import Scanner

ENTER_KEYS = frozenset({"\r", "\n", "enter", "numpadenter"})


class KeyboardWedgeScanner(Scanner):
    def __init__(self) -> None:
        super().__init__()
        self._buffer: list[str] = []

    def key(self, key: str) -> None:
        """Feed one key press (a character, or a key name such as 'enter')."""
        if key.lower() in ENTER_KEYS:
            raw, self._buffer = "".join(self._buffer), []
            self.deliver(raw)
        elif len(key) == 1:
            self._buffer.append(key)

    def text(self, text: str) -> None:
        """Feed a whole line (what a text field holds when Enter is pressed)."""
        for ch in text:
            self.key(ch)
        self.key("enter")
