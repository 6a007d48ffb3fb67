"""Barcode scanners behind one small interface: keyboard wedge, Android broadcast intent, and a fake for tests."""

from pda_client.devices.scanner.base import Scanner
from pda_client.devices.scanner.fake import FakeScanner
from pda_client.devices.scanner.keyboard_wedge import KeyboardWedgeScanner

__all__ = ["FakeScanner", "KeyboardWedgeScanner", "Scanner"]
