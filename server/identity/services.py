"""Use cases of identity: creating owners, warehouses, users, devices and API keys."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select

from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.identity.models import ApiKey, Device, Owner, Role, User, Warehouse
from server.identity.security import hash_password, new_api_key

M = TypeVar("M", Owner, Warehouse, User, Device)


async def _unique(
    uow: UnitOfWork,
    model: type[Owner] | type[Warehouse] | type[User] | type[Device],
    column: str,
    value: str,
    what: str,
) -> None:
    exists = (await uow.session.execute(select(model.id).where(getattr(model, column) == value))).first()
    if exists:
        raise Conflict(f"A {what} '{value}' already exists.", code=f"duplicate_{what.replace(' ', '_')}")


async def get_or_404(uow: UnitOfWork, model: type[M], id_: int, what: str) -> M:
    obj = await uow.session.get(model, id_)
    if obj is None:
        raise NotFound(f"There is no {what} {id_}.", code=f"{what.replace(' ', '_')}_not_found")
    return obj


async def create_owner(
    uow: UnitOfWork, code: str, name: str, min_shelf_life_days: int = 0, over_receipt_tolerance_pct: int = 0
) -> Owner:
    await _unique(uow, Owner, "code", code, "owner")
    owner = Owner(
        code=code,
        name=name,
        min_shelf_life_days=min_shelf_life_days,
        over_receipt_tolerance_pct=over_receipt_tolerance_pct,
    )
    uow.session.add(owner)
    await uow.session.flush()
    return owner


async def update_owner(uow: UnitOfWork, owner_id: int, changes: dict[str, Any]) -> Owner:
    """Change an owner's name, active flag or receiving rules (``changes`` holds only what was sent)."""
    owner = await get_or_404(uow, Owner, owner_id, "owner")
    for field, value in changes.items():
        if value is None:
            raise InvalidInput(f"{field} cannot be empty; leave it out to keep it.", code="invalid_owner")
        setattr(owner, field, value)
    await uow.session.flush()
    return owner


async def create_warehouse(uow: UnitOfWork, code: str, name: str, timezone: str = "Asia/Shanghai") -> Warehouse:
    await _unique(uow, Warehouse, "code", code, "warehouse")
    wh = Warehouse(code=code, name=name, timezone=timezone, layout={})
    uow.session.add(wh)
    await uow.session.flush()
    return wh


async def create_user(
    uow: UnitOfWork,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    owner_id: int | None = None,
    warehouse_id: int | None = None,
    locale: str = "en",
) -> User:
    if role in (Role.CLIENT,) and owner_id is None:
        raise InvalidInput("A client user belongs to one owner: give owner_id.", code="owner_required")
    if role not in (Role.CLIENT,) and owner_id is not None:
        raise InvalidInput("Only client users belong to an owner; staff see every owner.", code="owner_not_allowed")
    if role == Role.INTEGRATION:
        raise InvalidInput("Systems use API keys, not users.", code="invalid_role")
    await _unique(uow, User, "username", username, "user")
    if owner_id is not None:
        await get_or_404(uow, Owner, owner_id, "owner")
    if warehouse_id is not None:
        await get_or_404(uow, Warehouse, warehouse_id, "warehouse")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        owner_id=owner_id,
        warehouse_id=warehouse_id,
        locale=locale,
    )
    uow.session.add(user)
    await uow.session.flush()
    return user


async def create_device(uow: UnitOfWork, *, code: str, name: str, warehouse_id: int) -> Device:
    await _unique(uow, Device, "code", code, "device")
    await get_or_404(uow, Warehouse, warehouse_id, "warehouse")
    device = Device(code=code, name=name, warehouse_id=warehouse_id)
    uow.session.add(device)
    await uow.session.flush()
    return device


async def create_api_key(uow: UnitOfWork, *, owner_id: int, name: str) -> tuple[ApiKey, str]:
    await get_or_404(uow, Owner, owner_id, "owner")
    key, prefix, digest = new_api_key()
    api_key = ApiKey(owner_id=owner_id, name=name, prefix=prefix, key_hash=digest)
    uow.session.add(api_key)
    await uow.session.flush()
    return api_key, key
