"""Blind count: claim a count task, go to its location and scan it (or type its check digits), scan each item
and type how many, then submit. The handheld is never told what the books say: the server decides whether the
count stands, needs a recount, or goes to a supervisor."""

from __future__ import annotations

import uuid
from typing import Any

from pda_client.core.api import ApiClient, ApiError, Delivery, Offline
from pda_client.core.scans import Scan, ScanConfig, ScanKind, item_text, parse_location, parse_scan
from pda_client.core.workflows import Flow, Prompt, Tone

ACTIVE = ("claimed", "in_progress")
OUTCOMES = {
    "counted": "Count saved.",
    "recount": "Count saved; the location will be counted again.",
    "approval": "Count saved; a supervisor will look at it.",
}


class CountWorkflow(Flow):
    questions = {
        "claim": "Press Start for the next count.",
        "location": "Go to {location}. Scan the location or type its check digits.",
        "item": "Scan an item at {location}, or press Done. {lines} item(s) counted.",
        "qty": "How many {item}?",
        "empty": "Nothing at {location}? Press Done again to say it is empty.",
    }

    def __init__(self, api: ApiClient, config: ScanConfig = ScanConfig()) -> None:
        super().__init__(api, config)
        self.step = "claim"
        self.task: dict[str, Any] | None = None
        self.location = ""
        self.location_answer = ""
        self.lines: list[dict[str, Any]] = []
        self.item: Scan | None = None
        self._claim_key = str(uuid.uuid4())

    def actions(self) -> tuple[str, ...]:
        if self.step == "claim":
            return ("claim",)
        if self.step in ("item", "empty"):
            return ("done",)
        return ()

    def data(self) -> dict[str, Any]:
        return {
            "task": (self.task or {}).get("id", ""),
            "location": self.location,
            "lines": len(self.lines),
            "item": self.item.text if self.item else "",
            "counted": [(ln["item"], ln["qty"]) for ln in self.lines],
        }

    async def start(self) -> Prompt:
        try:
            held = await self.api.get(
                "/api/v1/tasks", type="count", assignee_id=self.api.user_id, warehouse_id=self.api.warehouse_id
            )
            mine = [t for t in held["items"] if t["status"] in ACTIVE]
            if mine:
                task = mine[0]
            else:
                task = await self.api.send(
                    "POST",
                    "/api/v1/tasks/claim",
                    {"warehouse_id": self.api.warehouse_id, "type": "count"},
                    key=self._claim_key,
                )
                self._claim_key = str(uuid.uuid4())
            loc = await self.api.get(f"/api/v1/locations/{task['from_location_id']}")
        except Offline:
            self.step = "claim"
            return self.prompt(Tone.ERROR, "No network: a task cannot be fetched. Try again.", key="offline")
        except ApiError as exc:
            self.step = "claim"
            if exc.code == "no_task":
                return self.prompt(Tone.OK, "Nothing to count right now.", key="no_count")
            return self.prompt(Tone.ERROR, exc.detail, key="server_says", detail=exc.detail)
        self.task, self.location, self.lines, self.item = task, str(loc["code"]), [], None
        self.step = "location"
        return self.prompt(Tone.OK)

    async def act(self, action: str) -> Prompt:
        if action == "claim" and self.step == "claim":
            return await self.start()
        if action == "done" and self.step in ("item", "empty"):
            if not self.lines and self.step == "item":
                self.step = "empty"
                return self.prompt(Tone.ASK)
            return await self._submit()
        return await super().act(action)

    async def scan(self, raw: str) -> Prompt:
        if self.step == "location":
            loc = parse_location(raw, self.config)
            if not loc.ok:
                return self.prompt(Tone.ERROR, "That is not a location. Scan the location label.", key="not_location")
            if loc.location is not None and loc.location != self.location:
                return self.prompt(
                    Tone.ERROR,
                    f"Wrong location: this count is at {self.location}, you scanned {loc.location}.",
                    key="wrong_location",
                    scanned=loc.location,
                )
            self.location_answer = loc.location or loc.check_digits or ""
            self.step = "item"
            return self.prompt(Tone.OK)
        if self.step in ("item", "empty"):
            scan = parse_scan(raw, self.config)
            if scan.kind not in (ScanKind.GTIN, ScanKind.LPN):
                return self.prompt(Tone.ERROR, "Scan the item's barcode or the LPN.", key="not_item")
            self.item, self.step = scan, "qty"
            return self.prompt(Tone.OK)
        if self.step == "qty":
            text = raw.strip()
            if not text.isdigit():
                return self.prompt(Tone.ERROR, "Type the quantity, then Enter.", key="type_qty")
            assert self.item is not None
            line = {
                "item": item_text(self.item),
                "qty": int(text),
                "lot": self.item.lot,
                "expiry": self.item.expiry.isoformat() if self.item.expiry else None,
            }
            same = next((ln for ln in self.lines if ln["item"] == line["item"]), None)
            if same is not None:
                same["qty"] += line["qty"]  # the same item found twice at the location: both count
            else:
                self.lines.append(line)
            self.item, self.step = None, "item"
            return self.prompt(Tone.OK)
        return self.prompt(Tone.ERROR, "Press Start first.", key="press_start")

    async def _submit(self) -> Prompt:
        assert self.task is not None
        result = await self.api.write(
            "POST",
            f"/api/v1/counts/tasks/{self.task['id']}/submit",
            {"location": self.location_answer, "lines": self.lines},
            label=f"count {self.location}: {len(self.lines)} item(s)",
        )
        if result.delivery == Delivery.REJECTED:
            self.settle(result)
            self.step = "location"
            return self.prompt(
                Tone.ERROR,
                f"Refused: {result.entry.problem} Scan the location again.",
                key="count_refused",
                detail=result.entry.problem,
            )
        self.step, self.task = "claim", None
        if result.delivery == Delivery.QUEUED:
            return self.prompt(Tone.QUEUED, "Saved on the handheld; sent when the network is back.", key="queued")
        status = str((result.reply or {}).get("status", "counted"))
        return self.prompt(
            Tone.OK, f"{OUTCOMES.get(status, OUTCOMES['counted'])} Press Start for the next.", key=f"count_{status}"
        )
