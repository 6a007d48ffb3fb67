"""Litestar channels: in memory in the embedded default, Redis pub/sub when ``WES_REDIS_URL`` is set, so that
every worker process sees every event."""

from __future__ import annotations

import json
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis

# The channels events go to; a subscriber picks the ones it shows.
CHANNELS = ("stock", "layout", "tasks", "orders", "waves", "inbound", "exceptions", "shipping")


def make_channels(redis: Redis | None) -> ChannelsPlugin:
    backend = (RedisChannelsPubSubBackend(redis=redis) if redis is not None
               else MemoryChannelsBackend(history=100))
    return ChannelsPlugin(backend=backend, channels=list(CHANNELS), arbitrary_channels_allowed=True)


def make_publisher(plugin: ChannelsPlugin) -> Any:
    async def publish(channel: str, payload: dict[str, Any]) -> None:
        plugin.publish(json.dumps(payload, default=str), channels=[channel])

    return publish
