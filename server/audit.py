"""The books' self-check behind `wes audit` and the nightly audit job:

1. every stock row equals the sum of its ledger rows (invariant 2);
2. every unit a stock row says is allocated is reserved by something that will release it — an open order
   allocation (or another area's reservation listed in ``RESERVERS``) — so no allocation is left dangling, and no
   reservation points at stock that does not hold it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.inventory.models import Stock
from server.inventory.services import AuditDifference, audit_stock
from server.outbound.services import reserved_by_orders

# name -> {stock id: units it reserves}; an area that reserves stock by other means adds itself here
Reserver = Callable[[AsyncSession], Awaitable[dict[int, int]]]
RESERVERS: dict[str, Reserver] = {"order allocations": reserved_by_orders}


@dataclass(frozen=True, slots=True)
class ReservationDifference:
    stock_id: int
    allocated: int  # what the stock row says
    reserved: dict[str, int]  # what each reserver holds on it

    @property
    def reserved_total(self) -> int:
        return sum(self.reserved.values())


@dataclass
class AuditReport:
    ledger: list[AuditDifference] = field(default_factory=list)
    reservations: list[ReservationDifference] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.ledger and not self.reservations


async def audit_reservations(session: AsyncSession) -> list[ReservationDifference]:
    held: dict[str, dict[int, int]] = {name: await fn(session) for name, fn in RESERVERS.items()}
    allocated = dict((await session.execute(select(Stock.id, Stock.allocated))).all())
    diffs: list[ReservationDifference] = []
    for stock_id in sorted(set(allocated) | {s for by in held.values() for s in by}):
        per = {name: by[stock_id] for name, by in held.items() if by.get(stock_id)}
        if allocated.get(stock_id, 0) != sum(per.values()):
            diffs.append(ReservationDifference(stock_id, allocated.get(stock_id, 0), per))
    return diffs


async def audit(session: AsyncSession) -> AuditReport:
    return AuditReport(ledger=await audit_stock(session), reservations=await audit_reservations(session))
