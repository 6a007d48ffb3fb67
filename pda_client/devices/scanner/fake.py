"""A scanner for tests: ``scan("...")`` delivers as if the trigger was pulled."""

from __future__ import annotations

from pda_client.devices.scanner.base import Scanner


class FakeScanner(Scanner):
    def scan(self, raw: str) -> None:
        self.deliver(raw)
