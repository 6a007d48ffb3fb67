"""The `wes` layout commands on the embedded database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _wes(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WES_DATABASE_URL": db, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_layout_generate_then_import(sqlite_url: str, tmp_path: Path) -> None:
    gen = _wes(
        "layout",
        "generate",
        "--warehouse",
        "CLI1",
        "--create-warehouse",
        "--aisles",
        "3",
        "--aisle-length-m",
        "5",
        "--levels",
        "2",
        "--zones",
        "A,B",
        db=sqlite_url,
    )
    assert gen.returncode == 0, gen.stdout + gen.stderr
    assert '"created": 68' in gen.stdout  # 3 aisles x 5 bays x 2 sides x 2 levels + 8 fixed areas
    bad = tmp_path / "bad.csv"
    bad.write_text("code,zone,type,max_kg\nZ-1,Z,reserve,12\nZ-2,Z,attic,-4\n", encoding="utf-8")
    out = _wes("layout", "import", str(bad), "--warehouse", "CLI1", db=sqlite_url)
    assert out.returncode == 2
    assert "invalid_csv" in out.stderr and "row=3" in out.stderr and "column=type" in out.stderr
    assert "column=max_kg" in out.stderr
    good = tmp_path / "good.csv"
    good.write_text("\ufeffcode,zone,type,aisle,y_m\nZ-1,Z,reserve,0,2.5\n", encoding="utf-8")
    out = _wes("layout", "import", str(good), "--warehouse", "CLI1", db=sqlite_url)
    assert out.returncode == 0, out.stderr
    assert '"created": 1' in out.stdout
    unknown = _wes("layout", "import", str(good), "--warehouse", "NOPE", db=sqlite_url)
    assert unknown.returncode == 2 and "warehouse_not_found" in unknown.stderr
