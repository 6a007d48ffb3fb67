"""Pure webhook rules: signatures, back-off, which targets are allowed. No framework, no I/O except DNS."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
import socket
from urllib.parse import urlparse

SIGNATURE_HEADER = "X-WES-Signature"
TIMESTAMP_HEADER = "X-WES-Timestamp"
EVENT_HEADER = "X-WES-Event"
DELIVERY_HEADER = "X-WES-Delivery"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=`` + hex HMAC-SHA256 of ``"{timestamp}." + body``: a receiver recomputes it and refuses old
    timestamps, so a captured request cannot be replayed later."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={mac}"


def verify(secret: str, timestamp: int, body: bytes, signature: str, *, now: int, tolerance_s: int = 300) -> bool:
    """What a receiver does (tests and the README use it)."""
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def backoff_s(attempt: int, *, base_s: float, cap_s: float = 3600.0, rng: random.Random | None = None) -> float:
    """Exponential back-off with full jitter after the ``attempt``-th failure (1-based):
    a random delay in [base * 2^(attempt-1) / 2, base * 2^(attempt-1)], capped."""
    ceiling: float = min(cap_s, base_s * float(2 ** max(0, attempt - 1)))
    r = rng.random() if rng is not None else random.random()
    return ceiling / 2 + r * ceiling / 2


def target_problem(url: str, *, allow_private: bool) -> str | None:
    """Why a delivery target is refused (None when it is fine): only http(s), and no loopback, private,
    link-local or reserved address unless the admin allows it (``WES_WEBHOOK_ALLOW_PRIVATE``)."""
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        return "The URL must be http:// or https:// with a host."
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return f"The host {parsed.hostname} does not resolve."
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_unspecified:
            return f"The host {parsed.hostname} is a private or loopback address ({ip}); an admin must allow that."
    return None
