"""Log in: server, user, password and this handheld's device code."""

from __future__ import annotations

from kivy.app import App
from kivy.uix.screenmanager import Screen

from pda_client.core.api import ApiError, Offline


class LoginScreen(Screen):
    def submit(self) -> None:
        App.get_running_app().spawn(self._submit())

    async def _submit(self) -> None:
        app = App.get_running_app()
        ids = self.ids
        try:
            me = await app.login(
                ids.server.text.strip(), ids.username.text.strip(), ids.password.text, ids.device.text.strip() or None
            )
        except Offline:
            self.show("error", "No network: the server cannot be reached.")
            return
        except ApiError as exc:
            self.show("error", exc.detail)
            return
        self.show("ok", f"{me['username']} ({me['role']})")
        app.go("menu")

    def show(self, tone: str, text: str) -> None:
        self.ids.message.tone = tone
        self.ids.message.text = text
