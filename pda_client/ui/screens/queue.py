"""What is waiting to be sent, and what the server refused with what to do about it."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty
from kivy.uix.screenmanager import Screen

from pda_client.core.advice import advice
from pda_client.i18n import localize, t


class QueueScreen(Screen):
    has_rejected = BooleanProperty(False)

    def on_pre_enter(self, *args: Any) -> None:
        self.refresh()

    def refresh(self) -> None:
        app = App.get_running_app()
        counts = app.api.queue.counts()
        self.ids.summary.tone = "error" if counts["rejected"] else ("queued" if counts["pending"] else "ok")
        self.ids.summary.text = (
            f"{counts['pending']} {t('pending', app.locale)}   {counts['rejected']} {t('rejected', app.locale)}"
        )
        rejected = app.api.queue.rejected()
        self.has_rejected = bool(rejected)
        lines = []
        for e in rejected[:6]:
            key, english = advice(e)
            lines.append(f"{e.label or e.path}: {e.problem}\n  -> {localize('', key, english, app.locale)}")
        self.ids.rejected.text = "\n".join(lines)

    def send_now(self) -> None:
        async def go() -> None:
            await App.get_running_app().flush()
            self.refresh()

        App.get_running_app().spawn(go())

    def dismiss_first(self) -> None:
        app = App.get_running_app()
        rejected = app.api.queue.rejected()
        if rejected:
            app.api.queue.dismiss(rejected[0].key)
        self.refresh()
        app.refresh_queue()
