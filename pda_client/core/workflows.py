"""Workflow state machines: one question at a time, the next action always named.

A workflow takes scans and typed answers and returns a :class:`Prompt` (what the screen asks next, and whether
the last input was good). Screens only show prompts and forward input, so every rule is tested here, without Kivy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pda_client.core.api import ApiClient, ApiError, Delivery, Offline
from pda_client.core.scans import Scan, ScanConfig, ScanKind, parse_scan


class Tone(StrEnum):
    ASK = "ask"  # neutral: waiting for the next input
    OK = "ok"  # green + the good beep
    ERROR = "error"  # red + the bad beep
    QUEUED = "queued"  # amber: done on the device, will be sent when the network is back


@dataclass(frozen=True, slots=True)
class Prompt:
    step: str
    message: str  # an English sentence; screens translate it by ``step``/``key``
    tone: Tone = Tone.ASK
    key: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    actions: tuple[str, ...] = ()  # buttons the screen offers besides scanning (e.g. "short", "done")


class Flow:
    """Base of the task workflows (receive, putaway, pick, count): a step, the question of each step, and the
    handling of a write's three outcomes (sent, kept on the handheld, refused)."""

    questions: dict[str, str] = {}
    step: str = ""

    def __init__(self, api: ApiClient, config: ScanConfig = ScanConfig()) -> None:
        self.api = api
        self.config = config

    def actions(self) -> tuple[str, ...]:
        return ()

    def data(self) -> dict[str, Any]:
        """What the questions (and their translations) are filled in with."""
        return {}

    def prompt(
        self, tone: Tone = Tone.ASK, message: str | None = None, *, key: str | None = None, **extra: Any
    ) -> Prompt:
        """The current step's question (or ``message``), with the step's data and actions."""
        data = self.data() | extra
        text = message if message is not None else self.questions.get(self.step, "").format(**data)
        return Prompt(self.step, text, tone, key or self.step, data, self.actions())

    async def start(self) -> Prompt:
        raise NotImplementedError  # each workflow (receive, putaway, pick, count, move) says its first question

    async def scan(self, raw: str) -> Prompt:
        raise NotImplementedError  # each workflow reads a scan for its current step

    async def act(self, action: str) -> Prompt:
        return self.prompt(Tone.ERROR, f"'{action}' is not possible here.", key="not_here")

    def settle(self, result: Any) -> None:
        """A refusal handled on the screen is not left in the queue's list of refused writes."""
        if result.delivery == Delivery.REJECTED:
            self.api.queue.dismiss(result.entry.key)


