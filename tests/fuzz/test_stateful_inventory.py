"""Hypothesis stateful test over the API on PostgreSQL: random sequences of receiving (found stock), losses, moves,
order intake with allocation, wave release, picks, short picks and cancellations. After every step the books hold:
no negative stock, allocated within on-hand and equal to the open reservations, stock equal to the ledger, one
holder per task, and no request ever got a 5xx."""

from __future__ import annotations

import asyncio
import itertools
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from server.catalog.rules import make_gtin13
from tests.conftest import make_settings
from tests.world import PASSWORD, World, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

GTIN = {f"OWNA-SKU{i}": make_gtin13("690000", i).zfill(14) for i in range(3)}
ORDER_SEQ = itertools.count()


async def _books(url: str) -> list[str]:
    import asyncpg

    from server.db.engine import create_engine, create_session_factory
    from server.inventory.services import audit_stock

    problems: list[str] = []
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        for sql, what in (
            ("SELECT id FROM stock WHERE on_hand < 0 OR allocated < 0", "negative stock"),
            ("SELECT id FROM stock WHERE allocated > on_hand", "allocated above on-hand"),
            (
                "SELECT s.id FROM stock s LEFT JOIN (SELECT stock_id, sum(qty) q FROM allocations GROUP BY stock_id) a"
                " ON a.stock_id = s.id WHERE s.allocated <> coalesce(a.q, 0)",
                "stock.allocated differs from its open reservations",
            ),
            (
                "SELECT t.id FROM tasks t JOIN pick_batches b ON b.id = (t.details->>'batch_id')::int"
                " WHERE t.type = 'pick' AND t.status IN ('claimed', 'in_progress')"
                " AND t.assignee_id IS DISTINCT FROM b.assignee_id",
                "a pick held by someone else than its batch's picker",
            ),
            (
                "SELECT assignee_id FROM pick_batches WHERE status IN ('claimed', 'in_progress')"
                " AND assignee_id IS NOT NULL GROUP BY assignee_id HAVING count(*) > 1",
                "a picker holding two batches",
            ),
            (
                "SELECT id FROM tasks WHERE status IN ('claimed', 'in_progress') AND assignee_id IS NULL",
                "a claimed task without a holder",
            ),
        ):
            rows = await conn.fetch(sql)
            if rows:
                problems.append(f"{what}: {[tuple(r) for r in rows[:5]]}")
    finally:
        await conn.close()
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            problems += [f"audit: {d}" for d in await audit_stock(session)]
    finally:
        await engine.dispose()
    return problems


