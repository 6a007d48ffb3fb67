"""Every error leaves as ``application/problem+json`` with a stable ``code`` and a sentence for people."""

from __future__ import annotations

import errno
import socket
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from sqlalchemy.exc import DataError as SADataError
from sqlalchemy.exc import DBAPIError, IntegrityError, NoResultFound
from sqlalchemy.exc import TimeoutError as SATimeoutError

from server.errors import DomainError, TooManyRequests

log = structlog.get_logger("wes.http")

PROBLEM_JSON = "application/problem+json"

# PostgreSQL SQLSTATEs that mean "the same work may succeed if run again".
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def problem(
    status: int,
    code: str,
    detail: str,
    request: Request[Any, Any, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": code.replace("_", " "),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    if request is not None:
        rid = request.scope.get("state", {}).get("request_id")
        if rid:
            body["request_id"] = rid
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def _domain(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    response = problem(exc.status, exc.code, exc.message, request, exc.errors, **exc.extra)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    detail = str(exc.detail)
    if "JSON is malformed" in detail or ("decode" in detail.lower() and "json" in detail.lower()):
        return problem(400, "malformed_json", "The request body is not valid JSON.", request)
    errors: list[dict[str, Any]] = []
    for e in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(e, dict):
            errors.append(
                {
                    "field": str(e.get("key", "")),
                    "message": str(e.get("message", "")),
                    "source": str(e.get("source", "body")),
                }
            )
    fields = ", ".join(sorted({x["field"] for x in errors if x["field"]})) or "the request"
    return problem(422, "invalid_input", f"Some values are missing or not valid: {fields}.", request, errors)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "unavailable",
}

_HTTP_SENTENCES = {
    401: "You are not logged in, or your login has expired. Log in again.",
    403: "Your role may not do this.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The request is too large.",
}


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if status == 400 and request.method in {"POST", "PUT", "PATCH"}:
        # The body could not be decoded (truncated, not JSON, wrong encoding).
        return problem(400, "malformed_json", f"The request body is not valid JSON ({exc.detail}).", request)
    code = _HTTP_CODES.get(status, "http_error")
    detail = exc.detail if exc.detail and not exc.detail.startswith(("Not Found", "Internal")) else ""
    if (
        isinstance(
            exc,
            (NotAuthorizedException, PermissionDeniedException, NotFoundException, MethodNotAllowedException),
        )
        or not detail
        or detail == "Bad Request"
    ):
        detail = _HTTP_SENTENCES.get(status, detail or "The request could not be handled.")
    return problem(status, code, detail, request)


def _integrity(request: Request[Any, Any, Any], exc: IntegrityError) -> Response[dict[str, Any]]:
    text = str(exc.orig)
    log.info("integrity_conflict", error=text[:300])
    if "ck_stock_" in text or "CHECK constraint failed" in text:
        return problem(409, "insufficient_stock", "Not enough stock for this; someone may have just taken it.", request)
    return problem(409, "conflict", "This conflicts with data that already exists (a duplicate?).", request)


_NETWORK_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EPIPE}
)
# SQLSTATE classes of a database that is gone or going: 08 connection exception, 57P0x shutting down / starting.
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def is_unavailable(exc: BaseException) -> bool:
    """The database (or Redis) cannot be reached right now: the same request may work in a moment."""
    if isinstance(exc, (ConnectionError, TimeoutError, SATimeoutError, socket.gaierror)):
        return True
    if isinstance(exc, OSError) and (exc.errno in _NETWORK_ERRNOS or "Connect call failed" in str(exc)):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = getattr(exc, "orig", None)
        for e in (orig, getattr(orig, "__cause__", None)):
            code = str(getattr(e, "sqlstate", "") or "")
            if code.startswith(_UNAVAILABLE_SQLSTATES):
                return True
            if isinstance(e, (ConnectionError, OSError)) or type(e).__name__ in _LOST_CONNECTION_ERRORS:
                return True
    module = type(exc).__module__
    return module.startswith("redis") and type(exc).__name__ in {"ConnectionError", "TimeoutError", "BusyLoadingError"}


# asyncpg's names for a connection that broke under a query
_LOST_CONNECTION_ERRORS = frozenset(
    {"ConnectionDoesNotExistError", "InterfaceError", "InternalClientError", "ConnectionFailureError"}
)


def _unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.warning("service_unavailable", path=request.url.path, error=f"{type(exc).__name__}: {str(exc)[:200]}")
    reply = problem(
        503,
        "service_unavailable",
        "The database or queue is not reachable right now; nothing was changed. Try again in a moment.",
        request,
    )
    reply.headers["Retry-After"] = "2"
    return reply


def is_bad_value(exc: BaseException) -> bool:
    """The database refused a value the request carried (SQLSTATE class 22: a number beyond the column's range,
    a NUL character in text, an impossible date): the caller's mistake, not the server's."""
    if isinstance(exc, (SADataError, OverflowError)):
        return True
    orig = getattr(exc, "orig", None)
    for e in (orig, getattr(orig, "__cause__", None)):
        if str(getattr(e, "sqlstate", "") or "").startswith("22") or isinstance(e, OverflowError):
            return True
    return False


def _bad_value(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.info("bad_value", path=request.url.path, error=f"{type(exc).__name__}: {str(exc)[:200]}")
    return problem(
        422,
        "invalid_input",
        "A value in the request cannot be stored: a number too large, or text with a NUL character.",
        request,
    )


def _dbapi(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[dict[str, Any]]:
    if is_unavailable(exc):
        return _unavailable(request, exc)
    if is_bad_value(exc):
        return _bad_value(request, exc)
    if is_retryable(exc):
        request.scope.setdefault("state", {})["retryable"] = True
        return problem(
            409,
            "concurrent_update",
            "Someone else changed the same data at the same moment. Try again.",
            request,
        )
    return _internal(request, exc)


def is_retryable(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "__cause__", None), "sqlstate", None)
    if code in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(exc)


def _causes(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(out) < 6:
        out.append(seen)
        seen = seen.__cause__ or seen.__context__
    return out


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # wrappers (advanced_alchemy's repository errors) keep the database error as their cause
    for cause in _causes(exc):
        if is_unavailable(cause):
            return _unavailable(request, exc)
        if is_bad_value(cause):  # also SQLite's OverflowError for an integer beyond 64 bits
            return _bad_value(request, exc)
        if isinstance(cause, NoResultFound):  # a `scalar_one()` on an id that does not exist
            return problem(404, "not_found", "There is nothing with that id.", request)
    log.exception("unhandled_error", path=request.url.path, exc_info=exc)
    return problem(500, "internal_error", "Something went wrong on the server; it has been logged.", request)


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    DomainError: _domain,
    ValidationException: _validation,
    HTTPException: _http,
    IntegrityError: _integrity,
    DBAPIError: _dbapi,
    Exception: _internal,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "is_retryable", "is_unavailable", "problem"]
