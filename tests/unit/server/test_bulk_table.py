"""The shared CSV core of every bulk import: encodings, formulas, limits, row errors; and the kinds' row rules."""

from __future__ import annotations

import pytest

from server.bulk.rules import Kind, Scope, parse_orders, parse_skus, parse_stock
from server.bulk.table import Row, decode, is_formula, neutralise, read_table, truth, write_table
from server.errors import InvalidInput, PayloadTooLarge

TEXT = "code,name\nA-1,上海仓 龙井茶\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8-sig"), "utf-8"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
    ],
)
def test_auto_encoding_reads_utf8_utf16_and_chinese_excel(data: bytes, encoding: str) -> None:
    assert decode(data) == (TEXT, encoding)


@pytest.mark.parametrize(
    "data",
    ["code,name\nA,Müller Straße Café\n".encode("latin-1"), "x,y\nÀ la carte,é\n".encode("cp1252")],
)
def test_western_single_byte_files_are_refused_not_read_as_chinese(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="neither UTF-8 nor Chinese"):
        decode(data)


def test_a_named_encoding_is_kept_to_and_binary_is_refused() -> None:
    assert decode(TEXT.encode("gbk"), "gbk")[0] == TEXT
    with pytest.raises(InvalidInput, match="not UTF-8"):
        decode(TEXT.encode("gbk"), "utf-8")
    with pytest.raises(InvalidInput, match="not text"):
        decode(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InvalidInput) as exc:
        decode(b"a", "latin-1")
    assert exc.value.code == "invalid_encoding"


@pytest.mark.parametrize(
    ("cell", "formula"),
    [
        ("=1+1", True),
        ("+1+1", True),
        ("-2+3", True),
        ("@SUM(A1)", True),
        ("\t=1", True),
        ("\r=1", True),
        ("  =cmd|' /C calc'!A0", True),
        ("-A1", True),
        ("-5", False),
        ("+86 21 5555 0101", False),
        ("-0.25", False),
        ("-", False),
        ("a=b", False),
        ("", False),
        ("上海", False),
    ],
)
def test_formula_cells(cell: str, formula: bool) -> None:
    assert is_formula(cell) is formula
    assert neutralise(cell) == ("'" + cell if formula else cell)


def test_every_formula_cell_is_named_and_its_row_dropped_and_an_exported_quote_comes_off() -> None:
    t = read_table("code,name\nA,ok\nB,=1+1\nC,'=2+2\nD,'plain\n", columns=("code", "name"), required=("code",))
    assert [(r.n, r.cells["code"], r.cells["name"]) for r in t.rows] == [(2, "A", "ok"), (5, "D", "'plain")]
    assert [(e.row, e.column) for e in t.errors] == [(3, "name"), (4, "name")]


def test_header_problems_and_the_row_limit() -> None:
    t = read_table("Code , colour\nA,red\n", columns=("code", "name"), required=("code", "name"))
    assert {(e.row, e.column) for e in t.errors} == {(1, "colour"), (1, "name")} and not t.rows
    t = read_table("code,name,status\nA,x,open\n", columns=("code", "name"), required=(), ignored=("status",))
    assert t.rows[0].cells == {"code": "A", "name": "x"} and not t.errors
    with pytest.raises(PayloadTooLarge) as exc:
        read_table("code\n" + "x\n" * 11, columns=("code",), required=(), max_rows=10)
    assert exc.value.status == 413 and exc.value.code == "too_many_rows"
    assert len(read_table("code\n" + "x\n" * 10 + "\n,\n", columns=("code",), required=(), max_rows=10).rows) == 10


def test_export_is_utf8_with_bom_or_gb18030_and_neutralised() -> None:
    data = write_table(["a", "b"], [["=HYPERLINK(1)", "上海"], [None, True]])
    assert data == "\ufeffa,b\r\n'=HYPERLINK(1),上海\r\n,true\r\n".encode()
    assert write_table(["a"], [["龙井"]], "gb18030") == "a\r\n龙井\r\n".encode("gb18030")
    assert truth("是") == "true" and truth("No") == "false" and truth("maybe") == "maybe"


SCOPE = Scope(owners={"OWNA": 1}, warehouses={"WH1": 7}, caller_owner=None, default_owner=None, default_warehouse=7)


def _rows(text: str, kind: Kind) -> list[Row]:
    from server.bulk.rules import COLUMNS

    spec = COLUMNS[kind]
    return read_table(text, columns=spec.columns, required=spec.required, ignored=spec.export_only).rows


def test_sku_rows_become_the_apis_sku_input_with_their_barcodes() -> None:
    rows = _rows("owner,code,name,demand_class,gtins,alternate_codes\nOWNA,S-1,Tea,a,4006381333931*12,X|Y\n", Kind.SKUS)
    parsed = parse_skus(rows, SCOPE)
    assert not parsed.errors
    (item,) = parsed.items
    assert item.owner_id == 1 and item.payload.demand_class == "A"
    assert [(b.value, b.kind.value, b.units) for b in item.payload.barcodes] == [
        ("4006381333931", "gtin", 12),
        ("X", "alternate", 1),
        ("Y", "alternate", 1),
    ]
    assert item.extra["changes"] == {"name": "Tea", "demand_class": "A"}  # only what the file says


def test_order_rows_group_fill_down_and_a_repeated_order_is_refused() -> None:
    head = "owner,channel_order_id,ship_to_name,ship_to_line1,ship_to_city,ship_to_postcode,ship_to_country,sku,qty\n"
    body = head + "OWNA,O-1,Li,Road 1,Shanghai,200000,CN,S-1,2\n,,,,,,,S-2,1\nOWNA,O-2,Li,Road,SH,1,CN,S-1,1\n"
    parsed = parse_orders(_rows(body + "OWNA,O-1,Li,Road 1,Shanghai,200000,CN,S-3,1\n", Kind.ORDERS), SCOPE)
    assert [(e.row, e.column) for e in parsed.errors] == [(5, "channel_order_id")]
    assert [(i.rows, [ln.sku for ln in i.payload.lines]) for i in parsed.items] == [
        ([2, 3], ["S-1", "S-2"]),
        ([4], ["S-1"]),
    ]
    assert parsed.items[0].payload.warehouse_id == 7


def test_stock_rows_and_an_owner_scoped_caller() -> None:
    mine = Scope(owners={"OWNA": 1}, warehouses={"WH1": 7}, caller_owner=1, default_owner=1, default_warehouse=7)
    parsed = parse_stock(
        _rows("owner,location,sku,qty,status\nOWNA,a-01,S-1,5,\nOWNB,A-02,S-1,1,\n,A-03,S-1,-1,lost\n", Kind.STOCK),
        mine,
    )
    assert [(e.row, e.column) for e in parsed.foreign] == [(3, "owner")]
    assert {(e.row, e.column) for e in parsed.errors} == {(4, "qty"), (4, "status")}
    assert parsed.items[0].payload.location == "A-01" and parsed.items[0].payload.qty == 5
