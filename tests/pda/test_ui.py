"""The handheld app for real: Kivy on a virtual display (Xvfb), a real multi-process server on PostgreSQL, scans
through the fake scanner. Screenshots of each screen land in the test's folder (or WES_PDA_SCREENSHOTS)."""

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

import httpx
import pytest

from tests.conftest import IN_CI
from tests.servers import running_server
from tests.world import PASSWORD, World, build_world

ROOT = Path(__file__).resolve().parents[2]


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
    shots = Path(os.environ.get("WES_PDA_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DISPLAY": display, "KIVY_HOME": str(tmp_path / "kivy"), "KIVY_AUDIO": "sdl2"}
    run = subprocess.run(
        [sys.executable, "-m", "tests.pda.ui_driver", base, PASSWORD, str(shots), gtin[1:]],
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
