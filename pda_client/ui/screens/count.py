"""Count screen (blind): the location to count, then each item and how many; never the book quantity."""

from __future__ import annotations

from kivy.app import App

from pda_client.core.count import CountWorkflow
from pda_client.core.workflows import Flow, Prompt
from pda_client.ui.screens.flow import FlowScreen


class CountScreen(FlowScreen):
    flow_name = "count"

    def make_flow(self) -> Flow:
        return CountWorkflow(App.get_running_app().api)

    def detail(self, prompt: Prompt) -> str:
        d = prompt.data
        lines = "\n".join(f"{item}   {qty}" for item, qty in d.get("counted", [])[-6:])
        return f"{d.get('location', '')}\n{lines}".strip()
