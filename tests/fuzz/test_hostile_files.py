"""Hostile files and bodies: CSV imports in the wrong encoding (GBK), with formula injection, bad rows or huge, and
oversize request bodies. Each gets a clear problem reply (row, column, reason) and nothing is imported."""

from __future__ import annotations

from typing import Any

import pytest

from tests.world import World, login

HEADER = "code,zone,type,aisle,bay,level,x_m,y_m,capacity_units,owner\n"


async def _locations(client: Any, headers: dict[str, str], world: World) -> int:
    r = await client.get(f"/api/v1/warehouses/{world.warehouse_id}/locations?limit=1", headers=headers)
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


async def _import(client: Any, headers: dict[str, str], world: World, body: bytes) -> Any:
    return await client.post(
        f"/api/v1/warehouses/{world.warehouse_id}/locations/import",
        content=body,
        headers={**headers, "Content-Type": "text/csv"},
    )


async def test_gbk_file_is_refused_whole_with_a_clear_reason(client: Any, world: World) -> None:
    admin = await login(client, "admin")
    before = await _locations(client, admin, world)
    text = HEADER + "Z-01-01-A,A,reserve,1,1,0,1.0,1.0,10,\nZ-01-02-A,A,reserve,1,2,0,1.0,2.0,10,\n"
    text = "# 货位导入 上海仓\n" + text  # a Chinese comment line, saved by a Chinese Excel in GBK
    r = await _import(client, admin, world, text.encode("gbk"))
    assert r.status_code in (400, 422), r.text
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert body["code"] == "invalid_csv" and body["detail"]
    assert await _locations(client, admin, world) == before


async def test_utf8_with_bom_and_chinese_is_read(client: Any, world: World) -> None:
    admin = await login(client, "admin")
    before = await _locations(client, admin, world)
    text = "\ufeff" + HEADER + "Z-01-01-A,A,reserve,1,1,0,1.0,1.0,10,\n"
    r = await _import(client, admin, world, text.encode("utf-8"))
    assert r.status_code == 200, r.text
    assert await _locations(client, admin, world) == before + 1


@pytest.mark.parametrize("payload", ["=cmd|' /C calc'!A0", "+1+1", "@SUM(A1:A2)", "-2+3", '=HYPERLINK("x")'])
async def test_formula_injection_in_code_or_zone_is_refused(client: Any, world: World, payload: str) -> None:
    admin = await login(client, "admin")
    before = await _locations(client, admin, world)
    quoted = '"' + payload.replace('"', '""') + '"'
    text = (
        HEADER
        + f"Z-01-01-A,A,reserve,1,1,0,1,1,10,\n{quoted},A,reserve,1,2,0,1,2,10,\nZ-01-03-A,{quoted},reserve,,,,,,,\n"
    )
    r = await _import(client, admin, world, text.encode())
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert {(e["row"], e["column"]) for e in errors} >= {(3, "code"), (4, "zone")}, errors
    assert await _locations(client, admin, world) == before


async def test_formula_injection_in_free_text_columns_is_refused(client: Any, world: World) -> None:
    admin = await login(client, "admin")
    before = await _locations(client, admin, world)
    text = "code,zone,type,position\nZ-01-01-A,A,reserve,=1+1\nZ-01-02-A,A,reserve,\t=2\nZ-01-03-A,A,reserve,L\n"
    r = await _import(client, admin, world, text.encode())
    assert r.status_code == 422, r.text
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(2, "position"), (3, "position")]
    assert "formula" in r.json()["errors"][0]["message"]
    assert await _locations(client, admin, world) == before


async def test_bad_rows_are_all_listed_and_nothing_is_imported(client: Any, world: World) -> None:
    admin = await login(client, "admin")
    before = await _locations(client, admin, world)
    rows = [
        "Z-01-01-A,A,reserve,1,1,0,1,1,10,",  # fine
        "Z-01-01-A,A,reserve,1,1,0,1,1,10,",  # duplicate code
        "Z-01-02-A,A,shelf,1,1,0,1,1,10,",  # unknown type
        "Z-01-03-A,A,reserve,x,1,0,1,1,10,",  # aisle not a number
        "Z-01-04-A,A,reserve,1,1,0,1,1,10,,extra",  # too many cells
        "Z-01-05-A,A,reserve,1,1,0,1e999,1,10,",  # absurd coordinate
        "Z-01-06-A,A,reserve,1,1,0,1,1,-5,",  # negative capacity
        "Z-01-07-A,A,reserve,1,1,0,1,1,10,NO-SUCH-OWNER",  # unknown owner
    ]
    r = await _import(client, admin, world, (HEADER + "\n".join(rows) + "\n").encode())
    assert r.status_code == 422, r.text
    listed = {e["row"] for e in r.json()["errors"]}
    assert {3, 4, 5, 6} <= listed, r.json()["errors"]
    assert all(e.get("message") or e.get("reason") for e in r.json()["errors"])
    assert await _locations(client, admin, world) == before


