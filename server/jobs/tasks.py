"""Job functions. Each takes SAQ's context (holding the session factory) and returns a small JSON report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete

from server.audit import audit
from server.idempotency.models import IdempotentReply


async def purge_idempotent_replies(ctx: dict[str, Any], *, older_than_hours: int | None = None) -> dict[str, int]:
    """Drop stored replies older than the TTL: a handheld offline longer than that must start over anyway."""
    hours = older_than_hours if older_than_hours is not None else ctx["settings"].idempotency_ttl_hours
    cutoff = datetime.now(UTC) - timedelta(hours=hours)
    async with ctx["session_factory"]() as session:
        result = await session.execute(delete(IdempotentReply).where(IdempotentReply.created_at < cutoff))
        await session.commit()
    return {"purged": int(getattr(result, "rowcount", 0) or 0)}


async def audit_stock_job(ctx: dict[str, Any]) -> dict[str, int]:
    """The nightly proof that stock equals the ledger and allocations their reservations; differences reported."""
    async with ctx["session_factory"]() as session:
        report = await audit(session)
    return {"differences": len(report.ledger), "reservation_differences": len(report.reservations)}
