"""Bulk CSV import and export over HTTP against PostgreSQL: SKUs, orders, purchase orders and stock.

Round trips (export, import back: nothing changes), GBK files from a Chinese Excel, a bad row anywhere means nothing
imported and every bad row listed, formula injection refused on import and neutralised on export, oversize files,
owner isolation, and a stock load after which `wes audit` is clean."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from typing import Any

import pytest

from server.catalog.rules import make_gtin13
from tests.conftest import make_settings
from tests.servers import ROOT, wes_audit
from tests.world import World, login

pytestmark = pytest.mark.postgres


@pytest.fixture
def db_url(pg_url: str) -> str:
    """These tests run on PostgreSQL only (the conftest's ``db_url`` runs SQLite too)."""
    return pg_url


def rows_of(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("gb18030")
    return list(csv.DictReader(io.StringIO(text)))


def to_csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


async def put(client: Any, kind: str, body: bytes | str, headers: dict[str, str], **params: Any) -> Any:
    content = body.encode() if isinstance(body, str) else body
    return await client.post(
        f"/api/v1/import/{kind}",
        content=content,
        headers={**headers, "Content-Type": "text/csv"},
        params={k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()},
    )


async def export(client: Any, kind: str, headers: dict[str, str], **params: Any) -> bytes:
    r = await client.get(f"/api/v1/export/{kind}.csv", headers=headers, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    return bytes(r.content)


async def total(client: Any, path: str, headers: dict[str, str], **params: Any) -> int:
    r = await client.get(path, headers=headers, params={"limit": 1, **params})
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


# -- SKUs --------------------------------------------------------------------------------------------------------
async def test_skus_round_trip_export_import_changes_nothing_then_updates_and_creates(client: Any, world: World):
    admin = await login(client, "admin")
    exported = await export(client, "skus", admin)
    assert exported.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, so Excel reads Chinese right
    rows = rows_of(exported)
    assert {r["code"] for r in rows} == {f"{o}-SKU{i}" for o in ("OWNA", "OWNB") for i in range(3)}
    r = await put(client, "skus", exported, admin)
    assert r.status_code == 200, r.text
    assert r.json() | {"encoding": "x"} == {
        "kind": "skus",
        "dry_run": False,
        "encoding": "x",
        "rows": 6,
        "items": 6,
        "created": 0,
        "updated": 0,
        "unchanged": 6,
    }
    # change a name and a flag, add a case GTIN, and a new SKU with a Chinese name
    a0 = next(r for r in rows if r["code"] == "OWNA-SKU0")
    a0["name"], a0["fragile"] = "Teapot, large", "yes"
    a0["gtins"] += f"|{make_gtin13('690000', 77)}*12"
    new = dict(a0, code="OWNA-NEW", name="绿茶 250g", gtins=make_gtin13("690000", 78), alternate_codes="TB-1")
    body = to_csv(list(rows[0].keys()), [list(r.values()) for r in [*rows, new]])
    r = await put(client, "skus", body, admin)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"], r.json()["unchanged"]) == (1, 1, 5)
    got = {r["code"]: r for r in rows_of(await export(client, "skus", admin, owner_id=world.owners["OWNA"]))}
    assert set(got) == {"OWNA-SKU0", "OWNA-SKU1", "OWNA-SKU2", "OWNA-NEW"}
    assert got["OWNA-SKU0"]["name"] == "Teapot, large" and got["OWNA-SKU0"]["fragile"] == "true"
    assert got["OWNA-SKU0"]["gtins"].endswith(f"{make_gtin13('690000', 77).zfill(14)}*12")
    assert got["OWNA-NEW"]["name"] == "绿茶 250g" and got["OWNA-NEW"]["alternate_codes"] == "TB-1"
    # the barcode really finds the SKU, as a scan would
    r = await client.get("/api/v1/skus", headers=admin, params={"barcode": make_gtin13("690000", 78)})
    assert [s["code"] for s in r.json()["items"]] == ["OWNA-NEW"]


async def test_gbk_file_from_a_chinese_excel_is_read(client: Any, world: World):
    key = {"X-API-Key": world.api_keys["OWNA"]}
    text = "code,name,uom,weight_kg,lot_controlled\n茶-1,龙井茶 一级,盒,0.25,是\n茶-2,普洱茶饼,饼,0.357,否\n"
    text = text.replace("茶-1", "TEA-1").replace("茶-2", "TEA-2")
    r = await put(client, "skus", text.encode("gbk"), key)
    assert r.status_code == 200, r.text
    assert r.json()["encoding"] == "gb18030" and r.json()["created"] == 2
    items = (await client.get("/api/v1/skus", headers=key, params={"q": "TEA-"})).json()["items"]
    assert {(s["code"], s["name"], s["uom"], s["lot_controlled"]) for s in items} == {
        ("TEA-1", "龙井茶 一级", "盒", True),
        ("TEA-2", "普洱茶饼", "饼", False),
    }
    assert all(s["owner_id"] == world.owners["OWNA"] for s in items)
    # and back out in GB18030 for an older Excel
    r = await client.get("/api/v1/export/skus.csv", headers=key, params={"encoding": "gb18030"})
    assert "龙井茶 一级" in r.content.decode("gb18030")


async def test_a_bad_row_anywhere_imports_nothing_and_every_bad_row_is_listed(client: Any, world: World):
    admin = await login(client, "admin")
    before = await total(client, "/api/v1/skus", admin)
    good = [f"OWNA,OK-{i},Item {i},,{make_gtin13('690001', i)}" for i in range(300)]
    bad = {
        2: "OWNA,BAD-GTIN,x,,6900000000001",  # wrong check digit: the catalog's own GTIN rule
        120: "OWNA,OK-5,again,,",  # the same code twice in the file
        200: "NOPE,X-1,x,,",  # no such owner
        250: "OWNA,X-2,x,Z,",  # demand class not A/B/C: the API schema's rule
        302: f"OWNA,X-3,x,,{make_gtin13('690000', 0)}",  # a barcode another SKU of OWNA already has (DB check)
    }
    lines = list(good)
    for row in sorted(bad):
        lines.insert(row - 2, bad[row])
    body = "owner,code,name,demand_class,gtins\n" + "\n".join(lines) + "\n"
    r = await put(client, "skus", body, admin)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "invalid_csv" and "nothing was imported" in problem["detail"]
    listed = {(e["row"], e["column"]) for e in problem["errors"]}
    assert listed == {(2, "gtins"), (120, "code"), (200, "owner"), (250, "demand_class"), (302, "gtins")}, listed
    assert all(e["message"] for e in problem["errors"])
    assert await total(client, "/api/v1/skus", admin) == before  # not even the 300 good ones


async def test_formula_injection_is_refused_on_import_and_neutralised_on_export(client: Any, world: World):
    key = {"X-API-Key": world.api_keys["OWNA"]}
    before = await total(client, "/api/v1/skus", key)
    payloads = ["=cmd|' /C calc'!A0", "+1+1", "@SUM(A1:A2)", "-2+3", '=HYPERLINK("http://x","y")', "\t=1"]
    body = to_csv(["code", "name"], [["SAFE-1", "ok"], *[[f"F-{i}", p] for i, p in enumerate(payloads)]])
    r = await put(client, "skus", body, key)
    assert r.status_code == 422, r.text
    assert {(e["row"], e["column"]) for e in r.json()["errors"]} == {(i + 3, "name") for i in range(len(payloads))}
    assert "formula" in r.json()["errors"][0]["message"]
    assert await total(client, "/api/v1/skus", key) == before
    # a phone number or a negative number is no formula
    r = await put(client, "skus", "code,name\nSAFE-2,+86 21 5555 0101\n", key)
    assert r.status_code == 200, r.text
    # what the JSON API let in is neutralised when exported: Excel shows it as text and runs nothing
    r = await client.post("/api/v1/skus", headers=key, json={"code": "EVIL-1", "name": "=cmd|' /C calc'!A0"})
    assert r.status_code == 201, r.text
    exported = await export(client, "skus", key)
    row = next(x for x in rows_of(exported) if x["code"] == "EVIL-1")
    assert row["name"] == "'=cmd|' /C calc'!A0"
    assert next(x for x in rows_of(exported) if x["code"] == "SAFE-2")["name"] == "+86 21 5555 0101"
    for line in exported.decode("utf-8-sig").splitlines()[1:]:
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) or cell == "+86 21 5555 0101", cell
    # importing that export back takes the quote off and refuses the formula again, naming it
    r = await put(client, "skus", exported, key)
    assert r.status_code == 422 and [(e["column"]) for e in r.json()["errors"]] == ["name"], r.text


async def test_oversize_files_and_too_many_rows_get_413_and_import_nothing(db_url: str, world: World):
    from litestar.testing import AsyncTestClient

    from server.app import create_app

    settings = make_settings(db_url, max_body_bytes=20_000, import_max_bytes=60_000, import_max_rows=1_000)
    async with AsyncTestClient(app=create_app(settings)) as client:
        key = {"X-API-Key": world.api_keys["OWNA"]}
        before = await total(client, "/api/v1/skus", key)
        rows = "".join(f"BIG-{i:05d},Item number {i} of a big file\n" for i in range(900))
        body = "code,name\n" + rows
        assert 20_000 < len(body) < 60_000  # larger than a JSON request may be, within the import limit
        r = await put(client, "skus", body, key, dry_run=True)
        assert r.status_code == 200 and r.json()["dry_run"] and r.json()["created"] == 900, r.text
        assert await total(client, "/api/v1/skus", key) == before  # a dry run imports nothing
        r = await put(client, "skus", body * 3, key)  # > import_max_bytes
        assert r.status_code == 413 and r.json()["code"] == "payload_too_large", r.text[:300]
        body = "code,name\n" + "".join(f"B{i},I\n" for i in range(1_001))  # small, but > import_max_rows
        r = await put(client, "skus", body, key)
        assert r.status_code == 413 and r.json()["code"] == "too_many_rows" and "1000" in r.json()["detail"]
        assert await total(client, "/api/v1/skus", key) == before
        # other endpoints keep the JSON limit
        r = await client.post("/api/v1/skus", headers=key, json={"code": "X", "name": "x" * 30_000})
        assert r.status_code == 413


async def test_multipart_upload_and_dry_run(client: Any, world: World):
    key = {"X-API-Key": world.api_keys["OWNA"]}
    files = {"file": ("skus.csv", b"code,name\nMP-1,From a form\n", "text/csv")}
    r = await client.post("/api/v1/import/skus", headers=key, files=files, params={"dry_run": "true"})
    assert r.status_code == 200 and r.json()["dry_run"] and r.json()["created"] == 1, r.text
    assert (await client.get("/api/v1/skus", headers=key, params={"q": "MP-1"})).json()["total"] == 0
    r = await client.post("/api/v1/import/skus", headers=key, files=files)
    assert r.status_code == 200 and not r.json()["dry_run"], r.text
    assert (await client.get("/api/v1/skus", headers=key, params={"q": "MP-1"})).json()["total"] == 1


# -- owners ------------------------------------------------------------------------------------------------------
async def test_an_owner_imports_and_exports_only_its_own(client: Any, world: World):
    key_a = {"X-API-Key": world.api_keys["OWNA"]}
    client_a = await login(client, "client-owna")
    staff = await login(client, "supervisor")
    b_before = await total(client, "/api/v1/skus", staff, owner_id=world.owners["OWNB"])
    # naming the other owner in the file, or as owner_id: 403, nothing imported (not even its own rows)
    r = await put(client, "skus", "owner,code,name\nOWNA,MINE-1,x\nOWNB,THEIRS-1,x\n", key_a)
    assert r.status_code == 403 and r.json()["code"] == "other_owner", r.text
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(3, "owner")]
    r = await put(client, "skus", "code,name\nTHEIRS-2,x\n", key_a, owner_id=world.owners["OWNB"])
    assert r.status_code == 403 and r.json()["code"] == "other_owner", r.text
    assert await total(client, "/api/v1/skus", staff, owner_id=world.owners["OWNB"]) == b_before
    assert (await client.get("/api/v1/skus", headers=key_a, params={"q": "MINE-1"})).json()["total"] == 0
    # a file without an owner column is the caller's own; a SKU code of the other owner is a new SKU of its own
    r = await put(client, "skus", "code,name\nOWNB-SKU0,my own item\n", key_a)
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    b_sku = (await client.get(f"/api/v1/skus/{world.skus['OWNB-SKU0']}", headers=staff)).json()
    assert b_sku["name"] == "Item 0"
    # exports: own rows only; naming the other owner is refused
    for kind in ("skus", "stock", "orders", "purchase-orders"):
        for headers in (key_a, client_a):
            rows = rows_of(await export(client, kind, headers))
            assert {r["owner"] for r in rows} <= {"OWNA"}, (kind, rows)
            r = await client.get(
                f"/api/v1/export/{kind}.csv", headers=headers, params={"owner_id": world.owners["OWNB"]}
            )
            assert r.status_code == 403 and r.json()["code"] == "other_owner", (kind, r.text)
    assert {r["owner"] for r in rows_of(await export(client, "stock", staff))} == {"OWNA", "OWNB"}
    # an owner does not load stock into the warehouse's books: managers do
    r = await put(client, "stock", "location,sku,qty\nA-01-01-A,OWNA-SKU0,999\n", key_a)
    assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text


# -- stock -------------------------------------------------------------------------------------------------------
async def test_stock_load_and_stock_take_write_the_ledger_and_the_audit_holds(client: Any, world: World, db_url: str):
    admin = await login(client, "admin")
    exported = await export(client, "stock", admin)
    r = await put(client, "stock", exported, admin)  # the books as they are: nothing to book
    assert r.status_code == 200 and r.json()["unchanged"] == 4 and r.json()["created"] == 0, r.text
    body = to_csv(
        ["owner", "warehouse", "location", "sku", "lot", "expiry", "lpn", "qty"],
        [
            ["OWNA", "WH1", "A-01-01-A", "OWNA-SKU0", "", "", "", 80],  # a stock take: 100 -> 80
            ["OWNA", "WH1", "A-01-03-A", "OWNA-SKU1", "", "", "", 25],  # found / initial load
            ["OWNA", "WH1", "A-01-04-A", "OWNA-SKU2", "L-7", "2031-06-30", "PAL-001", 12],  # lot, expiry, LPN
            ["OWNB", "WH1", "B-03-01-A", "OWNB-SKU0", "", "", "", 0],  # counted empty
        ],
    )
    r = await put(client, "stock", body, admin, dry_run=True)
    assert r.status_code == 200 and (r.json()["created"], r.json()["updated"]) == (2, 2), r.text
    r = await put(client, "stock", body, admin)
    assert r.status_code == 200, r.text
    after = rows_of(await export(client, "stock", admin))
    rows = {(x["owner"], x["location"], x["sku"], x["lot"], x["lpn"]): x for x in after}
    assert rows[("OWNA", "A-01-01-A", "OWNA-SKU0", "", "")]["qty"] == "80"
    assert rows[("OWNA", "A-01-03-A", "OWNA-SKU1", "", "")]["qty"] == "25"
    lot_row = rows[("OWNA", "A-01-04-A", "OWNA-SKU2", "L-7", "PAL-001")]
    assert (lot_row["qty"], lot_row["expiry"]) == ("12", "2031-06-30")
    assert not any(k[0] == "OWNB" and k[1] == "B-03-01-A" for k in rows)
    moves = (await client.get("/api/v1/movements", headers=admin, params={"limit": 100})).json()["items"]
    imported = [m for m in moves if m["reason"] == "import"]
    assert sorted(m["qty"] for m in imported) == [12, 20, 25, 100] and all(m["doc_type"] == "import" for m in imported)
    r = await client.get("/api/v1/lpns/PAL-001", headers=admin)
    assert r.status_code == 200, r.text
    done = wes_audit(db_url)
    assert done.returncode == 0, done.stdout + done.stderr
    # a bad stock file books nothing, not even its good row: a lot-controlled SKU without lot and expiry, an
    # unknown location
    r = await put(
        client,
        "stock",
        "owner,location,sku,lot,qty\nOWNA,A-01-05-A,OWNA-SKU2,,5\nOWNA,Z-99,OWNA-SKU0,,1\nOWNA,A-01-03-A,OWNA-SKU1,,30\n",
        admin,
    )
    assert r.status_code == 422, r.text
    assert {(e["row"], e["column"]) for e in r.json()["errors"]} == {(2, "lot"), (2, "expiry"), (3, "location")}, r.text
    assert rows_of(await export(client, "stock", admin)) == after
    assert wes_audit(db_url).returncode == 0


# -- orders and purchase orders ---------------------------------------------------------------------------------------
ORDER_HEADER = (
    "channel,channel_order_id,ship_to_name,ship_to_line1,ship_to_city,ship_to_postcode,ship_to_country,sku,qty"
)


async def test_orders_one_row_per_line_grouped_idempotent_and_refused_whole(client: Any, world: World):
    key = {"X-API-Key": world.api_keys["OWNA"]}
    before = await total(client, "/api/v1/orders", key)
    addr = "张三,南京西路 1 号,上海,200000,cn"
    body = (
        f"{ORDER_HEADER}\n"
        f"web,W-1,{addr},OWNA-SKU0,2\n"
        f",W-1,,,,,,OWNA-SKU1,1\n"  # later lines may leave the header cells blank
        f"web,W-2,{addr},OWNA-SKU0,5\n"
    )
    r = await put(client, "orders", body, key)
    assert r.status_code == 200 and (r.json()["items"], r.json()["created"]) == (2, 2), r.text
    r = await put(client, "orders", body, key)  # the same file again: taken in like the API, a repeat
    assert r.status_code == 200 and r.json()["unchanged"] == 2, r.text
    assert await total(client, "/api/v1/orders", key) == before + 2
    rows = [x for x in rows_of(await export(client, "orders", key)) if x["channel_order_id"].startswith("W-")]
    assert [(x["channel_order_id"], x["sku"], x["qty"], x["ship_to_city"], x["ship_to_country"]) for x in rows] == [
        ("W-1", "OWNA-SKU0", "2", "上海", "CN"),
        ("W-1", "OWNA-SKU1", "1", "上海", "CN"),
        ("W-2", "OWNA-SKU0", "5", "上海", "CN"),
    ]
    # problems in three orders: an unknown SKU on a line, an order repeated further down, a missing city,
    # a header value differing between the lines of one order; the good order W-3 is not taken in either
    body = (
        f"{ORDER_HEADER}\n"
        f"web,W-3,{addr},OWNA-SKU0,1\n"
        f"web,W-4,{addr},OWNA-SKU0,1\n"
        f"web,W-4,{addr},NO-SUCH-SKU,1\n"
        f"web,W-5,{addr},OWNA-SKU0,1\n"
        f"web,W-4,{addr},OWNA-SKU1,1\n"
        f"web,W-6,张三,南京西路 1 号,,200000,CN,OWNA-SKU0,1\n"
        f"web,W-7,{addr},OWNA-SKU0,1\n"
        f"marketplace,W-7,{addr},OWNA-SKU1,1\n"
        f"web,W-8,{addr},OWNA-SKU0,1\n"
        f"web,W-8,{addr.replace('上海', '北京')},OWNA-SKU1,1\n"
    )
    r = await put(client, "orders", body, key)
    assert r.status_code == 422, r.text
    listed = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert listed == {(4, "sku"), (6, "channel_order_id"), (7, "ship_to_city"), (11, "ship_to_city")}, r.json()
    assert await total(client, "/api/v1/orders", key) == before + 2


async def test_purchase_orders_import_export_and_a_duplicate_number_is_refused(client: Any, world: World):
    key = {"X-API-Key": world.api_keys["OWNA"]}
    r = await client.post("/api/v1/suppliers", headers=key, json={"code": "SUP-1", "name": "Tea farm"})
    assert r.status_code == 201, r.text
    body = (
        "number,supplier,expected_date,open,line_no,sku,qty,uom,line_expected_date\n"
        "PO-100,SUP-1,2026-12-01,yes,1,OWNA-SKU0,100,EA,\n"
        ",,,,2,OWNA-SKU1,48,CS,2026-12-05\n"
        "PO-101,SUP-1,,,,OWNA-SKU0,7,,\n"
    )
    r = await put(client, "purchase-orders", body, key)
    assert r.status_code == 200 and r.json()["created"] == 2, r.text
    rows = rows_of(await export(client, "purchase-orders", key))
    got = [(x["number"], x["line_no"], x["sku"], x["qty"], x["uom"], x["status"]) for x in rows]
    assert got == [
        ("PO-100", "1", "OWNA-SKU0", "100", "EA", "open"),
        ("PO-100", "2", "OWNA-SKU1", "48", "CS", "open"),
        ("PO-101", "1", "OWNA-SKU0", "7", "EA", "draft"),
    ]
    assert rows[1]["line_expected_date"] == "2026-12-05" and rows[0]["expected_date"] == "2026-12-01"
    # the export imported back: the numbers exist, refused like POST /purchase-orders, on their rows
    r = await put(client, "purchase-orders", to_csv(list(rows[0]), [list(x.values()) for x in rows]), key)
    assert r.status_code == 422, r.text
    assert {(e["row"], e["column"]) for e in r.json()["errors"]} == {(2, "number"), (4, "number")}
    r = await put(client, "purchase-orders", "number,supplier,sku,qty\nPO-200,NOPE,OWNA-SKU9,0\n", key)
    assert r.status_code == 422
    assert {e["column"] for e in r.json()["errors"]} == {"qty"}  # the schema first: quantity above zero


# -- CLI ---------------------------------------------------------------------------------------------------------
def test_cli_import_and_export(db_url: str, world: World, tmp_path: Any) -> None:
    env = {**os.environ, "WES_DATABASE_URL": db_url, "COLUMNS": "200"}
    f = tmp_path / "skus.csv"
    f.write_bytes("code,name\nCLI-1,命令行导入\nCLI-2,second\n".encode("gbk"))

    def wes(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "server.cli", *args], cwd=ROOT, capture_output=True, env=env, timeout=300
        )

    done = wes("import", "skus", str(f), "--owner", "OWNA")
    assert done.returncode == 0, done.stderr.decode()
    assert b'"created": 2' in done.stdout
    done = wes("export", "skus", "--owner", "OWNA")
    assert done.returncode == 0, done.stderr.decode()
    assert "命令行导入" in done.stdout.decode("utf-8-sig")
    f.write_bytes(b"code,name\nCLI-3,=1+1\n")
    done = wes("import", "skus", str(f), "--owner", "OWNA")
    assert done.returncode == 2 and b"row=2" in done.stderr and b"Traceback" not in done.stderr, done.stderr


