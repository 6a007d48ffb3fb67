"""Android scanners (Zebra DataWedge, Honeywell, Urovo, iData) deliver a scan as a broadcast intent.

The intent action and the extra holding the data are configured per device model. Only importable on Android
(pyjnius, android); the desktop build never imports this module.
"""

from __future__ import annotations

from typing import Any

from pda_client.devices.scanner.base import Scanner

# (intent action, extra with the data) per maker, as their scanner apps broadcast them by default.
PROFILES: dict[str, tuple[str, str]] = {
    "zebra": ("com.symbol.datawedge.api.RESULT_ACTION", "com.symbol.datawedge.data_string"),
    "honeywell": ("com.honeywell.decode.intent.action.EDIT_DATA", "data"),
    "urovo": ("android.intent.ACTION_DECODE_DATA", "barcode_string"),
    "idata": ("android.intent.action.SCANRESULT", "value"),
}


class AndroidIntentScanner(Scanner):  # pragma: no cover - needs an Android device
    def __init__(self, maker: str = "zebra") -> None:
        super().__init__()
        self.action, self.extra = PROFILES[maker]
        self._receiver: Any = None

    def start(self, listener: Any) -> None:
        super().start(listener)
        from android.broadcast import BroadcastReceiver

        def on_receive(_context: Any, intent: Any) -> None:
            data = intent.getStringExtra(self.extra)
            if data:
                self.deliver(str(data))

        self._receiver = BroadcastReceiver(on_receive, actions=[self.action])
        self._receiver.start()

    def stop(self) -> None:
        if self._receiver is not None:
            self._receiver.stop()
            self._receiver = None
        super().stop()
