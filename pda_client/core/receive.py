"""Receiving at the dock: scan the ASN or purchase order number (or a pallet's SSCC, which finds its ASN), then
scan what arrives — a pallet's SSCC receives it whole, an item (GS1-128 with lot, expiry and count, or a plain
EAN/UPC) asks how many, an LPN label says which pallet the next items go onto — and close the receipt."""

from __future__ import annotations

import uuid
from typing import Any

from pda_client.core.api import ApiClient, ApiError, Delivery, Offline, WriteResult
from pda_client.core.scans import Scan, ScanConfig, ScanKind, item_text, parse_scan
from pda_client.core.workflows import Flow, Prompt, Tone


class ReceiveWorkflow(Flow):
    questions = {
        "document": "Scan the ASN or purchase order number, or a pallet label.",
        "receive": "Receipt {receipt}: scan a pallet, an item, or an LPN to receive onto.",
        "qty": "How many {item}{count_text}?",
    }

    def __init__(self, api: ApiClient, config: ScanConfig = ScanConfig()) -> None:
        super().__init__(api, config)
        self.step = "document"
        self.receipt: dict[str, Any] | None = None
        self.lpn: str | None = None
        self.item: Scan | None = None
        self._keys: dict[str, str] = {}  # document -> idempotency key of starting its receipt

    def actions(self) -> tuple[str, ...]:
        return ("new_lpn", "close") if self.step in ("receive", "qty") else ()

    def data(self) -> dict[str, Any]:
        item = self.item
        return {
            "receipt": (self.receipt or {}).get("number", ""),
            "lpn": self.lpn or "",
            "item": item.gtin if item and item.gtin else (item.text if item else ""),
            "lot": item.lot if item and item.lot else "",
            "expiry": item.expiry.isoformat() if item and item.expiry else "",
            "count": item.count if item and item.count else "",
            "count_text": f" (label says {item.count})" if item and item.count else "",
        }

    async def start(self) -> Prompt:
        if self.receipt is None:
            self.step = "document"
        return self.prompt()

    async def scan(self, raw: str) -> Prompt:
        if self.step == "document":
            return await self._document(raw)
        if self.step == "qty" and raw.strip().isdigit():
            return await self._qty(int(raw.strip()))
        return await self._receive(raw)

    # -- which receipt ----------------------------------------------------------------------------------------
    async def _document(self, raw: str) -> Prompt:
        scan = parse_scan(raw, self.config)
        text = raw.strip().upper()
        try:
            if scan.kind == ScanKind.SSCC:
                asn = await self._asn_with(lambda a: any(ln["sscc"] == scan.sscc for ln in a["lines"]))
                doc: dict[str, Any] | None = {"asn_id": asn["id"]} if asn else None
            else:
                pos = await self.api.get("/api/v1/purchase-orders", number=text, limit=1)
                asn = None if pos["items"] else await self._asn_with(lambda a: str(a["number"]).upper() == text)
                doc = {"po_id": pos["items"][0]["id"]} if pos["items"] else ({"asn_id": asn["id"]} if asn else None)
            if doc is None:
                return self.prompt(Tone.ERROR, f"No open ASN or purchase order {text}.", key="no_document", doc=text)
            receipt = await self._open_receipt(doc)
        except Offline:
            return self.prompt(Tone.ERROR, "No network: the receipt cannot be started. Try again.", key="offline")
        except ApiError as exc:
            return self.prompt(Tone.ERROR, exc.detail, key="server_says", detail=exc.detail)
        self.receipt, self.lpn, self.item, self.step = receipt, None, None, "receive"
        if scan.kind == ScanKind.SSCC:  # the pallet that found the ASN is received at once
            return await self._receive(raw)
        return self.prompt(Tone.OK)

    async def _asn_with(self, match: Any) -> dict[str, Any] | None:
        for status in ("open", "receiving"):
            page = await self.api.get("/api/v1/asns", status=status, limit=200)
            for asn in page["items"]:
                if match(asn):
                    return dict(asn)
        return None

    async def _open_receipt(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The open receipt of this ASN or PO (another receiver's, or ours before a restart), or a new one."""
        page = await self.api.get("/api/v1/receipts", status="open", limit=200)
        for r in page["items"]:
            if all(r.get(k) == v for k, v in doc.items()) and r["warehouse_id"] == self.api.warehouse_id:
                return dict(r)
        name = ",".join(f"{k}={v}" for k, v in doc.items())
        key = self._keys.setdefault(name, str(uuid.uuid4()))
        receipt = await self.api.send(
            "POST", "/api/v1/receipts", {"warehouse_id": self.api.warehouse_id, **doc}, key=key
        )
        self._keys.pop(name, None)
        return dict(receipt)

    # -- what arrives -----------------------------------------------------------------------------------------
    async def _receive(self, raw: str) -> Prompt:
        scan = parse_scan(raw, self.config)
        if not scan.ok:
            return self.prompt(Tone.ERROR, f"Not readable: {'; '.join(scan.problems)}", key="unreadable")
        if scan.kind == ScanKind.SSCC:
            result = await self._post_scan({"scan": scan.sscc}, f"receive pallet {scan.sscc}")
            lpn = (result.reply or {}).get("lpn") if result.delivery == Delivery.SENT else None
            done = f"Pallet {scan.sscc} received" + (f" onto {lpn}." if lpn else ".")
            return self._outcome(result, done, "pallet_received", sscc=scan.sscc, new_lpn=lpn or "")
        if scan.kind == ScanKind.LPN:
            self.lpn, self.item, self.step = scan.lpn, None, "receive"
            return self.prompt(Tone.OK, f"Items now go onto {scan.lpn}.", key="onto_lpn")
        if scan.kind == ScanKind.GTIN:
            self.item, self.step = scan, "qty"
            return self.prompt(Tone.OK)
        return self.prompt(Tone.ERROR, "Scan a pallet label, an item or an LPN.", key="not_receivable")

    async def _qty(self, qty: int) -> Prompt:
        if self.item is None or qty <= 0:
            return self.prompt(Tone.ERROR, "Type how many, then Enter.", key="type_qty")
        body: dict[str, Any] = {"scan": item_text(self.item), "qty": qty}
        if self.lpn:
            body["lpn"] = self.lpn
        item = self.data()["item"]
        result = await self._post_scan(body, f"receive {qty} × {item}")
        if result.delivery != Delivery.REJECTED:
            self.item = None
        return self._outcome(result, f"Received {qty} × {item}.", "items_received", qty=qty)

    async def _post_scan(self, body: dict[str, Any], label: str) -> WriteResult:
        assert self.receipt is not None
        return await self.api.write("POST", f"/api/v1/receipts/{self.receipt['id']}/scans", body, label=label)

    def _outcome(self, result: WriteResult, done: str, done_key: str, **data: Any) -> Prompt:
        if result.delivery == Delivery.REJECTED:
            self.settle(result)
            self.step = "receive"
            return self.prompt(Tone.ERROR, result.entry.problem, key="server_says", detail=result.entry.problem)
        self.step = "receive"
        if result.delivery == Delivery.QUEUED:
            return self.prompt(Tone.QUEUED, "Saved on the handheld; sent when the network is back.", key="queued")
        return self.prompt(Tone.OK, f"{done} Scan the next pallet or item.", key=done_key, **data)

    async def act(self, action: str) -> Prompt:
        if self.receipt is None:
            return await super().act(action)
        rid = self.receipt["id"]
        if action == "new_lpn":
            try:
                lpn = await self.api.send("POST", f"/api/v1/receipts/{rid}/lpns", {}, key=str(uuid.uuid4()))
            except Offline:
                return self.prompt(Tone.ERROR, "No network: scan a printed LPN label instead.", key="offline_lpn")
            except ApiError as exc:
                return self.prompt(Tone.ERROR, exc.detail, key="server_says", detail=exc.detail)
            self.lpn, self.step = str(lpn["code"]), "receive"
            return self.prompt(
                Tone.OK, f"New LPN {self.lpn}: stick its label on; items now go onto it.", key="new_lpn_made"
            )
        if action == "close":
            result = await self.api.write("POST", f"/api/v1/receipts/{rid}/close", {}, label=f"close receipt {rid}")
            if result.delivery == Delivery.REJECTED:
                self.settle(result)
                return self.prompt(Tone.ERROR, result.entry.problem, key="server_says", detail=result.entry.problem)
            number = self.receipt.get("number", "")
            self.receipt, self.lpn, self.item, self.step = None, None, None, "document"
            tone = Tone.QUEUED if result.delivery == Delivery.QUEUED else Tone.OK
            return self.prompt(
                tone, f"Receipt {number} closed. Scan the next document.", key="receipt_closed", number=number
            )
        return await super().act(action)
