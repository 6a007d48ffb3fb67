"""Inventory-control endpoints: move tasks and LPN moves, cycle counts, replenishment, holds and recalls.
Thin: parse, call one use case, answer."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get, post, put
from litestar.params import FromQuery
from sqlalchemy import ColumnElement

from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.http.deps import Limit, Offset, Page
from server.http.guards import FLOOR, MANAGERS, STAFF, allow
from server.inventory import consolidation, counts, holds, moves, replenishment
from server.inventory.control_schemas import (
    ConsolidationOut,
    CountDecisionIn,
    CountIn,
    CountOut,
    CountPlanIn,
    CountPlanOut,
    CountSubmitIn,
    CountSubmitOut,
    HoldIn,
    HoldOut,
    InventorySettingsIn,
    InventorySettingsOut,
    LpnMoveIn,
    LpnMoveOut,
    MoveConfirmIn,
    MoveTaskIn,
    NestIn,
    PickFaceRuleIn,
    PickFaceRuleOut,
    PlanRunOut,
    RecallIn,
    RecallOut,
    ReleaseIn,
    ReplenishRunIn,
    ReplenishRunOut,
    SkuCostIn,
    SkuCostOut,
)
from server.inventory.models import CountPlan, CountStatus, CycleCount, MovementReason, PickFaceRule, StockHold
from server.inventory.services import DocRef
from server.layout.services import location_by_code, location_or_404
from server.tasks.api import task_out
from server.tasks.schemas import TaskOut


class MoveController(Controller):
    path = "/api/v1/moves"
    tags = ["inventory"]

    @post("/tasks", opt=allow(*MANAGERS), summary="Create a move task (units of a stock row, or a whole LPN)")
    async def create_task(self, data: MoveTaskIn, uow: UnitOfWork) -> TaskOut:
        await location_or_404(uow, data.to_location_id)
        if data.lpn is not None and data.from_location_id is not None:
            task = await moves.create_lpn_move_task(
                uow,
                lpn=data.lpn,
                from_location_id=data.from_location_id,
                to_location_id=data.to_location_id,
                reason=data.reason,
            )
        else:
            assert data.stock_id is not None and data.qty is not None  # checked by the schema
            task = await moves.create_move_task(
                uow,
                stock_id=data.stock_id,
                qty=data.qty,
                to_location_id=data.to_location_id,
                reason=data.reason,
                priority=data.priority,
            )
        return await task_out(uow, task)

    @post(
        "/tasks/{task_id:int}/confirm",
        opt=allow(*FLOOR),
        summary="Confirm a move or replenishment by scans: from-location, item or LPN, quantity, to-location",
        status_code=200,
    )
    async def confirm(self, task_id: int, data: MoveConfirmIn, uow: UnitOfWork) -> TaskOut:
        task = await moves.confirm_move(
            uow,
            task_id,
            from_location=data.from_location,
            item=data.item,
            qty=data.qty,
            to_location=data.to_location,
        )
        return await task_out(uow, task)

    @post("/lpns", opt=allow(*FLOOR), summary="Move a whole LPN (and the LPNs on it) now, by scans", status_code=200)
    async def move_lpn(self, data: LpnMoveIn, uow: UnitOfWork) -> LpnMoveOut:
        src = await location_by_code(uow, data.warehouse_id, data.from_location)
        dest = await location_by_code(uow, data.warehouse_id, data.to_location)
        moved = await moves.move_lpn(
            uow, data.lpn, src.id, dest.id, reason=MovementReason.MOVE, doc=DocRef("lpn_move", data.lpn), note=data.note
        )
        return LpnMoveOut(lpn=data.lpn, moved=moved, to_location_id=dest.id)

    @get(
        "/consolidation",
        opt=allow(*MANAGERS),
        summary="Goods spread loose over several reserve locations, and the moves that would gather them",
    )
    async def consolidation(self, uow: UnitOfWork, warehouse_id: int, limit: Limit = 50) -> list[ConsolidationOut]:
        return [ConsolidationOut(**g) for g in await consolidation.suggestions(uow, warehouse_id, limit=limit)]

    @post(
        "/nesting",
        opt=allow(*FLOOR),
        summary="Put a case LPN on a pallet LPN ('' parent takes it off)",
        status_code=200,
    )
    async def nest(self, data: NestIn, uow: UnitOfWork) -> NestIn:
        if data.parent_lpn:
            await moves.nest_lpn(uow, data.warehouse_id, data.lpn, data.parent_lpn)
        else:
            await moves.unnest_lpn(uow, data.lpn)
        return data


class CountController(Controller):
    path = "/api/v1/counts"
    tags = ["inventory"]

    @post(
        "/tasks/{task_id:int}/submit",
        opt=allow(*FLOOR),
        summary="Submit a blind count (or recount): the location and every item found with its quantity",
        status_code=200,
    )
    async def submit(self, task_id: int, data: CountSubmitIn, uow: UnitOfWork) -> CountSubmitOut:
        count, task = await counts.submit(uow, task_id, data.location, data.lines)
        status = "counted" if count.status not in (CountStatus.RECOUNT, CountStatus.APPROVAL) else count.status.value
        return CountSubmitOut(
            task_id=task.id,
            count_id=count.id,
            status=status,
            lines=len(data.lines),
            recount_task_id=count.recount_task_id if count.status == CountStatus.RECOUNT else None,
        )

    @post("/", opt=allow(*MANAGERS), summary="Count a location now (on demand), optionally one SKU")
    async def on_demand(self, data: CountIn, uow: UnitOfWork) -> list[CountOut]:
        if data.location_id is not None:
            loc = await location_or_404(uow, data.location_id)
        else:
            loc = await location_by_code(uow, data.warehouse_id, data.location or "")
        made = await counts.count_on_demand(
            uow, location=loc, owner_id=data.owner_id, sku_id=data.sku_id, priority=data.priority
        )
        return [CountOut.model_validate(c) for c in made]

    @get("/", opt=allow(*MANAGERS), summary="Counts, with the book and the variance (supervisors only)")
    async def list_counts(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        warehouse_id: FromQuery[int | None] = None,
        status: FromQuery[CountStatus | None] = None,
        location_id: FromQuery[int | None] = None,
    ) -> Page[CountOut]:
        where: list[ColumnElement[bool]] = []
        if warehouse_id is not None:
            where.append(CycleCount.warehouse_id == warehouse_id)
        if status is not None:
            where.append(CycleCount.status == status)
        if location_id is not None:
            where.append(CycleCount.location_id == location_id)
        items, total = await list_page(
            uow.session, CycleCount, *where, limit=limit, offset=offset, order_by=(CycleCount.id, True)
        )
        return Page(items=[CountOut.model_validate(c) for c in items], total=total, limit=limit, offset=offset)

    @get("/{count_id:int}", opt=allow(*MANAGERS), summary="One count, with the book and the variance")
    async def get_count(self, count_id: int, uow: UnitOfWork) -> CountOut:
        return CountOut.model_validate(await counts.get_count(uow, count_id))

    @post("/{count_id:int}/approve", opt=allow(*MANAGERS), summary="Approve the adjustment", status_code=200)
    async def approve(self, count_id: int, data: CountDecisionIn, uow: UnitOfWork) -> CountOut:
        return CountOut.model_validate(await counts.decide(uow, count_id, "approve", data.note))

    @post("/{count_id:int}/reject", opt=allow(*MANAGERS), summary="Reject: the book stays", status_code=200)
    async def reject(self, count_id: int, data: CountDecisionIn, uow: UnitOfWork) -> CountOut:
        return CountOut.model_validate(await counts.decide(uow, count_id, "reject", data.note))

    @post("/{count_id:int}/cancel", opt=allow(*MANAGERS), summary="Cancel an open count", status_code=200)
    async def cancel(self, count_id: int, data: CountDecisionIn, uow: UnitOfWork) -> CountOut:
        return CountOut.model_validate(await counts.cancel_count(uow, count_id, data.note))


class CountPlanController(Controller):
    path = "/api/v1/count-plans"
    tags = ["inventory"]

    @post("/", opt=allow(*MANAGERS), summary="A count plan: locations, zones, SKUs, or ABC classes on a schedule")
    async def create(self, data: CountPlanIn, uow: UnitOfWork) -> CountPlanOut:
        return CountPlanOut.model_validate(await counts.create_plan(uow, data))

    @get("/", opt=allow(*MANAGERS), summary="Count plans")
    async def list_plans(
        self, uow: UnitOfWork, limit: Limit = 50, offset: Offset = 0, warehouse_id: FromQuery[int | None] = None
    ) -> Page[CountPlanOut]:
        where: list[ColumnElement[bool]] = []
        if warehouse_id is not None:
            where.append(CountPlan.warehouse_id == warehouse_id)
        items, total = await list_page(uow.session, CountPlan, *where, limit=limit, offset=offset)
        return Page(items=[CountPlanOut.model_validate(p) for p in items], total=total, limit=limit, offset=offset)

    @post(
        "/{plan_id:int}/run",
        opt=allow(*MANAGERS),
        summary="Open the counts the plan calls for now (ABC: the SKUs due by their class's interval)",
        status_code=200,
    )
    async def run(self, plan_id: int, uow: UnitOfWork, as_of: FromQuery[datetime | None] = None) -> PlanRunOut:
        created, skipped = await counts.run_plan(uow, plan_id, now=as_of)
        return PlanRunOut(plan_id=plan_id, tasks_created=len(created), task_ids=created, skipped_open=skipped)


class InventorySettingsController(Controller):
    path = "/api/v1/warehouses/{warehouse_id:int}/inventory-settings"
    tags = ["inventory"]

    @get("/", opt=allow(*STAFF), summary="The warehouse's count thresholds, freezing and ABC schedule")
    async def read(self, warehouse_id: int, uow: UnitOfWork) -> InventorySettingsOut:
        return InventorySettingsOut.model_validate(await counts.settings_for(uow, warehouse_id))

    @put("/", opt=allow(*MANAGERS), summary="Change the count thresholds, freezing and ABC schedule")
    async def write(self, warehouse_id: int, data: InventorySettingsIn, uow: UnitOfWork) -> InventorySettingsOut:
        row = await counts.save_settings(uow, warehouse_id, data.model_dump())
        return InventorySettingsOut.model_validate(row)


class SkuCostController(Controller):
    path = "/api/v1/sku-costs"
    tags = ["inventory"]

    @put("/", opt=allow(*MANAGERS), summary="What a unit of a SKU is worth (for count variance value)")
    async def write(self, data: SkuCostIn, uow: UnitOfWork) -> SkuCostOut:
        row = await counts.set_sku_cost(uow, data.sku_id, data.unit_cost)
        return SkuCostOut(sku_id=row.sku_id, unit_cost=row.unit_cost)


class ReplenishmentController(Controller):
    path = "/api/v1"
    tags = ["inventory"]

    @post("/pick-face-rules", opt=allow(*MANAGERS), summary="Min/max of a SKU at a pick face")
    async def create_rule(self, data: PickFaceRuleIn, uow: UnitOfWork) -> PickFaceRuleOut:
        return PickFaceRuleOut.model_validate(await replenishment.create_rule(uow, data))

    @get("/pick-face-rules", opt=allow(*MANAGERS), summary="Pick-face min/max rules")
    async def list_rules(
        self, uow: UnitOfWork, limit: Limit = 50, offset: Offset = 0, warehouse_id: FromQuery[int | None] = None
    ) -> Page[PickFaceRuleOut]:
        where: list[ColumnElement[bool]] = []
        if warehouse_id is not None:
            where.append(PickFaceRule.warehouse_id == warehouse_id)
        items, total = await list_page(uow.session, PickFaceRule, *where, limit=limit, offset=offset)
        return Page(items=[PickFaceRuleOut.model_validate(r) for r in items], total=total, limit=limit, offset=offset)

    @post(
        "/replenishment/run",
        opt=allow(*MANAGERS),
        summary="Replenishment tasks for every pick face below its min",
        status_code=200,
    )
    async def run(self, data: ReplenishRunIn, uow: UnitOfWork) -> ReplenishRunOut:
        return ReplenishRunOut(task_ids=[t.id for t in await replenishment.run(uow, data.warehouse_id)])


class HoldController(Controller):
    path = "/api/v1"
    tags = ["inventory"]

    @post("/holds", opt=allow(*MANAGERS), summary="Hold stock by location, lot, SKU or LPN, with a reason")
    async def create(self, data: HoldIn, uow: UnitOfWork) -> HoldOut:
        hold, _ = await holds.place_hold(uow, data)
        return HoldOut.model_validate(hold)

    @get("/holds", opt=allow(*MANAGERS), summary="Holds (active first)")
    async def list_holds(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        warehouse_id: FromQuery[int | None] = None,
        active: FromQuery[bool | None] = None,
    ) -> Page[HoldOut]:
        where: list[ColumnElement[bool]] = []
        if warehouse_id is not None:
            where.append(StockHold.warehouse_id == warehouse_id)
        if active is not None:
            where.append(StockHold.active.is_(active))
        items, total = await list_page(
            uow.session, StockHold, *where, limit=limit, offset=offset, order_by=(StockHold.id, True)
        )
        return Page(items=[HoldOut.model_validate(h) for h in items], total=total, limit=limit, offset=offset)

    @post("/holds/{hold_id:int}/release", opt=allow(*MANAGERS), summary="Release a hold", status_code=200)
    async def release(self, hold_id: int, data: ReleaseIn, uow: UnitOfWork) -> HoldOut:
        return HoldOut.model_validate(await holds.release_hold(uow, hold_id, data.note))

    @post("/recalls", opt=allow(*MANAGERS), summary="Recall a lot: hold every unit, where it is, which orders had it")
    async def recall(self, data: RecallIn, uow: UnitOfWork) -> RecallOut:
        hold, orders, report = await holds.recall(uow, data)
        return RecallOut(hold=HoldOut.model_validate(hold), held_units=hold.units, reallocated_orders=orders, **report)


CONTROLLERS = [
    MoveController,
    CountController,
    CountPlanController,
    InventorySettingsController,
    SkuCostController,
    ReplenishmentController,
    HoldController,
]
