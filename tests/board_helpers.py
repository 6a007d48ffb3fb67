"""Logging in to the board as a browser does: the login page first (its form token and the cookie the token is
bound to), then the form."""

from __future__ import annotations

import re
from typing import Any

from tests.world import PASSWORD


def login_form_token(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert m, "no token on the login form"
    return m.group(1)


async def board_login(
    client: Any, username: str = "supervisor", password: str = PASSWORD, next_: str = "/board"
) -> Any:
    page = await client.get("/board/login")
    form = {"username": username, "password": password, "next": next_, "csrf": login_form_token(page.text)}
    return await client.post("/board/login", data=form, follow_redirects=False)
