"""Batch picking: claim the next batch, then pick by pick in route order — location (code or check digits),
item, quantity, tote slot — with short picks. When the network drops, the confirm is kept in the offline queue
and the picker goes on with the next pick in the list; a confirm the server refuses on replay brings that pick
back, with the server's reason and what to do.

Everything a pick can be checked against is fetched when the batch is claimed (location codes, the SKUs'
barcodes), so a wrong location or item is caught on the handheld, online or not. Check digits are keyed with a
secret the floor never sees: only the server checks them.
"""

from __future__ import annotations

import uuid
from typing import Any

from pda_client.core.api import ApiClient, ApiError, Delivery, Offline
from pda_client.core.queue import EntryState
from pda_client.core.scans import ScanConfig, ScanKind, item_text, parse_location, parse_scan
from pda_client.core.workflows import Flow, Prompt, Tone

FINAL = frozenset({"done", "cancelled"})


class PickWorkflow(Flow):
    questions = {
        "claim": "Press Start to get the next pick batch.",
        "location": "Go to {location}. Scan the location or type its check digits.",
        "item": "Scan {sku}{lot_text}.",
        "qty": "How many {sku}? {left} to pick.",
        "short_confirm": "Only {found} of {left}? Type {found} again to report a short pick.",
        "tote": "Put {qty} {sku} in slot {slot} (tote {tote}). Scan the tote.",
        "done": "Batch {batch} is picked. Take the cart to packing.",
        "done_pending": "Batch {batch} is picked; {pending} confirmation(s) wait for the network.",
    }

    def __init__(self, api: ApiClient, config: ScanConfig = ScanConfig()) -> None:
        super().__init__(api, config)
        self.step = "claim"
        self.batch: dict[str, Any] | None = None
        self.picks: list[dict[str, Any]] = []
        self.local_done: set[int] = set()  # picks whose confirm or short is in the queue
        self.in_queue: dict[str, int] = {}  # queue key -> task id, until the server answers
        self.barcodes: dict[int, set[str]] = {}  # sku id -> its GTINs (14 digits) and other codes
        self.current: dict[str, Any] | None = None
        self._claim_key = str(uuid.uuid4())
        self._loaded_seq = 0  # queue position of the reply the pick list comes from
        self._clear_pick()

    def _clear_pick(self) -> None:
        self.location_answer = ""
        self.item_answer = ""
        self.qty = 0
        self.found: int | None = None

    # -- what the screen shows --------------------------------------------------------------------------------
    def actions(self) -> tuple[str, ...]:
        if self.step == "claim":
            return ("claim",)
        if self.step in ("item", "qty"):
            return ("short",)
        if self.step in ("done", "done_pending"):
            return ("send", "claim") if self.step == "done_pending" else ("claim",)
        return ()

    def data(self) -> dict[str, Any]:
        p = self.current or {}
        left = int(p.get("qty", 0)) - int(p.get("picked_qty", 0))
        tote = str(p.get("tote", ""))
        return {
            "batch": (self.batch or {}).get("code", ""),
            "location": p.get("location_code", ""),
            "sku": p.get("sku_code", ""),
            "lot": p.get("lot", ""),
            "lot_text": f" lot {p['lot']}" if p.get("lot") else "",
            "left": left,
            "qty": self.qty,
            "found": self.found if self.found is not None else 0,
            "tote": tote,
            "slot": tote.rsplit("-", 1)[-1],
            "pending": len(self.in_queue),
            "position": self.position(),
            "total": len(self.picks),
        }

    def position(self) -> int:
        if self.current is None:
            return len(self.picks)
        ids = [p["task_id"] for p in self.picks]
        return ids.index(self.current["task_id"]) + 1 if self.current["task_id"] in ids else 0

    def open_picks(self) -> list[dict[str, Any]]:
        return [p for p in self.picks if p["status"] not in FINAL and p["task_id"] not in self.local_done]

    # -- claiming ---------------------------------------------------------------------------------------------
    async def start(self) -> Prompt:
        """The batch in hand, or claim the next one."""
        if self.batch is not None and self.open_picks():
            return self._next()
        try:
            batch = await self.api.send(
                "POST", "/api/v1/picking/claim", {"warehouse_id": self.api.warehouse_id}, key=self._claim_key
            )
        except Offline:
            self.step = "claim"
            return self.prompt(Tone.ERROR, "No network: a batch cannot be fetched. Try again.", key="offline")
        except ApiError as exc:
            self.step = "claim"
            if exc.code == "no_batch":
                return self.prompt(Tone.OK, "No batch is waiting. Try again in a moment.", key="no_batch")
            return self.prompt(Tone.ERROR, exc.detail, key="server_says", detail=exc.detail)
        self._claim_key = str(uuid.uuid4())  # the next claim is a new question
        if self.batch is None or batch["id"] != self.batch["id"]:
            self.local_done = set(self.in_queue.values())  # a new batch; picks still in the queue stay done
        self._load(batch)
        await self._fetch_barcodes()
        return self._next(Tone.OK)

    def _load(self, batch: dict[str, Any], seq: int = 0) -> None:
        self._loaded_seq = max(self._loaded_seq, seq)
        self.batch = batch
        self.picks = list(batch["picks"])

    def _take_reply(self, reply: Any, seq: int) -> None:
        """A write's reply: a short pick's carries the whole batch (re-allocation may add picks); a confirm's
        only its pick and the batch's status, applied to the list in hand. Replies older than the list are
        already in it."""
        if seq <= self._loaded_seq:
            return
        if "pick" not in reply:
            self._load(_batch_of(reply), seq)
            return
        done = reply["pick"]
        self.picks = [
            {
                **p,
                "status": done["status"],
                "picked_qty": max(int(p.get("picked_qty", 0)), int(done["picked_qty"])),
            }
            if p["task_id"] == done["task_id"] and p["status"] not in FINAL
            else p
            for p in self.picks
        ]
        if self.batch is not None and self.batch.get("id") == reply.get("id"):
            self.batch = {**self.batch, "status": reply["status"]}

    async def _fetch_barcodes(self) -> None:
        for sku_id in {int(p["sku_id"]) for p in self.picks} - set(self.barcodes):
            try:
                sku = await self.api.get(f"/api/v1/skus/{sku_id}")
            except (Offline, ApiError):
                continue  # unknown here: the server checks the item
            codes = {str(sku["code"]).upper()}
            for b in sku.get("barcodes", []):
                value = str(b["value"]).upper()
                codes.add(value.zfill(14) if value.isdigit() and len(value) <= 14 else value)
            self.barcodes[sku_id] = codes

    def _next(self, tone: Tone = Tone.ASK, last: str = "", last_key: str = "") -> Prompt:
        self._clear_pick()
        todo = self.open_picks()
        extra = {"last": last, "last_key": last_key}
        if todo:
            self.current, self.step = todo[0], "location"
            return self.prompt(tone, **extra)
        self.current = None
        self.step = "done_pending" if self.in_queue else "done"
        return self.prompt(tone, **extra)

    # -- scans and typed answers ------------------------------------------------------------------------------
    async def scan(self, raw: str) -> Prompt:
        refused = self.check_replays()
        if refused is not None:
            return refused
        if self.step == "location":
            return self._location(raw)
        if self.step == "item":
            return self._item(raw)
        if self.step in ("qty", "short_confirm"):
            return await self._qty(raw)
        if self.step == "tote":
            return await self._tote(raw)
        if self.step == "claim":
            return self.prompt(Tone.ERROR, "Press Start first.", key="press_start")
        return self._next()

    def _location(self, raw: str) -> Prompt:
        assert self.current is not None
        loc = parse_location(raw, self.config)
        if not loc.ok:
            return self.prompt(Tone.ERROR, "That is not a location. Scan the location label.", key="not_location")
        if loc.location is not None and loc.location != self.current["location_code"]:
            return self.prompt(
                Tone.ERROR,
                f"Wrong location: this pick is at {self.current['location_code']}, you scanned {loc.location}.",
                key="wrong_location",
                scanned=loc.location,
            )
        self.location_answer = loc.location or loc.check_digits or ""
        self.step = "item"
        return self.prompt(Tone.OK)

    def _item(self, raw: str) -> Prompt:
        assert self.current is not None
        scan = parse_scan(raw, self.config)
        if scan.kind not in (ScanKind.GTIN, ScanKind.LPN):
            upper = scan.text.upper()
            known = self.barcodes.get(int(self.current["sku_id"]), set())
            if upper not in known:
                return self.prompt(Tone.ERROR, f"Scan the item's barcode: {self.current['sku_code']}.", key="not_item")
        p = self.current
        if scan.kind == ScanKind.LPN and p.get("lpn") and scan.lpn != p["lpn"]:
            return self.prompt(Tone.ERROR, f"Wrong pallet: this pick is LPN {p['lpn']}.", key="wrong_lpn", lpn=p["lpn"])
        codes = self.barcodes.get(int(p["sku_id"]))
        if scan.kind == ScanKind.GTIN and codes is not None and scan.gtin not in codes:
            return self.prompt(
                Tone.ERROR, f"Wrong item: this pick is {p['sku_code']}. Scan {p['sku_code']}.", key="wrong_item"
            )
        if scan.lot and p.get("lot") and scan.lot != p["lot"]:
            return self.prompt(
                Tone.ERROR, f"Wrong lot: this pick is lot {p['lot']}, you scanned lot {scan.lot}.", key="wrong_lot"
            )
        self.item_answer = item_text(scan)
        self.step = "qty"
        return self.prompt(Tone.OK)

    async def _qty(self, raw: str) -> Prompt:
        text = raw.strip()
        if not text.isdigit():
            return self.prompt(Tone.ERROR, "Type the quantity, then Enter.", key="type_qty")
        n = int(text)
        left = self.data()["left"]
        if self.step == "short_confirm" and n == self.found:
            self.qty = n
            if n == 0:
                return await self._send()
            self.step = "tote"
            return self.prompt(Tone.OK)
        if n > left:
            return self.prompt(Tone.ERROR, f"Too many: {left} to pick here.", key="over_pick")
        if n == left:
            self.qty, self.found, self.step = n, None, "tote"
            return self.prompt(Tone.OK)
        if self.step == "qty" and n == 0:
            return self.prompt(Tone.ERROR, "None there? Press Short.", key="none_press_short")
        self.found, self.step = n, "short_confirm"
        return self.prompt(Tone.ERROR)

    async def act(self, action: str) -> Prompt:
        if action == "claim" and self.step in ("claim", "done", "done_pending"):
            return await self.start()
        if action == "send":
            await self.api.flush()
            refused = self.check_replays()
            return refused or self._next()
        if action == "short" and self.step in ("item", "qty"):
            self.found, self.step = 0, "short_confirm"
            return self.prompt(Tone.ERROR)
        return await super().act(action)

    async def _tote(self, raw: str) -> Prompt:
        assert self.current is not None
        tote = str(self.current["tote"]).upper()
        answer = raw.strip().upper()
        if answer not in (tote, tote.rsplit("-", 1)[-1]):
            return self.prompt(
                Tone.ERROR, f"Wrong tote: put them in slot {self.data()['slot']} ({tote}).", key="wrong_tote"
            )
        return await self._send()

    async def _send(self) -> Prompt:
        assert self.current is not None
        p = self.current
        task_id = int(p["task_id"])
        if self.found is None:
            path = f"/api/v1/picking/picks/{task_id}/confirm"
            body: dict[str, Any] = {"location": self.location_answer, "item": self.item_answer, "qty": self.qty}
            done = f"Picked {self.qty} {p['sku_code']} into slot {self.data()['slot']}."
            done_key = "picked"
        else:
            path = f"/api/v1/picking/picks/{task_id}/short"
            body = {"location": self.location_answer, "found_qty": self.found, "item": self.item_answer or None}
            done = f"Short pick of {p['sku_code']} reported: {self.found} of {self.data()['left']} found."
            done_key = "shorted"
        label = f"pick {p['sku_code']} @ {p['location_code']} → {p['tote']}"
        result = await self.api.write("POST", path, body, label=label)
        if result.delivery == Delivery.REJECTED:
            self.settle(result)
            self._clear_pick()
            self.step = "location"
            return self.prompt(
                Tone.ERROR,
                f"Refused: {result.entry.problem} Scan the location again.",
                key="pick_refused",
                detail=result.entry.problem,
            )
        if result.delivery == Delivery.QUEUED:
            self.local_done.add(task_id)
            self.in_queue[result.entry.key] = task_id
            return self._next(Tone.QUEUED, "Saved on the handheld; sent when the network is back.", "queued")
        refused = self.check_replays()
        self._take_reply(result.reply, result.entry.seq)
        if refused is not None:
            return refused
        await self._fetch_barcodes()  # re-allocation may have added picks of other SKUs
        return self._next(Tone.OK, done, done_key)

    # -- replays ----------------------------------------------------------------------------------------------
    def check_replays(self) -> Prompt | None:
        """Look at what the queue sent meanwhile: accepted confirms bring the fresh batch (re-allocations), a
        refused one brings its pick back to be done again, with the server's reason."""
        accepted: list[tuple[int, Any]] = []
        refused: tuple[int, str] | None = None
        for key, task_id in list(self.in_queue.items()):
            entry = self.api.queue.get(key)
            if entry is None or entry.state == EntryState.PENDING:
                continue
            del self.in_queue[key]
            if entry.state == EntryState.DONE:
                accepted.append((entry.seq, entry.reply))
            elif refused is None:
                refused = (task_id, entry.problem)
                self.local_done.discard(task_id)
                self.api.queue.dismiss(key)
        # in the order they were sent: a short's whole batch knows every earlier confirm and re-allocation
        for seq, reply in sorted(accepted, key=lambda a: a[0]):
            self._take_reply(reply, seq)
        if refused is None:
            return None
        task_id, problem = refused
        self.local_done.discard(task_id)
        pick = next((p for p in self.picks if p["task_id"] == task_id), None)
        if pick is not None and pick["status"] not in FINAL:
            self._clear_pick()
            self.current, self.step = pick, "location"
        else:
            self._next()
        return self.prompt(
            Tone.ERROR,
            f"The server refused an earlier pick: {problem} Go back to {self.data()['location']} and pick it again.",
            key="replay_refused",
            detail=problem,
        )


def _batch_of(reply: Any) -> dict[str, Any]:
    """The batch in a confirm's reply (the batch itself) or a short's (``{"batch": ...}``)."""
    return dict(reply.get("batch", reply))
