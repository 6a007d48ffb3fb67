"""Identity endpoints: login/logout, owners, warehouses, users, devices, API keys."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import Cookie
from sqlalchemy import ColumnElement

from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.errors import Unauthenticated
from server.http.deps import Limit, Offset, Page
from server.http.guards import EVERYONE, MANAGERS, PUBLIC, allow
from server.identity import services
from server.identity.auth import SESSION_COOKIE, logout
from server.identity.models import ApiKey, Device, Owner, Role, User, Warehouse
from server.identity.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    DeviceIn,
    DeviceOut,
    LoginIn,
    LoginOut,
    MeOut,
    OwnerIn,
    OwnerOut,
    OwnerPatch,
    UserIn,
    UserOut,
    WarehouseIn,
    WarehouseOut,
)
from server.identity.throttle import throttled_login
from server.settings import Settings

ADMIN = allow(Role.ADMIN)


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["identity"]

    @post(
        "/login",
        opt=PUBLIC,
        status_code=200,
        summary="Log in: sets the board's session cookie and returns a bearer token for handhelds",
    )
    async def login(
        self, request: Request[Any, Any, Any], data: LoginIn, uow: UnitOfWork, settings: Settings
    ) -> Response[LoginOut]:
        result = await throttled_login(
            getattr(request.app.state, "login_throttle", None),
            request.client.host if request.client else "",
            uow.session,
            data.username,
            data.password,
            device_code=data.device_code,
            ttl_hours=settings.token_ttl_hours,
        )
        if result is None:
            raise Unauthenticated("Wrong username, password or device.", code="bad_credentials")
        token, user, device = result
        from datetime import UTC, datetime, timedelta

        expires = datetime.now(UTC) + timedelta(hours=settings.token_ttl_hours)
        out = LoginOut(
            token=token,
            expires_at=expires,
            user_id=user.id,
            username=user.username,
            role=user.role,
            owner_id=user.owner_id,
            warehouse_id=user.warehouse_id,
            device_id=device.id if device else None,
            locale=user.locale,
        )
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=token,
            httponly=True,
            samesite="lax",
            path="/",
            max_age=settings.token_ttl_hours * 3600,
        )
        return Response(out, cookies=[cookie])

    @post("/logout", opt=allow(*EVERYONE), status_code=200, summary="End this login (cookie or token)")
    async def logout(self, request: Request[Any, Any, Any], uow: UnitOfWork) -> Response[dict[str, bool]]:
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else request.cookies.get(SESSION_COOKIE)
        if token:
            await logout(uow.session, token)
        return Response({"logged_out": True}, cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")])

    @get("/me", opt=allow(*EVERYONE), summary="Who am I")
    async def me(self, uow: UnitOfWork) -> MeOut:
        p = uow.caller
        return MeOut(
            user_id=p.user_id,
            username=p.username,
            role=p.role,
            owner_id=p.owner_id,
            warehouse_id=p.warehouse_id,
            device_id=p.device_id,
            locale=p.locale,
        )


class OwnerController(Controller):
    path = "/api/v1/owners"
    tags = ["identity"]

    @get("/", opt=allow(*EVERYONE), summary="Owners you may see (an owner's login sees only itself)")
    async def list_owners(self, uow: UnitOfWork, limit: Limit = 50, offset: Offset = 0) -> Page[OwnerOut]:
        where: list[ColumnElement[bool]] = []
        if uow.caller.owner_id is not None:
            where.append(Owner.id == uow.caller.owner_id)
        items, total = await list_page(uow.session, Owner, *where, limit=limit, offset=offset)
        return Page(items=[OwnerOut.model_validate(o) for o in items], total=total, limit=limit, offset=offset)

    @post("/", opt=ADMIN, summary="Create an owner (a client of the warehouse)")
    async def create_owner(self, data: OwnerIn, uow: UnitOfWork) -> OwnerOut:
        owner = await services.create_owner(
            uow, data.code, data.name, data.min_shelf_life_days, data.over_receipt_tolerance_pct
        )
        return OwnerOut.model_validate(owner)

    @patch("/{owner_id:int}", opt=ADMIN, summary="Change an owner (name, active, shelf life, over-receipt)")
    async def update_owner(self, owner_id: int, data: OwnerPatch, uow: UnitOfWork) -> OwnerOut:
        owner = await services.update_owner(uow, owner_id, data.model_dump(exclude_unset=True))
        return OwnerOut.model_validate(owner)


class WarehouseController(Controller):
    path = "/api/v1/warehouses"
    tags = ["identity"]

    @get("/", opt=allow(*EVERYONE), summary="Warehouses")
    async def list_warehouses(self, uow: UnitOfWork, limit: Limit = 50, offset: Offset = 0) -> Page[WarehouseOut]:
        items, total = await list_page(uow.session, Warehouse, limit=limit, offset=offset)
        return Page(items=[WarehouseOut.model_validate(w) for w in items], total=total, limit=limit, offset=offset)

    @post("/", opt=ADMIN, summary="Create a warehouse")
    async def create_warehouse(self, data: WarehouseIn, uow: UnitOfWork) -> WarehouseOut:
        return WarehouseOut.model_validate(await services.create_warehouse(uow, data.code, data.name, data.timezone))


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["identity"]

    @get("/", opt=allow(*MANAGERS), summary="Users")
    async def list_users(self, uow: UnitOfWork, limit: Limit = 50, offset: Offset = 0) -> Page[UserOut]:
        items, total = await list_page(uow.session, User, limit=limit, offset=offset)
        return Page(items=[UserOut.model_validate(u) for u in items], total=total, limit=limit, offset=offset)

    @post("/", opt=ADMIN, summary="Create a user with a role")
    async def create_user(self, data: UserIn, uow: UnitOfWork) -> UserOut:
        user = await services.create_user(
            uow,
            username=data.username,
            display_name=data.display_name,
            password=data.password,
            role=data.role,
            owner_id=data.owner_id,
            warehouse_id=data.warehouse_id,
            locale=data.locale,
        )
        return UserOut.model_validate(user)


class DeviceController(Controller):
    path = "/api/v1/devices"
    tags = ["identity"]

    @get("/", opt=allow(*MANAGERS), summary="Registered handhelds")
    async def list_devices(self, uow: UnitOfWork, limit: Limit = 50, offset: Offset = 0) -> Page[DeviceOut]:
        items, total = await list_page(uow.session, Device, limit=limit, offset=offset)
        return Page(items=[DeviceOut.model_validate(d) for d in items], total=total, limit=limit, offset=offset)

    @post("/", opt=ADMIN, summary="Register a handheld to a warehouse")
    async def create_device(self, data: DeviceIn, uow: UnitOfWork) -> DeviceOut:
        return DeviceOut.model_validate(
            await services.create_device(uow, code=data.code, name=data.name, warehouse_id=data.warehouse_id)
        )


class ApiKeyController(Controller):
    path = "/api/v1/api-keys"
    tags = ["identity"]

    @get("/", opt=allow(Role.ADMIN, Role.CLIENT), summary="API keys (a client user sees its owner's)")
    async def list_keys(self, uow: UnitOfWork, limit: Limit = 50, offset: Offset = 0) -> Page[ApiKeyOut]:
        where: list[ColumnElement[bool]] = []
        if uow.caller.owner_id is not None:
            where.append(ApiKey.owner_id == uow.caller.owner_id)
        items, total = await list_page(uow.session, ApiKey, *where, limit=limit, offset=offset)
        return Page(items=[ApiKeyOut.model_validate(k) for k in items], total=total, limit=limit, offset=offset)

    @post(
        "/",
        opt=allow(Role.ADMIN, Role.CLIENT),
        summary="Create an API key for an owner; the key is shown once",
    )
    async def create_key(self, data: ApiKeyIn, uow: UnitOfWork) -> ApiKeyCreated:
        owner_id = uow.caller.resolve_owner(data.owner_id)
        api_key, key = await services.create_api_key(uow, owner_id=owner_id, name=data.name)
        return ApiKeyCreated(key=key, **ApiKeyOut.model_validate(api_key).model_dump())


CONTROLLERS = [
    AuthController,
    OwnerController,
    WarehouseController,
    UserController,
    DeviceController,
    ApiKeyController,
]
