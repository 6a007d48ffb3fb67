"""Pure rules of returns: what may still be returned of an order line, and where each grade goes by default."""

from __future__ import annotations

from server.returns.models import Disposition, Grade

DEFAULT_DISPOSITION = {Grade.A: Disposition.RESTOCK, Grade.B: Disposition.QUARANTINE, Grade.C: Disposition.SCRAP}


def returnable(shipped: int, authorised_before: int) -> int:
    """Units of an order line that may still be authorised for return."""
    return max(0, shipped - authorised_before)


def check_disposition(grade: Grade, disposition: Disposition) -> str | None:
    """Why a grade may not go to a disposition (None when it may): scrap is never restocked."""
    if grade == Grade.C and disposition == Disposition.RESTOCK:
        return "grade C (scrap) goods cannot be restocked"
    return None
