"""Directed putaway: claim the next putaway task, scan the LPN on the pallet, take it to the suggested location
and confirm there by its label or its check digits. Another location is asked twice (an override the board
sees); a full or blocked location is refused by the server with a new suggestion."""

from __future__ import annotations

import uuid
from typing import Any

from pda_client.core.api import ApiClient, ApiError, Delivery, Offline
from pda_client.core.scans import ScanConfig, ScanKind, parse_location, parse_scan
from pda_client.core.workflows import Flow, Prompt, Tone

ACTIVE = ("claimed", "in_progress")


class PutawayWorkflow(Flow):
    questions = {
        "claim": "Press Start for the next putaway.",
        "lpn": "Take pallet {lpn} ({qty} {sku}). Scan its LPN.",
        "location": "Take it to {location}. Scan the location or type its check digits.",
    }

    def __init__(self, api: ApiClient, config: ScanConfig = ScanConfig()) -> None:
        super().__init__(api, config)
        self.step = "claim"
        self.task: dict[str, Any] | None = None
        self.sku = ""
        self.override: str | None = None  # another location scanned once; scanned again, the goods go there
        self._claim_key = str(uuid.uuid4())

    def actions(self) -> tuple[str, ...]:
        return ("claim",) if self.step == "claim" else ()

    def data(self) -> dict[str, Any]:
        t = self.task or {}
        return {
            "task": t.get("id", ""),
            "lpn": t.get("lpn", ""),
            "qty": t.get("qty", 0),
            "sku": self.sku,
            "location": t.get("to_location_code", ""),
        }

    async def start(self) -> Prompt:
        """The putaway task in hand (after a restart), or the next one."""
        try:
            held = await self.api.get(
                "/api/v1/tasks", type="putaway", assignee_id=self.api.user_id, warehouse_id=self.api.warehouse_id
            )
            mine = [t for t in held["items"] if t["status"] in ACTIVE]
            if mine:
                task = mine[0]
            else:
                task = await self.api.send(
                    "POST",
                    "/api/v1/tasks/claim",
                    {"warehouse_id": self.api.warehouse_id, "type": "putaway"},
                    key=self._claim_key,
                )
                self._claim_key = str(uuid.uuid4())
            sku = await self.api.get(f"/api/v1/skus/{task['sku_id']}") if task.get("sku_id") else {}
        except Offline:
            self.step = "claim"
            return self.prompt(Tone.ERROR, "No network: a task cannot be fetched. Try again.", key="offline")
        except ApiError as exc:
            self.step = "claim"
            if exc.code == "no_task":
                return self.prompt(Tone.OK, "Nothing to put away right now.", key="no_putaway")
            return self.prompt(Tone.ERROR, exc.detail, key="server_says", detail=exc.detail)
        self.task, self.sku, self.override = task, str(sku.get("code", "")), None
        self.step = "lpn" if task.get("lpn") else "location"
        return self.prompt(Tone.OK)

    async def act(self, action: str) -> Prompt:
        if action == "claim" and self.step == "claim":
            return await self.start()
        return await super().act(action)

    async def scan(self, raw: str) -> Prompt:
        if self.step == "lpn":
            return self._lpn(raw)
        if self.step == "location":
            return await self._location(raw)
        return self.prompt(Tone.ERROR, "Press Start first.", key="press_start")

    def _lpn(self, raw: str) -> Prompt:
        scan = parse_scan(raw, self.config)
        expected = self.data()["lpn"]
        if scan.kind != ScanKind.LPN:
            return self.prompt(Tone.ERROR, f"Scan the LPN label on the pallet ({expected}).", key="not_lpn")
        if scan.lpn != expected:
            return self.prompt(
                Tone.ERROR, f"That is {scan.lpn}; this task is for {expected}.", key="wrong_lpn", scanned=scan.lpn
            )
        self.step = "location"
        return self.prompt(Tone.OK)

    async def _location(self, raw: str) -> Prompt:
        assert self.task is not None
        loc = parse_location(raw, self.config)
        if not loc.ok:
            return self.prompt(Tone.ERROR, "That is not a location. Scan the location label.", key="not_location")
        target = self.data()["location"]
        body: dict[str, Any]
        if loc.location is None or (loc.location == target and loc.check_digits):
            body = {"check_digits": loc.check_digits}
        elif loc.location != target and target and self.override != loc.location:
            self.override = loc.location
            return self.prompt(
                Tone.ERROR,
                f"That is {loc.location}, not {target}. Scan {target}, or scan {loc.location} again to put it there.",
                key="not_suggested",
                scanned=loc.location,
            )
        else:
            body = {"location": loc.location}
        result = await self.api.write(
            "POST",
            f"/api/v1/putaway-tasks/{self.task['id']}/confirm",
            body,
            label=f"putaway {self.task.get('lpn') or self.sku} → {loc.location or target}",
        )
        where = loc.location or target
        if result.delivery == Delivery.REJECTED:
            self.settle(result)
            self.override = None
            reply = result.entry.reply if isinstance(result.entry.reply, dict) else {}
            if reply.get("suggested_location"):
                self.task = {**self.task, "to_location_code": reply["suggested_location"]}
            return self.prompt(Tone.ERROR, result.entry.problem, key="server_says", detail=result.entry.problem)
        self.step = "claim"
        if result.delivery == Delivery.QUEUED:
            return self.prompt(
                Tone.QUEUED,
                "Saved on the handheld; sent when the network is back. Press Start for the next.",
                key="queued_next",
            )
        return self.prompt(Tone.OK, f"Put away at {where}. Press Start for the next.", key="put_away", where=where)
