"""The handheld app for real: Kivy on a virtual display (Xvfb), a real multi-process server on PostgreSQL, scans
through the fake scanner. Screenshots of each screen land in tests/pda/screenshots/ (git-ignored; or
WES_PDA_SCREENSHOTS) for review."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import IN_CI
from tests.pda.floor import GTIN, purchase_documents, released_batch
from tests.servers import running_server, wes_audit
from tests.world import PASSWORD, World, build_world, login

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("WES_PDA_SCREENSHOTS") or Path(__file__).parent / "screenshots")


@pytest.fixture
def display() -> Iterator[str]:
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        msg = "Xvfb is not installed: run scripts/install-test-deps.sh"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)  # a developer laptop without it; CI=true fails above instead
    num = f":{90 + os.getpid() % 100}"
    proc = subprocess.Popen(
        [xvfb, num, "-screen", "0", "1024x900x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    try:
        yield num
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def server(pg_url: str) -> Iterator[tuple[str, World, str]]:
    world = asyncio.run(build_world(pg_url))
    with running_server(pg_url) as base:
        yield base, world, pg_url


def test_picker_moves_and_looks_up_stock_on_the_handheld(
    display: str, server: tuple[str, World, str], tmp_path: Path
) -> None:
    base, world, pg_url = server
    staff = httpx.post(f"{base}/api/v1/auth/login", json={"username": "supervisor", "password": PASSWORD}).json()
    h = {"Authorization": f"Bearer {staff['token']}"}
    gtin = httpx.get(f"{base}/api/v1/skus/{world.skus['OWNA-SKU0']}", headers=h).json()["barcodes"][0]["value"]
    shots = SCREENSHOTS
    shots.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DISPLAY": display, "KIVY_HOME": str(tmp_path / "kivy"), "KIVY_AUDIO": "sdl2"}
    run = subprocess.run(
        [sys.executable, "-m", "tests.pda.ui_driver", base, PASSWORD, str(shots), gtin[1:], str(tmp_path / "data")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, run.stdout[-2000:] + run.stderr[-4000:]
    report = json.loads(lines[-1])
    assert report["ok"], report
    assert [p["tone"] for p in report["prompts"]][:5] == ["error", "ok", "ok", "ok", "ok"]
    assert "A-01-09-A" in report["lookup"] and "OWNA-SKU0" in report["lookup"]
    for name in report["screens"]:
        assert (shots / f"{name}.png").stat().st_size > 5000, name
    # the server agrees: 12 units moved, books balanced
    moved = httpx.get(f"{base}/api/v1/stock", params={"location": "A-01-09-A", "warehouse_id": 1}, headers=h).json()[
        "items"
    ]
    assert [(r["sku_code"], r["on_hand"]) for r in moved] == [("OWNA-SKU0", 12)]
    audit = subprocess.run(
        [sys.executable, "-m", "server.cli", "audit"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "WES_DATABASE_URL": pg_url},
    )
    assert audit.returncode == 0, audit.stdout


async def _floor_state(base: str, world: World, pg_url: str) -> dict[str, Any]:
    """An announced pallet to receive (ASN-H1) and a released batch, made over the API; the check digits of
    every location involved, as a supervisor reads them off the board."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        docs = await purchase_documents(http, world)
        await released_batch(http, world, pg_url)
        sup = await login(http, "supervisor")
        locs = await http.get(f"/api/v1/warehouses/{world.warehouse_id}/locations", params={"limit": 500}, headers=sup)
        digits = {x["code"]: x["check_digits"] for x in locs.json()["items"]}
        schema = (await http.get("/schema/openapi.json")).json()
    return {
        "docs": docs,
        "digits": digits,
        "counts_api": any(p.startswith("/api/v1/counts/tasks/") for p in schema["paths"]),
    }


def test_a_shift_on_the_handheld_receive_putaway_pick_and_count(
    display: str, server: tuple[str, World, str], tmp_path: Path
) -> None:
    base, world, pg_url = server
    state = asyncio.run(_floor_state(base, world, pg_url))
    shots = SCREENSHOTS
    shots.mkdir(parents=True, exist_ok=True)
    config = {
        "server": base,
        "password": PASSWORD,
        "out": str(shots),
        "data": str(tmp_path / "data"),
        "asn": "ASN-H1",
        "sscc": state["docs"]["sscc"],
        "digits": state["digits"],
        "gtins": GTIN,
        "wrong_gtin": GTIN["OWNB-SKU0"],
        # the short pick is SKU0 at A-01-01-A (100 there; 2 asked, 1 found; 1 more for the other order)
        "count_sku": "OWNA-SKU0",
        "count_qty": 98,
        "count_expect": "ok" if state["counts_api"] else "error",
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    env = {**os.environ, "DISPLAY": display, "KIVY_HOME": str(tmp_path / "kivy"), "KIVY_AUDIO": "sdl2"}
    run = subprocess.run(
        [sys.executable, "-m", "tests.pda.ui_tasks_driver", str(tmp_path / "config.json")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, run.stdout[-2000:] + run.stderr[-4000:]
    report = json.loads(lines[-1])
    assert report["ok"], (report.get("error"), report["prompts"][-3:])
    for name in report["screens"]:
        assert (shots / f"{name}.png").stat().st_size > 5000, name
    tones = [(p["screen"], p["tone"]) for p in report["prompts"]]
    # the wrong item, the short pick's question, and the replay the server refused (mistyped check digits)
    assert tones.count(("pick", "error")) == 3
    assert "check digits" in report["replay_refused"].lower(), report["replay_refused"]
    # the server agrees with what the screens said
    staff = httpx.post(f"{base}/api/v1/auth/login", json={"username": "supervisor", "password": PASSWORD}).json()
    h = {"Authorization": f"Bearer {staff['token']}"}
    put = report["putaway"]
    rows = httpx.get(f"{base}/api/v1/stock", params={"lpn": put["lpn"], "limit": 10}, headers=h).json()["items"]
    # the short pick re-allocated the missing unit from the pallet just put away: a pick added to the batch
    from_pallet = sum(p["found"] for p in report["picks"] if p["lpn"] == put["lpn"])
    assert [(r["location_code"], r["on_hand"]) for r in rows] == [(put["location"], put["qty"] - from_pallet)]
    batch = httpx.get(f"{base}/api/v1/picking/batches/{report['batch']}", headers=h).json()
    assert batch["status"] == "done"
    picked = {p["task_id"]: p["picked_qty"] for p in batch["picks"]}
    for p in report["picks"]:
        assert picked[p["task_id"]] == p["found"], (p, picked)
    assert len(report["picks"]) >= 4 and sum(p["found"] < p["qty"] for p in report["picks"]) == 1
    counts = httpx.get(
        f"{base}/api/v1/tasks", params={"type": "count", "warehouse_id": world.warehouse_id}, headers=h
    ).json()["items"]
    assert [c["status"] for c in counts][:1] == (["done"] if state["counts_api"] else ["claimed"])
    audit = wes_audit(pg_url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