class MoveWorkflow:
    """Move stock: scan the from-location, the item (or LPN), type the quantity, scan the to-location."""

    def __init__(self, api: ApiClient, config: ScanConfig = ScanConfig()) -> None:
        self.api = api
        self.config = config
        self.reset()

    def reset(self) -> Prompt:
        self.step = "from_location"
        self.from_location: str | None = None
        self.rows: list[dict[str, Any]] = []
        self.stock: dict[str, Any] | None = None
        self.qty = 0
        return self.prompt()

    def prompt(self, tone: Tone = Tone.ASK, message: str | None = None, **data: Any) -> Prompt:
        questions = {
            "from_location": "Scan the location to take from.",
            "item": "Scan the item or the LPN.",
            "qty": "How many?",
            "to_location": "Scan the location to put them.",
        }
        return Prompt(self.step, message or questions[self.step], tone, key=self.step, data=data)

    async def scan(self, raw: str) -> Prompt:
        scan = parse_scan(raw, self.config)
        if not scan.ok:
            return self.prompt(Tone.ERROR, f"Not readable: {'; '.join(scan.problems)}")
        if self.step == "from_location":
            return await self._from_location(scan)
        if self.step == "item":
            return await self._item(scan)
        if self.step == "to_location":
            return await self._to_location(scan)
        return self.prompt(Tone.ERROR, "Type the quantity first.")

    async def _from_location(self, scan: Scan) -> Prompt:
        if scan.kind != ScanKind.LOCATION or scan.location is None:
            return self.prompt(Tone.ERROR, "That is not a location. Scan the location label.")
        try:
            page = await self.api.get(
                "/api/v1/stock", location=scan.location, warehouse_id=self.api.warehouse_id, limit=200
            )
        except Offline:
            return self.prompt(Tone.ERROR, "No network: the stock at the location cannot be checked. Try again.")
        except ApiError as exc:
            return self.prompt(Tone.ERROR, exc.detail)
        rows = [r for r in page["items"] if r["available"] > 0]
        if not rows:
            return self.prompt(Tone.ERROR, f"Nothing free to move at {scan.location}.")
        self.from_location, self.rows, self.step = scan.location, rows, "item"
        return self.prompt(Tone.OK, location=scan.location)

    async def _item(self, scan: Scan) -> Prompt:
        params: dict[str, Any] = {"location": self.from_location, "warehouse_id": self.api.warehouse_id}
        if scan.kind == ScanKind.LPN:
            params["lpn"] = scan.lpn
        elif scan.kind == ScanKind.GTIN:
            params["sku"] = scan.gtin
            if scan.lot:
                params["lot"] = scan.lot
        else:
            return self.prompt(Tone.ERROR, "Scan the item's barcode or the LPN.")
        try:
            page = await self.api.get("/api/v1/stock", **params)
        except Offline:
            return self.prompt(Tone.ERROR, "No network: the item cannot be checked. Try again.")
        except ApiError as exc:
            return self.prompt(Tone.ERROR, exc.detail)
        matches = [r for r in page["items"] if r["available"] > 0]
        if not matches:
            return self.prompt(Tone.ERROR, f"{scan.text} is not at {self.from_location}. Scan an item from there.")
        self.stock = matches[0]
        self.step = "qty"
        return self.prompt(Tone.OK, sku=self.stock["sku_code"], available=self.stock["available"])

    def enter_qty(self, qty: int) -> Prompt:
        if self.step != "qty" or self.stock is None:
            return self.prompt(Tone.ERROR, "Scan first.")
        if qty <= 0 or qty > self.stock["available"]:
            return self.prompt(Tone.ERROR, f"Enter 1 to {self.stock['available']}.")
        self.qty, self.step = qty, "to_location"
        return self.prompt(Tone.OK)

    async def _to_location(self, scan: Scan) -> Prompt:
        if scan.kind != ScanKind.LOCATION or scan.location is None or self.stock is None:
            return self.prompt(Tone.ERROR, "That is not a location. Scan the location label.")
        if scan.location == self.from_location:
            return self.prompt(Tone.ERROR, "That is where the stock already is.")
        result = await self.api.write(
            "POST",
            "/api/v1/stock/moves",
            {"stock_id": self.stock["id"], "qty": self.qty, "to_location": scan.location},
            label=f"move {self.qty} {self.stock['sku_code']} → {scan.location}",
        )
        moved = {"qty": self.qty, "sku": self.stock["sku_code"], "to": scan.location}
        if result.delivery == Delivery.REJECTED:
            self.step = "to_location"
            return self.prompt(Tone.ERROR, result.entry.problem or "Refused by the server.")
        self.reset()
        if result.delivery == Delivery.QUEUED:
            return Prompt(
                "from_location",
                "Saved on the handheld; it is sent when the network is back. Scan the next location.",
                Tone.QUEUED,
                key="queued",
                data=moved,
            )
        return Prompt(
            "from_location",
            f"Moved {self.qty} × {moved['sku']} to {scan.location}. Scan the next location.",
            Tone.OK,
            key="moved",
            data=moved,
        )


async def look_up(api: ApiClient, raw: str, config: ScanConfig = ScanConfig()) -> Prompt:
    """Stock look-up: scan a location, an item or an LPN and see what is where."""
    scan = parse_scan(raw, config)
    if not scan.ok:
        return Prompt("lookup", f"Not readable: {'; '.join(scan.problems)}", Tone.ERROR)
    params: dict[str, Any] = {"limit": 100}
    if scan.kind == ScanKind.LOCATION:
        params.update(location=scan.location, warehouse_id=api.warehouse_id)
    elif scan.kind == ScanKind.LPN:
        params["lpn"] = scan.lpn
    elif scan.kind == ScanKind.GTIN:
        params["sku"] = scan.gtin
        if scan.lot:
            params["lot"] = scan.lot
    else:
        return Prompt("lookup", "Scan a location, an item or an LPN.", Tone.ERROR)
    try:
        page = await api.get("/api/v1/stock", **params)
    except Offline:
        return Prompt("lookup", "No network: try again in a moment.", Tone.ERROR)
    except ApiError as exc:
        return Prompt("lookup", exc.detail, Tone.ERROR)
    rows = page["items"]
    if not rows:
        return Prompt("lookup", f"No stock for {scan.text}.", Tone.OK, data={"rows": []})
    return Prompt("lookup", f"{page['total']} stock row(s) for {scan.text}.", Tone.OK, data={"rows": rows})
