"""Scan-first screens: a prompt in big type coloured by the last result, one input that takes scans (keyboard
wedge) and typed quantities, and a detail line."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from pda_client.core.workflows import MoveWorkflow, Prompt, look_up
from pda_client.i18n import t


class WorkScreen(Screen):
    title = StringProperty("")

    def on_enter(self, *args: Any) -> None:
        self.ids.scan.focus = True

    def typed(self, text: str) -> None:
        """Enter in the input: a keyboard-wedge scan or a typed answer."""
        self.ids.scan.text = ""
        self.ids.scan.focus = True
        App.get_running_app().scanner.text(text)

    def on_scan(self, raw: str) -> None:
        App.get_running_app().spawn(self.handle(raw))

    async def handle(self, raw: str) -> None:
        """What a scan does on this screen (each screen below says)."""

    def show(self, prompt: Prompt) -> None:
        app = App.get_running_app()
        known = t(prompt.key, app.locale) if prompt.tone.value == "ask" or prompt.key in ("moved", "queued") else ""
        self.ids.prompt.tone = prompt.tone.value
        self.ids.prompt.text = known if known and known != prompt.key else prompt.message
        app.feedback(prompt.tone.value)
        app.refresh_queue()


class MoveScreen(WorkScreen):
    def on_pre_enter(self, *args: Any) -> None:
        app = App.get_running_app()
        self.title = t("move", app.locale)
        self.flow = MoveWorkflow(app.api)
        self.show(self.flow.reset())
        self.ids.detail.text = ""

    async def handle(self, raw: str) -> None:
        if self.flow.step == "qty" and raw.strip().isdigit():
            prompt = self.flow.enter_qty(int(raw.strip()))
        else:
            prompt = await self.flow.scan(raw)
        self.show(prompt)
        if "sku" in prompt.data and "available" in prompt.data:
            self.ids.detail.text = f"{prompt.data['sku']}: {prompt.data['available']} free"
        elif prompt.key in ("moved", "queued"):
            d = prompt.data
            self.ids.detail.text = f"{d['qty']} x {d['sku']} -> {d['to']}"


class LookupScreen(WorkScreen):
    def on_pre_enter(self, *args: Any) -> None:
        app = App.get_running_app()
        self.title = t("lookup", app.locale)
        self.ids.prompt.tone = "ask"
        self.ids.prompt.text = t("lookup_prompt", app.locale)
        self.ids.detail.text = ""

    async def handle(self, raw: str) -> None:
        prompt = await look_up(App.get_running_app().api, raw)
        self.show(prompt)
        rows = prompt.data.get("rows", [])
        self.ids.detail.text = "\n".join(
            f"{r['location_code']}  {r['sku_code']}  {r['lot'] or '-'}  {r['lpn'] or ''}  {r['on_hand']}"
            f" ({r['available']} free)"
            for r in rows[:12]
        )
