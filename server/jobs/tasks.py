"""Job functions. Each takes SAQ's context (holding the session factory) and returns a small JSON report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete

from server.idempotency.models import IdempotentReply
from server.inventory.services import audit_stock


async def purge_idempotent_replies(ctx: dict[str, Any], *, older_than_hours: int | None = None) -> dict[str, int]:
    """Drop stored replies older than the TTL: a handheld offline longer than that must start over anyway."""
    hours = older_than_hours if older_than_hours is not None else ctx["settings"].idempotency_ttl_hours
    cutoff = datetime.now(UTC) - timedelta(hours=hours)
    async with ctx["session_factory"]() as session:
        result = await session.execute(delete(IdempotentReply).where(IdempotentReply.created_at < cutoff))
        await session.commit()
    return {"purged": int(getattr(result, "rowcount", 0) or 0)}


async def audit_stock_job(ctx: dict[str, Any]) -> dict[str, int]:
    """The nightly proof that stock equals the ledger; differences are logged and reported."""
    async with ctx["session_factory"]() as session:
        diffs = await audit_stock(session)
    return {"differences": len(diffs)}
