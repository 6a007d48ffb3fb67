"""Storage: migrations match the models on both databases, the ledger is append-only, the audit finds drift."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from server.db.engine import create_engine
from server.db.migrate import check
from tests.world import build_world

ROOT = Path(__file__).resolve().parents[2]


def test_models_and_migrations_agree(db_url: str) -> None:
    check(db_url)  # raises when `alembic check` finds a difference


async def _exec(url: str, sql: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def _scalar(url: str, sql: str) -> object:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


def test_stock_identity_index_exists(db_url: str) -> None:
    sql = (
        "SELECT count(*) FROM pg_indexes WHERE indexname = 'uq_stock_identity'"
        if "postgresql" in db_url
        else "SELECT count(*) FROM sqlite_master WHERE type='index' AND name='uq_stock_identity'"
    )
    assert asyncio.run(_scalar(db_url, sql)) == 1


def test_ledger_is_append_only(db_url: str) -> None:
    asyncio.run(build_world(db_url))
    for sql in ("UPDATE movements SET qty = qty + 1", "DELETE FROM movements"):
        with pytest.raises(DBAPIError, match="append-only"):
            asyncio.run(_exec(db_url, sql))


def test_database_refuses_negative_and_over_allocated_stock(db_url: str) -> None:
    asyncio.run(build_world(db_url))
    for sql in (
        "UPDATE stock SET on_hand = -1 WHERE id = 1",
        "UPDATE stock SET allocated = on_hand + 1 WHERE id = 1",
    ):
        with pytest.raises(IntegrityError):
            asyncio.run(_exec(db_url, sql))


def test_audit_finds_drift(db_url: str) -> None:
    asyncio.run(build_world(db_url))
    env = {**os.environ, "WES_DATABASE_URL": db_url}
    ok = subprocess.run(
        [sys.executable, "-m", "server.cli", "audit"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    asyncio.run(_exec(db_url, "UPDATE stock SET on_hand = on_hand + 5 WHERE id = 1"))
    bad = subprocess.run(
        [sys.executable, "-m", "server.cli", "audit"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "1 stock identities differ" in bad.stdout and "105" in bad.stdout
