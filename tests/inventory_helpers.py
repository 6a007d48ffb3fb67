"""Helpers for inventory-control tests: GTINs of the test world's SKUs and scan strings."""

from __future__ import annotations

from datetime import date

import httpx

from server.catalog.rules import make_gtin13
from tests.world import PASSWORD

GTIN = {
    f"{o}-SKU{i}": make_gtin13("690000", n * 10 + i).zfill(14) for n, o in enumerate(("OWNA", "OWNB")) for i in range(3)
}


def gs1(sku_code: str, lot: str = "", expiry: date | None = None) -> str:
    """The human-readable GS1-128 of an item: (01) GTIN, (17) expiry, (10) lot."""
    s = f"(01){GTIN[sku_code]}"
    if expiry is not None:
        s += f"(17){expiry:%y%m%d}"
    if lot:
        s += f"(10){lot}"
    return s


async def token(c: httpx.AsyncClient, user: str) -> dict[str, str]:
    r = await c.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def new_user(c: httpx.AsyncClient, admin: dict[str, str], username: str, role: str, warehouse_id: int) -> None:
    r = await c.post(
        "/api/v1/users",
        json={
            "username": username,
            "display_name": username,
            "password": PASSWORD,
            "role": role,
            "warehouse_id": warehouse_id,
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
