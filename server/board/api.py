"""Board pages. Thin: each reads through a service or query module and renders a template."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import AsyncGenerator
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.datastructures import Cookie, ResponseHeader
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.params import Body, FromQuery, QueryParameter
from litestar.response import Redirect, ServerSentEvent, Template
from litestar.response.sse import ServerSentEventMessage
from sqlalchemy import func, select

from server.board.i18n import t
from server.board.queries import overview
from server.db.uow import UnitOfWork
from server.errors import Conflict, DomainError, InvalidInput, TooManyRequests
from server.http.guards import MANAGERS, PUBLIC, allow
from server.identity.auth import SESSION_COOKIE, authenticate
from server.identity.models import User
from server.identity.principal import Principal
from server.identity.throttle import throttled_login
from server.inventory.api import stock_out
from server.inventory.models import Movement, Stock
from server.layout.labels import location_label_png, location_label_zpl
from server.layout.models import Location, Zone
from server.printing import send_label
from server.settings import Settings

BOARD = allow(*MANAGERS)
# what the board listens to ("picking" is where confirmed picks are announced)
LIVE_CHANNELS = ("stock", "layout", "tasks", "orders", "inbound", "waves", "picking", "exceptions", "shipping")
CSRF_HEADER = "x-csrf-token"
# The login form is posted before there is a session: its token is bound to a random value in a cookie of its own
# (set with the form, sent back only by the board's own page: SameSite=Strict), so that another site cannot log a
# supervisor's browser into an account of its choosing ("login CSRF").
LOGIN_COOKIE = "wes_login_form"
LOGIN_FORM_TTL_S = 3600
TASK_PAGE = 100
PAGE = 50


def pager(total: int, offset: int, limit: int = PAGE) -> dict[str, Any]:
    """The pager every board table shows: where this page starts, and the offsets of the pages before and after."""
    return {
        "offset": offset,
        "limit": limit,
        "total": total,
        "prev": max(offset - limit, 0) if offset > 0 else None,
        "next": offset + limit if offset + limit < total else None,
    }


def csrf_token(settings: Settings, request: Request[Any, Any, Any]) -> str:
    """A token bound to this login (HMAC of the session cookie), checked on every board write."""
    session = request.cookies.get(SESSION_COOKIE, "")
    return hmac.new(settings.secret_key.encode(), session.encode(), hashlib.sha256).hexdigest()


def check_csrf(settings: Settings, request: Request[Any, Any, Any], form_token: str | None = None) -> None:
    sent = request.headers.get(CSRF_HEADER) or form_token or ""
    if not hmac.compare_digest(sent, csrf_token(settings, request)):
        raise PermissionDeniedException("The form is stale or came from another site; reload the page.")


def _login_form_token(settings: Settings, nonce: str) -> str:
    return hmac.new(settings.secret_key.encode(), f"login:{nonce}".encode(), hashlib.sha256).hexdigest()


def _login_form_posted_here(settings: Settings, request: Request[Any, Any, Any], form_token: str) -> bool:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    return bool(nonce) and hmac.compare_digest(form_token, _login_form_token(settings, nonce))


def _login_page(settings: Settings, next_: str, error: str = "", status_code: int = 200, **headers: str) -> Template:
    """The login form with a fresh token (and the cookie it is bound to)."""
    nonce = secrets.token_hex(16)
    return Template(
        "login.html",
        context={"t": t, "locale": "en", "error": error, "next": next_, "csrf": _login_form_token(settings, nonce)},
        status_code=status_code,
        headers=headers or None,
        cookies=[
            Cookie(
                key=LOGIN_COOKIE,
                value=nonce,
                httponly=True,
                samesite="strict",
                path="/board/login",
                max_age=LOGIN_FORM_TTL_S,
            )
        ],
    )


def _to_login(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, NotAuthorizedException):
        return Redirect(f"/board/login?next={request.url.path}")
    principal = request.scope.get("user")
    locale = principal.locale if isinstance(principal, Principal) else "en"
    return Template(
        "error.html", context={"message": t("not_allowed", locale), "locale": locale, "t": t}, status_code=403
    )


# what a board page may load and do: its own scripts, styles and images only, never framed by another site
SECURITY_HEADERS = [
    ResponseHeader(
        name="Content-Security-Policy",
        value=(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        ),
    ),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="Cross-Origin-Opener-Policy", value="same-origin"),
    ResponseHeader(name="Permissions-Policy", value="camera=(), microphone=(), geolocation=()"),
]


# a board form's fields, as posted by the browser
FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def form_int(data: dict[str, str], key: str) -> int | None:
    """A whole number from a board form field, None when empty or not a number."""
    value = data.get(key, "").strip()
    return int(value) if value.lstrip("-").isdigit() else None


class BoardPages(Controller):
    """What every board controller shares: the path, the login redirect, security headers, the page context."""

    path = "/board"
    include_in_schema = False
    exception_handlers = {NotAuthorizedException: _to_login, PermissionDeniedException: _to_login}
    response_headers = SECURITY_HEADERS

    def _ctx(
        self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], **extra: Any
    ) -> dict[str, Any]:
        p = uow.principal
        locale = p.locale if p else "en"
        return {
            "t": t,
            "locale": locale,
            "me": p,
            "csrf": csrf_token(settings, request),
            "path": request.url.path,
            **extra,
        }


class BoardController(BoardPages):
    @get("/login", opt=PUBLIC)
    async def login_page(
        self, settings: Settings, next_: Annotated[str, QueryParameter(name="next")] = "/board"
    ) -> Template:
        return _login_page(settings, next_)

    @post("/login", opt=PUBLIC, status_code=200)
    async def login_submit(
        self,
        request: Request[Any, Any, Any],
        uow: UnitOfWork,
        settings: Settings,
        data: FormData,
    ) -> Response[Any]:
        next_ = data.get("next", "/board")
        if not _login_form_posted_here(settings, request, data.get("csrf", "")):
            return _login_page(settings, next_, t("stale_form"), status_code=403)
        try:
            result = await throttled_login(
                getattr(request.app.state, "login_throttle", None),
                request.client.host if request.client else "",
                uow.session,
                data.get("username", ""),
                data.get("password", ""),
                device_code=None,
                ttl_hours=settings.token_ttl_hours,
            )
        except TooManyRequests as exc:
            return _login_page(settings, next_, t("too_many_logins"), 429, **{"Retry-After": str(exc.retry_after_s)})
        if result is None:
            return _login_page(settings, next_, t("bad_login"), 401)
        token, _user, _ = result
        target = next_ if next_.startswith("/board") else "/board"
        return Redirect(
            target,
            cookies=[
                Cookie(
                    key=SESSION_COOKIE,
                    value=token,
                    httponly=True,
                    samesite="lax",
                    path="/",
                    max_age=settings.token_ttl_hours * 3600,
                ),
                Cookie(key=LOGIN_COOKIE, value="", max_age=0, path="/board/login"),
            ],
        )

    @post("/logout", opt=BOARD, status_code=200)
    async def logout(self, request: Request[Any, Any, Any], settings: Settings, uow: UnitOfWork) -> Response[Any]:
        from server.identity.auth import logout

        check_csrf(settings, request)
        await logout(uow.session, request.cookies.get(SESSION_COOKIE, ""))
        return Redirect("/board/login", cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")])

    @post("/locale", opt=BOARD, status_code=200)
    async def switch_locale(
        self, request: Request[Any, Any, Any], settings: Settings, uow: UnitOfWork
    ) -> Response[Any]:
        check_csrf(settings, request)
        user = await uow.session.get(User, uow.caller.user_id)
        if user is not None:
            user.locale = "en" if user.locale == "zh-CN" else "zh-CN"
        return Response(b"", headers={"HX-Refresh": "true"})

    @get("/", opt=BOARD)
    async def overview_page(self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any]) -> Template:
        ov = await overview(uow.session)
        return Template(
            "overview.html", context=self._ctx(uow, settings, request, ov=ov, charts=json.dumps(ov.charts()))
        )

    @get("/partials/overview", opt=BOARD)
    async def overview_partial(self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any]) -> Template:
        ov = await overview(uow.session)
        return Template(
            "_overview.html", context=self._ctx(uow, settings, request, ov=ov, charts=json.dumps(ov.charts()))
        )

    @get("/stock", opt=BOARD)
    async def stock_page(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        q: FromQuery[str] = "",
        location: FromQuery[str] = "",
        lot: FromQuery[str] = "",
        lpn: FromQuery[str] = "",
    ) -> Template:
        stmt = select(Stock).where(Stock.on_hand > 0)
        if q:
            from server.catalog.models import Sku
            from server.catalog.services import find_by_barcode

            ids = [s.id for s, _ in await find_by_barcode(uow, q)]
            stmt = stmt.where(Stock.sku_id.in_(ids) | Stock.sku_id.in_(select(Sku.id).where(Sku.code == q.strip())))
        if location:
            stmt = stmt.where(
                Stock.location_id.in_(select(Location.id).where(Location.code == location.strip().upper()))
            )
        if lot:
            stmt = stmt.where(Stock.lot == lot.strip())
        if lpn:
            stmt = stmt.where(Stock.lpn == lpn.strip().upper())
        rows = list((await uow.session.execute(stmt.order_by(Stock.id).limit(200))).scalars())
        searched = any((q, location, lot, lpn))
        return Template(
            "stock.html",
            context=self._ctx(
                uow,
                settings,
                request,
                rows=await stock_out(uow, rows) if searched else [],
                searched=searched,
                form={"q": q, "location": location, "lot": lot, "lpn": lpn},
            ),
        )

    @get("/stock/{stock_id:int}/history", opt=BOARD)
    async def stock_history(
        self, stock_id: int, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any]
    ) -> Template:
        from server.inventory.services import InventoryService

        s = await InventoryService(uow).get_stock(stock_id)
        moves = (
            (
                await uow.session.execute(
                    select(Movement)
                    .where(
                        Movement.sku_id == s.sku_id,
                        Movement.lot == s.lot,
                        (Movement.from_location_id == s.location_id) | (Movement.to_location_id == s.location_id),
                    )
                    .order_by(Movement.id.desc())
                    .limit(100)
                )
            )
            .scalars()
            .all()
        )
        wanted = {i for m in moves for i in (m.from_location_id, m.to_location_id) if i is not None}
        codes = dict(
            (await uow.session.execute(select(Location.id, Location.code).where(Location.id.in_(wanted)))).all()
        )
        return Template("_history.html", context=self._ctx(uow, settings, request, moves=moves, codes=codes))

    @get("/labels", opt=BOARD)
    async def labels_page(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        code: FromQuery[str] = "",
        message: FromQuery[str] = "",
    ) -> Template:
        loc = None
        if code:
            loc = (
                (await uow.session.execute(select(Location).where(Location.code == code.strip().upper())))
                .scalars()
                .first()
            )
        return Template("labels.html", context=self._ctx(uow, settings, request, loc=loc, code=code, message=message))

    @get("/labels/location/{location_id:int}/preview.png", opt=BOARD, media_type="image/png")
    async def location_png(self, location_id: int, uow: UnitOfWork) -> Response[bytes]:
        loc, zone = await self._location(uow, location_id)
        return Response(location_label_png(loc, zone), media_type="image/png")

    @post("/labels/location/{location_id:int}/print", opt=BOARD, status_code=200)
    async def location_print(
        self,
        location_id: int,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        data: FormData,
    ) -> Template:
        check_csrf(settings, request, data.get("csrf"))
        loc, zone = await self._location(uow, location_id)
        try:
            send_label(location_label_zpl(loc, zone), data.get("printer", ""))
            message, ok = t("printed", uow.caller.locale), True
        except DomainError as exc:
            message, ok = exc.message, False
        return Template("_print_result.html", context={"message": message, "ok": ok})

    async def _location(self, uow: UnitOfWork, location_id: int) -> tuple[Location, str]:
        row = (
            await uow.session.execute(
                select(Location, Zone.code).join(Zone, Zone.id == Location.zone_id).where(Location.id == location_id)
            )
        ).first()
        if row is None:
            from server.errors import NotFound

            raise NotFound(f"There is no location {location_id}.", code="location_not_found")
        return row[0], row[1]

    @get("/tasks", opt=BOARD)
    async def tasks_page(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        type_: Annotated[str, QueryParameter(name="type")] = "",
        offset: FromQuery[int] = 0,
    ) -> Template:
        return Template(
            "tasks.html",
            context=self._ctx(uow, settings, request, type_=type_, **await self._tasks(uow, type_, max(offset, 0))),
        )

    @get("/partials/tasks", opt=BOARD)
    async def tasks_partial(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        type_: Annotated[str, QueryParameter(name="type")] = "",
        offset: FromQuery[int] = 0,
    ) -> Template:
        return await self._tasks_partial(uow, settings, request, type_, max(offset, 0))

    async def _tasks_partial(
        self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], type_: str, offset: int = 0
    ) -> Template:
        return Template(
            "_tasks.html",
            context=self._ctx(uow, settings, request, type_=type_, **await self._tasks(uow, type_, offset)),
        )

    @post("/tasks/{task_id:int}/priority", opt=BOARD, status_code=200)
    async def reprioritise_task(
        self,
        task_id: int,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        data: FormData,
    ) -> Template:
        from server.board.services import reprioritise

        check_csrf(settings, request, data.get("csrf"))
        priority = form_int(data, "priority")
        if priority is None:
            raise InvalidInput("A priority is a whole number from 0 (most urgent) to 100.", code="invalid_priority")
        await reprioritise(uow, task_id, priority)
        return await self._tasks_partial(uow, settings, request, data.get("type", ""), form_int(data, "offset") or 0)

    async def _tasks(self, uow: UnitOfWork, type_: str, offset: int = 0) -> dict[str, Any]:
        from server.catalog.models import Sku
        from server.tasks.models import Task, TaskStatus, TaskType

        stmt = select(Task).where(Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.IN_PROGRESS]))
        if type_ in {t.value for t in TaskType}:
            stmt = stmt.where(Task.type == TaskType(type_))
        total = (await uow.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
        tasks = list(
            (await uow.session.execute(stmt.order_by(Task.priority, Task.id).limit(TASK_PAGE).offset(offset))).scalars()
        )
        users = list(
            (
                await uow.session.execute(
                    select(User).where(User.active.is_(True), User.owner_id.is_(None)).order_by(User.username)
                )
            ).scalars()
        )
        wanted = {i for k in tasks for i in (k.from_location_id, k.to_location_id) if i is not None}
        codes = dict(
            (await uow.session.execute(select(Location.id, Location.code).where(Location.id.in_(wanted)))).all()
        )
        skus = dict(
            (
                await uow.session.execute(
                    select(Sku.id, Sku.code).where(Sku.id.in_({t.sku_id for t in tasks if t.sku_id}))
                )
            ).all()
        )
        return {
            "tasks": tasks,
            "users": users,
            "names": {u.id: u.username for u in users},
            "codes": codes,
            "skus": skus,
            "types": [t.value for t in TaskType],
            "pages": pager(int(total), offset, TASK_PAGE),
        }

    @post("/tasks/{task_id:int}/reassign", opt=BOARD, status_code=200)
    async def reassign_task(
        self,
        task_id: int,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        data: FormData,
    ) -> Template:
        from server.tasks import services as tasks

        check_csrf(settings, request, data.get("csrf"))
        user = data.get("user_id", "")
        await tasks.reassign(uow, task_id, int(user) if user.isdigit() else None)
        return await self._tasks_partial(uow, settings, request, data.get("type", ""))

    @post("/tasks/{task_id:int}/cancel", opt=BOARD, status_code=200)
    async def cancel_task(
        self,
        task_id: int,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        data: FormData,
    ) -> Template:
        from server.tasks import services as tasks
        from server.tasks.models import TaskType

        check_csrf(settings, request, data.get("csrf"))
        task = await tasks.get_task(uow, task_id)
        if task.type == TaskType.PICK:
            # a pick holds an allocation: cancelling the order or the wave releases it, a bare task cancel would not
            raise Conflict("Cancel the order instead: it releases the stock this pick holds.", code="cancel_the_order")
        await tasks.cancel(uow, task_id, note=f"cancelled on the board by {uow.caller.username}")
        return await self._tasks_partial(uow, settings, request, data.get("type", ""))

    @get("/inbound", opt=BOARD)
    async def inbound_page(self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any]) -> Template:
        return Template("inbound.html", context=self._ctx(uow, settings, request, **await self._inbound(uow)))

    async def _inbound(self, uow: UnitOfWork) -> dict[str, Any]:
        from server.identity.models import Owner, Warehouse
        from server.inbound.models import Asn, PurchaseOrder, Receipt, ReceiptStatus, Supplier

        pos = (await uow.session.execute(select(PurchaseOrder).order_by(PurchaseOrder.id.desc()).limit(50))).scalars()
        asns = (await uow.session.execute(select(Asn).order_by(Asn.id.desc()).limit(50))).scalars()
        receipts = (
            await uow.session.execute(
                select(Receipt).where(Receipt.status == ReceiptStatus.OPEN).order_by(Receipt.id.desc()).limit(50)
            )
        ).scalars()
        owners = (await uow.session.execute(select(Owner).order_by(Owner.code))).scalars().all()
        suppliers = (await uow.session.execute(select(Supplier).order_by(Supplier.code))).scalars().all()
        warehouses = (await uow.session.execute(select(Warehouse).order_by(Warehouse.code))).scalars().all()
        return {
            "pos": list(pos),
            "asns": list(asns),
            "receipts": list(receipts),
            "owners": owners,
            "owner_codes": {o.id: o.code for o in owners},
            "suppliers": suppliers,
            "supplier_codes": {x.id: x.code for x in suppliers},
            "warehouses": warehouses,
            "form": {},
            "errors": [],
        }

    @post("/inbound/purchase-orders", opt=BOARD, status_code=200)
    async def create_po(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        data: FormData,
    ) -> Template:
        """A purchase order typed on the board: one line per row, ``SKU-CODE quantity``."""
        from pydantic import ValidationError

        from server.inbound.schemas import PoIn
        from server.inbound.services import create_po

        check_csrf(settings, request, data.get("csrf"))
        errors: list[str] = []
        lines = []
        for n, row in enumerate(data.get("lines", "").splitlines(), start=1):
            parts = row.split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[1].isdigit():
                errors.append(f"line {n}: write 'SKU-CODE quantity', got '{row.strip()}'")
                continue
            lines.append({"sku_code": parts[0], "qty": int(parts[1])})
        ctx: dict[str, Any] = {}
        if not errors:
            try:
                po = await create_po(
                    uow,
                    PoIn.model_validate(
                        {
                            "owner_id": int(data["owner_id"]) if data.get("owner_id", "").isdigit() else None,
                            "warehouse_id": int(data.get("warehouse_id", "0") or 0),
                            "supplier_code": data.get("supplier"),
                            "number": data.get("number", "").strip(),
                            "expected_date": data.get("expected_date") or None,
                            "open": data.get("open") == "on",
                            "lines": lines,
                        }
                    ),
                )
                ctx["created"] = po.number
            except ValidationError as exc:
                errors.extend(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            except DomainError as exc:
                errors.extend([exc.message, *(f"{e.get('field', '')}: {e.get('message', '')}" for e in exc.errors)])
        if errors:
            # nothing of a refused order may stay: this request's transaction is rolled back by the 422
            return Template(
                "_po_form.html",
                status_code=422,
                context=self._ctx(
                    uow, settings, request, **{**await self._inbound(uow), "form": data, "errors": errors}
                ),
            )
        return Template(
            "_po_form.html", context=self._ctx(uow, settings, request, **{**await self._inbound(uow), **ctx})
        )

    @get("/events", opt=PUBLIC)
    async def events(
        self,
        request: Request[Any, Any, Any],
        channels: ChannelsPlugin,
        only: Annotated[str, QueryParameter(name="channels")] = "",
    ) -> ServerSentEvent:
        """Live updates for open board pages: every committed change of the channels the page listens to (all
        by default), as it happens. EventSource reconnects by itself when the stream drops."""
        wanted = [c for c in only.split(",") if c in LIVE_CHANNELS] or list(LIVE_CHANNELS)
        async with request.app.state.session_factory() as session:
            principal = await authenticate(
                session, authorization=None, cookie=request.cookies.get(SESSION_COOKIE), api_key=None
            )
        if principal is None or principal.role not in MANAGERS:
            raise NotAuthorizedException("Log in to the board first.")

        async def stream() -> AsyncGenerator[ServerSentEventMessage, None]:
            async with channels.start_subscription(wanted) as sub:
                yield ServerSentEventMessage(event="ready", data="{}")
                async for message in sub.iter_events():
                    yield ServerSentEventMessage(
                        event="update", data=message.decode() if isinstance(message, bytes) else str(message)
                    )

        return ServerSentEvent(stream())
