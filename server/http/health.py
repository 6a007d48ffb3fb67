"""``/health``: is the database reachable, is Redis (when configured)?"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from sqlalchemy import text

from server.http.guards import PUBLIC
from server.settings import Settings


class HealthController(Controller):
    path = "/health"
    tags = ["operations"]

    @get("/", opt=PUBLIC, summary="Database and Redis status; 503 when the database is down")
    async def health(self, request: Request[Any, Any, Any], settings: Settings) -> Response[dict[str, Any]]:
        report: dict[str, Any] = {
            "status": "ok",
            "database": "ok",
            "database_kind": "sqlite" if settings.is_sqlite else "postgresql",
        }
        try:
            async with request.app.state.session_factory() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:
            report.update(status="down", database=f"error: {type(exc).__name__}")
        redis = getattr(request.app.state, "redis", None)
        if redis is None:
            report["redis"] = "not configured (realtime in memory)"
        else:
            try:
                await redis.ping()
                report["redis"] = "ok"
            except Exception as exc:
                report["redis"] = f"error: {type(exc).__name__}"
                if report["status"] == "ok":
                    report["status"] = "degraded"  # no live push, but no scan is lost
        return Response(report, status_code=503 if report["status"] == "down" else 200)
