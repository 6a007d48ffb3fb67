"""What the waves page reads: the allocated orders a wave would take (paged and filtered in SQL), the choices of
the filter form, waves with their release and pick progress, and a wave's routes on the warehouse plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.board.plan import Plan, build_plan
from server.db.uow import UnitOfWork
from server.identity.models import Owner, Warehouse
from server.layout.graph import walking_model
from server.layout.models import Location, Zone
from server.outbound.models import (
    Allocation,
    OrderStatus,
    OrderType,
    PickBatch,
    SalesOrder,
    Wave,
    WaveRule,
)
from server.outbound.schemas import WaveIn
from server.outbound.waves import PICK_DOC
from server.tasks.models import Task, TaskStatus


@dataclass(frozen=True)
class WaveFilters:
    """The waves page's filter form, as typed (strings), and its meaning for a wave plan."""

    warehouse_id: int
    cutoff_before: datetime | None = None
    carrier: str = ""
    min_priority: int | None = None
    zone: str = ""
    owner_id: int | None = None
    order_type: str = ""

    @classmethod
    def parse(cls, form: dict[str, str], default_warehouse: int) -> WaveFilters:
        def num(key: str) -> int | None:
            v = form.get(key, "").strip()
            return int(v) if v.lstrip("-").isdigit() else None

        cutoff = None
        if raw := form.get("cutoff_before", "").strip():
            try:
                cutoff = datetime.fromisoformat(raw)
            except ValueError:
                cutoff = None
            if cutoff is not None and cutoff.tzinfo is None:
                cutoff = cutoff.replace(tzinfo=UTC)
        order_type = form.get("order_type", "").strip()
        return cls(
            warehouse_id=num("warehouse_id") or default_warehouse,
            cutoff_before=cutoff,
            carrier=form.get("carrier", "").strip(),
            min_priority=num("min_priority"),
            zone=form.get("zone", "").strip(),
            owner_id=num("owner_id"),
            order_type=order_type if order_type in {t.value for t in OrderType} else "",
        )

    def form(self) -> dict[str, str]:
        """The values to put back in the form."""
        return {
            "warehouse_id": str(self.warehouse_id),
            "cutoff_before": self.cutoff_before.strftime("%Y-%m-%dT%H:%M") if self.cutoff_before else "",
            "carrier": self.carrier,
            "min_priority": "" if self.min_priority is None else str(self.min_priority),
            "zone": self.zone,
            "owner_id": "" if self.owner_id is None else str(self.owner_id),
            "order_type": self.order_type,
        }

    def wave_in(self, time_limit_s: float = 2.0) -> WaveIn:
        return WaveIn(
            warehouse_id=self.warehouse_id,
            cutoff_before=self.cutoff_before,
            carriers=[self.carrier] if self.carrier else None,
            min_priority=self.min_priority,
            zones=[self.zone] if self.zone else None,
            order_type=OrderType(self.order_type) if self.order_type else None,
            owner_ids=[self.owner_id] if self.owner_id is not None else None,
            time_limit_s=time_limit_s,
        )

    def where(self) -> list[ColumnElement[bool]]:
        """The orders a wave with these filters would take (the same rules as the wave planner)."""
        out: list[ColumnElement[bool]] = [
            SalesOrder.warehouse_id == self.warehouse_id,
            SalesOrder.status == OrderStatus.ALLOCATED,
            SalesOrder.hold_reason == "",
            SalesOrder.wave_id.is_(None),
        ]
        if self.cutoff_before is not None:
            out.append(SalesOrder.cutoff_at <= self.cutoff_before)
        if self.carrier:
            out.append(SalesOrder.carrier == self.carrier)
        if self.min_priority is not None:
            out.append(SalesOrder.priority >= self.min_priority)
        if self.owner_id is not None:
            out.append(SalesOrder.owner_id == self.owner_id)
        if self.order_type:
            out.append(SalesOrder.order_type == OrderType(self.order_type))
        if self.zone:
            # wholly picked in the zone: no open allocation of the order sits in another zone
            elsewhere = (
                select(Allocation.id)
                .join(Location, Location.id == Allocation.location_id)
                .join(Zone, Zone.id == Location.zone_id)
                .where(Allocation.order_id == SalesOrder.id, Allocation.qty > 0, Zone.code != self.zone)
            )
            out.append(~exists(elsewhere))
        return out


