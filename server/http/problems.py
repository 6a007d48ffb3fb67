"""Every error leaves as ``application/problem+json`` with a stable ``code`` and a sentence for people."""

from __future__ import annotations

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
from sqlalchemy.exc import DBAPIError, IntegrityError

from server.errors import DomainError

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
    return problem(exc.status, exc.code, exc.message, request, exc.errors, **exc.extra)


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


def _dbapi(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[dict[str, Any]]:
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


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
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

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "is_retryable", "problem"]
