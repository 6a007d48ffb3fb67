"""A throwaway PostgreSQL database beside a given one, for benchmarks (created, then dropped)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from urllib.parse import urlparse


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    u = urlparse(url.replace("+asyncpg", ""))
    conn = await asyncpg.connect(
        host=u.hostname,
        port=u.port or 5432,
        user=u.username or "postgres",
        password=u.password,
        database=u.path.lstrip("/") or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def fresh_database(url: str) -> tuple[str, Callable[[], None]]:
    """Create ``wes_bench_<random>`` on the server of ``url``; return its URL and a function that drops it."""
    name = f"wes_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    base, _, _ = url.rpartition("/")
    new = f"{base}/{name}"

    def drop() -> None:
        asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return new, drop
