"""Pick screen: the batch's picks in route order, one question at a time (location, item, quantity, tote);
Short when the location holds fewer than asked; confirms wait in the queue when the Wi-Fi drops."""

from __future__ import annotations

from kivy.app import App

from pda_client.core.pick import PickWorkflow
from pda_client.core.workflows import Flow, Prompt
from pda_client.ui.screens.flow import FlowScreen


class PickScreen(FlowScreen):
    flow_name = "pick"

    def make_flow(self) -> Flow:
        return PickWorkflow(App.get_running_app().api)

    def detail(self, prompt: Prompt) -> str:
        d = prompt.data
        if not d.get("location"):
            return f"{d.get('batch', '')}"
        lot = f"  lot {d['lot']}" if d.get("lot") else ""
        return (
            f"{d.get('batch', '')}   {d.get('position', 0)}/{d.get('total', 0)}\n"
            f"{d['location']}   {d['sku']}{lot}   x{d['left']}   -> {d['slot']} ({d['tote']})"
        )
