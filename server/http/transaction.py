"""One transaction per request, committed before the reply leaves; idempotent replays; retries.

This middleware is the only place requests commit. For a write it:

1. reads the body (refusing more than ``max_body_bytes``), resolves the caller;
2. with an ``Idempotency-Key``: replays the stored first reply (same body) or refuses a reused key (422);
3. runs the handler with a fresh :class:`UnitOfWork`, holding its reply back;
4. commits the write and the idempotent reply together (a 4xx rolls the write back but still stores the
   reply, because the first reply is what a replay must get), then sends the reply and publishes events;
5. runs the whole request again, up to three times, when PostgreSQL reports a deadlock or a serialization
   failure — the caller never sees those.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.exc import DBAPIError, IntegrityError

from server.db.uow import UnitOfWork
from server.http.problems import PROBLEM_JSON, is_retryable
from server.idempotency.store import MAX_KEY_LENGTH, add_reply, find_reply, request_fingerprint
from server.identity.auth import SESSION_COOKIE, authenticate

log = structlog.get_logger("wes.http")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_ATTEMPTS = 3


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookie(header: str | None, name: str) -> str | None:
    if not header:
        return None
    for part in header.split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return None


async def _send_json(
    send: Send,
    status: int,
    body: dict[str, Any],
    extra: list[tuple[bytes, bytes]] | None = None,
    content_type: str = PROBLEM_JSON,
) -> None:
    raw = json.dumps(body).encode()
    await _send_raw(send, status, content_type, raw, extra)


async def _send_raw(
    send: Send, status: int, content_type: str, raw: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(raw)).encode())]
    headers += extra or []
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw, "more_body": False})


def _problem(status: int, code: str, detail: str, request_id: str) -> dict[str, Any]:
    return {
        "type": f"/problems/{code}",
        "title": code.replace("_", " "),
        "status": status,
        "code": code,
        "detail": detail,
        "request_id": request_id,
    }


class _HeldReply:
    """Collects the handler's reply so it can be sent after the commit (or replaced if the commit fails)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.status = 500
        self.content_type = "application/json"

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            for k, v in message.get("headers", []):
                if k.lower() == b"content-type":
                    self.content_type = v.decode("latin-1")
        self.messages.append(message)

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages if m["type"] == "http.response.body")

    async def forward(self, send: Send, extra: list[tuple[bytes, bytes]]) -> None:
        for m in self.messages:
            if m["type"] == "http.response.start":
                m = {**m, "headers": [*m.get("headers", []), *extra]}
            await send(m)


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    """``send`` with ``extra`` headers added to the reply's start."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending


class TransactionMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    # the OpenAPI UI and static files need no database; the board's event stream is long-lived and
    # authenticates on its own, so it must not hold a transaction open
    should_bypass_for_scope = staticmethod(
        lambda scope: str(scope.get("path", "")).startswith(("/schema", "/static", "/board/events"))
    )
    # request id and access log, but no transaction: /health reports a database outage itself
    no_transaction_prefixes = ("/health",)
    # Replies that carry a secret (a login token, a new API key) are never stored for replay.
    no_replay_prefixes = ("/api/v1/auth/", "/api/v1/api-keys")

    def __init__(self, max_body_bytes: int, larger_bodies: dict[str, int] | None = None) -> None:
        self.max_body_bytes = max_body_bytes
        # path prefix -> its own body limit (bulk CSV imports take larger files than JSON requests)
        self.larger_bodies = larger_bodies or {}

    def _limit(self, path: str) -> int:
        return next((n for p, n in self.larger_bodies.items() if path.startswith(p)), self.max_body_bytes)

    async def handle(self, scope: Any, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        # `scope` is an HTTP scope (see `scopes`), handled as a plain dict
        headers = _headers(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        request_id = headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        state["request_id"] = request_id
        extra_headers = [(b"x-request-id", request_id.encode())]
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = {"code": 500}

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            method = scope["method"]
            if str(scope.get("path", "")).startswith(self.no_transaction_prefixes):
                await next_app(scope, receive, _with_headers(send_logged, extra_headers))
            elif method not in WRITE_METHODS:
                await self._read(scope, receive, send_logged, next_app, headers, extra_headers)
            else:
                await self._write(scope, receive, send_logged, next_app, headers, extra_headers)
        finally:
            user = scope.get("user")
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status["code"],
                ms=round((time.perf_counter() - started) * 1000, 1),
                caller=getattr(user, "caller", None),
            )
            structlog.contextvars.unbind_contextvars("request_id")

    def _factory(self, scope: Any) -> Any:
        return scope["app"].state.session_factory

    async def _principal(self, session: Any, headers: dict[str, str]) -> Any:
        """The caller; the request's first statement. The pool does not ping a connection at checkout, so a
        connection that died with a database restart fails here: SQLAlchemy then invalidates the whole pool and
        the lookup runs once more on a fresh connection (a database still down then answers 503)."""
        for attempt in (1, 2):
            try:
                return await authenticate(
                    session,
                    authorization=headers.get("authorization"),
                    cookie=_cookie(headers.get("cookie"), SESSION_COOKIE),
                    api_key=headers.get("x-api-key"),
                )
            except DBAPIError as exc:
                if not exc.connection_invalidated or attempt == 2:
                    raise
                await session.rollback()
                log.info("stale_connection_replaced")
        raise AssertionError("unreachable")

    async def _read(
        self,
        scope: Any,
        receive: Receive,
        send: Send,
        next_app: ASGIApp,
        headers: dict[str, str],
        extra: list[tuple[bytes, bytes]],
    ) -> None:
        async with self._factory(scope)() as session:
            uow = UnitOfWork(session, await self._principal(session, headers))
            scope["state"]["uow"] = uow
            scope["user"] = uow.principal

            async def send_with_id(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
                await send(message)

            try:
                await next_app(scope, receive, send_with_id)
            finally:
                await session.rollback()

    async def _write(
        self,
        scope: Any,
        receive: Receive,
        send: Send,
        next_app: ASGIApp,
        headers: dict[str, str],
        extra: list[tuple[bytes, bytes]],
    ) -> None:
        request_id: str = scope["state"]["request_id"]
        limit = self._limit(scope["path"])
        body = await self._body(receive, limit)
        if body is None:
            await _send_json(
                send,
                413,
                _problem(
                    413,
                    "payload_too_large",
                    f"The request is larger than {limit} bytes.",
                    request_id,
                ),
                extra,
            )
            return
        key = headers.get("idempotency-key", "").strip()
        if scope["path"].startswith(self.no_replay_prefixes):
            key = ""
        if len(key) > MAX_KEY_LENGTH:
            await _send_json(
                send,
                422,
                _problem(
                    422,
                    "invalid_idempotency_key",
                    f"The Idempotency-Key may have at most {MAX_KEY_LENGTH} characters.",
                    request_id,
                ),
                extra,
            )
            return
        path = scope["path"] + ("?" + scope["query_string"].decode() if scope.get("query_string") else "")
        fingerprint = request_fingerprint(scope["method"], path, body)

        for attempt in range(1, MAX_ATTEMPTS + 1):
            async with self._factory(scope)() as session:
                principal = await self._principal(session, headers)
                caller = principal.caller if principal is not None else None
                if key and caller:
                    stored = await find_reply(session, caller, key)
                    if stored is not None:
                        await session.rollback()
                        await self._replay(send, stored, fingerprint, request_id, extra)
                        return
                uow = UnitOfWork(session, principal)
                scope["state"]["uow"] = uow
                scope["state"]["retryable"] = False
                scope["user"] = principal
                held = _HeldReply()
                await next_app(scope, _replay_body(body), held.send)
                if scope["state"].get("retryable") and attempt < MAX_ATTEMPTS:
                    await session.rollback()
                    log.info("retrying_request", attempt=attempt, path=scope["path"])
                    continue
                if held.status >= 400:
                    await session.rollback()
                    uow.events.clear()
                    uow.after_commit.clear()
                try:
                    if key and caller and held.status < 500:
                        add_reply(
                            session,
                            caller=caller,
                            key=key,
                            method=scope["method"],
                            path=path,
                            request_hash=fingerprint,
                            status_code=held.status,
                            content_type=held.content_type,
                            body=held.body,
                        )
                    await session.commit()
                except IntegrityError:
                    # Another request with the same key committed first: its reply is the first reply.
                    await session.rollback()
                    stored = await find_reply(session, caller, key) if key and caller else None
                    if stored is None:
                        raise
                    await self._replay(send, stored, fingerprint, request_id, extra)
                    return
                except DBAPIError as exc:
                    await session.rollback()
                    if is_retryable(exc) and attempt < MAX_ATTEMPTS:
                        continue
                    raise
                await held.forward(send, extra)
                await self._publish(scope, uow)
                return

    async def _body(self, receive: Receive, limit: int) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk: bytes = message.get("body", b"")  # type: ignore[assignment]
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _replay(
        self, send: Send, stored: Any, fingerprint: str, request_id: str, extra: list[tuple[bytes, bytes]]
    ) -> None:
        if stored.request_hash != fingerprint:
            await _send_json(
                send,
                422,
                _problem(
                    422,
                    "idempotency_key_reused",
                    "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
                    request_id,
                ),
                extra,
            )
            return
        await _send_raw(
            send,
            stored.status_code,
            stored.content_type,
            stored.body,
            [*extra, (b"idempotent-replayed", b"true")],
        )

    async def _publish(self, scope: Any, uow: UnitOfWork) -> None:
        hooks, uow.after_commit = list(uow.after_commit), []
        for hook in hooks:
            try:
                await hook()
            except Exception:  # the write is committed; what the hook starts has a sweeper
                log.warning("after_commit_failed", path=scope.get("path"), exc_info=True)
        if not uow.events:
            return
        publisher = getattr(scope["app"].state, "publish", None)
        if publisher is None:
            return
        for event in uow.events:
            try:
                await publisher(event.channel, event.payload)
            except Exception:  # realtime is allowed to be lost; the write is already committed
                log.warning("publish_failed", channel=event.channel, exc_info=True)


def _replay_body(body: bytes) -> Receive:
    sent = False

    async def receive() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
