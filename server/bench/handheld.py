"""Simulated handhelds over HTTP: log in, claim a batch, confirm every pick in route order with the location and
item scans and an ``Idempotency-Key``, short-pick some, and retry a write with the same key after a lost reply
or a 5xx, as the real handheld's offline queue does."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from server.bench.scenario import Floor, item_scan

# Replies that mean "not now": the write is sent again with the same key.
RETRY_LATER = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass
class Confirmed:
    """One write the server accepted (2xx): what the drills check exists exactly once."""

    key: str
    task_id: int
    qty: int
    short: bool
    attempts: int


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)  # per HTTP write attempt that got a reply
    errors: Counter[str] = field(default_factory=Counter)  # kind -> count (transport errors, 5xx, unexpected 4xx)
    intended_4xx: Counter[str] = field(default_factory=Counter)
    confirmed: list[Confirmed] = field(default_factory=list)
    batches: int = 0
    confirms: int = 0
    shorts: int = 0
    retries: int = 0
    replays: int = 0


async def login(client: httpx.AsyncClient, username: str, password: str, *, tries: int = 60) -> dict[str, str]:
    for _ in range(tries):
        try:
            r = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
            if r.status_code == 200:
                return {"Authorization": f"Bearer {r.json()['token']}"}
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.25)
    raise RuntimeError(f"{username} could not log in")


async def send_write(
    client: httpx.AsyncClient,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str],
    stats: Stats,
    *,
    key: str | None = None,
    deadline_s: float = 30.0,
) -> tuple[httpx.Response | None, int]:
    """POST with an idempotency key, retried with the same key until a final reply or the deadline."""
    key = key or uuid.uuid4().hex
    h = {**headers, "Idempotency-Key": key}
    attempts = 0
    give_up = time.monotonic() + deadline_s
    while True:
        attempts += 1
        t0 = time.perf_counter()
        r: httpx.Response | None = None
        try:
            r = await client.post(path, json=body, headers=h)
        except httpx.HTTPError as exc:
            stats.errors[f"transport:{type(exc).__name__}"] += 1
        if r is not None:
            stats.latencies_ms.append((time.perf_counter() - t0) * 1000)
            if r.headers.get("idempotent-replayed") == "true":
                stats.replays += 1
            retry_409 = r.status_code == 409 and _code(r) == "concurrent_update"
            if r.status_code not in RETRY_LATER and not retry_409:
                return r, attempts
            stats.errors[f"{r.status_code}:{_code(r)}"] += 1
        if time.monotonic() > give_up:
            return r, attempts
        stats.retries += 1
        await asyncio.sleep(0.05 * min(attempts, 10))


def _code(r: httpx.Response) -> str:
    try:
        return str(r.json().get("code", ""))
    except ValueError:
        return ""


async def pick_batch(
    client: httpx.AsyncClient,
    floor: Floor,
    headers: dict[str, str],
    stats: Stats,
    rng: random.Random,
    *,
    short_share: float = 0.0,
    stop: asyncio.Event | None = None,
    think_s: float = 0.0,
) -> bool:
    """Claim a batch and confirm every open pick; False when there was nothing to claim."""
    r, _ = await send_write(client, "/api/v1/picking/claim", {"warehouse_id": floor.warehouse_id}, headers, stats)
    if r is None or r.status_code == 404:
        return False
    if r.status_code != 200:
        stats.errors[f"claim:{r.status_code}:{_code(r)}"] += 1
        return False
    batch = r.json()
    stats.batches += 1
    for pick in sorted(batch["picks"], key=lambda p: p["seq"]):
        if pick["status"] == "done":
            continue
        if stop is not None and stop.is_set():
            return True
        if think_s:
            await asyncio.sleep(think_s)
        short = rng.random() < short_share and pick["qty"] >= 2
        if short:
            path = f"/api/v1/picking/picks/{pick['task_id']}/short"
            body: dict[str, Any] = {
                "location": pick["location_code"],
                "found_qty": pick["qty"] - 1,
                "item": item_scan(floor.gtins, pick),
            }
        else:
            path = f"/api/v1/picking/picks/{pick['task_id']}/confirm"
            body = {"location": pick["location_code"], "item": item_scan(floor.gtins, pick), "qty": pick["qty"]}
        key = uuid.uuid4().hex
        reply, attempts = await send_write(client, path, body, headers, stats, key=key)
        if reply is not None and reply.status_code == 200:
            stats.confirmed.append(Confirmed(key, int(pick["task_id"]), int(pick["qty"]), short, attempts))
            if short:
                stats.shorts += 1
            else:
                stats.confirms += 1
        elif reply is not None and reply.status_code in (404, 409, 422):
            # e.g. the pick was re-allocated after someone's short pick: intended refusals, not failures
            stats.intended_4xx[f"{reply.status_code}:{_code(reply)}"] += 1
        elif reply is not None:
            stats.errors[f"{reply.status_code}:{_code(reply)}"] += 1
    return True


async def run_handheld(
    base_url: str,
    floor: Floor,
    username: str,
    stats: Stats,
    *,
    stop: asyncio.Event,
    seed: int = 1,
    short_share: float = 0.0,
    think_s: float = 0.0,
    idle_s: float = 0.2,
    timeout_s: float = 10.0,
    until_empty: bool = False,
) -> None:
    """One closed-loop handheld until ``stop`` is set (claims again whenever its batch is done), or with
    ``until_empty`` until there is no batch left to claim."""
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout_s) as client:
        headers = await login(client, username, floor.password)
        while not stop.is_set():
            worked = await pick_batch(
                client, floor, headers, stats, rng, short_share=short_share, stop=stop, think_s=think_s
            )
            if not worked:
                if until_empty:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle_s)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[k], 2)
