"""The shift on the board in a real browser (Debian's Chromium via Playwright) against a real server (two worker
processes) on PostgreSQL, Redis and a real job worker, offline: a picker is refused; the supervisor plans a wave,
sees each cart's route on the plan and the metres saved, releases it (on the job worker) and watches the progress
bar move while picks are confirmed over the API, without reloading; a short pick's exception appears live and is
resolved. Every page is photographed at 1366x768 (``tests/browser/screenshots/`` or ``WES_BOARD_SCREENSHOTS``);
no console error, no request leaves the server."""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.catalog.rules import make_gtin13
from tests.conftest import IN_CI
from tests.integration.test_board_returns import _shipped_order
from tests.outbound_helpers import order_body, receive
from tests.servers import FAST_HASHES, ROOT, running_server
from tests.world import PASSWORD, World, build_world

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("WES_BOARD_SCREENSHOTS", ROOT / "tests" / "browser" / "screenshots"))
GTIN = {f"{o}-SKU{i}": make_gtin13("690000", n * 10 + i) for n, o in enumerate(("OWNA", "OWNB")) for i in range(3)}
VIEWPORT: Any = {"width": 1366, "height": 768}


@pytest.fixture
def shift(pg_url: str, redis_url: str) -> Iterator[tuple[str, World]]:
    world = asyncio.run(build_world(pg_url))
    # SKU0 of each owner sits at the front of aisles 1 and 3 (the world's stock), SKU1 at the back of 2 and 4:
    # walking in location order zig-zags, the optimizer does not
    for owner, loc in (("OWNA", "A-02-09-A"), ("OWNB", "B-04-09-A")):
        asyncio.run(receive(pg_url, world.owners[owner], world.skus[f"{owner}-SKU1"], world.locations[loc], 50))
    # a Redis database of its own: no other run's worker takes this run's release job
    redis = f"{redis_url.rsplit('/', 1)[0]}/{random.randrange(3, 16)}"
    with running_server(pg_url, redis_url=redis) as base:
        env = {
            **os.environ,
            **FAST_HASHES,
            "WES_DATABASE_URL": pg_url,
            "WES_REDIS_URL": redis,
            "WES_LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen([sys.executable, "-m", "server.cli", "worker"], cwd=ROOT, env=env)
        try:
            yield base, world
        finally:
            worker.terminate()
            worker.wait(timeout=20)


def _api_login(base: str, username: str, device: str | None = None) -> dict[str, str]:
    body: dict[str, Any] = {"username": username, "password": PASSWORD}
    if device:
        body["device_code"] = device
    r = httpx.post(f"{base}/api/v1/auth/login", json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _orders(base: str, world: World, n: int = 8) -> None:
    for i in range(n):
        owner = ("OWNA", "OWNB")[i % 2]
        lines = [(f"{owner}-SKU0", 2), (f"{owner}-SKU1", 1 + i % 3)]
        body = order_body(world, f"BR-{i}", lines, carrier="SF" if i < 6 else "YTO", priority=i % 3)
        r = httpx.post(f"{base}/api/v1/orders", json=body, headers={"X-API-Key": world.api_keys[owner]})
        assert r.status_code == 201, r.text
    sup = _api_login(base, "supervisor")
    r = httpx.post(f"{base}/api/v1/allocation/run", json={"warehouse_id": world.warehouse_id}, headers=sup)
    assert len(r.json()["allocated"]) == n, r.text
    r = httpx.post(
        f"{base}/api/v1/warehouses/{world.warehouse_id}/cart-types",
        json={"code": "C4", "max_orders": 4, "max_lines": 20},
        headers=sup,
    )
    assert r.status_code == 201, r.text


def test_shift_on_the_board(shift: tuple[str, World], pg_url: str) -> None:
    if not Path(CHROMIUM).exists():
        msg = f"Chromium is not installed at {CHROMIUM}: run scripts/install-test-deps.sh"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)  # a developer laptop without it; CI=true fails above instead
    from playwright.sync_api import Page, sync_playwright

    base, world = shift
    _orders(base, world)
    shipped_id = asyncio.run(_shipped_order(pg_url, world, "BR-SHIPPED"))  # for the return made on the board
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    problems: list[str] = []

    def shot(page: Page, name: str) -> None:
        page.screenshot(path=str(SHOTS / f"board-{name}.png"))

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )

        def new_page() -> Page:
            page = browser.new_context(viewport=VIEWPORT).new_page()

            def guard(route: Any) -> None:
                if route.request.url.startswith(base):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", guard)
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("dialog", lambda d: d.accept())
            return page

        def log_in(page: Page, who: str, target: str = "/board") -> None:
            page.goto(f"{base}{target}")
            page.fill("input[name=username]", who)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")

        # a picker's login is refused the board
        picker_page = new_page()
        picker_page.on("console", lambda m: None)
        log_in(picker_page, "picker")
        picker_page.wait_for_selector("text=The board is for supervisors and admins.")
        shot(picker_page, "refused-picker")
        picker_page.context.close()
        problems.clear()  # the 403 of the refused page is logged by Chromium as a failed resource: expected

        page = new_page()
        log_in(page, "supervisor", "/board/waves")
        page.wait_for_selector("#order-rows")
        assert page.inner_text("#orders-found").startswith("8")
        page.select_option("select[name=carrier]", "SF")
        page.click("#wave-filters button[type=submit]")
        page.wait_for_function("() => (document.querySelector('#orders-found b') || {}).innerText === '6'")
        shot(page, "waves")
        page.fill("input[name=time_limit_s]", "0.5")
        page.click("#plan-wave")
        page.wait_for_selector("#wave-plan")
        # the preview: one route per cart on the plan, and the metres saved against walking in location order
        routes = page.locator("#wave-plan .route polyline").count()
        assert routes == int(page.inner_text("#wave-carts")) >= 2
        saved = re.fullmatch(r"(\d+) m · ([\d.]+) %", page.inner_text("#wave-saving"))
        planned, baseline = (float(x) for x in re.findall(r"[\d.]+", page.inner_text("#wave-metres"))[:2])
        assert saved and 0 < planned < baseline and float(saved.group(2)) > 0, page.inner_text("#wave-saving")
        page.hover("tr.batch-row >> nth=1")
        shot(page, "wave-preview")
        # release on the job worker; the page is never reloaded from here on
        page.evaluate("() => { window.stillHere = true; }")
        page.click("#release-wave")
        page.wait_for_function(
            "() => (document.querySelector('#release-text') || {}).innerText === '6 / 6'"
            " && (document.querySelector('#wave-status') || {}).innerText === 'released'",
            timeout=30_000,
        )
        total = int(page.inner_text("#pick-text").split("/")[1].split()[0])
        assert page.inner_text("#pick-text").startswith("0 /") and total >= 12
        shot(page, "wave-released")
        picker = _api_login(base, "picker", "PDA-T1")
        batch = httpx.post(
            f"{base}/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=picker
        ).json()
        # two picks back to back, then one more: the bar must end on the last confirmed pick (a leading-edge
        # throttle alone would show the first of a burst and drop the rest until the next event)
        for n, pick in enumerate(batch["picks"][:3], start=1):
            r = httpx.post(
                f"{base}/api/v1/picking/picks/{pick['task_id']}/confirm",
                json={"location": pick["location_code"], "item": GTIN[pick["sku_code"]], "qty": pick["qty"]},
                headers=picker,
            )
            assert r.status_code == 200, r.text
            if n == 1:
                continue
            try:
                page.wait_for_function(
                    f"() => (document.querySelector('#pick-bar') || {{}}).value === {n}", timeout=10_000
                )
            except Exception:
                print("DEBUG page", page.inner_html("#wave-progress"))
                print(
                    "DEBUG fetch",
                    page.evaluate(
                        "() => fetch(location.pathname.replace('/board/waves/', '/board/partials/waves/')"
                        " + '/progress').then(r => r.text())"
                    ),
                )
                raise
        assert page.inner_text("#pick-text").startswith(f"3 / {total}")
        assert page.evaluate("() => window.stillHere") is True
        shot(page, "wave-progress")

        # an exception appears live on the open exceptions page and is resolved there
        page.goto(f"{base}/board/exceptions")
        page.wait_for_selector("#no-exceptions")
        page.wait_for_timeout(800)  # the event stream is connected
        page.evaluate("() => { window.stillHere = true; }")
        todo = [
            p
            for p in httpx.post(
                f"{base}/api/v1/picking/claim", json={"warehouse_id": world.warehouse_id}, headers=picker
            ).json()["picks"]
            if p["status"] != "done" and p["qty"] >= 2
        ]
        short = todo[0]
        r = httpx.post(
            f"{base}/api/v1/picking/picks/{short['task_id']}/short",
            json={"location": short["location_code"], "found_qty": 1, "item": GTIN[short["sku_code"]]},
            headers=picker,
        )
        assert r.status_code == 200, r.text
        page.wait_for_selector("#exception-rows tr.exc-open", timeout=15_000)
        assert short["location_code"] in page.inner_text("#exception-rows")
        assert page.evaluate("() => window.stillHere") is True
        shot(page, "exceptions")
        page.fill("#exception-rows input[name=note]", "recounted, fine")
        page.click("#exception-rows button.action-close")
        page.wait_for_selector("#no-exceptions", timeout=10_000)
        sup = _api_login(base, "supervisor")
        resolved = httpx.get(f"{base}/api/v1/exceptions", params={"status": "resolved"}, headers=sup).json()
        assert [(e["resolution"], e["note"]) for e in resolved["items"]] == [("close", "recounted, fine")]

        # a return authorised on the board for a shipped order, and a count asked for from the Stock page
        page.goto(f"{base}/board/returns?order_id={shipped_id}")
        page.wait_for_selector("#rma-form")
        page.fill("input[name=qty_1]", "2")
        page.fill("input[name=why_1]", "wrong colour")
        shot(page, "returns-form")
        page.click("#authorise-return")
        page.wait_for_selector("#rma-created")
        assert "BR-SHIPPED" in page.inner_text("#rma-rows")
        shot(page, "returns")
        page.goto(f"{base}/board/stock?location=A-02-09-A")
        page.wait_for_selector("#stock-rows")
        page.click("#stock-rows button.count-location >> nth=0")
        page.wait_for_selector("#count-result p.ok")
        assert "A-02-09-A" in page.inner_text("#count-result")
        shot(page, "stock-count")

        # the other pages, photographed for review
        for name, url, ready in (
            ("overview", "/board", "#kpi-units"),
            ("tasks", "/board/tasks", "#task-rows"),
            ("stock", "/board/stock?q=OWNA-SKU1", "#stock-rows"),
            ("inbound", "/board/inbound", "#po-rows"),
            ("labels", "/board/labels?code=A-01-01-A", "#label-preview"),
            ("users", "/board/users", "table"),
            ("exceptions-resolved", "/board/exceptions?status=resolved", "#exception-rows"),
            ("webhooks", "/board/webhooks?status=all", "#webhook-filters"),
        ):
            page.goto(f"{base}{url}")
            page.wait_for_selector(ready)
            page.wait_for_timeout(300)
            shot(page, name)
        browser.close()
    assert outside == [], outside
    assert problems == [], problems
