"""The SQL one pick confirm performs, as a pgbench script.

Confirms are run in-process through the real app (middleware, authentication, idempotency store, picking service)
with a listener on the engine that records every statement with its parameters; each captured confirm is rendered
with literal values. The pgbench script gives each client its own captured confirm (``\\if :client_id = n``), in a
transaction that is rolled back so that it can run again and again; pgbench therefore skips the commit's WAL flush,
which makes its rate an optimistic ceiling (our share of it is conservative)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

_PARAM = re.compile(r"\$(\d+)")


def literal(value: Any) -> str:
    """A PostgreSQL literal for a value asyncpg would have sent as a parameter."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "'\\x" + bytes(value).hex() + "'::bytea"
    if isinstance(value, (datetime, date)):
        return "'" + value.isoformat() + "'"
    if isinstance(value, uuid.UUID):
        return f"'{value}'"
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    return "'" + str(value).replace("'", "''") + "'"  # standard_conforming_strings: backslashes are plain


def render(statement: str, parameters: Any) -> str:
    """The statement with its ``$n`` parameters replaced by literals, on one line."""
    params = list(parameters or ())

    def sub(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return literal(params[n - 1]) if 0 < n <= len(params) else m.group(0)

    return " ".join(_PARAM.sub(sub, statement).split())


def replayable(statement: str) -> str:
    """An INSERT made replayable: the captured confirm was committed, so its new rows (a stock row on the cart,
    the idempotent reply) exist already; ``ON CONFLICT DO NOTHING`` keeps the work of the insert (index probes)
    without failing."""
    s = statement.rstrip(";")
    if not s.upper().startswith("INSERT") or " ON CONFLICT " in s.upper():
        return s
    at = s.upper().rfind(" RETURNING ")
    return s[:at] + " ON CONFLICT DO NOTHING" + s[at:] if at >= 0 else s + " ON CONFLICT DO NOTHING"


def pgbench_script(confirms: list[list[str]]) -> str:
    """One branch per pgbench client (client n replays confirm n modulo the captured ones), rolled back."""
    lines = []
    for n, statements in enumerate(confirms):
        lines.append(("\\if" if n == 0 else "\\elif") + f" :client_id % {len(confirms)} = {n}")
        lines.append("BEGIN;")
        lines.extend(replayable(s) + ";" for s in statements)
        lines.append("ROLLBACK;")
    lines.append("\\endif")
    return "\n".join(lines) + "\n"


class StatementRecorder:
    """Attach to an engine; ``start()``/``stop()`` around one request collect its statements."""

    def __init__(self) -> None:
        self.current: list[str] | None = None

    def attach(self, sync_engine: Any) -> None:
        from sqlalchemy import event

        @event.listens_for(sync_engine, "before_cursor_execute")
        def _record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            if self.current is None:
                return
            if many and parameters:
                for p in parameters:
                    self.current.append(render(statement, p))
            else:
                self.current.append(render(statement, parameters))

    def start(self) -> None:
        self.current = []

    def stop(self) -> list[str]:
        out, self.current = self.current or [], None
        return out
