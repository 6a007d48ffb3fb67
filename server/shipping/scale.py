"""The scale adapter: a pack station's scale named by URI. ``tcp://host:port`` reads one line of the usual
continuous-output format of bench scales (e.g. ``ST,GS,+  1.234 kg``; stable readings only), ``fixed:1.250`` is
a stand-in that always reads that weight (demos, a scale being repaired). Weights are in kg."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal, InvalidOperation
from typing import Protocol
from urllib.parse import urlparse

from server.errors import Conflict, InvalidInput

_READING = re.compile(r"([+-]?\s*\d+(?:\.\d+)?)\s*(kg|g|lb)?", re.IGNORECASE)
_TO_KG = {"kg": Decimal(1), "g": Decimal("0.001"), "lb": Decimal("0.45359237")}


class Scale(Protocol):
    async def read_kg(self) -> Decimal:
        """One stable reading in kg."""
        ...  # a Protocol: the scales below implement it


def parse_reading(line: str) -> Decimal:
    """A stable weight from one line of a scale's output; an unstable (``US``) or unreadable line is refused."""
    text = line.strip()
    if text.upper().startswith("US"):
        raise Conflict("The scale is not stable yet: wait a moment and weigh again.", code="scale_unstable")
    m = _READING.search(text.split(",")[-1] if "," in text else text)
    if m is None:
        raise Conflict(f"The scale sent something that is not a weight: {text[:40]!r}.", code="scale_unreadable")
    try:
        value = Decimal(m.group(1).replace(" ", ""))
    except InvalidOperation as exc:
        raise Conflict(f"The scale sent an unreadable weight: {text[:40]!r}.", code="scale_unreadable") from exc
    return (value * _TO_KG[(m.group(2) or "kg").lower()]).quantize(Decimal("0.001"))


class TcpScale:
    def __init__(self, host: str, port: int, timeout_s: float = 3.0) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s

    async def read_kg(self) -> Decimal:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout_s)
            try:
                line = await asyncio.wait_for(reader.readline(), self.timeout_s)
            finally:
                writer.close()
        except (OSError, TimeoutError) as exc:
            raise Conflict(
                f"The scale at tcp://{self.host}:{self.port} is not answering; enter the weight by hand.",
                code="scale_unavailable",
            ) from exc
        return parse_reading(line.decode("ascii", "replace"))


class FixedScale:
    def __init__(self, kg: Decimal) -> None:
        self.kg = kg

    async def read_kg(self) -> Decimal:
        return self.kg


def scale_for(uri: str) -> Scale:
    if uri.startswith("fixed:"):
        try:
            return FixedScale(Decimal(uri.removeprefix("fixed:")))
        except InvalidOperation as exc:
            raise InvalidInput(f"Bad scale address {uri!r}.", code="bad_scale") from exc
    u = urlparse(uri)
    if u.scheme != "tcp" or not u.hostname or not u.port:
        raise InvalidInput(f"Bad scale address {uri!r}: use tcp://host:port.", code="bad_scale")
    return TcpScale(u.hostname, u.port)


async def read_scale(uri: str) -> Decimal:
    return await scale_for(uri).read_kg()
