"""What a person would read off a location label, for tests that play the picker or receiver."""

from __future__ import annotations

from typing import Any

from tests.world import PASSWORD


async def label_check_digits(client: Any, location_id: int) -> str:
    """The check digits printed on the location's label (read as a supervisor, who prints labels)."""
    r = await client.post("/api/v1/auth/login", json={"username": "supervisor", "password": PASSWORD})
    h = {"Authorization": f"Bearer {r.json()['token']}"}
    loc = (await client.get(f"/api/v1/locations/{location_id}", headers=h)).json()
    return str(loc["check_digits"])
