"""Receiving quantity rules: over-receipt tolerance per PO/ASN line, and what is short or over on close.

Pure: plain values in, a DomainError or plain values out.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.errors import Conflict


def max_receivable(ordered: int, tolerance_pct: int) -> int:
    """The most units a line of ``ordered`` units may receive in total (rounded down to whole units)."""
    return ordered + ordered * tolerance_pct // 100


def check_over_receipt(*, ordered: int, already: int, qty: int, tolerance_pct: int, what: str) -> None:
    """Refuse (409 ``over_receipt``) when ``already`` + ``qty`` goes beyond the line's tolerance."""
    limit = max_receivable(ordered, tolerance_pct)
    if already + qty > limit:
        raise Conflict(
            f"Receiving {qty} more of {what} would make {already + qty} against {ordered} ordered; "
            f"the owner's tolerance ({tolerance_pct} %) allows at most {limit}. A supervisor must approve more.",
            code="over_receipt",
            ordered=ordered,
            received=already,
            requested=qty,
            allowed=max(limit - already, 0),
        )


@dataclass(frozen=True, slots=True)
class LineVariance:
    kind: str  # "short" or "over"
    expected: int
    received: int


def variance(expected: int, received: int) -> LineVariance | None:
    """The discrepancy of one line when its receipt closes (None when it matches)."""
    if received < expected:
        return LineVariance("short", expected, received)
    if received > expected:
        return LineVariance("over", expected, received)
    return None
