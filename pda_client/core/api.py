"""The handheld's API client: bearer token and device, reads straight through, writes through the offline queue."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

from pda_client.core.queue import Entry, EntryState, OfflineQueue

# Replies that mean "not now" rather than "no": the write stays queued and is sent again later.
_RETRY_LATER = frozenset({408, 425, 429, 500, 502, 503, 504})


class Offline(Exception):
    """The server cannot be reached (Wi-Fi dropped, server restarting)."""


class ApiError(Exception):
    """The server refused a read: ``code`` and ``detail`` come from its problem reply."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class Delivery(StrEnum):
    SENT = "sent"  # the server accepted it
    QUEUED = "queued"  # stored on the device; sent when the network is back
    REJECTED = "rejected"  # the server refused it; ``entry.problem`` says why


@dataclass(frozen=True, slots=True)
class WriteResult:
    delivery: Delivery
    entry: Entry

    @property
    def reply(self) -> Any:
        return self.entry.reply


class ApiClient:
    """One logged-in handheld. ``transport`` lets tests run against an in-process server or cut the network."""

    def __init__(
        self,
        base_url: str,
        queue: OfflineQueue,
        *,
        timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.queue = queue
        self.token: str | None = None
        self.device_code: str | None = None
        self.me: dict[str, Any] = {}
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout_s, transport=transport)

    @property
    def user_id(self) -> int | None:
        uid = self.me.get("user_id")
        return int(uid) if uid is not None else None

    @property
    def warehouse_id(self) -> int | None:
        wid = self.me.get("warehouse_id")
        return int(wid) if wid is not None else None

    async def aclose(self) -> None:
        await self._http.aclose()

    def _headers(self, key: str | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if key:
            h["Idempotency-Key"] = key
        return h

    async def login(self, username: str, password: str, device_code: str | None = None) -> dict[str, Any]:
        try:
            r = await self._http.post(
                "/api/v1/auth/login", json={"username": username, "password": password, "device_code": device_code}
            )
        except httpx.TransportError as exc:
            raise Offline(str(exc)) from exc
        body = _json(r)
        if r.status_code != 200:
            raise ApiError(r.status_code, body.get("code", ""), body.get("detail", r.text))
        self.token, self.device_code, self.me = body["token"], device_code, dict(body)
        return self.me

    async def get(self, path: str, **params: Any) -> Any:
        try:
            r = await self._http.get(
                path, params={k: v for k, v in params.items() if v is not None}, headers=self._headers()
            )
        except httpx.TransportError as exc:
            raise Offline(str(exc)) from exc
        body = _json(r)
        if r.status_code >= 400:
            raise ApiError(r.status_code, body.get("code", ""), body.get("detail", r.text))
        return body

    async def send(self, method: str, path: str, body: Any, *, key: str) -> Any:
        """A write that needs its answer now (claiming a task, starting a receipt): not queued, because doing it
        later makes no sense, but idempotent all the same: after a lost reply, sending again with the same
        ``key`` gets the first reply and changes nothing. Raises :class:`Offline` or :class:`ApiError`."""
        try:
            r = await self._http.request(method, path, json=body, headers=self._headers(key))
        except httpx.TransportError as exc:
            raise Offline(str(exc)) from exc
        reply = _json(r)
        if r.status_code in _RETRY_LATER:
            raise Offline(f"the server answered {r.status_code}; try again")
        if r.status_code >= 400:
            raise ApiError(r.status_code, reply.get("code", ""), reply.get("detail", r.text))
        return reply

    async def write(self, method: str, path: str, body: Any, *, label: str = "") -> WriteResult:
        """Store the write, then try to send everything queued, in order. Never loses the write."""
        entry = self.queue.enqueue(method, path, body, label=label)
        await self.flush()
        entry = self.queue.get(entry.key) or entry
        if entry.state == EntryState.DONE:
            return WriteResult(Delivery.SENT, entry)
        if entry.state == EntryState.REJECTED:
            return WriteResult(Delivery.REJECTED, entry)
        return WriteResult(Delivery.QUEUED, entry)

    async def flush(self) -> int:
        """Send queued writes oldest first; stop at the first one the network or server cannot take now.

        A refused write (4xx) does not block the ones after it: it is kept aside for the user. Returns how many
        entries got an answer.
        """
        answered = 0
        for entry in self.queue.pending():
            self.queue.attempted(entry.key)
            try:
                r = await self._http.request(
                    entry.method, entry.path, json=entry.body, headers=self._headers(entry.key)
                )
            except httpx.TransportError:
                break
            if r.status_code in _RETRY_LATER or (r.status_code == 409 and _json(r).get("code") == "concurrent_update"):
                break
            if r.status_code == 401:  # the login expired while offline: kept until the worker logs in again
                break
            self.queue.answered(entry.key, r.status_code, _json(r))
            answered += 1
        return answered


def _json(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return {"detail": r.text}
