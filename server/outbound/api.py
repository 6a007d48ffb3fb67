"""Outbound endpoints: order intake for channels, holds and cancellation, allocation, waves, handheld picking."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.params import FromQuery, Parameter
from sqlalchemy import ColumnElement, select

from server.catalog.models import Sku
from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.http.deps import Limit, Offset, Page
from server.http.guards import EVERYONE, FLOOR, MANAGERS, STAFF, allow
from server.identity.models import Role
from server.layout.models import Location
from server.outbound import picking, services, waves
from server.outbound.models import (
    BatchStatus,
    CartType,
    Channel,
    OrderStatus,
    PickBatch,
    SalesOrder,
    Wave,
    WaveRule,
    WaveStatus,
)
from server.outbound.schemas import (
    AllocateIn,
    AllocateOut,
    BatchOut,
    BulkIn,
    BulkOut,
    CancelIn,
    CartTypeIn,
    CartTypeOut,
    ClaimBatchIn,
    ConfirmIn,
    HoldIn,
    LineOut,
    OrderIn,
    OrderOut,
    PickConfirmOut,
    PickDoneOut,
    PickOut,
    ReleaseOut,
    ShortageOut,
    ShortIn,
    ShortOut,
    WaveCancelOut,
    WaveIn,
    WaveOut,
    WaveRuleIn,
    WaveRuleOut,
)
from server.settings import Settings
from server.tasks.services import get_task

# who may send and change orders: the warehouse's managers and the owner's own users and API keys
ORDER_WRITERS = (Role.ADMIN, Role.SUPERVISOR, Role.CLIENT, Role.INTEGRATION)


async def orders_out(uow: UnitOfWork, orders: list[SalesOrder]) -> list[OrderOut]:
    lines = await services.order_lines(uow, [o.id for o in orders])
    sku_ids = {ln.sku_id for ls in lines.values() for ln in ls}
    codes = dict((await uow.session.execute(select(Sku.id, Sku.code).where(Sku.id.in_(sku_ids)))).all())
    return [
        OrderOut.model_validate(o).model_copy(
            update={
                "lines": [
                    LineOut.model_validate(ln).model_copy(update={"sku_code": codes.get(ln.sku_id, "")})
                    for ln in lines[o.id]
                ]
            }
        )
        for o in orders
    ]


async def order_out(uow: UnitOfWork, order: SalesOrder) -> OrderOut:
    return (await orders_out(uow, [order]))[0]


async def batch_out(uow: UnitOfWork, batch: PickBatch) -> BatchOut:
    tasks = await picking.batch_tasks(uow, batch)
    loc_ids = {t.from_location_id for t in tasks}
    locs = dict((await uow.session.execute(select(Location.id, Location.code).where(Location.id.in_(loc_ids)))).all())
    skus = dict(
        (await uow.session.execute(select(Sku.id, Sku.code).where(Sku.id.in_({t.sku_id for t in tasks})))).all()
    )
    orders = (
        await uow.session.execute(
            select(SalesOrder.id, SalesOrder.channel_order_id, SalesOrder.tote, SalesOrder.status)
            .where(SalesOrder.batch_id == batch.id)
            .order_by(SalesOrder.tote)
        )
    ).all()
    picks = [
        PickOut(
            task_id=t.id,
            seq=n,
            status=t.status.value,
            order_id=int(t.details["order_id"]),
            line_id=int(t.details["line_id"]),
            tote=str(t.details["tote"]),
            location_id=t.from_location_id or 0,
            location_code=locs.get(t.from_location_id or 0, ""),
            sku_id=t.sku_id or 0,
            sku_code=skus.get(t.sku_id or 0, ""),
            lot=t.lot,
            expiry=t.expiry,
            lpn=t.lpn,
            qty=t.qty,
            picked_qty=int(t.details.get("picked", 0)),
        )
        for n, t in enumerate(tasks)
    ]
    return BatchOut(
        id=batch.id,
        code=batch.code,
        wave_id=batch.wave_id,
        status=batch.status,
        assignee_id=batch.assignee_id,
        priority=batch.priority,
        cutoff_at=batch.cutoff_at,
        route_m=batch.route_m,
        baseline_m=batch.baseline_m,
        cart_location_id=batch.cart_location_id,
        orders=[
            {"order_id": o.id, "channel_order_id": o.channel_order_id, "tote": o.tote, "status": o.status.value}
            for o in orders
        ],
        picks=picks,
    )


class OrderController(Controller):
    path = "/api/v1/orders"
    tags = ["outbound"]

    @post(
        "/",
        opt=allow(*ORDER_WRITERS),
        summary="Submit an order (idempotent per owner, channel and channel order id)",
        description="201 when new; 200 for a repeat (unchanged) or an applied change (updated, before release); "
        "409 `order_locked` for a change after release.",
    )
    async def submit(self, data: OrderIn, uow: UnitOfWork) -> Response[OrderOut]:
        order, outcome = await services.submit_order(uow, data)
        return Response(
            await order_out(uow, order),
            status_code=201 if outcome == "created" else 200,
            headers={"X-Intake-Outcome": outcome},
        )

    @post("/bulk", opt=allow(*ORDER_WRITERS), summary="Submit many orders; a result per order", status_code=200)
    async def bulk(self, data: BulkIn, uow: UnitOfWork) -> BulkOut:
        results = await services.submit_bulk(uow, data.orders)
        rejected = sum(1 for r in results if r.outcome == "rejected")
        return BulkOut(accepted=len(results) - rejected, rejected=rejected, results=results)

    @get("/", opt=allow(*EVERYONE), summary="Orders, filtered (an owner sees only its own)")
    async def list_orders(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        warehouse_id: FromQuery[int | None] = None,
        status: FromQuery[OrderStatus | None] = None,
        channel: FromQuery[Channel | None] = None,
        channel_order_id: Annotated[str | None, Parameter(max_length=64)] = None,
        wave_id: FromQuery[int | None] = None,
    ) -> Page[OrderOut]:
        where: list[ColumnElement[bool]] = []
        scope = uow.caller.owner_id if uow.caller.owner_id is not None else owner_id
        if scope is not None:
            where.append(SalesOrder.owner_id == scope)
        if warehouse_id is not None:
            where.append(SalesOrder.warehouse_id == warehouse_id)
        if status is not None:
            where.append(SalesOrder.status == status)
        if channel is not None:
            where.append(SalesOrder.channel == channel)
        if channel_order_id is not None:
            where.append(SalesOrder.channel_order_id == channel_order_id)
        if wave_id is not None:
            where.append(SalesOrder.wave_id == wave_id)
        items, total = await list_page(uow.session, SalesOrder, *where, limit=limit, offset=offset)
        return Page(items=await orders_out(uow, items), total=total, limit=limit, offset=offset)

    @get("/{order_id:int}", opt=allow(*EVERYONE), summary="One order with its lines")
    async def get_order(self, order_id: int, uow: UnitOfWork) -> OrderOut:
        return await order_out(uow, await services.get_order(uow, order_id))

    @post("/{order_id:int}/hold", opt=allow(*ORDER_WRITERS), summary="Hold an order (payment, address check...)")
    async def hold(self, order_id: int, data: HoldIn, uow: UnitOfWork) -> OrderOut:
        return await order_out(uow, await services.hold(uow, order_id, data.reason))

    @post("/{order_id:int}/unhold", opt=allow(*ORDER_WRITERS), summary="Take an order off hold")
    async def unhold(self, order_id: int, uow: UnitOfWork) -> OrderOut:
        return await order_out(uow, await services.unhold(uow, order_id))

    @post("/{order_id:int}/cancel", opt=allow(*ORDER_WRITERS), summary="Cancel an order (until packed)")
    async def cancel(self, order_id: int, data: CancelIn, uow: UnitOfWork) -> OrderOut:
        return await order_out(uow, await services.cancel(uow, order_id, data.reason))

    @post(
        "/{order_id:int}/allocate",
        opt=allow(*MANAGERS),
        summary="Reserve stock for one order",
        description="With partial=false (default) either every line is reserved or nothing is, and the 409 "
        "`insufficient_stock` lists every shortage; with partial=true the rest is backordered.",
    )
    async def allocate(
        self,
        order_id: int,
        uow: UnitOfWork,
        partial: Annotated[bool, Parameter(description="Keep a partial reservation and backorder the rest")] = False,
    ) -> OrderOut:
        order = await services.allocate_one(uow, order_id, partial=partial)
        return await order_out(uow, order)


class AllocationController(Controller):
    path = "/api/v1/allocation"
    tags = ["outbound"]

    @post(
        "/run",
        opt=allow(*MANAGERS),
        summary="Allocate (or re-allocate) every open and backordered order, most urgent first",
        status_code=200,
    )
    async def run(self, data: AllocateIn, uow: UnitOfWork) -> AllocateOut:
        orders, shortages = await services.allocate_orders(uow, data.warehouse_id, data.order_ids, partial=True)
        return AllocateOut(
            allocated=[o.id for o in orders if o.status == OrderStatus.ALLOCATED],
            backordered=[o.id for o in orders if o.status == OrderStatus.BACKORDERED],
            shortages=[
                ShortageOut(
                    order_id=oid, line_id=s.line_id, sku_id=s.sku_id, requested=s.requested, allocated=s.allocated
                )
                for oid, s in shortages
            ],
        )


class CartTypeController(Controller):
    path = "/api/v1/warehouses/{warehouse_id:int}/cart-types"
    tags = ["outbound"]

    @get("/", opt=allow(*STAFF), summary="The warehouse's pick cart types")
    async def list_cart_types(self, warehouse_id: int, uow: UnitOfWork) -> list[CartTypeOut]:
        rows = (
            await uow.session.execute(
                select(CartType).where(CartType.warehouse_id == warehouse_id).order_by(CartType.id)
            )
        ).scalars()
        return [CartTypeOut.model_validate(r) for r in rows]

    @post("/", opt=allow(*MANAGERS), summary="Add a pick cart type (totes, lines, m³, kg)")
    async def create_cart_type(self, warehouse_id: int, data: CartTypeIn, uow: UnitOfWork) -> CartTypeOut:
        return CartTypeOut.model_validate(await waves.create_cart_type(uow, warehouse_id, data))


class WaveRuleController(Controller):
    path = "/api/v1/warehouses/{warehouse_id:int}/wave-rules"
    tags = ["outbound"]

    @get("/", opt=allow(*STAFF), summary="Auto-release rules (per carrier: release this long before cut-off)")
    async def list_wave_rules(self, warehouse_id: int, uow: UnitOfWork) -> list[WaveRuleOut]:
        rows = (
            await uow.session.execute(
                select(WaveRule).where(WaveRule.warehouse_id == warehouse_id).order_by(WaveRule.id)
            )
        ).scalars()
        return [WaveRuleOut.model_validate(r) for r in rows]

    @post("/", opt=allow(*MANAGERS), summary="Add an auto-release rule (run every minute by `wes worker`)")
    async def create_wave_rule(self, warehouse_id: int, data: WaveRuleIn, uow: UnitOfWork) -> WaveRuleOut:
        rule = await waves.create_wave_rule(uow, warehouse_id, data.carrier, data.lead_minutes)
        return WaveRuleOut.model_validate(rule)


class WaveController(Controller):
    path = "/api/v1/waves"
    tags = ["outbound"]

    @post(
        "/",
        opt=allow(*MANAGERS),
        summary="Plan a wave: batches on carts, each cart's route metres and the total vs the location-order walk",
    )
    async def plan(self, data: WaveIn, uow: UnitOfWork, settings: Settings) -> WaveOut:
        if data.background and settings.redis_url:
            from server.outbound.jobs import enqueue_planning

            wave = await waves.start_planning(uow, data)
            wave_id = wave.id
            uow.on_commit(lambda: enqueue_planning(settings, wave_id))
            return WaveOut.model_validate(wave)
        return WaveOut.model_validate(await waves.plan_wave(uow, data))

    @get("/", opt=allow(*STAFF), summary="Waves, newest first")
    async def list_waves(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        warehouse_id: FromQuery[int | None] = None,
        status: FromQuery[WaveStatus | None] = None,
    ) -> Page[WaveOut]:
        where: list[ColumnElement[bool]] = []
        if warehouse_id is not None:
            where.append(Wave.warehouse_id == warehouse_id)
        if status is not None:
            where.append(Wave.status == status)
        items, total = await list_page(uow.session, Wave, *where, limit=limit, offset=offset, order_by=[Wave.id.desc()])
        return Page(items=[WaveOut.model_validate(w) for w in items], total=total, limit=limit, offset=offset)

    @get("/{wave_id:int}", opt=allow(*STAFF), summary="A wave: preview, status and release progress")
    async def get_wave(self, wave_id: int, uow: UnitOfWork) -> WaveOut:
        return WaveOut.model_validate(await waves.get_wave(uow, wave_id))

    @post(
        "/{wave_id:int}/release",
        opt=allow(*MANAGERS),
        summary="Release a planned wave: pick batches and tasks (on the job worker when Redis is set)",
        status_code=200,
    )
    async def release(self, wave_id: int, uow: UnitOfWork, settings: Settings) -> ReleaseOut:
        wave, queued = await waves.release(uow, wave_id, settings)
        return ReleaseOut(wave=WaveOut.model_validate(wave), queued=queued)

    @post(
        "/{wave_id:int}/cancel",
        opt=allow(*MANAGERS),
        summary="Call a wave back: unstarted batches cancelled, their orders allocated again; started ones listed",
        status_code=200,
    )
    async def cancel(self, wave_id: int, data: CancelIn, uow: UnitOfWork) -> WaveCancelOut:
        out = await waves.cancel_wave(uow, wave_id, data.reason)
        return WaveCancelOut(
            wave=WaveOut.model_validate(out["wave"]),
            cancelled_batches=out["cancelled_batches"],
            kept_batches=out["kept_batches"],
        )


class PickingController(Controller):
    path = "/api/v1/picking"
    tags = ["picking"]

    @post("/claim", opt=allow(*FLOOR), summary="Claim the next pick batch (or get the one in hand)", status_code=200)
    async def claim(self, data: ClaimBatchIn, uow: UnitOfWork) -> BatchOut:
        return await batch_out(uow, await picking.claim_next(uow, data.warehouse_id))

    @get("/batches", opt=allow(*STAFF), summary="Pick batches")
    async def list_batches(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        warehouse_id: FromQuery[int | None] = None,
        wave_id: FromQuery[int | None] = None,
        status: FromQuery[BatchStatus | None] = None,
    ) -> Page[dict[str, Any]]:
        where: list[ColumnElement[bool]] = []
        if warehouse_id is not None:
            where.append(PickBatch.warehouse_id == warehouse_id)
        if wave_id is not None:
            where.append(PickBatch.wave_id == wave_id)
        if status is not None:
            where.append(PickBatch.status == status)
        items, total = await list_page(uow.session, PickBatch, *where, limit=limit, offset=offset)
        rows = [
            {
                "id": b.id,
                "code": b.code,
                "wave_id": b.wave_id,
                "status": b.status.value,
                "assignee_id": b.assignee_id,
                "priority": b.priority,
                "route_m": b.route_m,
                "baseline_m": b.baseline_m,
            }
            for b in items
        ]
        return Page(items=rows, total=total, limit=limit, offset=offset)

    @get("/batches/{batch_id:int}", opt=allow(*STAFF), summary="A batch's pick list in route order")
    async def get_batch(self, batch_id: int, uow: UnitOfWork) -> BatchOut:
        return await batch_out(uow, await picking.get_batch(uow, batch_id))

    @post(
        "/batches/{batch_id:int}/release",
        opt=allow(*FLOOR),
        summary="Pause: put the batch back in the queue for another picker (picked units stay on the cart)",
        status_code=200,
    )
    async def release(self, batch_id: int, uow: UnitOfWork) -> BatchOut:
        return await batch_out(uow, await picking.release_batch(uow, batch_id))

    @post(
        "/picks/{task_id:int}/confirm",
        opt=allow(*FLOOR),
        summary="Confirm a pick by scanning location (or check digits), item and quantity",
        status_code=200,
    )
    async def confirm(self, task_id: int, data: ConfirmIn, uow: UnitOfWork) -> PickConfirmOut:
        task, batch = await picking.confirm(uow, task_id, data.location, data.item, data.qty)
        return PickConfirmOut(
            id=batch.id,
            code=batch.code,
            status=batch.status,
            pick=PickDoneOut(
                task_id=task.id,
                status=task.status.value,
                qty=task.qty,
                picked_qty=int(task.details.get("picked", 0)),
            ),
        )

    @post(
        "/picks/{task_id:int}/short",
        opt=allow(*FLOOR),
        summary="Report a short pick: what is there is picked, the rest re-allocated or backordered",
        status_code=200,
    )
    async def short(self, task_id: int, data: ShortIn, uow: UnitOfWork) -> ShortOut:
        result = await picking.short(uow, task_id, data.location, data.found_qty, data.item)
        task = await get_task(uow, task_id)
        batch = await picking.get_batch(uow, int(task.details["batch_id"]))
        return ShortOut(**result, batch=await batch_out(uow, batch))


CONTROLLERS = [
    OrderController,
    AllocationController,
    CartTypeController,
    WaveRuleController,
    WaveController,
    PickingController,
]
