"""Which stock to reserve for an order line: pure rules over plain values.

Pick faces first (the picker walks there anyway; reserve is for replenishment), then the SKU's rotation rule:
FEFO (first expiry, first out) for expiry-controlled SKUs, FIFO (first received) otherwise. Strategies are
entries in :data:`STRATEGIES`, not ``if`` chains.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

_FAR = date(9999, 12, 31)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stock row that could serve a line: ``free`` units, where it is and how old it is."""

    stock_id: int
    sku_id: int
    free: int
    pick_face: bool
    received_at: datetime
    expiry: date | None = None
    lot: str = ""
    location_code: str = ""


@dataclass(frozen=True, slots=True)
class Need:
    line_id: int
    sku_id: int
    qty: int
    rotation: str  # a key of STRATEGIES


@dataclass(frozen=True, slots=True)
class Take:
    line_id: int
    stock_id: int
    qty: int


@dataclass(frozen=True, slots=True)
class Shortage:
    line_id: int
    sku_id: int
    requested: int
    allocated: int

    @property
    def missing(self) -> int:
        return self.requested - self.allocated


SortKey = Callable[[Candidate], tuple[object, ...]]

STRATEGIES: dict[str, SortKey] = {
    "fefo": lambda c: (not c.pick_face, c.expiry or _FAR, c.received_at, c.stock_id),
    "fifo": lambda c: (not c.pick_face, c.received_at, c.stock_id),
}


def rotation_for(*, expiry_controlled: bool) -> str:
    return "fefo" if expiry_controlled else "fifo"


def plan(needs: Sequence[Need], candidates: Iterable[Candidate]) -> tuple[list[Take], list[Shortage]]:
    """Reserve greedily per line in strategy order; return the takes and every line left short.

    Lines of the same SKU share the candidates: what one line takes is no longer free for the next.
    """
    free: dict[int, int] = {}
    by_sku: dict[int, list[Candidate]] = {}
    for c in candidates:
        if c.free > 0:
            free[c.stock_id] = c.free
            by_sku.setdefault(c.sku_id, []).append(c)
    takes: list[Take] = []
    shortages: list[Shortage] = []
    for need in needs:
        if need.qty <= 0:
            continue
        key = STRATEGIES[need.rotation]
        left = need.qty
        for c in sorted(by_sku.get(need.sku_id, []), key=key):
            if left == 0:
                break
            q = min(left, free[c.stock_id])
            if q > 0:
                takes.append(Take(need.line_id, c.stock_id, q))
                free[c.stock_id] -= q
                left -= q
        if left:
            shortages.append(Shortage(need.line_id, need.sku_id, need.qty, need.qty - left))
    return takes, shortages
