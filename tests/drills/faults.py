"""Things a drill breaks on purpose, never the machine's shared services: a server process to kill -9 and start
again on the same port, a throwaway Redis, a `wes worker`, and a TCP proxy that can be cut (every connection
dropped, new ones refused) and restored, standing in for a PostgreSQL restart."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import FAST_HASHES, ROOT, free_port


def wait_until(what: str, check: Any, timeout_s: float = 20.0, every_s: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception:
            value = None
        if value:
            return value
        time.sleep(every_s)
    pytest.fail(f"timed out waiting for {what}")


async def until(what: str, check: Any, timeout_s: float = 60.0) -> None:
    """Await a condition in a running drill (polls every 50 ms)."""
    for _ in range(int(timeout_s / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


class ServerProcess:
    """``uvicorn server.asgi:app`` in its own process group on a fixed port, so it can be killed -9 whole."""

    def __init__(self, database_url: str, *, workers: int = 1, redis_url: str | None = None, port: int = 0) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {
            **os.environ,
            **FAST_HASHES,
            "WES_DATABASE_URL": database_url,
            "WES_LOG_LEVEL": "ERROR",
            "WES_DB_POOL_SIZE": "5",
        }
        if redis_url:
            self.env["WES_REDIS_URL"] = redis_url
        else:
            self.env.pop("WES_REDIS_URL", None)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        cmd = [sys.executable, "-m", "uvicorn", "server.asgi:app", "--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--workers", str(self.workers), "--log-level", "warning", "--no-access-log"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, start_new_session=True)
        wait_until("the server to answer /health", lambda: httpx.get(f"{self.base}/health", timeout=2).status_code, 180)
        return self

    def kill9(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            self.proc = None


class RedisProcess:
    """A throwaway ``redis-server`` on a free port whose data survive kill -9 (append-only file, fsync always)."""

    def __init__(self, tmp: Path) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            msg = "redis-server is not installed: run scripts/services.sh"
            if os.environ.get("CI") == "true":
                pytest.fail(msg)
            pytest.skip(msg)  # a developer laptop without it; CI=true fails above instead
        self.exe = exe
        self.port = free_port()
        self.dir = tmp / f"redis-{self.port}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisProcess:
        cmd = [self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir), "--save", ""]
        cmd += ["--appendonly", "yes", "--appendfsync", "always", "--loglevel", "warning"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, start_new_session=True)
        wait_until("redis to listen", lambda: _connects(self.port), 10)
        return self

    def kill9(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


class WorkerProcess:
    """``wes worker`` (SAQ) on a database and Redis."""

    def __init__(self, database_url: str, redis_url: str) -> None:
        self.env = {**os.environ, **FAST_HASHES, "WES_DATABASE_URL": database_url, "WES_REDIS_URL": redis_url}
        self.env["WES_LOG_LEVEL"] = "WARNING"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "worker"], cwd=ROOT, env=self.env, start_new_session=True
        )
        return self

    def kill9(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()
            self.proc = None


def _connects(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class TcpProxy:
    """A TCP proxy on a free port in a background thread. ``cut()`` drops every connection and refuses new ones
    (what clients see while a database restarts); ``restore()`` listens again on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.restore()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self.writers -= {writer, up_writer}

    async def _start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for w in list(self.writers):
            transport = w.transport
            if transport is not None:
                transport.abort()
        self.writers.clear()

    def restore(self) -> None:
        self._call(self._start())

    def cut(self) -> None:
        self._call(self._cut())

    def close(self) -> None:
        self._call(self._cut())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
