"""The offline queue: every write is stored on the device before it is sent, with its idempotency key.

SQLite in WAL mode with ``synchronous=FULL``: once :meth:`OfflineQueue.enqueue` returns, the write survives the
app being killed or the battery running out. Writes are sent strictly in the order they were made; the server
stores the first reply per key, so sending again after a lost reply changes nothing.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any


class EntryState(StrEnum):
    PENDING = "pending"  # stored, not yet answered by the server
    DONE = "done"  # the server accepted it (2xx)
    REJECTED = "rejected"  # the server refused it (4xx): the user must decide what to do


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    key: str
    method: str
    path: str
    body: Any
    state: EntryState
    status: int | None
    reply: Any
    attempts: int
    created_at: float
    label: str

    @property
    def problem(self) -> str:
        """For a rejected entry: the server's sentence saying what went wrong."""
        if isinstance(self.reply, dict):
            return str(self.reply.get("detail") or self.reply.get("code") or "")
        return ""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'pending',
    status INTEGER,
    reply TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
)
"""


class OfflineQueue:
    """A durable FIFO of writes. One per device (and per logged-in user)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def enqueue(self, method: str, path: str, body: Any, *, label: str = "", key: str | None = None) -> Entry:
        """Store a write durably and give it its idempotency key (a new UUID unless given)."""
        key = key or str(uuid.uuid4())
        self._db.execute(
            "INSERT INTO queue (key, method, path, body, label, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (key, method.upper(), path, json.dumps(body), label, time.time()),
        )
        entry = self.get(key)
        assert entry is not None
        return entry

    def get(self, key: str) -> Entry | None:
        row = self._db.execute("SELECT * FROM queue WHERE key = ?", (key,)).fetchone()
        return self._entry(row) if row else None

    def pending(self) -> list[Entry]:
        rows = self._db.execute("SELECT * FROM queue WHERE state = 'pending' ORDER BY seq").fetchall()
        return [self._entry(r) for r in rows]

    def rejected(self) -> list[Entry]:
        rows = self._db.execute("SELECT * FROM queue WHERE state = 'rejected' ORDER BY seq").fetchall()
        return [self._entry(r) for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT state, count(*) FROM queue GROUP BY state").fetchall()
        return {state.value: 0 for state in EntryState} | dict(rows)

    def attempted(self, key: str) -> None:
        self._db.execute("UPDATE queue SET attempts = attempts + 1 WHERE key = ?", (key,))

    def answered(self, key: str, status: int, reply: Any) -> Entry:
        state = EntryState.DONE if status < 400 else EntryState.REJECTED
        self._db.execute(
            "UPDATE queue SET state = ?, status = ?, reply = ? WHERE key = ?",
            (state.value, status, json.dumps(reply), key),
        )
        entry = self.get(key)
        assert entry is not None
        return entry

    def dismiss(self, key: str) -> None:
        """The user has dealt with a rejected write: forget it."""
        self._db.execute("DELETE FROM queue WHERE key = ? AND state = 'rejected'", (key,))

    def purge_done(self, older_than_s: float = 24 * 3600) -> int:
        cur = self._db.execute(
            "DELETE FROM queue WHERE state = 'done' AND created_at < ?", (time.time() - older_than_s,)
        )
        return cur.rowcount

    @staticmethod
    def _entry(row: tuple[Any, ...]) -> Entry:
        seq, key, method, path, body, label, state, status, reply, attempts, created_at = row
        return Entry(
            seq,
            key,
            method,
            path,
            json.loads(body),
            EntryState(state),
            status,
            json.loads(reply) if reply else None,
            attempts,
            created_at,
            label,
        )
