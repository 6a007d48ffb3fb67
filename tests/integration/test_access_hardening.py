"""Access hardening: login throttling (in memory and across processes through Redis), secrets stored hashed and
never logged, security headers on the board's pages, and CSRF on every board form (walked from the route table)."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy import select
from structlog.testing import capture_logs

from server.app import create_app
from server.board.api import LOGIN_COOKIE
from server.db.engine import create_engine, create_session_factory
from server.identity.auth import SESSION_COOKIE
from server.identity.models import ApiKey, AuthToken, User
from server.identity.throttle import KEY_PREFIX
from tests.board_helpers import board_login, login_form_token
from tests.conftest import make_settings
from tests.world import PASSWORD, build_world

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


async def _login(c: Any, username: str, password: str) -> Any:
    return await c.post("/api/v1/auth/login", json={"username": username, "password": password})


async def test_failed_logins_are_throttled_per_user_and_per_address(sqlite_url: str) -> None:
    await build_world(sqlite_url)
    app = create_app(make_settings(sqlite_url, login_max_failures=3, login_max_failures_per_ip=6))
    async with AsyncTestClient(app=app) as c:
        for _ in range(3):
            r = await _login(c, "picker", "wrong")
            assert r.status_code == 401 and r.json()["code"] == "bad_credentials"
        # the fourth attempt is refused even with the right password, with a code and a Retry-After
        r = await _login(c, "picker", PASSWORD)
        assert r.status_code == 429 and r.json()["code"] == "too_many_logins", r.text
        assert 0 < int(r.headers["retry-after"]) <= 300
        assert r.headers["content-type"].startswith("application/problem+json")
        # the board's login form shares the count
        page = await board_login(c, "picker")
        assert page.status_code == 429 and int(page.headers["retry-after"]) > 0
        assert "Too many failed logins" in page.text
        # another user logs in; a success clears only that user's count
        assert (await _login(c, "supervisor", PASSWORD)).status_code == 200
        # the address: three more failures (other names) make six from here, and then every login waits
        for name in ("ghost-1", "ghost-2", "supervisor"):
            assert (await _login(c, name, "wrong")).status_code == 401
        r = await _login(c, "packer", PASSWORD)
        assert r.status_code == 429 and r.json()["code"] == "too_many_logins"


async def test_the_count_is_shared_by_server_processes_through_redis(sqlite_url: str, redis_url: str) -> None:
    await build_world(sqlite_url)
    name = f"ghost-{uuid.uuid4().hex[:8]}"  # Redis outlives the test: a name of its own
    settings = make_settings(sqlite_url, redis_url=redis_url, login_max_failures=4, login_max_failures_per_ip=10_000)
    first, second = create_app(settings), create_app(settings)
    async with AsyncTestClient(app=first) as a, AsyncTestClient(app=second) as b:
        try:
            for c in (a, b, a, b):
                assert (await _login(c, name, "wrong")).status_code == 401
            for c in (a, b):
                r = await _login(c, name, "wrong")
                assert r.status_code == 429 and r.json()["code"] == "too_many_logins"
                assert int(r.headers["retry-after"]) > 0
        finally:
            redis = Redis.from_url(redis_url)
            await redis.delete(f"{KEY_PREFIX}user:{name}")
            await redis.aclose()


async def test_secrets_are_stored_hashed_and_never_logged(sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    world = await build_world(sqlite_url)
    api_key = world.api_keys["OWNA"]
    app = create_app(make_settings(sqlite_url, log_level="DEBUG"))
    caplog.set_level(logging.DEBUG)
    async with AsyncTestClient(app=app) as c:
        with capture_logs() as logs:
            assert (await _login(c, "admin", "not-the-password-7")).status_code == 401
            r = await _login(c, "admin", PASSWORD)
            assert r.status_code == 200
            token = r.json()["token"]
            assert (await c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200
            assert (await c.get("/api/v1/orders", headers={"X-API-Key": api_key})).status_code == 200
            key_body = {"owner_id": world.owners["OWNA"], "name": "erp-2"}
            made = await c.post("/api/v1/api-keys", json=key_body, headers={"Authorization": f"Bearer {token}"})
            assert made.status_code == 201, made.text
            new_key = made.json()["key"]
    assert logs, "nothing was logged: the test would prove nothing"
    captured = repr(logs) + caplog.text
    for secret in (PASSWORD, "not-the-password-7", token, api_key, new_key):
        assert secret not in captured
    factory = create_session_factory(engine := create_engine(sqlite_url))
    try:
        async with factory() as s:
            users = (await s.execute(select(User))).scalars().all()
            assert users and all(u.password_hash.startswith("$argon2") for u in users)
            assert all(PASSWORD not in u.password_hash for u in users)
            keys = (await s.execute(select(ApiKey))).scalars().all()
            stored = " ".join(f"{k.prefix} {k.key_hash} {k.name}" for k in keys)
            assert api_key not in stored and new_key not in stored
            tokens = (await s.execute(select(AuthToken.token_hash))).scalars().all()
            assert token not in tokens and len(tokens) >= 1
    finally:
        await engine.dispose()


CSP_DIRECTIVES = ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'")


def _check_security_headers(r: Any) -> None:
    csp = r.headers.get("content-security-policy", "")
    assert all(d in csp for d in CSP_DIRECTIVES), csp
    assert not re.search(r"https?:|//|\*", csp), f"the policy names an external host: {csp}"
    assert r.headers.get("x-frame-options") == "DENY"
    assert r.headers.get("x-content-type-options") == "nosniff"
    assert r.headers.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")


async def test_board_pages_carry_security_headers(sqlite_url: str) -> None:
    await build_world(sqlite_url)
    app = create_app(make_settings(sqlite_url))
    async with AsyncTestClient(app=app) as c:
        _check_security_headers(await c.get("/board/login"))
        bad = await board_login(c, "supervisor", "nope")
        assert bad.status_code == 401
        _check_security_headers(bad)
        await board_login(c)
        pages = [
            r.path
            for r in app.routes
            if r.path.startswith("/board") and "GET" in r.methods and "{" not in r.path and "events" not in r.path
        ]
        assert len(pages) >= 5
        for path in pages:
            r = await c.get(path)
            if r.headers.get("content-type", "").startswith("text/html"):
                _check_security_headers(r)


async def test_every_board_form_refuses_a_post_without_its_csrf_token(sqlite_url: str) -> None:
    await build_world(sqlite_url)
    app = create_app(make_settings(sqlite_url))
    routes = sorted(
        (method, r.path) for r in app.routes if r.path.startswith("/board") for method in r.methods & WRITE_METHODS
    )
    assert len(routes) >= 10, routes
    async with AsyncTestClient(app=app) as c:
        login = await board_login(c)
        assert login.status_code in (200, 302, 303)
        accepted = []
        for method, path in routes:
            url = re.sub(r"\{[^}]+\}", "1", path)
            for data in ({}, {"csrf": "forged"}):
                r = await c.request(method, url, data=data, follow_redirects=False)
                if r.status_code != 403:
                    accepted.append((method, path, data, r.status_code))
        assert not accepted, f"board writes not refused without their CSRF token: {accepted}"
        # the session is still good: a GET with it works (the refusals were the token's, not the login's)
        assert (await c.get("/board")).status_code == 200


async def test_the_login_form_is_refused_unless_posted_from_the_boards_own_page(sqlite_url: str) -> None:
    """Login CSRF: another site must not log a supervisor's browser into an account of its choosing. The form's
    token is bound to a cookie the login page sets (SameSite=Strict), so a post from elsewhere lacks one or both."""
    await build_world(sqlite_url)
    app = create_app(make_settings(sqlite_url))
    creds = {"username": "supervisor", "password": PASSWORD, "next": "/board"}
    async with AsyncTestClient(app=app) as c:
        page = await c.get("/board/login")
        token = login_form_token(page.text)
        cookie = page.cookies.get(LOGIN_COOKIE)
        assert cookie and "samesite=strict" in page.headers["set-cookie"].lower()
        c.cookies.clear()
        for form, cookies in (
            (creds, {}),  # no token, no cookie: a plain cross-site form
            ({**creds, "csrf": token}, {}),  # a token copied from a page, without the browser's cookie
            ({**creds, "csrf": token}, {LOGIN_COOKIE: "forged"}),
            ({**creds, "csrf": "0" * 64}, {LOGIN_COOKIE: cookie}),
        ):
            c.cookies.clear()
            c.cookies.update(cookies)
            r = await c.post("/board/login", data=form, follow_redirects=False)
            assert r.status_code == 403 and "log in again" in r.text, (form, cookies, r.status_code)
            assert SESSION_COOKIE not in r.cookies
            login_form_token(r.text)  # the refusal is a fresh form to log in with
        c.cookies.clear()
        ok = await board_login(c)
        assert ok.status_code in (302, 303) and ok.cookies.get(SESSION_COOKIE)
        assert (await c.get("/board")).status_code == 200
