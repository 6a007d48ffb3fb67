"""A task screen: one question in big type, coloured and sounded by the last result; one input that takes
scans (keyboard wedge) and typed quantities; a line saying what just happened and where the task stands; and at
most two big buttons for what cannot be scanned (Start, Short, Done...). The workflow decides everything."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.screenmanager import Screen

from pda_client.core.workflows import Flow, Prompt
from pda_client.i18n import localize, t


class FlowScreen(Screen):
    """Subclasses name their workflow (``flow_name``) and make it (:meth:`make_flow`)."""

    title = StringProperty("")
    flow_name = ""
    actions = ListProperty([])  # the workflow's action names for the buttons
    busy = BooleanProperty(False)

    def make_flow(self) -> Flow:
        raise NotImplementedError  # each screen (receive, putaway, pick, count) makes its own workflow

    def on_pre_enter(self, *args: Any) -> None:
        app = App.get_running_app()
        self.title = t(self.flow_name, app.locale)
        if getattr(self, "flow", None) is None or getattr(self, "_api", None) is not app.api:
            self._api = app.api
            self.flow = self.make_flow()
            self.ids.detail.text = ""
            self.ids.last.text = ""
            self.ids.prompt.tone = "ask"
            self.ids.prompt.text = ""
            app.spawn(self._run(self.flow.start()))
        else:
            self.ids.last.text = ""  # said before; perhaps in another language
            self.show(self.flow.prompt(), sound=False)

    def on_enter(self, *args: Any) -> None:
        self.ids.scan.focus = True

    def typed(self, text: str) -> None:
        """Enter in the input: a keyboard-wedge scan or a typed answer (on a device whose scanner broadcasts
        intents, the field takes only what the worker types)."""
        self.ids.scan.text = ""
        self.ids.scan.focus = True
        if text.strip():
            self.on_scan(text)

    def on_scan(self, raw: str) -> None:
        App.get_running_app().spawn(self._run(self.flow.scan(raw)))

    def act(self, index: int) -> None:
        if index < len(self.actions):
            App.get_running_app().spawn(self._run(self.flow.act(self.actions[index])))

    async def _run(self, step: Any) -> None:
        self.busy = True
        try:
            prompt = await step
        finally:
            self.busy = False
        self.show(prompt)

    def on_flushed(self) -> None:
        """The app sent the queue in the background: a workflow may have news (a refused replay)."""
        check = getattr(self.flow, "check_replays", None) if getattr(self, "flow", None) else None
        if check is not None:
            prompt = check()
            if prompt is not None:
                self.show(prompt)

    def show(self, prompt: Prompt, sound: bool = True) -> None:
        app = App.get_running_app()
        locale = app.locale
        self.ids.prompt.tone = prompt.tone.value
        self.ids.prompt.text = localize(self.flow_name, prompt.key, prompt.message, locale, prompt.data)
        last = prompt.data.get("last", "")
        if last:
            key = f"last.{prompt.data.get('last_key', '')}"
            self.ids.last.text = localize(self.flow_name, key, str(last), locale, prompt.data)
        elif prompt.tone.value != "ask":
            self.ids.last.text = ""
        self.actions = list(prompt.actions)
        self.ids.detail.text = self.detail(prompt)
        if sound:
            app.feedback(prompt.tone.value)
        app.refresh_queue()

    def detail(self, prompt: Prompt) -> str:
        """The small print under the question (each screen may say more)."""
        return ""

    def action_text(self, index: int, actions: list[str], locale: str) -> str:
        return t(f"act.{actions[index]}", locale) if index < len(actions) else ""