async def test_a_refusal_deep_in_a_batch_after_updates_is_found_and_rolls_everything_back(client: Any, world: World):
    """Items run a hundred to a savepoint while all goes well; a refusal rolls that batch back and runs it again item
    by item. An update earlier in the same batch must not break the second pass, and nothing may stay."""
    admin = await login(client, "admin")
    before = await total(client, "/api/v1/skus", admin)
    lines = [f"OWNA,DEEP-{i:03d},Deep {i}," for i in range(150)]
    lines.append("OWNA,OWNA-SKU1,Renamed in the same batch,")  # row 152: an update, batch 2
    lines.append(f"OWNA,DEEP-DUP,Clash,{make_gtin13('690000', 0)}")  # row 153: OWNA-SKU0's GTIN, found by the DB
    lines += [f"OWNA,DEEP-{i:03d},Deep {i}," for i in range(150, 160)]
    r = await put(client, "skus", "owner,code,name,gtins\n" + "\n".join(lines) + "\n", admin)
    assert r.status_code == 422, r.text
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(153, "gtins")], r.text
    assert await total(client, "/api/v1/skus", admin) == before
    sku = (await client.get(f"/api/v1/skus/{world.skus['OWNA-SKU1']}", headers=admin)).json()
    assert sku["name"] == "Item 1"
