"""Shared fixtures: real PostgreSQL and Redis (fail under CI when missing, skip elsewhere), SQLite files,
a migrated database per test, the app with an HTTP client, and a small warehouse world."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

PG_URL = os.environ.get("WES_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("WES_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Cheap password hashes: the suite creates and logs in many users (production keeps argon2's defaults).
os.environ.setdefault("WES_PASSWORD_TIME_COST", "1")
os.environ.setdefault("WES_PASSWORD_MEMORY_KIB", "64")
# Bytecode: with PYTHONDONTWRITEBYTECODE set (common in containers) and no .pyc in the venv, every Python process the
# suite starts (xdist workers, each uvicorn worker, `wes audit`, the CLI, the handheld app) compiled litestar,
# SQLAlchemy, ... from source again: about 8 s of CPU each, most of the suite's time. Keep the checkout and the venv
# clean as that setting wants, but cache the bytecode outside them (PYTHONPYCACHEPREFIX), shared by all those
# processes and by later runs; this process and every child (they inherit os.environ) read and write it.
if sys.dont_write_bytecode or os.environ.get("PYTHONDONTWRITEBYTECODE"):
    _pycache = os.environ.get("PYTHONPYCACHEPREFIX") or os.path.join(tempfile.gettempdir(), "wes-test-pycache")
    os.environ["PYTHONPYCACHEPREFIX"] = _pycache
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.pycache_prefix = _pycache
    sys.dont_write_bytecode = False


def _reachable(url: str, default_port: int) -> bool:
    u = urlparse(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((u.hostname or "127.0.0.1", u.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def require_service(name: str, url: str, port: int) -> None:
    if _reachable(url, port):
        return
    message = f"{name} is not reachable at {url}; start it (see README, 'Tests') or set the URL variable."
    if IN_CI:
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)  # a developer laptop without the service; CI=true fails above instead


def _with_db(url: str, db: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{db}"


async def _admin(sql: str) -> None:
    import asyncpg

    u = urlparse(PG_URL.replace("+asyncpg", ""))
    conn = await asyncpg.connect(
        host=u.hostname,
        port=u.port or 5432,
        user=u.username or "postgres",
        password=u.password,
        database=u.path.lstrip("/") or "test",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_database(worker_id: str) -> Iterator[str]:
    """One migrated PostgreSQL database per test process (xdist worker)."""
    require_service("PostgreSQL", PG_URL, 5432)
    from server.db.migrate import upgrade

    # unique per test run: two runs on one machine (a developer's and CI's) must not drop each other's database
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:10]
    name = f"wes_test_{run}_{worker_id}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    upgrade(_with_db(PG_URL, name))
    yield _with_db(PG_URL, name)
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate_all(url: str) -> None:
    import asyncpg

    from server.db.base import Base

    u = urlparse(url.replace("+asyncpg", ""))
    conn = await asyncpg.connect(
        host=u.hostname,
        port=u.port or 5432,
        user=u.username or "postgres",
        password=u.password,
        database=u.path.lstrip("/"),
    )
    try:
        tables = ", ".join(f'"{t}"' for t in Base.metadata.tables)
        await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """The worker's PostgreSQL database, emptied (ids restarted) for this test."""
    import server.db.models  # noqa: F401

    asyncio.run(_truncate_all(pg_database))
    return pg_database


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from server.db.migrate import upgrade

    path = tmp_path_factory.mktemp("tpl") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "wes.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", REDIS_URL, 6379)
    return REDIS_URL


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Both databases: the embedded default and production's."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url: str = request.getfixturevalue(fixture)
    return url


def make_settings(database_url: str, **extra: Any) -> Any:
    from server.settings import Settings

    values: dict[str, Any] = {
        "database_url": database_url,
        "password_time_cost": 1,
        "password_memory_kib": 64,
        "log_json": False,
        "log_level": "WARNING",
        "secret_key": "t" * 48,
    }
    return Settings(**{**values, **extra})


@pytest.fixture
async def client(db_url: str) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    from server.app import create_app

    app = create_app(make_settings(db_url))
    async with AsyncTestClient(app=app) as c:
        yield c


@pytest.fixture
async def world(db_url: str) -> Any:
    from tests.world import build_world

    return await build_world(db_url)
