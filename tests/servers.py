"""A real server for tests that must go over the network: uvicorn with several worker processes (the production
process model) or `wes serve`, on a free port of 127.0.0.1, stopped afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
FAST_HASHES = {"WES_PASSWORD_TIME_COST": "1", "WES_PASSWORD_MEMORY_KIB": "64"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    database_url: str,
    *,
    workers: int = 2,
    redis_url: str | None = None,
    wes_serve: bool = False,
    extra_env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Start the server on ``database_url`` and yield its base URL once /health answers."""
    port = free_port()
    env = {
        **os.environ,
        **FAST_HASHES,
        "WES_DATABASE_URL": database_url,
        "WES_LOG_LEVEL": "WARNING",
        "WES_PORT": str(port),
        **(extra_env or {}),
    }
    if redis_url:
        env["WES_REDIS_URL"] = redis_url
    if wes_serve:
        cmd = [sys.executable, "-m", "server.cli", "serve", "--no-migrate"]
    else:
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "server.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a loaded 2-core machine takes a minute to import and fork
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:  # it died (an import error, a port taken): no point waiting three minutes
                pytest.fail(f"the server exited with {proc.returncode} before answering /health")
            time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def wes_audit(database_url: str) -> subprocess.CompletedProcess[str]:
    """`wes audit` on that database (exit 0 when stock equals the ledger)."""
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "audit"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "WES_DATABASE_URL": database_url},
        timeout=120,
    )
