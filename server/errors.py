"""Domain errors: what went wrong, in words a person understands and a code a program can match.

Business rules raise these; the HTTP edge turns them into ``application/problem+json`` replies.
No framework imports here.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every expected failure. ``code`` is stable and machine-readable; ``message`` is for people."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.errors = errors or []
        self.extra = extra


class InvalidInput(DomainError):
    """The request is well-formed but its content breaks a rule (422)."""

    status = 422
    code = "invalid_input"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The request is valid but the current state does not allow it (409)."""

    status = 409
    code = "conflict"


class InsufficientStock(Conflict):
    code = "insufficient_stock"


class PayloadTooLarge(DomainError):
    """The request (a file, its rows) is larger than the server takes (413)."""

    status = 413
    code = "payload_too_large"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class TooManyRequests(DomainError):
    """Too many attempts (e.g. failed logins): try again after ``retry_after_s`` seconds (429, Retry-After)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after_s: int, code: str | None = None) -> None:
        super().__init__(message, code=code, retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s
