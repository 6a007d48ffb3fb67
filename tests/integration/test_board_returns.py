"""Returns and counts on demand from the board, over HTTP on both databases: a supervisor picks a shipped order,
authorises a return of some of its lines (more than was shipped refused with the reason and nothing written; a
forged form refused), sees it listed in English and Chinese; "count this location" on the Stock page opens a count
task (a second one refused while the first is open); a picker and an owner's login are refused these pages."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from server.db.engine import create_engine, create_session_factory
from server.db.uow import UnitOfWork
from server.identity.principal import SYSTEM
from tests.integration.test_board import _board_login, _csrf
from tests.outbound_helpers import order_body
from tests.world import World, login


async def _shipped_order(db_url: str, world: World, ref: str) -> int:
    """An OWNA order of 3 x SKU0 and 2 x SKU1 in the state shipping leaves it (the pick-pack-ship path itself is
    tests/integration/test_returns.py's): status shipped, every unit picked."""
    from server.outbound import services
    from server.outbound.models import OrderLine, OrderStatus, SalesOrder
    from server.outbound.schemas import OrderIn

    engine = create_engine(db_url)
    try:
        async with create_session_factory(engine)() as session:
            body = order_body(world, ref, [("OWNA-SKU0", 3), ("OWNA-SKU1", 2)], owner_id=world.owners["OWNA"])
            order, _ = await services.submit_order(UnitOfWork(session, SYSTEM), OrderIn.model_validate(body))
            await session.execute(
                update(SalesOrder).where(SalesOrder.id == order.id).values(status=OrderStatus.SHIPPED)
            )
            await session.execute(
                update(OrderLine).where(OrderLine.order_id == order.id).values(picked_qty=OrderLine.qty)
            )
            await session.commit()
            return order.id
    finally:
        await engine.dispose()


async def _rmas(db_url: str) -> list[tuple[str, int, list[tuple[int, int]]]]:
    from server.outbound.models import OrderLine
    from server.returns.models import ReturnAuthorisation, ReturnLine

    engine = create_engine(db_url)
    try:
        async with create_session_factory(engine)() as session:
            out = []
            for rma in (await session.execute(select(ReturnAuthorisation).order_by(ReturnAuthorisation.id))).scalars():
                lines = (
                    await session.execute(
                        select(OrderLine.line_no, ReturnLine.qty)
                        .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
                        .where(ReturnLine.rma_id == rma.id)
                        .order_by(OrderLine.line_no)
                    )
                ).all()
                out.append((rma.number, rma.owner_id, [(int(a), int(b)) for a, b in lines]))
            return out
    finally:
        await engine.dispose()


async def test_return_authorised_on_the_board(client, world: World, db_url: str) -> None:
    order_id = await _shipped_order(db_url, world, "BRT-1")
    await _board_login(client)
    page = await client.get("/board/returns")
    assert page.status_code == 200 and 'id="shipped-orders"' in page.text
    assert f"/board/returns?order_id={order_id}" in page.text  # recently shipped, to choose from
    # found by its reference: the lines with what was shipped and what may still be returned
    chosen = await client.get("/board/returns", params={"q": "BRT-1"})
    assert 'id="rma-form"' in chosen.text and "OWNA-SKU1" in chosen.text
    assert re.search(
        r"<td>OWNA-SKU0</td><td class=\"num\">3</td><td class=\"num\">0</td><td class=\"num\">3</td>", chosen.text
    )
    token = _csrf(chosen.text)
    # a forged form is refused
    forged = await client.post("/board/returns", data={"csrf": "x" * 64, "order_id": str(order_id), "qty_1": "1"})
    assert forged.status_code == 403
    # more than was shipped: refused with the reason, what was typed kept, nothing written
    refused = await client.post(
        "/board/returns", data={"csrf": token, "order_id": str(order_id), "qty_1": "4", "why_1": "too many"}
    )
    assert refused.status_code == 422 and 'id="rma-errors"' in refused.text
    assert "3 shipped" in refused.text and 'value="too many"' in refused.text
    assert await _rmas(db_url) == []
    nothing = await client.post("/board/returns", data={"csrf": token, "order_id": str(order_id), "qty_1": "0"})
    assert nothing.status_code == 422 and "at least one line" in nothing.text
    # authorised: 2 of line 1 and 1 of line 2, through the returns use case
    r = await client.post(
        "/board/returns",
        data={
            "csrf": token,
            "order_id": str(order_id),
            "qty_1": "2",
            "why_1": "wrong size",
            "qty_2": "1",
            "number": "RMA-B1",
            "reason": "customer",
        },
        follow_redirects=False,
    )
    assert r.status_code in (302, 303) and r.headers["location"] == "/board/returns?created=RMA-B1", r.text
    assert await _rmas(db_url) == [("RMA-B1", world.owners["OWNA"], [(1, 2), (2, 1)])]
    listing = (await client.get(r.headers["location"])).text
    assert 'id="rma-created"' in listing and "RMA-B1" in listing and "authorised" in listing
    # the API sees the same return
    sup = await login(client, "supervisor")
    api = (await client.get("/api/v1/returns", headers=sup)).json()
    assert [x["number"] for x in api["items"]] == ["RMA-B1"]
    client.cookies.clear()
    await _board_login(client)
    # what is left to return is shown; the same quantity again is refused
    again = (await client.get("/board/returns", params={"order_id": order_id})).text
    assert re.search(
        r"<td>OWNA-SKU0</td><td class=\"num\">3</td><td class=\"num\">2</td><td class=\"num\">1</td>", again
    )
    token = _csrf(again)
    twice = await client.post("/board/returns", data={"csrf": token, "order_id": str(order_id), "qty_1": "2"})
    assert twice.status_code == 422 and len(await _rmas(db_url)) == 1
    # in Chinese
    await client.post("/board/locale", headers={"X-CSRF-Token": token})
    zh = (await client.get("/board/returns")).text
    assert "创建退货授权" in zh and "已授权" in zh and 'lang="zh-CN"' in zh


async def test_an_order_not_shipped_cannot_be_returned_on_the_board(client, world: World) -> None:
    api_a = {"X-API-Key": world.api_keys["OWNA"]}
    r = await client.post("/api/v1/orders", json=order_body(world, "BRT-OPEN", [("OWNA-SKU0", 1)]), headers=api_a)
    assert r.status_code == 201
    await _board_login(client)
    page = (await client.get("/board/returns", params={"q": "BRT-OPEN"})).text
    assert 'id="order-not-shipped"' in page and 'id="rma-form"' not in page
    token = _csrf(page)
    r = await client.post("/board/returns", data={"csrf": token, "order_id": str(r.json()["id"]), "qty_1": "1"})
    assert r.status_code == 422 and "only a shipped order" in r.text
    assert 'id="order-not-found"' in (await client.get("/board/returns", params={"q": "NOPE"})).text


async def test_count_this_location_from_the_stock_page(client, world: World) -> None:
    await _board_login(client)
    page = (await client.get("/board/stock", params={"location": "A-01-01-A"})).text
    loc = world.locations["A-01-01-A"]
    assert f"/board/stock/locations/{loc}/count" in page
    token = _csrf(page)
    assert (await client.post(f"/board/stock/locations/{loc}/count")).status_code == 403  # no CSRF token
    r = await client.post(f"/board/stock/locations/{loc}/count", headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and 'class="ok"' in r.text and "A-01-01-A" in r.text, r.text
    task_id = int(re.search(r"#(\d+)", r.text).group(1))  # type: ignore[union-attr]
    # the count task is on the floor, a count opened on demand
    sup = await login(client, "supervisor")
    counts = (await client.get("/api/v1/counts", headers=sup)).json()
    items = counts["items"] if isinstance(counts, dict) else counts
    assert [(c["task_id"], c["location_id"], c["source"]) for c in items] == [(task_id, loc, "on_demand")]
    task = (await client.get(f"/api/v1/tasks/{task_id}", headers=sup)).json()
    assert task["type"] == "count" and task["status"] == "open"
    client.cookies.clear()
    await _board_login(client)
    token = _csrf((await client.get("/board/stock")).text)
    # a second count of the same location while the first is open: refused in its place, nothing written
    again = await client.post(f"/board/stock/locations/{loc}/count", headers={"X-CSRF-Token": token})
    assert again.status_code == 200 and 'class="error"' in again.text and "already being counted" in again.text
    # an empty location: nothing to count without naming an owner
    empty = world.locations["A-02-09-A"]
    r = await client.post(f"/board/stock/locations/{empty}/count", headers={"X-CSRF-Token": token})
    assert 'class="error"' in r.text and "holds no stock" in r.text
    counts = (await client.get("/api/v1/counts", headers=await login(client, "supervisor"))).json()
    assert len(counts["items"] if isinstance(counts, dict) else counts) == 1


async def test_pages_refused_to_pickers_and_owners(client, world: World) -> None:
    for who in ("picker", "client-owna"):
        client.cookies.clear()
        await _board_login(client, who)
        for url in ("/board/returns", "/board/webhooks"):
            assert (await client.get(url)).status_code == 403, (who, url)
        r = await client.post(f"/board/stock/locations/{world.locations['A-01-01-A']}/count")
        assert r.status_code == 403
