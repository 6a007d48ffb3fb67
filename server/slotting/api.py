"""Slotting endpoints: the slot assignment, re-slotting plans and their release. Thin: parse, call, answer."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import FromQuery
from sqlalchemy import select

from server.catalog.models import Sku
from server.db.uow import UnitOfWork
from server.http.guards import MANAGERS, allow
from server.layout.models import Location
from server.slotting import services
from server.slotting.models import SlottingPlan
from server.slotting.schemas import AssignmentIn, AssignmentOut, PlanIn, PlanMoveOut, PlanOut, ReleaseIn


async def _codes(uow: UnitOfWork, sku_ids: set[int], loc_ids: set[int]) -> tuple[dict[int, str], dict[int, str]]:
    sku_rows = await uow.session.execute(select(Sku.id, Sku.code).where(Sku.id.in_(sku_ids)))
    loc_rows = await uow.session.execute(select(Location.id, Location.code).where(Location.id.in_(loc_ids)))
    return {int(i): str(c) for i, c in sku_rows}, {int(i): str(c) for i, c in loc_rows}


async def plan_out(uow: UnitOfWork, plan: SlottingPlan) -> PlanOut:
    moves = await services.plan_moves(uow, plan.id)
    skus, locs = await _codes(
        uow,
        {m.sku_id for m in moves} | {m.swap_sku_id for m in moves if m.swap_sku_id},
        {m.from_location_id for m in moves} | {m.to_location_id for m in moves},
    )
    return PlanOut(
        id=plan.id,
        warehouse_id=plan.warehouse_id,
        status=plan.status.value,
        summary=plan.summary,
        moves=[
            PlanMoveOut.model_validate(m).model_copy(
                update={
                    "sku_code": skus.get(m.sku_id, ""),
                    "from_code": locs.get(m.from_location_id, ""),
                    "to_code": locs.get(m.to_location_id, ""),
                    "swap_sku_code": skus.get(m.swap_sku_id) if m.swap_sku_id else None,
                    "status": m.status.value,
                }
            )
            for m in moves
        ],
    )


class SlottingController(Controller):
    path = "/api/v1/slotting"
    tags = ["slotting"]

    @get("/assignments", opt=allow(*MANAGERS), summary="The slot assignment: which SKU sits in which pick slot")
    async def list_assignments(self, uow: UnitOfWork, warehouse_id: FromQuery[int]) -> list[AssignmentOut]:
        current = await services.assignment(uow, warehouse_id)
        skus, locs = await _codes(uow, set(current), set(current.values()))
        return [
            AssignmentOut(sku_id=s, sku_code=skus.get(s, ""), location_id=loc, location_code=locs.get(loc, ""))
            for s, loc in sorted(current.items(), key=lambda kv: locs.get(kv[1], ""))
        ]

    @put("/assignments", opt=allow(*MANAGERS), summary="Slot a SKU in a pick slot (one SKU per slot)")
    async def put_assignment(self, data: AssignmentIn, uow: UnitOfWork) -> AssignmentOut:
        await services.set_assignment(uow, data.warehouse_id, data.sku_id, data.location_id)
        skus, locs = await _codes(uow, {data.sku_id}, {data.location_id})
        return AssignmentOut(
            sku_id=data.sku_id,
            sku_code=skus.get(data.sku_id, ""),
            location_id=data.location_id,
            location_code=locs.get(data.location_id, ""),
        )

    @post("/plans", opt=allow(*MANAGERS), summary="Propose a ranked re-slotting plan from recent picks")
    async def create_plan(self, data: PlanIn, uow: UnitOfWork) -> PlanOut:
        plan = await services.create_plan(
            uow,
            data.warehouse_id,
            days=data.history_days,
            max_moves=data.max_moves,
            max_minutes=data.max_minutes,
            per_move_min=data.per_move_min,
            time_limit_s=data.time_limit_s,
            replenishment_cost_m=data.replenishment_cost_m,
        )
        return await plan_out(uow, plan)

    @get("/plans/{plan_id:int}", opt=allow(*MANAGERS), summary="A re-slotting plan with its moves")
    async def get_plan(self, plan_id: int, uow: UnitOfWork) -> PlanOut:
        return await plan_out(uow, await services.get_plan(uow, plan_id))

    @post(
        "/plans/{plan_id:int}/release",
        opt=allow(*MANAGERS),
        summary="Release a plan: each move becomes move tasks; the slots change as they are confirmed",
    )
    async def release(self, plan_id: int, uow: UnitOfWork, data: ReleaseIn | None = None) -> PlanOut:
        plan = await services.release_plan(uow, plan_id, data.ranks if data else None)
        return await plan_out(uow, plan)


SLOTTING = [SlottingController]
