"""The Kivy app: wires the core (API client, offline queue, scanner) to the screens."""

from __future__ import annotations

import asyncio
import math
import os
import struct
import wave
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import LabelBase
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from pda_client.core.api import ApiClient
from pda_client.core.queue import OfflineQueue
from pda_client.devices.scanner import KeyboardWedgeScanner, Scanner
from pda_client.ui.screens.count import CountScreen
from pda_client.ui.screens.login import LoginScreen
from pda_client.ui.screens.menu import MenuScreen
from pda_client.ui.screens.pick import PickScreen
from pda_client.ui.screens.putaway import PutawayScreen
from pda_client.ui.screens.queue import QueueScreen
from pda_client.ui.screens.receive import ReceiveScreen
from pda_client.ui.screens.work import LookupScreen, MoveScreen

HERE = Path(__file__).parent
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/system/fonts/NotoSansCJK-Regular.ttc")


def _use_cjk_font() -> None:
    """Chinese screens need a font with CJK glyphs; Kivy's default (Roboto) has none."""
    for path in (os.environ.get("WES_PDA_FONT", ""), *CJK_FONTS):
        if path and Path(path).exists():
            LabelBase.register(name="Roboto", fn_regular=path)
            return


def _beep(path: Path, freq: float, ms: int) -> Path:
    if not path.exists():
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            frames = b"".join(
                struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * i / 16000)))
                for i in range(16000 * ms // 1000)
            )
            w.writeframes(frames)
    return path


class PdaApp(App):
    locale = StringProperty("en")
    who = StringProperty("")
    server_url = StringProperty("http://127.0.0.1:8000")
    device_code = StringProperty("")
    online = BooleanProperty(True)
    pending = NumericProperty(0)
    rejected = NumericProperty(0)

    def __init__(
        self,
        server_url: str,
        device_code: str = "",
        data_dir: str | None = None,
        scanner: Scanner | None = None,
        locale: str = "en",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.server_url = server_url
        self.device_code = device_code
        self.locale = locale
        self.data_path = Path(data_dir or os.environ.get("WES_PDA_DATA") or Path.home() / ".wes-pda")
        self.data_path.mkdir(parents=True, exist_ok=True)
        self.scanner = scanner or KeyboardWedgeScanner()
        self.api = ApiClient(server_url, OfflineQueue(self.data_path / "queue.db"))
        self.sounds: dict[str, Any] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Any) -> None:
        """Run network work beside the UI (same event loop); keep a reference until it ends."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def build(self) -> ScreenManager:
        _use_cjk_font()
        Builder.load_file(str(HERE / "app.kv"))
        for kv in sorted((HERE / "screens").glob("*.kv")):
            Builder.load_file(str(kv))
        self.title = "WES"
        sm = ScreenManager(transition=NoTransition())
        for screen in (
            LoginScreen(name="login"),
            MenuScreen(name="menu"),
            ReceiveScreen(name="receive"),
            PutawayScreen(name="putaway"),
            PickScreen(name="pick"),
            CountScreen(name="count"),
            MoveScreen(name="move"),
            LookupScreen(name="lookup"),
            QueueScreen(name="queue"),
        ):
            sm.add_widget(screen)
        self.scanner.start(self.dispatch_scan)
        self._load_sounds()
        Clock.schedule_interval(lambda _dt: self.spawn(self.flush()), 10)
        return sm

    def _load_sounds(self) -> None:
        try:
            from kivy.core.audio import SoundLoader

            self.sounds = {
                "ok": SoundLoader.load(str(_beep(self.data_path / "ok.wav", 1400, 90))),
                "error": SoundLoader.load(str(_beep(self.data_path / "error.wav", 300, 350))),
            }
        except Exception:  # no audio device: colours still say it
            self.sounds = {}

    def feedback(self, tone: str) -> None:
        sound = self.sounds.get("error" if tone == "error" else "ok" if tone == "ok" else "")
        if sound is not None:
            sound.play()

    def go(self, name: str) -> None:
        self.root.current = name
        self.refresh_queue()

    def dispatch_scan(self, raw: str) -> None:
        """Every scan goes to the screen on show, if it takes scans."""
        screen = self.root.current_screen
        if hasattr(screen, "on_scan"):
            screen.on_scan(raw)

    async def login(self, server: str, username: str, password: str, device: str | None) -> dict[str, Any]:
        if server and server != self.server_url:
            await self.api.aclose()
            self.server_url = server
            self.api = ApiClient(server, self.api.queue)
        me = await self.api.login(username, password, device)
        self.locale = me.get("locale") or self.locale
        self.who = f"{me['username']}"
        await self.flush()
        return me

    def logout(self) -> None:
        """Hand the device over to the next user. Not while writes wait to be sent: they belong to this login
        (the tasks they confirm are held by this user), so the queue screen comes up to send them first."""
        if self.api.queue.counts()["pending"]:
            self.go("queue")
            return
        self.api.token = None
        self.api.me = {}
        self.who = ""
        old, self.api = self.api, ApiClient(self.server_url, self.api.queue)  # fresh workflows on every screen
        self.spawn(old.aclose())
        self.go("login")

    async def flush(self) -> None:
        if self.api.token is None:
            return
        before = self.api.queue.counts()["pending"]
        await self.api.flush()
        after = self.api.queue.counts()["pending"]
        self.online = not (before and after == before)
        self.refresh_queue()
        screen = self.root.current_screen if self.root else None
        on_flushed = getattr(screen, "on_flushed", None)
        if on_flushed is not None:
            on_flushed()

    def refresh_queue(self) -> None:
        counts = self.api.queue.counts()
        self.pending, self.rejected = counts["pending"], counts["rejected"]
