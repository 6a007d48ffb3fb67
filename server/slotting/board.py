"""The board's Slotting page: a re-slotting plan for a supervisor to review (before/after heat of the pick slots on
the warehouse plan, the moves with metres a day saved and labour, the saving curve) and release."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from server.board.api import BOARD, BoardPages, FormData, check_csrf, form_int
from server.db.uow import UnitOfWork
from server.errors import InvalidInput
from server.layout.models import Location
from server.settings import Settings
from server.slotting import services
from server.slotting.api import plan_out
from server.slotting.models import SlottingPlan


def _heat(rate: float, top: float) -> str:
    """White → orange → red by picks a day (share of the busiest slot)."""
    f = 0.0 if top <= 0 else min(rate / top, 1.0)
    g = int(235 - 180 * f)
    b = int(220 - 200 * f)
    return f"rgb(245,{g},{b})"


async def _page(uow: UnitOfWork, warehouse_id: int | None, plan_id: int | None) -> dict[str, Any]:
    plans = list((await uow.session.execute(select(SlottingPlan).order_by(SlottingPlan.id.desc()).limit(15))).scalars())
    plan = None
    if plan_id is not None:
        plan = await services.get_plan(uow, plan_id)
    elif plans:
        plan = plans[0]
    wh = plan.warehouse_id if plan else warehouse_id
    if wh is None:
        wh = (await uow.session.execute(select(Location.warehouse_id).limit(1))).scalar_one_or_none()
    ctx: dict[str, Any] = {"plans": plans, "plan": None, "warehouse_id": wh, "slots": [], "view": None}
    if wh is None:
        return ctx
    slots = await services.slots(uow, wh)
    current = await services.assignment(uow, wh)
    days = int(plan.summary.get("history_days", 14)) if plan else 14
    rates: dict[int, float] = {}
    for p in await services.pick_history(uow, wh, days):
        rates[p.sku_id] = rates.get(p.sku_id, 0.0) + 1.0 / max(days, 1)
    out = await plan_out(uow, plan) if plan else None
    before = {loc: s for s, loc in current.items()}
    after = dict(before)
    if out is not None and out.status == "draft":
        for m in out.moves:
            after.pop(m.from_location_id, None)
            after[m.to_location_id] = m.sku_id
            if m.swap_sku_id:
                after[m.from_location_id] = m.swap_sku_id
    elif out is not None:  # released or done: "before" is the plan's starting point
        for m in reversed(out.moves):
            if m.status == "done":
                before.pop(m.to_location_id, None)
                before[m.from_location_id] = m.sku_id
                if m.swap_sku_id:
                    before[m.to_location_id] = m.swap_sku_id
    top = max(rates.values(), default=0.0)
    if slots:
        xs = [s.x_m for s in slots]
        ys = [s.y_m for s in slots]
        ctx["view"] = (min(xs) - 2, min(ys) - 2, max(xs) - min(xs) + 4, max(ys) - min(ys) + 4)
    pos = {s.location_id: (s.x_m, s.y_m) for s in slots}
    ctx.update(
        plan=out,
        slots=[
            {
                "code": s.code,
                "x": s.x_m,
                "y": s.y_m,
                "before": _heat(rates.get(before.get(s.location_id, -1), 0.0), top),
                "after": _heat(rates.get(after.get(s.location_id, -1), 0.0), top),
            }
            for s in slots
        ],
        arrows=[
            (pos[m.from_location_id], pos[m.to_location_id], m.rank)
            for m in (out.moves if out else [])
            if m.from_location_id in pos and m.to_location_id in pos
        ],
    )
    return ctx


class SlottingBoard(BoardPages):
    @get("/slotting", opt=BOARD)
    async def slotting_page(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        plan_id: FromQuery[int | None] = None,
        warehouse_id: FromQuery[int | None] = None,
    ) -> Template:
        data = await _page(uow, warehouse_id, plan_id)
        return Template("slotting.html", context=self._ctx(uow, settings, request, **data))

    @post("/slotting/plans", opt=BOARD, status_code=303)
    async def new_plan(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        data: FormData,
    ) -> Redirect:
        check_csrf(settings, request, data.get("csrf"))
        wh = form_int(data, "warehouse_id")
        if wh is None:
            raise InvalidInput("Choose a warehouse.", code="invalid_input")
        plan = await services.create_plan(
            uow,
            wh,
            days=form_int(data, "history_days") or 14,
            max_moves=form_int(data, "max_moves"),
            max_minutes=None,
            per_move_min=6.0,
            time_limit_s=3.0,
            replenishment_cost_m=40.0,
        )
        return Redirect(f"/board/slotting?plan_id={plan.id}")

    @post("/slotting/{plan_id:int}/release", opt=BOARD, status_code=303)
    async def release_plan(
        self,
        plan_id: int,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        data: FormData,
    ) -> Redirect:
        check_csrf(settings, request, data.get("csrf"))
        await services.release_plan(uow, plan_id)
        return Redirect(f"/board/slotting?plan_id={plan_id}")
