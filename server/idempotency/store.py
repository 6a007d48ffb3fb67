"""Looking up and storing first replies, in the request's own transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.idempotency.models import IdempotentReply

MAX_KEY_LENGTH = 128


@dataclass(frozen=True, slots=True)
class StoredReply:
    request_hash: str
    status_code: int
    content_type: str
    body: bytes


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """What must match for a replay to count as the same request."""
    h = hashlib.sha256()
    for part in (method.encode(), b"\0", path.encode(), b"\0", body):
        h.update(part)
    return h.hexdigest()


_FIND_REPLY = select(
    IdempotentReply.request_hash, IdempotentReply.status_code, IdempotentReply.content_type, IdempotentReply.body
).where(
    IdempotentReply.caller == bindparam("caller", type_=String), IdempotentReply.key == bindparam("key", type_=String)
)  # built once: every write with a key runs it


async def find_reply(session: AsyncSession, caller: str, key: str) -> StoredReply | None:
    row = (await session.execute(_FIND_REPLY, {"caller": caller, "key": key})).first()
    if row is None:
        return None
    return StoredReply(row.request_hash, row.status_code, row.content_type, row.body)


def add_reply(
    session: AsyncSession,
    *,
    caller: str,
    key: str,
    method: str,
    path: str,
    request_hash: str,
    status_code: int,
    content_type: str,
    body: bytes,
) -> None:
    session.add(
        IdempotentReply(
            caller=caller,
            key=key,
            method=method,
            path=path[:500],
            request_hash=request_hash,
            status_code=status_code,
            content_type=content_type[:100],
            body=body,
        )
    )