async def allocated_orders(
    session: AsyncSession, f: WaveFilters, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int, int]:
    """One page of the orders the filters select, their total and their open pick lines.

    The page is chosen first (top-N of the orders alone, on ``ix_sales_orders_queue``) and its pick lines are
    counted for those orders only: grouping every allocation of the warehouse to join a page of 50 was what made
    the unfiltered page slow (the planner looped over that aggregate once per order)."""
    where = f.where()
    chosen = select(SalesOrder.id).where(*where)
    total = (await session.execute(select(func.count()).select_from(chosen.subquery()))).scalar_one()
    lines = (
        await session.execute(
            select(func.count(Allocation.id)).where(Allocation.qty > 0, Allocation.order_id.in_(chosen))
        )
    ).scalar_one()
    rows = (
        await session.execute(
            select(
                SalesOrder.id,
                SalesOrder.channel_order_id,
                Owner.code,
                SalesOrder.carrier,
                SalesOrder.priority,
                SalesOrder.cutoff_at,
                SalesOrder.order_type,
            )
            .join(Owner, Owner.id == SalesOrder.owner_id)
            .where(*where)
            .order_by(SalesOrder.cutoff_at.is_(None), SalesOrder.cutoff_at, SalesOrder.priority.desc(), SalesOrder.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    picks: dict[int, int] = {}
    if rows:
        picks = dict(
            (
                await session.execute(
                    select(Allocation.order_id, func.count(Allocation.id))
                    .where(Allocation.order_id.in_([r.id for r in rows]), Allocation.qty > 0)
                    .group_by(Allocation.order_id)
                )
            ).all()
        )
    return (
        [
            {
                "id": r.id,
                "ref": r.channel_order_id,
                "owner": r.code,
                "carrier": r.carrier,
                "priority": r.priority,
                "cutoff_at": r.cutoff_at,
                "order_type": r.order_type.value,
                "lines": int(picks.get(r.id, 0)),
            }
            for r in rows
        ],
        int(total),
        int(lines),
    )


async def filter_choices(session: AsyncSession, warehouse_id: int) -> dict[str, Any]:
    carriers = (
        await session.execute(
            select(SalesOrder.carrier)
            .where(SalesOrder.warehouse_id == warehouse_id, SalesOrder.status == OrderStatus.ALLOCATED)
            .distinct()
            .order_by(SalesOrder.carrier)
        )
    ).scalars()
    zones = (
        await session.execute(select(Zone.code).where(Zone.warehouse_id == warehouse_id).order_by(Zone.code))
    ).scalars()
    owners = (await session.execute(select(Owner.id, Owner.code).order_by(Owner.code))).all()
    warehouses = (await session.execute(select(Warehouse.id, Warehouse.code).order_by(Warehouse.code))).all()
    return {
        "carriers": [c for c in carriers if c],
        "zones": list(zones),
        "owners": [(i, c) for i, c in owners],
        "warehouses": [(i, c) for i, c in warehouses],
        "order_types": [t.value for t in OrderType],
    }


async def default_warehouse(session: AsyncSession) -> int:
    return int((await session.execute(select(func.min(Warehouse.id)))).scalar_one() or 0)


@dataclass(frozen=True)
class Progress:
    released: int  # orders batched so far
    to_release: int
    picks_done: int
    picks: int
    batches_done: int
    batches: int

    @property
    def pick_pct(self) -> int:
        return round(100 * self.picks_done / self.picks) if self.picks else 0


async def wave_progress(session: AsyncSession, wave: Wave) -> Progress:
    """How far the wave is: orders released onto carts, pick lines confirmed, carts done."""
    batches, batches_done = (
        await session.execute(
            select(func.count(PickBatch.id), func.count(PickBatch.done_at)).where(PickBatch.wave_id == wave.id)
        )
    ).one()
    picks, done = (
        await session.execute(
            select(
                func.count(Task.id),
                func.coalesce(func.sum(case((Task.status == TaskStatus.DONE, 1), else_=0)), 0),
            )
            .join(PickBatch, and_(Task.doc_ref == PickBatch.code, Task.doc_type == PICK_DOC))
            .where(PickBatch.wave_id == wave.id, Task.status != TaskStatus.CANCELLED)
        )
    ).one()
    return Progress(
        released=wave.progress,
        to_release=wave.progress_total,
        picks_done=int(done),
        picks=int(picks),
        batches_done=int(batches_done),
        batches=int(batches),
    )


async def recent_waves(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[Wave], int]:
    total = (await session.execute(select(func.count(Wave.id)))).scalar_one()
    rows = (await session.execute(select(Wave).order_by(Wave.id.desc()).limit(limit).offset(offset))).scalars()
    return list(rows), int(total)


async def wave_rules(session: AsyncSession) -> list[WaveRule]:
    return list((await session.execute(select(WaveRule).order_by(WaveRule.warehouse_id, WaveRule.carrier))).scalars())


async def wave_plan(uow: UnitOfWork, wave: Wave) -> Plan:
    """The warehouse plan with every cart of the wave's preview routed in its planned sequence."""
    model = await walking_model(uow, wave.warehouse_id)
    batches = wave.preview.get("batches", [])
    ids = {a for b in batches for a in b.get("sequence", [])}
    where_alloc = dict(
        (await uow.session.execute(select(Allocation.id, Allocation.location_id).where(Allocation.id.in_(ids)))).all()
    )
    routes = [
        [model.positions[loc] for a in b.get("sequence", []) if (loc := where_alloc.get(a)) in model.positions]
        for b in batches
    ]
    return build_plan(model.layout, model.positions.values(), routes)
