"""Turning presented credentials (bearer token, session cookie, API key) into a :class:`Principal`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import String, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.identity.models import ApiKey, AuthToken, Device, Role, User
from server.identity.principal import Principal
from server.identity.security import (
    digests_equal,
    new_token,
    split_api_key,
    token_digest,
    verify_password_async,
)

SESSION_COOKIE = "wes_session"


_TOKEN_LOOKUP = (
    select(
        AuthToken.revoked,
        AuthToken.expires_at,
        AuthToken.device_id,
        User.id,
        User.active,
        User.role,
        User.username,
        User.owner_id,
        User.warehouse_id,
        User.locale,
    )
    .join(User, User.id == AuthToken.user_id)
    .where(AuthToken.token_hash == bindparam("token_hash", type_=String))
)  # built once: every request with a login runs it first


async def principal_from_token(session: AsyncSession, token: str) -> Principal | None:
    now = datetime.now(UTC)
    row = (await session.execute(_TOKEN_LOOKUP, {"token_hash": token_digest(token)})).first()
    if row is None:
        return None
    if row.revoked or row.expires_at <= now or not row.active:
        return None
    return Principal(
        role=row.role,
        user_id=row.id,
        username=row.username,
        owner_id=row.owner_id,
        warehouse_id=row.warehouse_id,
        device_id=row.device_id,
        locale=row.locale,
    )


async def principal_from_api_key(session: AsyncSession, key: str) -> Principal | None:
    prefix = split_api_key(key)
    if prefix is None:
        return None
    api_key = (await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))).scalar_one_or_none()
    if api_key is None or not api_key.active or not digests_equal(api_key.key_hash, token_digest(key)):
        return None
    return Principal(
        role=Role.INTEGRATION,
        owner_id=api_key.owner_id,
        api_key_id=api_key.id,
        username=f"api-key:{api_key.name}",
    )


async def authenticate(
    session: AsyncSession, *, authorization: str | None, cookie: str | None, api_key: str | None
) -> Principal | None:
    """The caller behind the request's credentials, or None (the route's guard then answers 401)."""
    if api_key:
        return await principal_from_api_key(session, api_key)
    if authorization and authorization.lower().startswith("bearer "):
        return await principal_from_token(session, authorization[7:].strip())
    if cookie:
        return await principal_from_token(session, cookie)
    return None


async def login(
    session: AsyncSession, username: str, password: str, *, device_code: str | None, ttl_hours: int
) -> tuple[str, User, Device | None] | None:
    """Check a password and open a login; returns (token, user, device) or None when the pair is wrong."""
    user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
    # Verify against a dummy hash when the user is unknown, so timing does not tell which usernames exist.
    if user is None:
        await verify_password_async(_DUMMY_HASH, password)
        return None
    if not user.active or not await verify_password_async(user.password_hash, password):
        return None
    device = None
    if device_code:
        device = (await session.execute(select(Device).where(Device.code == device_code))).scalar_one_or_none()
        if device is None or not device.active:
            return None
        await session.execute(update(Device).where(Device.id == device.id).values(last_seen_at=datetime.now(UTC)))
    token = new_token()
    now = datetime.now(UTC)
    session.add(
        AuthToken(
            token_hash=token_digest(token),
            user_id=user.id,
            device_id=device.id if device else None,
            created_at=now,
            expires_at=now + timedelta(hours=ttl_hours),
        )
    )
    return token, user, device


async def logout(session: AsyncSession, token: str) -> None:
    await session.execute(update(AuthToken).where(AuthToken.token_hash == token_digest(token)).values(revoked=True))


_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$Zq2Xvd4w1b5YRNn3ZCaGQ7eAwtmkWxPXzpR0N2lzL7Y"
