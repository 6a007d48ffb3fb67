"""Login throttling: repeated failed logins for one username or from one address are refused for a while.

Failures are counted per username and per client address in a fixed window (``login_window_s``); at the limit
(``login_max_failures`` per username, ``login_max_failures_per_ip`` per address) every further login attempt for
that username or from that address is refused with :class:`~server.errors.TooManyRequests` (429, ``Retry-After``)
until the window ends, even with the right password. A successful login clears its username's count.

The counts live in Redis when it is configured, so that every server process sees the same counts, and in this
process's memory otherwise (or while Redis does not answer)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import TooManyRequests
from server.identity.auth import login
from server.identity.models import Device, User

log = structlog.get_logger("wes.throttle")
KEY_PREFIX = "wes:login-failures:"


@dataclass(frozen=True, slots=True)
class Limits:
    per_user: int = 5
    per_ip: int = 50
    window_s: int = 300


class FailureCounts(Protocol):
    async def get(self, key: str) -> tuple[int, int]:
        """(failures in the current window, seconds until it ends)."""

    async def add(self, key: str, window_s: int) -> None: ...

    async def clear(self, key: str) -> None: ...


class MemoryCounts:
    """Counts in this process (one worker process, tests, or Redis unreachable)."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (failures, window end on the monotonic clock)

    async def get(self, key: str) -> tuple[int, int]:
        count, ends = self._counts.get(key, (0, 0.0))
        left = ends - time.monotonic()
        if left <= 0:
            self._counts.pop(key, None)
            return 0, 0
        return count, max(1, int(left + 0.999))

    async def add(self, key: str, window_s: int) -> None:
        count, left = await self.get(key)
        ends = time.monotonic() + (left if count else window_s)
        self._counts[key] = (count + 1, ends)
        if len(self._counts) > 100_000:  # a flood of made-up usernames must not grow memory without end
            now = time.monotonic()
            self._counts = {k: v for k, v in self._counts.items() if v[1] > now}

    async def clear(self, key: str) -> None:
        self._counts.pop(key, None)


class RedisCounts:
    """Counts in Redis (``INCR`` + ``EXPIRE``): shared by every server process."""

    def __init__(self, redis: Any) -> None:
        self.redis = redis

    async def get(self, key: str) -> tuple[int, int]:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(KEY_PREFIX + key)
            pipe.ttl(KEY_PREFIX + key)
            raw, ttl = await pipe.execute()
        return (int(raw), max(1, int(ttl))) if raw is not None else (0, 0)

    async def add(self, key: str, window_s: int) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(KEY_PREFIX + key)
            pipe.expire(KEY_PREFIX + key, window_s, nx=True)
            await pipe.execute()

    async def clear(self, key: str) -> None:
        await self.redis.delete(KEY_PREFIX + key)


class LoginThrottle:
    def __init__(self, limits: Limits, redis: Any = None) -> None:
        self.limits = limits
        self.memory = MemoryCounts()
        self.shared: FailureCounts | None = RedisCounts(redis) if redis is not None else None

    def _keys(self, username: str, ip: str) -> list[tuple[str, int]]:
        return [(f"user:{username.strip().lower()}", self.limits.per_user), (f"ip:{ip}", self.limits.per_ip)]

    async def _call(self, what: str, *args: Any) -> Any:
        if self.shared is not None:
            try:
                return await getattr(self.shared, what)(*args)
            except Exception:  # Redis down: count in this process rather than refuse every login
                log.warning("login_throttle_redis_unavailable", exc_info=True)
        return await getattr(self.memory, what)(*args)

    async def check(self, username: str, ip: str) -> None:
        """Refuse (429) while this username or address has used up its failed attempts."""
        for key, limit in self._keys(username, ip):
            count, left = await self._call("get", key)
            if count >= limit:
                raise TooManyRequests(
                    f"Too many failed logins; try again in {left} seconds.",
                    code="too_many_logins",
                    retry_after_s=left,
                )

    async def failed(self, username: str, ip: str) -> None:
        for key, _ in self._keys(username, ip):
            await self._call("add", key, self.limits.window_s)

    async def succeeded(self, username: str) -> None:
        await self._call("clear", f"user:{username.strip().lower()}")


async def throttled_login(
    throttle: LoginThrottle | None,
    ip: str,
    session: AsyncSession,
    username: str,
    password: str,
    *,
    device_code: str | None,
    ttl_hours: int,
) -> tuple[str, User, Device | None] | None:
    """:func:`server.identity.auth.login`, refused (429) while the username or address is throttled; a failure
    counts against both, a success clears the username's count."""
    if throttle is not None:
        await throttle.check(username, ip)
    result = await login(session, username, password, device_code=device_code, ttl_hours=ttl_hours)
    if throttle is not None:
        if result is None:
            await throttle.failed(username, ip)
        else:
            await throttle.succeeded(username)
    return result
