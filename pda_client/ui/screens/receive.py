"""Receive screen: the ASN or PO, then pallets by SSCC and cases by their GS1-128 labels (lot, expiry, count)."""

from __future__ import annotations

from kivy.app import App

from pda_client.core.receive import ReceiveWorkflow
from pda_client.core.workflows import Flow, Prompt
from pda_client.ui.screens.flow import FlowScreen


class ReceiveScreen(FlowScreen):
    flow_name = "receive"

    def make_flow(self) -> Flow:
        return ReceiveWorkflow(App.get_running_app().api)

    def detail(self, prompt: Prompt) -> str:
        d = prompt.data
        parts = [d.get("receipt", ""), d.get("lpn", "")]
        item = [d.get("item", ""), f"lot {d['lot']}" if d.get("lot") else "", d.get("expiry", "")]
        return "   ".join(p for p in parts if p) + "\n" + "   ".join(p for p in item if p)
