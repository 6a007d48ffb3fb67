"""Runs the real handheld app on a (virtual) display against a real server and drives it like a user: types the
login, then works with scans injected through the fake scanner. Prints a JSON report; saves a screenshot of every
screen. Used by test_ui.py in a process of its own (Kivy keeps global state)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KIVY_NO_ARGS", "1")


def main(server: str, password: str, out_dir: str, gtin: str, data_dir: str) -> None:
    from kivy.config import Config

    Config.set("graphics", "width", "480")
    Config.set("graphics", "height", "800")
    from kivy.core.window import Window

    from pda_client.devices.scanner import FakeScanner
    from pda_client.ui.app import PdaApp

    out = Path(out_dir)
    scanner = FakeScanner()
    app = PdaApp(server, "PDA-T1", data_dir, scanner=scanner)
    report: dict[str, Any] = {"screens": [], "prompts": []}

    async def until(cond: Callable[[], bool], limit_s: float = 15.0) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + limit_s
        while not cond():
            if loop.time() > end:
                raise TimeoutError("the screen did not get there")
            await asyncio.sleep(0.05)

    async def shot(name: str) -> None:
        await asyncio.sleep(0.35)  # let Kivy draw the frame
        saved = Window.screenshot(name=str(out / f"{name}.png"))  # Kivy numbers the file: name0001.png
        os.replace(saved, out / f"{name}.png")
        report["screens"].append(name)

    def prompt() -> tuple[str, str]:
        p = app.root.current_screen.ids.prompt
        return p.tone, p.text

    async def scan(raw: str, expect_tone: str) -> None:
        before = prompt()
        app.root.current_screen.ids.prompt.text = ""
        scanner.scan(raw)
        await until(lambda: app.root.current_screen.ids.prompt.text != "")
        tone, text = prompt()
        report["prompts"].append({"scan": raw, "tone": tone, "text": text, "before": before[1]})
        assert tone == expect_tone, (raw, tone, text)

    async def drive() -> None:
        try:
            await until(lambda: app.root is not None)
            login = app.root.get_screen("login")
            login.ids.username.text = "picker"
            login.ids.password.text = password
            await shot("01-login")
            login.submit()
            await until(lambda: app.root.current == "menu")
            await shot("02-menu")
            app.go("move")
            await shot("03-move-start")
            await scan("NOT-A-CODE!", "error")
            await shot("04-move-error")
            await scan("A-01-01-A", "ok")
            await scan(gtin, "ok")
            await shot("05-move-qty")
            await scan("12", "ok")
            await scan("A-01-09-A", "ok")
            await shot("06-move-done")
            app.go("lookup")
            await scan("A-01-09-A", "ok")
            await shot("07-lookup")
            report["lookup"] = app.root.current_screen.ids.detail.text
            app.go("queue")
            await shot("08-queue")
            app.locale = "zh-CN"
            app.go("menu")
            await shot("09-menu-zh")
            report["ok"] = True
        except Exception as exc:  # the report says what failed; the test asserts on it
            report["ok"] = False
            report["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            app.stop()

    async def run() -> None:
        await asyncio.gather(app.async_run(async_lib="asyncio"), drive())

    asyncio.run(run())
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:6])
