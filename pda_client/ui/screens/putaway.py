"""Putaway screen: the next putaway task, the pallet's LPN, the suggested location and its check digits."""

from __future__ import annotations

from kivy.app import App

from pda_client.core.putaway import PutawayWorkflow
from pda_client.core.workflows import Flow, Prompt
from pda_client.ui.screens.flow import FlowScreen


class PutawayScreen(FlowScreen):
    flow_name = "putaway"

    def make_flow(self) -> Flow:
        return PutawayWorkflow(App.get_running_app().api)

    def detail(self, prompt: Prompt) -> str:
        d = prompt.data
        if not d.get("task"):
            return ""
        return (
            f"#{d['task']}   {d.get('lpn', '')}\n{d.get('qty', '')} x {d.get('sku', '')}   -> {d.get('location', '')}"
        )