async def test_big_file_with_one_bad_row_at_the_end_imports_nothing(client: Any, world: World) -> None:
    admin = await login(client, "admin")
    before = await _locations(client, admin, world)
    rows = [f"H-{i // 100:03d}-{i % 100:02d}-A,A,reserve,{i // 100},{i % 100},0,1,1,10," for i in range(20_000)]
    rows.append("H-BAD,A,nowhere,1,1,0,1,1,10,")
    body = (HEADER + "\n".join(rows) + "\n").encode()
    assert len(body) < 2_000_000
    r = await _import(client, admin, world, body)
    assert r.status_code == 422, r.text[:500]
    assert [e["row"] for e in r.json()["errors"]] == [20_002]
    assert await _locations(client, admin, world) == before


async def test_oversize_bodies_are_refused_with_413(client: Any, world: World) -> None:
    admin = await login(client, "admin")
    before = await _locations(client, admin, world)
    huge = HEADER + "Z-01-01-A,A,reserve,1,1,0,1,1,10,\n" * 80_000  # > WES_MAX_BODY_BYTES (2 MB)
    r = await _import(client, admin, world, huge.encode())
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large", r.text[:300]
    assert await _locations(client, admin, world) == before
    key = {"X-API-Key": world.api_keys["OWNA"]}
    big_order = {"warehouse_id": world.warehouse_id, "channel": "web", "channel_order_id": "X", "note": "x" * 2_100_000}
    r = await client.post("/api/v1/orders", json=big_order, headers=key)
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"


async def test_binary_garbage_and_empty_files_get_a_reason(client: Any, world: World) -> None:
    admin = await login(client, "admin")
    before = await _locations(client, admin, world)
    for body in (b"", b"\x00\x01\x02\xff\xfe" * 100, b"code,zone,type\n", b"code;zone;type\nA;B;C\n"):
        r = await _import(client, admin, world, body)
        assert r.status_code == 422 and r.json()["code"] == "invalid_csv" and r.json()["detail"], (body[:20], r.text)
    assert await _locations(client, admin, world) == before


