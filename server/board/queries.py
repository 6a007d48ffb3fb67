"""What the board shows, read from the database as plain values (no framework here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.exceptions.models import ExceptionStatus, FloorException
from server.identity.models import Owner, User
from server.inbound.models import Asn, AsnStatus, Receipt, ReceiptStatus
from server.inventory.models import Movement, Stock
from server.layout.models import Location, Zone
from server.outbound.models import BatchStatus, OrderStatus, PickBatch, SalesOrder
from server.outbound.waves import PICK_DOC
from server.tasks.models import Task, TaskStatus, TaskType

CLOSED_ORDER_STATES = frozenset({OrderStatus.SHIPPED.value, OrderStatus.CANCELLED.value})


@dataclass(frozen=True)
class Picker:
    """A picker with a cart in hand: how far through its batch."""

    username: str
    batch: str
    done: int
    total: int

    @property
    def pct(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _hour_slots(now: datetime, hours: int = 24) -> list[datetime]:
    since = now - timedelta(hours=hours)
    return [(since + timedelta(hours=i + 1)).replace(minute=0, second=0, microsecond=0) for i in range(hours)]


def _per_hour(times: list[datetime], slots: list[datetime]) -> list[tuple[str, int]]:
    counts = dict.fromkeys(slots, 0)
    for at in times:
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        slot = at.replace(minute=0, second=0, microsecond=0)
        if slot in counts:
            counts[slot] += 1
    return [(f"{h:%H}:00", counts[h]) for h in slots]


@dataclass
class Overview:
    skus: int
    locations: int
    blocked: int
    units: int
    units_by_owner: list[tuple[str, int]] = field(default_factory=list)
    zones: list[tuple[str, int, int]] = field(default_factory=list)  # zone, in use, empty
    moves_by_hour: list[tuple[str, int]] = field(default_factory=list)
    orders_by_state: list[tuple[str, int]] = field(default_factory=list)
    orders_by_cutoff: list[tuple[str, int]] = field(default_factory=list)  # open orders per cut-off hour
    picks_by_hour: list[tuple[str, int]] = field(default_factory=list)  # pick lines confirmed per hour
    pickers: list[Picker] = field(default_factory=list)
    open_exceptions: list[tuple[str, int]] = field(default_factory=list)  # kind, open
    open_receipts: int = 0
    putaways_open: int = 0
    asns_due: int = 0

    @property
    def open_orders(self) -> int:
        return sum(n for s, n in self.orders_by_state if s not in CLOSED_ORDER_STATES)

    @property
    def exceptions_open(self) -> int:
        return sum(n for _, n in self.open_exceptions)

    @property
    def picked_last_hour(self) -> int:
        return self.picks_by_hour[-1][1] if self.picks_by_hour else 0

    def charts(self) -> dict[str, Any]:
        return {
            "states": {"labels": [s for s, _ in self.orders_by_state], "values": [n for _, n in self.orders_by_state]},
            "cutoffs": {
                "labels": [c for c, _ in self.orders_by_cutoff],
                "values": [n for _, n in self.orders_by_cutoff],
            },
            "picks": {"labels": [h for h, _ in self.picks_by_hour], "values": [n for _, n in self.picks_by_hour]},
            "owners": {"labels": [o for o, _ in self.units_by_owner], "values": [n for _, n in self.units_by_owner]},
            "zones": {
                "labels": [z for z, _, _ in self.zones],
                "in_use": [u for _, u, _ in self.zones],
                "empty": [e for _, _, e in self.zones],
            },
            "hours": {"labels": [h for h, _ in self.moves_by_hour], "values": [n for _, n in self.moves_by_hour]},
        }


async def overview(session: AsyncSession, now: datetime | None = None) -> Overview:
    now = now or datetime.now(UTC)
    skus = (await session.execute(select(func.count(Sku.id)))).scalar_one()
    locations, blocked = (
        await session.execute(
            select(func.count(Location.id), func.count(Location.id).filter(Location.blocked.is_(True)))
        )
    ).one()
    units = (await session.execute(select(func.coalesce(func.sum(Stock.on_hand), 0)))).scalar_one()
    by_owner = (
        await session.execute(
            select(Owner.code, func.coalesce(func.sum(Stock.on_hand), 0))
            .join(Stock, Stock.owner_id == Owner.id)
            .group_by(Owner.code)
            .order_by(Owner.code)
        )
    ).all()
    used = select(Stock.location_id).where(Stock.on_hand > 0).distinct().subquery()
    zones = (
        await session.execute(
            select(Zone.code, func.count(used.c.location_id), func.count(Location.id))
            .join(Location, Location.zone_id == Zone.id)
            .outerjoin(used, used.c.location_id == Location.id)
            .group_by(Zone.code)
            .order_by(Zone.code)
        )
    ).all()
    slots = _hour_slots(now)
    since = now - timedelta(hours=24)
    moves = list((await session.execute(select(Movement.at).where(Movement.at >= since))).scalars())
    picked = list(
        (
            await session.execute(
                select(Task.done_at).where(
                    Task.type == TaskType.PICK, Task.status == TaskStatus.DONE, Task.done_at >= since
                )
            )
        ).scalars()
    )
    return Overview(
        skus=int(skus),
        locations=int(locations),
        blocked=int(blocked or 0),
        units=int(units),
        units_by_owner=[(c, int(n)) for c, n in by_owner],
        zones=[(z, int(u), int(n) - int(u)) for z, u, n in zones],
        moves_by_hour=_per_hour(moves, slots),
        picks_by_hour=_per_hour([t for t in picked if t is not None], slots),
        **await _floor(session, now),
    )


async def _floor(session: AsyncSession, now: datetime) -> dict[str, Any]:
    """Orders, pickers, exceptions and the receiving backlog, each one grouped query."""
    by_state = dict(
        (await session.execute(select(SalesOrder.status, func.count(SalesOrder.id)).group_by(SalesOrder.status))).all()
    )
    states = [(s.value, int(by_state.get(s, 0))) for s in OrderStatus]
    # open orders by cut-off hour: overdue, each of the next 12 hours, later, none
    open_states = [s for s in OrderStatus if s.value not in CLOSED_ORDER_STATES]
    cutoffs = list(
        (
            await session.execute(
                select(SalesOrder.cutoff_at, func.count(SalesOrder.id))
                .where(SalesOrder.status.in_(open_states))
                .group_by(SalesOrder.cutoff_at)
            )
        ).all()
    )
    hour = now.replace(minute=0, second=0, microsecond=0)
    buckets: dict[str, int] = {"overdue": 0, **{f"{hour + timedelta(hours=i):%H}:00": 0 for i in range(12)}}
    buckets |= {"later": 0, "none": 0}
    for at, n in cutoffs:
        if at is None:
            buckets["none"] += n
            continue
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        if at < now:
            buckets["overdue"] += n
        elif at >= hour + timedelta(hours=12):
            buckets["later"] += n
        else:
            buckets[f"{at.replace(minute=0, second=0, microsecond=0):%H}:00"] += n
    # pickers with a cart in hand and how far through it they are
    batches = (
        await session.execute(
            select(PickBatch.code, User.username)
            .join(User, User.id == PickBatch.assignee_id)
            .where(PickBatch.status == BatchStatus.CLAIMED)
            .order_by(User.username)
        )
    ).all()
    progress = dict.fromkeys([b for b, _ in batches], (0, 0))
    if progress:
        for ref, total, done in (
            await session.execute(
                select(
                    Task.doc_ref,
                    func.count(Task.id),
                    func.coalesce(func.sum(case((Task.status == TaskStatus.DONE, 1), else_=0)), 0),
                )
                .where(Task.doc_type == PICK_DOC, Task.doc_ref.in_(list(progress)), Task.status != TaskStatus.CANCELLED)
                .group_by(Task.doc_ref)
            )
        ).all():
            progress[ref] = (int(done), int(total))
    exceptions = (
        await session.execute(
            select(FloorException.kind, func.count(FloorException.id))
            .where(FloorException.status == ExceptionStatus.OPEN)
            .group_by(FloorException.kind)
            .order_by(FloorException.kind)
        )
    ).all()
    receipts = (
        await session.execute(select(func.count(Receipt.id)).where(Receipt.status == ReceiptStatus.OPEN))
    ).scalar_one()
    putaways = (
        await session.execute(
            select(func.count(Task.id)).where(
                Task.type == TaskType.PUTAWAY,
                Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.IN_PROGRESS]),
            )
        )
    ).scalar_one()
    asns = (
        await session.execute(select(func.count(Asn.id)).where(Asn.status.in_([AsnStatus.OPEN, AsnStatus.RECEIVING])))
    ).scalar_one()
    return {
        "orders_by_state": states,
        "orders_by_cutoff": list(buckets.items()),
        "pickers": [Picker(u, b, *progress[b]) for b, u in batches],
        "open_exceptions": [(k, int(n)) for k, n in exceptions],
        "open_receipts": int(receipts),
        "putaways_open": int(putaways),
        "asns_due": int(asns),
    }
