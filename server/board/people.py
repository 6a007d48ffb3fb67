"""Users, handhelds and owners on the board: who works here, which devices are out on the floor, the 3PL's
clients. Supervisors read; admins change (the same rule as the API), through the identity use cases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy import func, select

from server.board.api import BOARD, BoardPages, FormData, check_csrf, form_int
from server.db.base import utcnow
from server.db.uow import UnitOfWork
from server.errors import DomainError, Forbidden
from server.identity import services as identity
from server.identity.models import AuthToken, Device, Owner, Role, User, Warehouse
from server.identity.schemas import OwnerPatch
from server.settings import Settings

ONLINE = timedelta(minutes=10)  # a handheld seen this recently is out on the floor


def _admin(uow: UnitOfWork) -> None:
    if uow.caller.role != Role.ADMIN:
        raise Forbidden("Only an admin changes users, devices and owners.", code="forbidden")


class PeopleBoard(BoardPages):
    @get("/users", opt=BOARD)
    async def users_page(
        self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], message: str = "", error: str = ""
    ) -> Template:
        session = uow.session
        users = (await session.execute(select(User).order_by(User.active.desc(), User.role, User.username))).scalars()
        devices = (await session.execute(select(Device).order_by(Device.code))).scalars().all()
        owners = (await session.execute(select(Owner).order_by(Owner.code))).scalars().all()
        warehouses = dict((await session.execute(select(Warehouse.id, Warehouse.code))).all())
        last_login = dict(
            (
                await session.execute(
                    select(AuthToken.user_id, func.max(AuthToken.created_at)).group_by(AuthToken.user_id)
                )
            ).all()
        )
        now = utcnow()
        return Template(
            "users.html",
            context=self._ctx(
                uow,
                settings,
                request,
                users=list(users),
                devices=devices,
                online={d.id for d in devices if d.last_seen_at is not None and now - d.last_seen_at < ONLINE},
                owners=owners,
                owner_codes={o.id: o.code for o in owners},
                warehouses=warehouses,
                last_login=last_login,
                roles=[r.value for r in Role if r != Role.INTEGRATION],
                is_admin=uow.caller.role == Role.ADMIN,
                message=message,
                error=error,
            ),
        )

    @post("/users", opt=BOARD, status_code=200)
    async def create_user(
        self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Response[Any]:
        check_csrf(settings, request, data.get("csrf"))
        _admin(uow)
        username = data.get("username", "").strip()
        password = data.get("password", "")
        if not username or len(password) < 8:
            return Redirect("/board/users?error=user_form")
        try:
            async with uow.session.begin_nested():
                await identity.create_user(
                    uow,
                    username=username,
                    display_name=data.get("display_name", "").strip() or username,
                    password=password,
                    role=Role(data.get("role", "picker")),
                    owner_id=form_int(data, "owner_id"),
                    warehouse_id=form_int(data, "warehouse_id"),
                    locale="zh-CN" if data.get("locale") == "zh-CN" else "en",
                )
        except (DomainError, ValueError) as exc:
            return Redirect(f"/board/users?error={getattr(exc, 'code', 'user_form')}")
        return Redirect("/board/users?message=user_created")

    @post("/devices", opt=BOARD, status_code=200)
    async def create_device(
        self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Response[Any]:
        check_csrf(settings, request, data.get("csrf"))
        _admin(uow)
        code = data.get("code", "").strip().upper()
        warehouse = form_int(data, "warehouse_id")
        if not code or warehouse is None:
            return Redirect("/board/users?error=device_form")
        try:
            async with uow.session.begin_nested():
                await identity.create_device(
                    uow, code=code, name=data.get("name", "").strip() or code, warehouse_id=warehouse
                )
        except DomainError as exc:
            return Redirect(f"/board/users?error={exc.code}")
        return Redirect("/board/users?message=device_created")

    @post("/owners/{owner_id:int}", opt=BOARD, status_code=200)
    async def update_owner(
        self, owner_id: int, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Response[Any]:
        check_csrf(settings, request, data.get("csrf"))
        _admin(uow)
        try:
            patch = OwnerPatch.model_validate(
                {
                    "name": data.get("name", "").strip() or None,
                    "active": data.get("active") == "on",
                    "min_shelf_life_days": form_int(data, "min_shelf_life_days"),
                    "over_receipt_tolerance_pct": form_int(data, "over_receipt_tolerance_pct"),
                }
            )
        except ValidationError:
            return Redirect("/board/users?error=owner_form#owners")
        await identity.update_owner(uow, owner_id, patch.model_dump(exclude_none=True))
        return Redirect("/board/users?message=owner_saved#owners")
