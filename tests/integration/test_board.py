"""The supervisor board over HTTP: login, roles, pages with real numbers, CSRF on writes, label print."""

from __future__ import annotations

import re
from pathlib import Path

from tests.board_helpers import board_login
from tests.world import World


async def _board_login(client, username: str = "supervisor"):
    return await board_login(client, username)


def _csrf(html: str) -> str:
    m = re.search(r'"X-CSRF-Token": "([0-9a-f]{64})"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


async def test_login_redirects_and_roles(client, world: World) -> None:
    r = await client.get("/board", follow_redirects=False)
    assert r.status_code in (302, 303, 307) and r.headers["location"].startswith("/board/login")
    bad = await board_login(client, "supervisor", "nope")
    assert bad.status_code == 401 and "Wrong user or password" in bad.text
    r = await _board_login(client)
    assert r.status_code in (302, 303) and r.headers["location"] == "/board"
    page = await client.get("/board")
    assert page.status_code == 200 and "Units on hand" in page.text
    client.cookies.clear()
    await _board_login(client, "picker")
    assert (await client.get("/board")).status_code == 403
    client.cookies.clear()
    await _board_login(client, "client-owna")
    assert (await client.get("/board/stock")).status_code == 403


async def test_overview_stock_history_and_users(client, world: World) -> None:
    await _board_login(client)
    page = (await client.get("/board")).text
    assert "280" in page  # units on hand: 100 + 40 for each of the two owners
    assert "data-charts=" in page and "OWNA" in page and "/static/board/vendor/chart.umd.min.js" in page
    stock = (await client.get("/board/stock", params={"location": "a-01-01-a"})).text
    assert "OWNA-SKU0" in stock and 'id="stock-rows"' in stock
    row_id = re.search(r"/board/stock/(\d+)/history", stock).group(1)  # type: ignore[union-attr]
    history = (await client.get(f"/board/stock/{row_id}/history")).text
    assert "receipt" in history and "A-01-01-A" in history
    assert "No" not in (await client.get("/board/stock", params={"q": "OWNA-SKU0"})).text[:0]
    users = (await client.get("/board/users")).text
    assert "supervisor" in users and "PDA-T1" in users


async def test_static_assets_are_local(client, world: World) -> None:
    await _board_login(client)
    page = (await client.get("/board")).text
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith("/"), url
        if url.startswith("/static"):
            assert (await client.get(url)).status_code == 200, url


async def test_writes_need_the_csrf_token(client, world: World) -> None:
    await _board_login(client)
    token = _csrf((await client.get("/board")).text)
    refused = await client.post("/board/locale")
    assert refused.status_code == 403
    ok = await client.post("/board/locale", headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and ok.headers.get("hx-refresh") == "true"
    assert "总览" in (await client.get("/board")).text  # the supervisor now reads Chinese


async def test_location_label_preview_and_print(client, world: World, tmp_path: Path) -> None:
    await _board_login(client)
    page = (await client.get("/board/labels", params={"code": "A-01-01-A"})).text
    token = _csrf(page)
    img = re.search(r'src="(/board/labels/location/(\d+)/preview\.png)"', page)
    assert img
    png = await client.get(img.group(1))
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n" and len(png.content) > 2000
    out = tmp_path / "label.zpl"
    r = await client.post(
        f"/board/labels/location/{img.group(2)}/print", data={"printer": f"file://{out}", "csrf": token}
    )
    assert r.status_code == 200 and "Sent to the printer" in r.text
    zpl = out.read_bytes()
    assert zpl.startswith(b"^XA") and b"A-01-01-A" in zpl
    r = await client.post(
        f"/board/labels/location/{img.group(2)}/print", data={"printer": "tcp://127.0.0.1:1", "csrf": token}
    )
    assert r.status_code == 200 and 'class="error"' in r.text


async def _make_task(db_url: str, world: World, task_type: str) -> int:
    from server.db.engine import create_engine, create_session_factory
    from server.db.uow import UnitOfWork
    from server.identity.principal import SYSTEM
    from server.tasks.models import TaskType
    from server.tasks.services import create_task

    engine = create_engine(db_url)
    async with create_session_factory(engine)() as session:
        task = await create_task(
            UnitOfWork(session, SYSTEM),
            type=TaskType(task_type),
            warehouse_id=world.warehouse_id,
            owner_id=world.owners["OWNA"],
            sku_id=world.skus["OWNA-SKU0"],
            qty=5,
            from_location_id=world.locations["RCV-01"],
            to_location_id=world.locations["A-01-05-A"],
        )
        await session.commit()
        task_id = task.id
    await engine.dispose()
    return task_id


async def test_tasks_page_reassign_and_cancel(client, world: World, db_url: str) -> None:
    put = await _make_task(db_url, world, "putaway")
    pick = await _make_task(db_url, world, "pick")
    await _board_login(client)
    page = (await client.get("/board/tasks")).text
    token = _csrf(page)
    assert f'id="task-{put}"' in page and "RCV-01" in page and "OWNA-SKU0" in page
    # the live refresh of a later page keeps its place (type and offset), as every paged board table does
    later = (await client.get("/board/tasks?type=pick&offset=100")).text
    assert 'hx-get="/board/partials/tasks?type=pick&offset=100"' in later
    users = (await client.get("/board/users")).text
    assert "picker" in users
    picker_id = re.search(r'<option value="(\d+)" >picker</option>', page)
    assert picker_id, "the picker is offered for assignment"
    r = await client.post(f"/board/tasks/{put}/reassign", data={"user_id": picker_id.group(1), "csrf": token})
    row = re.search(rf'<tr id="task-{put}">(.*?)</tr>', r.text, re.S)
    assert r.status_code == 200 and row and "claimed" in row.group(1) and "<td>picker</td>" in row.group(1)
    refused = await client.post(f"/board/tasks/{put}/cancel", data={"csrf": "forged"})
    assert refused.status_code == 403
    r = await client.post(f"/board/tasks/{put}/cancel", data={"csrf": token})
    assert r.status_code == 200 and f'id="task-{put}"' not in r.text
    r = await client.post(f"/board/tasks/{pick}/cancel", data={"csrf": token})
    assert r.status_code == 409 and r.json()["code"] == "cancel_the_order"
