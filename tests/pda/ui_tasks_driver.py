"""Drives the real handheld app through a shift on the floor: a receiver receives an announced pallet and puts it
away; a picker claims the released batch and picks it through the pick screen (one wrong item, one short pick)
and counts the location the short pick made a count task for. Scans come through the fake scanner, buttons are
pressed, a screenshot of every screen is saved. Prints a JSON report (see test_ui.py)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KIVY_NO_ARGS", "1")


def main(config_path: str) -> None:
    cfg = json.loads(Path(config_path).read_text())
    from kivy.config import Config

    Config.set("graphics", "width", "480")
    Config.set("graphics", "height", "800")
    from kivy.core.window import Window

    from pda_client.devices.scanner import FakeScanner
    from pda_client.ui.app import PdaApp

    out = Path(cfg["out"])
    scanner = FakeScanner()
    app = PdaApp(cfg["server"], "PDA-T1", str(Path(cfg["data"])), scanner=scanner)
    report: dict[str, Any] = {"screens": [], "prompts": [], "picks": []}

    async def until(cond: Callable[[], bool], limit_s: float = 20.0) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + limit_s
        while not cond():
            if loop.time() > end:
                raise TimeoutError(f"the screen did not get there: {prompt()}")
            await asyncio.sleep(0.05)

    async def shot(name: str) -> None:
        await asyncio.sleep(0.35)  # let Kivy draw the frame
        saved = Window.screenshot(name=str(out / f"{name}.png"))  # Kivy numbers the file: name0001.png
        os.replace(saved, out / f"{name}.png")
        report["screens"].append(name)

    def screen() -> Any:
        return app.root.current_screen

    def prompt() -> tuple[str, str]:
        p = screen().ids.prompt
        return p.tone, p.text

    async def answer(what: str, do: Callable[[], None], expect: str) -> None:
        screen().ids.prompt.text = ""
        do()
        await until(lambda: screen().ids.prompt.text != "" and not screen().busy)
        tone, text = prompt()
        report["prompts"].append({"screen": app.root.current, "input": what, "tone": tone, "text": text})
        assert tone == expect, (what, tone, text)

    async def scan(raw: str, expect: str = "ok") -> None:
        await answer(raw, lambda: scanner.scan(raw), expect)

    async def typed(text: str, expect: str = "ok") -> None:
        """Typed on the on-screen keyboard into the input, then Enter (the keyboard-wedge path)."""
        box = screen().ids.scan

        def enter() -> None:
            box.text = text
            box.dispatch("on_text_validate")

        await answer(text, enter, expect)

    async def press(index: int, expect: str = "ok") -> None:
        await answer(f"button {index}", lambda: screen().act(index), expect)

    async def open_screen(name: str) -> None:
        """Open a task screen from the menu: it fetches its task at once (claims the next one)."""
        app.root.get_screen(name).ids.prompt.text = ""
        app.go(name)
        await until(lambda: app.root.current == name and screen().ids.prompt.text != "" and not screen().busy)

    async def log_in(user: str) -> None:
        if app.root.current != "login":
            app.logout()
        login = app.root.get_screen("login")
        login.ids.username.text = user
        login.ids.password.text = cfg["password"]
        login.submit()
        await until(lambda: app.root.current == "menu")

    async def refused_replay(cur: dict[str, Any]) -> None:
        """The Wi-Fi drops; the picker mistypes the check digits, the confirm waits in the queue and the next pick
        comes up; back online, the server refuses the replay and the pick screen brings the pick back."""
        import httpx

        online = app.api._http
        app.api._http = httpx.AsyncClient(base_url="http://127.0.0.1:9", timeout=1)  # nothing listens there
        digits = cfg["digits"][cur["location_code"]]
        await typed(f"{(int(digits) + 1) % 100:02d}")
        gtin = cfg["gtins"][cur["sku_code"]]
        await scan(f"]C101{gtin.zfill(14)}10{cur['lot']}|" if cur["lot"] else gtin)
        await typed("1")
        await scan(cur["tote"], "queued")
        await shot("26-pick-queued")
        await app.api._http.aclose()
        app.api._http = online
        await app.flush()  # what the app does every 10 s
        await until(lambda: prompt()[0] == "error")
        tone, text = prompt()
        report["prompts"].append({"screen": "pick", "input": "(replay)", "tone": tone, "text": text})
        report["replay_refused"] = text
        await shot("27-pick-replay-refused")
        assert tone == "error" and flow_of().current["task_id"] == cur["task_id"], (tone, text)

    def flow_of() -> Any:
        return screen().flow

    async def drive() -> None:
        try:
            await until(lambda: app.root is not None)
            # -- the receiver: an announced pallet in, and put away -------------------------------------------
            await log_in("receiver")
            await shot("10-menu-receiver")
            await open_screen("receive")
            await shot("11-receive-document")
            await scan(cfg["asn"])
            await scan("]C100" + cfg["sscc"])
            await shot("12-receive-pallet")
            await open_screen("putaway")  # claims the putaway task
            await shot("13-putaway-lpn")
            task = screen().flow.task
            await scan("LPN-0000000001", "error")  # not this pallet
            await scan(task["lpn"])
            await shot("14-putaway-location")
            report["putaway"] = {"location": task["to_location_code"], "lpn": task["lpn"], "qty": task["qty"]}
            await typed(cfg["digits"][task["to_location_code"]])  # the check digits read off the label
            await shot("15-putaway-done")
            # -- the picker: the released batch ------------------------------------------------------------
            await log_in("picker")
            await open_screen("pick")  # claims the batch
            await shot("20-pick-location")
            flow = screen().flow
            wrong_item_done = short_done = tote_shot = replay_done = False
            while flow.current is not None:
                cur = dict(flow.current)
                left = cur["qty"] - cur["picked_qty"]
                if wrong_item_done and not replay_done and left == 1:
                    await refused_replay(cur)
                    replay_done = True
                    continue
                await scan(cur["location_code"])
                if not wrong_item_done:
                    await scan(cfg["wrong_gtin"], "error")
                    await shot("21-pick-wrong-item")
                    wrong_item_done = True
                gtin = cfg["gtins"][cur["sku_code"]]
                await scan(f"]C101{gtin.zfill(14)}10{cur['lot']}|" if cur["lot"] else gtin)
                if not tote_shot:
                    await shot("22-pick-qty")
                if left >= 2 and not short_done:
                    await typed(str(left - 1), "error")  # fewer than asked: the screen asks to confirm
                    await shot("23-pick-short")
                    await typed(str(left - 1))
                    short_done = True
                    report["picks"].append({**cur, "found": left - 1})
                else:
                    await typed(str(left))
                    report["picks"].append({**cur, "found": left})
                if not tote_shot:
                    await shot("24-pick-tote")
                    tote_shot = True
                await scan(cur["tote"].rsplit("-", 1)[1])
            await shot("25-pick-done")
            report["batch"] = flow.batch["id"]
            # -- the picker counts the location of the short pick (blind) -------------------------------------
            await open_screen("count")  # claims the count task the short pick made
            await shot("30-count-location")
            loc = screen().flow.location
            report["count_location"] = loc
            await typed(cfg["digits"].get(loc, loc))
            await scan(cfg["gtins"][cfg["count_sku"]])
            await shot("31-count-qty")
            await typed(str(cfg["count_qty"]))
            put = report["putaway"]
            if put["location"] == loc:  # the pallet put away here is counted by its LPN
                from_pallet = sum(p["found"] for p in report["picks"] if p["lpn"] == put["lpn"])
                await scan(put["lpn"])
                await typed(str(put["qty"] - from_pallet))
            await press(0, cfg["count_expect"])  # Done: submit
            await shot("32-count-done")
            app.go("queue")
            await shot("40-queue")
            app.locale = "zh-CN"
            await open_screen("pick")
            await shot("41-pick-zh")
            app.go("menu")
            await shot("42-menu-zh")
            report["ok"] = True
        except Exception as exc:  # the report says what failed; the test asserts on it
            report["ok"] = False
            report["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            app.stop()

    async def run() -> None:
        await asyncio.gather(app.async_run(async_lib="asyncio"), drive())

    asyncio.run(run())
    print(json.dumps(report, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