def test_cli_import_reads_gbk_and_refuses_latin1_with_a_reason(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    from tests.servers import ROOT

    def cli_import(content: bytes) -> subprocess.CompletedProcess[str]:
        f = tmp_path / "locations.csv"
        f.write_bytes(content)
        return subprocess.run(
            [sys.executable, "-m", "server.cli", "layout", "import", str(f)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "WES_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db", "COLUMNS": "200"},
            timeout=300,
        )

    # GBK is read (a Chinese Excel's CSV): the Chinese comment line is then a bad code on row 2, named as such
    done = cli_import("code,zone,type\n# 上海仓\nZ-01-01-A,A,reserve\n".encode("gbk"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "row=2" in done.stderr and "column=code" in done.stderr and "上海仓" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    # Latin-1 is neither UTF-8 nor Chinese: refused with the reason, not imported as nonsense
    done = cli_import("code,zone,type,position\nZ-01-01-A,A,reserve,Müller\n".encode("latin-1"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "neither UTF-8 nor Chinese" in done.stderr and "Traceback" not in done.stderr


# -- the bulk imports (SKUs, orders, purchase orders, stock) share the reader above; their hostile files ---------
async def _bulk(client: Any, kind: str, headers: dict[str, str], body: bytes, **params: str) -> Any:
    return await client.post(
        f"/api/v1/import/{kind}", content=body, headers={**headers, "Content-Type": "text/csv"}, params=params
    )


async def _sku_count(client: Any, headers: dict[str, str]) -> int:
    r = await client.get("/api/v1/skus?limit=1", headers=headers)
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("code,name\nX-1,Müller\n".encode("latin-1"), "neither UTF-8 nor Chinese"),
        (b"\x00\x01\x02\xff\xfe" * 100, "not text"),
        (b"", "empty"),
        (b"code,name\n", "no rows"),
        (b"code;name\nX-1;x\n", "column"),
        (b"code,name,colour\nX-1,x,red\n", "unknown column"),
        (b"code,code,name\nX-1,X-2,x\n", "twice"),
        (b"name\nx\n", "required column"),
    ],
)
async def test_bulk_files_that_are_not_usable_csv_get_a_reason(client: Any, world: World, body: bytes, reason: str):
    key = {"X-API-Key": world.api_keys["OWNA"]}
    before = await _sku_count(client, key)
    r = await _bulk(client, "skus", key, body)
    assert r.status_code == 422 and r.json()["code"] == "invalid_csv", r.text
    text = r.json()["detail"] + " ".join(str(e) for e in r.json().get("errors", []))
    assert reason in text, text
    assert await _sku_count(client, key) == before


async def test_bulk_encodings_gbk_utf16_and_a_named_encoding(client: Any, world: World):
    key = {"X-API-Key": world.api_keys["OWNA"]}
    text = "code,name\nENC-1,上海仓 茶叶\n"
    for n, (data, params) in enumerate(
        [
            (text.replace("ENC-1", "ENC-GBK").encode("gbk"), {}),
            (text.replace("ENC-1", "ENC-U16").encode("utf-16"), {}),
            (text.replace("ENC-1", "ENC-18030").encode("gb18030"), {"encoding": "gb18030"}),
            (text.replace("ENC-1", "ENC-BOM").encode("utf-8-sig"), {}),
        ]
    ):
        r = await _bulk(client, "skus", key, data, **params)
        assert r.status_code == 200, (n, r.text)
    r = await client.get("/api/v1/skus", headers=key, params={"q": "ENC-"})
    assert {s["name"] for s in r.json()["items"]} == {"上海仓 茶叶"} and r.json()["total"] == 4
    # told it is UTF-8 when it is GBK: refused, not guessed
    r = await _bulk(client, "skus", key, "code,name\nENC-X,上海\n".encode("gbk"), encoding="utf-8")
    assert r.status_code == 422 and "UTF-8" in r.json()["detail"], r.text


async def test_bulk_formulas_in_any_column_of_any_kind_are_refused_with_row_and_column(client: Any, world: World):
    staff = await login(client, "supervisor")
    cases = {
        "orders": (
            "channel_order_id,ship_to_name,ship_to_line1,ship_to_city,ship_to_postcode,ship_to_country,sku,qty\n"
            'H-1,=HYPERLINK("http://evil"),Road,City,1,CN,OWNA-SKU0,1\n',
            {"owner_id": str(world.owners["OWNA"])},
            (2, "ship_to_name"),
        ),
        "purchase-orders": ("number,supplier,sku,qty,note\nP-1,S,OWNA-SKU0,1,@SUM(1)\n", {}, (2, "note")),
        "stock": ("owner,location,sku,qty,lot\nOWNA,A-01-01-A,OWNA-SKU0,1,+cmd|x\n", {}, (2, "lot")),
        "skus": ('owner,code,name\nOWNA,F-1,"\r=1+1"\n', {}, (2, "name")),
    }
    for kind, (body, params, where) in cases.items():
        r = await _bulk(client, kind, staff, body.encode(), **params)
        assert r.status_code == 422, (kind, r.text)
        assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [where], (kind, r.text)


async def test_bulk_huge_cell_quoted_newlines_and_ragged_rows_are_named_not_crashed(client: Any, world: World):
    key = {"X-API-Key": world.api_keys["OWNA"]}
    before = await _sku_count(client, key)
    body = ('code,name\nQ-1,"two\nlines"\nQ-2,' + "x" * 20_000 + '\nQ-3,"unterminated\n').encode()
    r = await _bulk(client, "skus", key, body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] and all(e["row"] >= 2 for e in r.json()["errors"]), r.text
    assert await _sku_count(client, key) == before
    r = await _bulk(client, "skus", key, b"code,name\nR-1,x,extra\nR-2\n")
    assert r.status_code == 422, r.text
    assert {(e["row"], e["column"]) for e in r.json()["errors"]} == {(2, ""), (3, "name")}, r.text


async def test_bulk_imports_have_their_own_size_limit(client: Any, world: World):
    """A 2.2 MB file is more than a JSON request may be (WES_MAX_BODY_BYTES, 2 MB) but within the import limit
    (WES_IMPORT_MAX_BYTES, 20 MB): read whole (its blank rows skipped, as a spreadsheet leaves them)."""
    key = {"X-API-Key": world.api_keys["OWNA"]}
    body = b"code,name\nBIG-1,big file\n" + b",\n" * 1_100_000 + b"BIG-2,after the blank rows\n"
    assert 2_000_000 < len(body) < 20_000_000
    r = await _bulk(client, "skus", key, body, dry_run="true")
    assert r.status_code == 200 and (r.json()["rows"], r.json()["created"]) == (2, 2), r.text[:300]
    r = await _bulk(client, "skus", key, body * 10)
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large", r.text[:300]
