"""Litestar channels: in memory in the embedded default, Redis pub/sub when ``WES_REDIS_URL`` is set, so that
every worker process sees every event."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Iterable
from typing import Any

import structlog
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = structlog.get_logger("wes.realtime")

# The channels events go to; a subscriber picks the ones it shows.
CHANNELS = ("stock", "layout", "tasks", "orders", "waves", "inbound", "exceptions", "shipping")


class ResilientRedisPubSub(RedisChannelsPubSubBackend):
    """Redis pub/sub that survives Redis being down: the server keeps serving (no live push meanwhile) and
    subscribes again when Redis is back. Litestar's backend would end the app's task group instead."""

    def __init__(self, *, redis: Redis, retry_s: float = 1.0) -> None:
        super().__init__(redis=redis)
        self._pending: set[str] = set()
        self._retry_s = retry_s

    async def subscribe(self, channels: Iterable[str]) -> None:
        channels = list(channels)
        try:
            await super().subscribe(channels)
        except (RedisError, OSError) as exc:
            log.warning("redis_subscribe_failed", error=str(exc), channels=channels)
            self._pending.update(channels)

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        try:
            await super().publish(data, channels)
        except (RedisError, OSError) as exc:
            log.warning("redis_publish_failed", error=str(exc))

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        while True:
            if self._pending:
                try:
                    await super().subscribe(sorted(self._pending))
                    self._pending.clear()
                except (RedisError, OSError):
                    await asyncio.sleep(self._retry_s)
                    continue
            try:
                async for item in super().stream_events():
                    yield item
            except (RedisError, OSError) as exc:
                log.warning("redis_stream_lost", error=str(exc))
                await asyncio.sleep(self._retry_s)


def make_channels(redis: Redis | None) -> ChannelsPlugin:
    backend = ResilientRedisPubSub(redis=redis) if redis is not None else MemoryChannelsBackend(history=100)
    return ChannelsPlugin(backend=backend, channels=list(CHANNELS), arbitrary_channels_allowed=True)


def make_publisher(plugin: ChannelsPlugin) -> Any:
    async def publish(channel: str, payload: dict[str, Any]) -> None:
        plugin.publish(json.dumps(payload, default=str), channels=[channel])

    return publish
