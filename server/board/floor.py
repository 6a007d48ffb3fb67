"""Board pages that run the shift: waves (plan, route preview, release, progress, cancel, auto-release rules) and
floor exceptions (live, resolved with their kind's actions). Thin: the work is done by the outbound and exception
use cases, the reading by ``wave_queries``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import func, select

from server.board import wave_queries as wq
from server.board.api import BOARD, PAGE, BoardPages, FormData, check_csrf, form_int, pager
from server.board.services import set_rule_active
from server.db.uow import UnitOfWork
from server.errors import Conflict, DomainError
from server.exceptions import services as exceptions
from server.exceptions.models import ExceptionStatus, FloorException
from server.identity.models import Owner, User
from server.outbound import waves
from server.outbound.models import Wave, WaveStatus
from server.settings import Settings


class FloorBoard(BoardPages):
    # -- waves ------------------------------------------------------------------------------------------------
    @get("/waves", opt=BOARD)
    async def waves_page(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        offset: FromQuery[int] = 0,
        waves_offset: FromQuery[int] = 0,
    ) -> Template:
        session = uow.session
        f = wq.WaveFilters.parse(dict(request.query_params), await wq.default_warehouse(session))
        offset, waves_offset = max(offset, 0), max(waves_offset, 0)
        orders, total, lines = await wq.allocated_orders(session, f, limit=PAGE, offset=offset)
        recent, waves_total = await wq.recent_waves(session, limit=20, offset=waves_offset)
        return Template(
            "waves.html",
            context=self._ctx(
                uow,
                settings,
                request,
                f=f.form(),
                choices=await wq.filter_choices(session, f.warehouse_id),
                orders=orders,
                lines=lines,
                pages=pager(total, offset),
                orders_base="/board/waves?"
                + "".join(f"{urlencode({k: v})}&" for k, v in request.query_params.items() if k != "offset"),
                recent=recent,
                waves_pages=pager(waves_total, waves_offset, 20),
                rules=await wq.wave_rules(session),
                error=request.query_params.get("error", ""),
            ),
        )

    @post("/waves", opt=BOARD, status_code=200)
    async def plan(
        self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Response[Any]:
        """Plan a wave of the filtered orders through the outbound wave planner, then show its preview."""
        check_csrf(settings, request, data.get("csrf"))
        f = wq.WaveFilters.parse(data, await wq.default_warehouse(uow.session))
        wave = await waves.plan_wave(uow, f.wave_in(time_limit_s=settings_time_limit(data)))
        return Redirect(f"/board/waves/{wave.id}")

    @get("/waves/{wave_id:int}", opt=BOARD)
    async def wave_page(
        self, wave_id: int, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any]
    ) -> Template:
        wave = await waves.get_wave(uow, wave_id)
        plan = await wq.wave_plan(uow, wave)
        return Template(
            "wave.html",
            context=self._ctx(
                uow,
                settings,
                request,
                wave=wave,
                plan=plan,
                progress=await wq.wave_progress(uow.session, wave),
                can_cancel=can_cancel(wave),
            ),
        )

    @get("/partials/waves/{wave_id:int}/progress", opt=BOARD)
    async def wave_progress(
        self, wave_id: int, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any]
    ) -> Template:
        return await self._progress(wave_id, uow, settings, request)

    async def _progress(
        self, wave_id: int, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any]
    ) -> Template:
        wave = await waves.get_wave(uow, wave_id)
        return Template(
            "_wave_progress.html",
            context=self._ctx(
                uow,
                settings,
                request,
                wave=wave,
                progress=await wq.wave_progress(uow.session, wave),
                can_cancel=can_cancel(wave),
            ),
        )

    @post("/waves/{wave_id:int}/release", opt=BOARD, status_code=200)
    async def release(
        self, wave_id: int, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Template:
        """Release exactly as the API does (on the job worker when Redis is set, else here and now)."""
        check_csrf(settings, request, data.get("csrf"))
        await waves.release(uow, wave_id, settings)
        return await self._progress(wave_id, uow, settings, request)

    @post("/waves/{wave_id:int}/cancel", opt=BOARD, status_code=200)
    async def cancel(
        self, wave_id: int, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Response[Any]:
        check_csrf(settings, request, data.get("csrf"))
        cancel_wave = getattr(waves, "cancel_wave", None)
        if cancel_wave is None:
            raise Conflict("Cancelling a wave is not available in this version.", code="wave_cancel_unavailable")
        await cancel_wave(uow, wave_id)
        return Response(b"", headers={"HX-Redirect": f"/board/waves/{wave_id}"})

    @post("/waves/rules", opt=BOARD, status_code=200)
    async def add_rule(
        self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Response[Any]:
        check_csrf(settings, request, data.get("csrf"))
        lead = form_int(data, "lead_minutes")
        warehouse = form_int(data, "warehouse_id") or await wq.default_warehouse(uow.session)
        if lead is None or not 0 < lead <= 24 * 60:
            return Redirect("/board/waves?error=lead_minutes")
        await waves.create_wave_rule(uow, warehouse, data.get("carrier", "").strip(), lead)
        return Redirect("/board/waves#rules")

    @post("/waves/rules/{rule_id:int}/active", opt=BOARD, status_code=200)
    async def toggle_rule(
        self, rule_id: int, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Response[Any]:
        check_csrf(settings, request, data.get("csrf"))
        await set_rule_active(uow, rule_id, data.get("active") == "on")
        return Redirect("/board/waves#rules")

    # -- exceptions -------------------------------------------------------------------------------------------
    @get("/exceptions", opt=BOARD)
    async def exceptions_page(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        kind: FromQuery[str] = "",
        status: FromQuery[str] = "open",
        offset: FromQuery[int] = 0,
    ) -> Template:
        return Template(
            "exceptions.html",
            context=self._ctx(uow, settings, request, **await self._exceptions(uow, kind, status, max(offset, 0))),
        )

    @get("/partials/exceptions", opt=BOARD)
    async def exceptions_partial(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        kind: FromQuery[str] = "",
        status: FromQuery[str] = "open",
        offset: FromQuery[int] = 0,
    ) -> Template:
        return Template(
            "_exceptions.html",
            context=self._ctx(uow, settings, request, **await self._exceptions(uow, kind, status, max(offset, 0))),
        )

    async def _exceptions(self, uow: UnitOfWork, kind: str, status: str, offset: int) -> dict[str, Any]:
        where: list[Any] = []
        if status in {s.value for s in ExceptionStatus}:
            where.append(FloorException.status == ExceptionStatus(status))
        if kind:
            where.append(FloorException.kind == kind)
        session = uow.session
        total = (await session.execute(select(func.count(FloorException.id)).where(*where))).scalar_one()
        rows = list(
            (
                await session.execute(
                    select(FloorException).where(*where).order_by(FloorException.id.desc()).limit(PAGE).offset(offset)
                )
            ).scalars()
        )
        kinds = (await session.execute(select(FloorException.kind).distinct().order_by(FloorException.kind))).scalars()
        owners = dict((await session.execute(select(Owner.id, Owner.code))).all())
        people = dict(
            (
                await session.execute(
                    select(User.id, User.username).where(
                        User.id.in_({r.resolved_by_id for r in rows} | {r.opened_by_id for r in rows})
                    )
                )
            ).all()
        )
        return {
            "rows": rows,
            "actions": {r.id: exceptions.actions_for(r.kind) for r in rows if r.status == ExceptionStatus.OPEN},
            "kinds": list(kinds),
            "kind": kind,
            "status": status,
            "owners": owners,
            "people": people,
            "pages": pager(int(total), offset),
            "message": "",
        }

    @post("/exceptions/{exception_id:int}/resolve", opt=BOARD, status_code=200)
    async def resolve_exception(
        self, exception_id: int, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Template:
        check_csrf(settings, request, data.get("csrf"))
        message = ""
        try:
            async with uow.session.begin_nested():
                await exceptions.resolve_exception(
                    uow, exception_id, data.get("action", ""), data.get("note", "").strip()
                )
        except DomainError as exc:
            # the action's own refusal (e.g. nothing left to recount): shown next to the list, nothing changed
            message = exc.message
        ctx = await self._exceptions(uow, data.get("kind", ""), data.get("status", "open"), 0)
        ctx["message"] = message
        return Template("_exceptions.html", context=self._ctx(uow, settings, request, **ctx))


def can_cancel(wave: Wave) -> bool:
    """A wave can be called back until it is cancelled (started carts are left to finish)."""
    return hasattr(waves, "cancel_wave") and wave.status not in (WaveStatus.CANCELLED, WaveStatus.RELEASING)


def settings_time_limit(data: dict[str, str]) -> float:
    """The optimizer's time budget from the form (seconds, 0.2 to 10; 2 by default)."""
    try:
        value = float(data.get("time_limit_s", "") or 2.0)
    except ValueError:
        value = 2.0
    return min(max(value, 0.2), 10.0)