class Floor(RuleBasedStateMachine):
    """Steps go through the real API (in-process app, real PostgreSQL); refusals (4xx) are fine, 5xx are not."""

    client: Any
    world: World
    url: str
    sup: dict[str, str]
    picker: dict[str, str]
    key: dict[str, str]

    def _call(self, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
        r = self.client.request(method, path, json=body, headers=headers)
        assert r.status_code < 500, f"{method} {path} {body} -> {r.status_code} {r.text}"
        return r

    def _stock_rows(self) -> list[dict[str, Any]]:
        r = self._call("GET", "/api/v1/stock?limit=500&owner_id=" + str(self.world.owners["OWNA"]), self.sup)
        return [s for s in r.json()["items"] if not s["lpn"]]

    def _orders(self, status: str | None = None) -> list[dict[str, Any]]:
        q = "/api/v1/orders?limit=200" + (f"&status={status}" if status else "")
        return list(self._call("GET", q, self.sup).json()["items"])

    @rule(data=st.data(), delta=st.integers(-8, 30))
    def adjust(self, data: st.DataObject, delta: int) -> None:
        rows = self._stock_rows()
        if not rows or delta == 0:
            return
        s = data.draw(st.sampled_from(rows))
        reason = "adjust_found" if delta > 0 else "adjust_lost"
        body = {"stock_id": s["id"], "delta": delta, "reason": reason, "note": "hypothesis"}
        self._call("POST", "/api/v1/stock/adjustments", self.sup, body)

    @rule(data=st.data(), qty=st.integers(1, 40))
    def move(self, data: st.DataObject, qty: int) -> None:
        rows = self._stock_rows()
        if not rows:
            return
        s = data.draw(st.sampled_from(rows))
        dest = data.draw(st.sampled_from(["A-01-03-A", "A-01-04-A", "A-02-05-A", "A-01-01-A"]))
        body = {"stock_id": s["id"], "qty": qty, "to_location_id": self.world.locations[dest]}
        self._call("POST", "/api/v1/stock/moves", self.sup, body)

    @rule(
        lines=st.lists(
            st.tuples(st.sampled_from(["OWNA-SKU0", "OWNA-SKU1"]), st.integers(1, 12)),
            min_size=1,
            max_size=2,
            unique_by=lambda t: t[0],
        )
    )
    def order_and_allocate(self, lines: list[tuple[str, int]]) -> None:
        body = {
            "warehouse_id": self.world.warehouse_id,
            "channel": "web",
            "channel_order_id": f"H-{os.getpid()}-{next(ORDER_SEQ)}",
            "carrier": "SF",
            "ship_to": {"name": "x", "line1": "1 Road", "city": "Shanghai", "postcode": "200001", "country": "CN"},
            "lines": [{"sku": s, "qty": q} for s, q in lines],
        }
        r = self._call("POST", "/api/v1/orders", self.key, body)
        if r.status_code == 201:
            self._call("POST", f"/api/v1/orders/{r.json()['id']}/allocate?partial=true", self.sup)

    @rule()
    def release_wave(self) -> None:
        r = self._call(
            "POST", "/api/v1/waves", self.sup, {"warehouse_id": self.world.warehouse_id, "time_limit_s": 0.2}
        )
        if r.status_code == 201:
            self._call("POST", f"/api/v1/waves/{r.json()['id']}/release", self.sup)

    def _open_pick(self, data: st.DataObject) -> dict[str, Any] | None:
        r = self._call("POST", "/api/v1/picking/claim", self.picker, {"warehouse_id": self.world.warehouse_id})
        if r.status_code != 200:
            return None
        todo = [p for p in r.json()["picks"] if p["status"] not in ("done", "cancelled")]
        return data.draw(st.sampled_from(todo)) if todo else None

    @rule(data=st.data())
    def pick(self, data: st.DataObject) -> None:
        p = self._open_pick(data)
        if p is not None:
            body = {"location": p["location_code"], "item": GTIN[p["sku_code"]], "qty": p["qty"]}
            self._call("POST", f"/api/v1/picking/picks/{p['task_id']}/confirm", self.picker, body)

    @rule(data=st.data(), found=st.integers(0, 5))
    def short_pick(self, data: st.DataObject, found: int) -> None:
        p = self._open_pick(data)
        if p is not None:
            body: dict[str, Any] = {"location": p["location_code"], "found_qty": min(found, p["qty"] - 1)}
            if body["found_qty"] > 0:
                body["item"] = GTIN[p["sku_code"]]
            self._call("POST", f"/api/v1/picking/picks/{p['task_id']}/short", self.picker, body)

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        orders = [o for o in self._orders() if o["status"] not in ("cancelled", "shipped")]
        if orders:
            o = data.draw(st.sampled_from(orders))
            self._call("POST", f"/api/v1/orders/{o['id']}/cancel", self.key, {"reason": "hypothesis"})

    @invariant()
    def books_hold(self) -> None:
        problems = asyncio.run(_books(self.url))
        assert problems == [], problems


def test_random_floor_sequences_keep_the_books(pg_url: str) -> None:
    from litestar.testing import TestClient

    from server.app import create_app

    world = asyncio.run(build_world(pg_url))
    app = create_app(make_settings(pg_url))
    with TestClient(app=app) as client:

        def token(user: str) -> dict[str, str]:
            r = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
            return {"Authorization": f"Bearer {r.json()['token']}"}

        Floor.client, Floor.world, Floor.url = client, world, pg_url
        Floor.sup, Floor.picker = token("supervisor"), token("picker")
        Floor.key = {"X-API-Key": world.api_keys["OWNA"]}
        client.post(
            f"/api/v1/warehouses/{world.warehouse_id}/cart-types",
            json={"code": "H", "max_orders": 3, "max_lines": 12},
            headers=Floor.sup,
        )
        run_state_machine_as_test(
            Floor,
            settings=settings(
                max_examples=int(os.environ.get("WES_STATEFUL_EXAMPLES", "6")),
                stateful_step_count=12,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )  # each step's invariants assert the books; and after the last sequence they still hold:
    assert asyncio.run(_books(pg_url)) == []
