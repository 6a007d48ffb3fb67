"""Pure rules of bulk CSV files: the columns of each kind, and rows turned into the very inputs the JSON API takes
(``SkuIn``, ``OrderIn``, ``PoIn``) or a stock line, with every problem named by row and column.

No database here: owners and warehouses come in as code -> id maps; the services resolve the rest (SKUs,
locations) and call the areas' own use cases, so no rule of an area is written twice.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from server.bulk.table import Cells, Row, RowError, truth
from server.catalog.models import BarcodeKind
from server.catalog.schemas import SkuIn
from server.inbound.schemas import PoIn
from server.inventory.models import StockStatus
from server.outbound.models import Channel
from server.outbound.schemas import OrderIn


class Kind(enum.StrEnum):
    SKUS = "skus"
    ORDERS = "orders"
    PURCHASE_ORDERS = "purchase-orders"
    STOCK = "stock"


@dataclass(frozen=True, slots=True)
class Columns:
    columns: tuple[str, ...]  # what an import reads (and an export writes first)
    required: tuple[str, ...]
    export_only: tuple[str, ...] = ()  # written by the export, skipped by the import


SKU_FIELDS = (
    "uom",
    "case_pack",
    "length_mm",
    "width_mm",
    "height_mm",
    "weight_kg",
    "lot_controlled",
    "expiry_controlled",
    "serial_controlled",
    "fragile",
    "hazmat",
    "demand_class",
    "storage_zone",
)
SKU_FLAGS = frozenset({"lot_controlled", "expiry_controlled", "serial_controlled", "fragile", "hazmat"})
ORDER_HEADER = (
    "owner",
    "warehouse",
    "channel",
    "channel_order_id",
    "order_type",
    "priority",
    "cutoff_at",
    "carrier",
    "service",
    "ship_to_name",
    "ship_to_line1",
    "ship_to_line2",
    "ship_to_city",
    "ship_to_region",
    "ship_to_postcode",
    "ship_to_country",
    "ship_to_phone",
)
PO_HEADER = ("owner", "warehouse", "number", "supplier", "expected_date", "note", "open")

COLUMNS: dict[Kind, Columns] = {
    Kind.SKUS: Columns(
        ("owner", "code", "name", *SKU_FIELDS, "active", "gtins", "alternate_codes"),
        ("code", "name"),
    ),
    Kind.ORDERS: Columns((*ORDER_HEADER, "sku", "qty"), ("channel_order_id", "sku", "qty"), ("status", "line_no")),
    Kind.PURCHASE_ORDERS: Columns(
        (*PO_HEADER, "line_no", "sku", "qty", "uom", "line_expected_date"),
        ("number", "supplier", "sku", "qty"),
        ("status", "qty_received"),
    ),
    Kind.STOCK: Columns(
        ("owner", "warehouse", "location", "sku", "lot", "expiry", "lpn", "status", "qty"),
        ("location", "sku", "qty"),
        ("allocated",),
    ),
}
BARCODE_SEPARATOR = "|"
MAX_STOCK_QTY = 10_000_000
LPN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")


@dataclass(frozen=True, slots=True)
class Scope:
    """Who the file is for: owners and warehouses by code, and the defaults for rows that name none."""

    owners: dict[str, int]
    warehouses: dict[str, int]
    caller_owner: int | None  # an owner's login or key: it imports for itself only
    default_owner: int | None
    default_warehouse: int | None


@dataclass
class Item:
    """One thing to import (a SKU, an order, a PO, a stock line) and the rows it came from (an order: one a line)."""

    rows: list[int]
    owner_id: int
    label: str
    payload: Any
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Parsed:
    items: list[Item] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    foreign: list[RowError] = field(default_factory=list)  # rows naming an owner the caller may not use


@dataclass(frozen=True, slots=True)
class StockLine:
    warehouse_id: int
    location: str
    sku: str
    lot: str
    expiry: date | None
    lpn: str
    status: StockStatus
    qty: int


# -- shared helpers ----------------------------------------------------------------------------------------------
def _owner(row: Row, scope: Scope, out: Parsed) -> int | None:
    code = row.get("owner")
    if not code:
        if scope.default_owner is None:
            out.errors.append(RowError(row.n, "owner", "say which owner (the owner column, or owner_id)"))
        return scope.default_owner
    oid = scope.owners.get(code) or scope.owners.get(code.upper())
    if scope.caller_owner is not None and oid != scope.caller_owner:
        # an owner's login knows only its own code; any other is refused whether or not it exists
        out.foreign.append(RowError(row.n, "owner", f"'{code}' is not your owner; your login imports for its own"))
        return None
    if oid is None:
        out.errors.append(RowError(row.n, "owner", f"there is no owner '{code}'"))
    return oid


def _warehouse(row: Row, scope: Scope, out: Parsed) -> int | None:
    code = row.get("warehouse")
    if not code:
        if scope.default_warehouse is None:
            out.errors.append(RowError(row.n, "warehouse", "say which warehouse (warehouse column, or warehouse_id)"))
        return scope.default_warehouse
    wid = scope.warehouses.get(code) or scope.warehouses.get(code.upper())
    if wid is None:
        out.errors.append(RowError(row.n, "warehouse", f"there is no warehouse '{code}'"))
    return wid


def _validate(
    model: type[BaseModel], data: dict[str, Any], locate: Callable[[tuple[Any, ...]], tuple[int, str]]
) -> tuple[Any, list[RowError]]:
    """The API's own schema on the values of a file; each problem put back on its row and column."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            row, column = locate(tuple(e["loc"]))
            errors.append(RowError(row, column, str(e["msg"])))
        return None, errors


def _consecutive(
    rows: Sequence[Row], key_of: Callable[[Row], tuple[Any, ...] | None], what: str, out: Parsed
) -> list[list[Row]]:
    """Rows grouped into documents (an order, a PO): its lines on consecutive rows. A document number that comes
    back after another document is a repeated document, refused on each of its rows."""
    groups: list[list[Row]] = []
    where: dict[tuple[Any, ...], tuple[int, int]] = {}
    previous: tuple[Any, ...] | None = None
    for row in rows:
        key = key_of(row)
        if key is None:
            previous = None
            continue
        if key == previous:
            groups[-1].append(row)
            where[key] = (where[key][0], row.n)
            continue
        if key in where:
            first, last = where[key]
            out.errors.append(
                RowError(
                    row.n,
                    key_label(what),
                    f"{what} '{key[-1]}' already appeared on rows {first}-{last}; the lines of one {what} go on "
                    "consecutive rows (is it there twice?)",
                )
            )
            previous = None
            continue
        groups.append([row])
        where[key] = (row.n, row.n)
        previous = key
    return groups


def _fill_down(rows: Sequence[Row], key: str, columns: Sequence[str]) -> list[Row]:
    """A document's later lines may leave its number and header cells blank (as merged cells export): they are
    the previous row's."""
    out: list[Row] = []
    previous: dict[str, str] | None = None
    for row in rows:
        cells = dict(row.cells)
        if previous is not None and cells.get(key, "") in ("", previous.get(key, "")):
            for column in columns:
                if not cells.get(column):
                    cells[column] = previous.get(column, "")
        out.append(Row(row.n, cells))
        previous = cells
    return out


def key_label(what: str) -> str:
    return {"order": "channel_order_id", "purchase order": "number"}.get(what, "")


def _same_header(group: list[Row], columns: Sequence[str], out: Parsed) -> dict[str, str]:
    """The document's header values: the first row's; a later row may leave a cell blank or repeat it."""
    header: dict[str, str] = {}
    for row in group:
        for col in columns:
            value = row.get(col)
            if not value:
                continue
            if col not in header:
                header[col] = value
            elif header[col] != value:
                first = next(r.n for r in group if r.get(col))
                out.errors.append(RowError(row.n, col, f"'{value}' differs from '{header[col]}' on row {first}"))
    return header


# -- SKUs --------------------------------------------------------------------------------------------------------
def _barcodes(row: Row, errors: list[RowError]) -> tuple[list[dict[str, Any]], list[str]]:
    """``gtins`` and ``alternate_codes``: codes separated by ``|``, each optionally ``*units`` (a case GTIN)."""
    out: list[dict[str, Any]] = []
    columns: list[str] = []
    for column, kind in (("gtins", BarcodeKind.GTIN), ("alternate_codes", BarcodeKind.ALTERNATE)):
        for part in (p.strip() for p in row.get(column).split(BARCODE_SEPARATOR)):
            if not part:
                continue
            value, star, units = part.rpartition("*") if "*" in part else (part, "", "1")
            if star and not units.strip().isdigit():
                errors.append(RowError(row.n, column, f"'{part}': the units after '*' must be a whole number"))
                continue
            out.append({"value": value.strip(), "kind": kind, "units": int(units)})
            columns.append(column)
    return out, columns


def parse_skus(rows: Sequence[Row], scope: Scope) -> Parsed:
    out = Parsed()
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        before = len(out.errors) + len(out.foreign)
        owner_id = _owner(row, scope, out)
        cells = Cells(row, out.errors)
        active = cells.boolean("active")
        barcodes, barcode_columns = _barcodes(row, out.errors)
        data: dict[str, Any] = {"code": row.get("code"), "name": row.get("name"), "barcodes": barcodes}
        present = [f for f in SKU_FIELDS if row.get(f)]
        data.update({f: truth(row.get(f)) if f in SKU_FLAGS else row.get(f) for f in present})
        if "demand_class" in data:
            data["demand_class"] = data["demand_class"].upper()

        def locate(loc: tuple[Any, ...], n: int = row.n, cols: list[str] = barcode_columns) -> tuple[int, str]:
            if loc and loc[0] == "barcodes" and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(cols):
                return n, cols[loc[1]]
            return n, str(loc[0]) if loc else ""

        sku, problems = _validate(SkuIn, data, locate)
        out.errors.extend(problems)
        if sku is not None and owner_id is not None:
            key = (owner_id, sku.code)
            if key in seen:
                out.errors.append(RowError(row.n, "code", f"'{sku.code}' already on row {seen[key]}"))
            seen.setdefault(key, row.n)
        if len(out.errors) + len(out.foreign) > before or sku is None or owner_id is None:
            continue
        # the columns the file has are what an existing SKU gets changed to; the others stay as they are
        changes = {f: getattr(sku, f) for f in ("name", *present)}
        if active is not None:
            changes["active"] = active
        extra = {"changes": changes, "active": active, "barcode_columns": barcode_columns}
        out.items.append(Item([row.n], owner_id, f"SKU {sku.code}", sku, extra))
    return out


# -- orders ------------------------------------------------------------------------------------------------------
def parse_orders(rows: Sequence[Row], scope: Scope) -> Parsed:
    out = Parsed()
    rows = _fill_down(rows, "channel_order_id", ORDER_HEADER)
    owners: dict[int, int | None] = {}
    for row in rows:
        owners[row.n] = _owner(row, scope, out)

    def key_of(row: Row) -> tuple[Any, ...] | None:
        owner = owners[row.n]
        if owner is None or not row.get("channel_order_id"):
            return None
        return (owner, (row.get("channel") or Channel.MANUAL.value).lower(), row.get("channel_order_id"))

    for row in rows:
        if not row.get("channel_order_id"):
            out.errors.append(RowError(row.n, "channel_order_id", "is empty"))
    for group in _consecutive(rows, key_of, "order", out):
        before = len(out.errors)
        header = _same_header(group, ORDER_HEADER, out)
        first = group[0]
        owner_id = owners[first.n]
        warehouse_id = _warehouse(Row(first.n, header), scope, out)
        data: dict[str, Any] = {
            "owner_id": owner_id,
            "warehouse_id": warehouse_id,
            "channel": (header.get("channel") or Channel.MANUAL.value).lower(),
            "channel_order_id": header.get("channel_order_id", ""),
            "ship_to": {k.removeprefix("ship_to_"): v for k, v in header.items() if k.startswith("ship_to_") and v},
            "lines": [{"sku": r.get("sku"), "qty": r.get("qty")} for r in group],
        }
        for col in ("order_type", "priority", "cutoff_at", "carrier", "service"):
            if header.get(col):
                data[col] = header[col].lower() if col == "order_type" else header[col]
        if "country" in data["ship_to"]:
            data["ship_to"]["country"] = data["ship_to"]["country"].upper()
        rows_of = [r.n for r in group]

        def locate(loc: tuple[Any, ...], rows_of: list[int] = rows_of) -> tuple[int, str]:
            return locate_document(loc, rows_of, ORDER_COLUMN_OF)

        order, problems = _validate(OrderIn, data, locate)
        out.errors.extend(problems)
        if order is None or owner_id is None or len(out.errors) > before:
            continue
        out.items.append(Item(rows_of, owner_id, f"order {order.channel_order_id}", order))
    return out


ORDER_COLUMN_OF = {"warehouse_id": "warehouse", "owner_id": "owner"}
PO_COLUMN_OF = {
    "warehouse_id": "warehouse",
    "owner_id": "owner",
    "supplier_code": "supplier",
    "supplier": "supplier",
    "sku_code": "sku",
    "sku": "sku",
    "lines.expected_date": "line_expected_date",
}


def locate_document(loc: tuple[Any, ...], rows: list[int], column_of: dict[str, str]) -> tuple[int, str]:
    """Where a schema or service problem of a document is: ``lines[i].x`` on the row of line i, the rest on its
    first row; ``ship_to.city`` is the column ``ship_to_city``."""
    if len(loc) >= 2 and loc[0] == "lines" and isinstance(loc[1], int):
        i = loc[1]
        name = str(loc[2]) if len(loc) > 2 else "sku"
        column = column_of.get(f"lines.{name}") or column_of.get(name, name)
        return rows[i] if 0 <= i < len(rows) else rows[0], column
    if len(loc) >= 2 and loc[0] == "ship_to":
        return rows[0], f"ship_to_{loc[1]}"
    name = str(loc[0]) if loc else ""
    return rows[0], column_of.get(name, name)


def field_loc(name: str) -> tuple[Any, ...]:
    """A service's ``errors[].field`` (``lines[2].sku``, ``supplier``) as a schema location tuple."""
    loc: list[Any] = []
    for part in name.split("."):
        m = re.fullmatch(r"(\w+)\[(\d+)\]", part)
        if m:
            loc += [m.group(1), int(m.group(2))]
        elif part:
            loc.append(part)
    return tuple(loc)


# -- purchase orders ---------------------------------------------------------------------------------------------
def parse_purchase_orders(rows: Sequence[Row], scope: Scope) -> Parsed:
    out = Parsed()
    rows = _fill_down(rows, "number", PO_HEADER)
    owners = {row.n: _owner(row, scope, out) for row in rows}

    def key_of(row: Row) -> tuple[Any, ...] | None:
        owner = owners[row.n]
        return None if owner is None or not row.get("number") else (owner, row.get("number"))

    for row in rows:
        if not row.get("number"):
            out.errors.append(RowError(row.n, "number", "is empty"))
    for group in _consecutive(rows, key_of, "purchase order", out):
        before = len(out.errors)
        header = _same_header(group, PO_HEADER, out)
        first = group[0]
        owner_id = owners[first.n]
        warehouse_id = _warehouse(Row(first.n, header), scope, out)
        cells = Cells(Row(first.n, header), out.errors)
        data: dict[str, Any] = {
            "owner_id": owner_id,
            "warehouse_id": warehouse_id,
            "supplier_code": header.get("supplier"),
            "number": header.get("number", ""),
            "note": header.get("note", ""),
            "open": cells.boolean("open", default=False),
            "expected_date": cells.day("expected_date"),
            "lines": [],
        }
        for r in group:
            line_cells = Cells(r, out.errors)
            line: dict[str, Any] = {"sku_code": r.get("sku"), "qty": r.get("qty")}
            if r.get("line_no"):
                line["line_no"] = r.get("line_no")
            if r.get("uom"):
                line["uom"] = r.get("uom")
            line["expected_date"] = line_cells.day("line_expected_date")
            data["lines"].append(line)
        rows_of = [r.n for r in group]

        def locate(loc: tuple[Any, ...], rows_of: list[int] = rows_of) -> tuple[int, str]:
            return locate_document(loc, rows_of, PO_COLUMN_OF)

        po, problems = _validate(PoIn, data, locate)
        out.errors.extend(problems)
        if po is None or owner_id is None or len(out.errors) > before:
            continue
        out.items.append(Item(rows_of, owner_id, f"purchase order {po.number}", po))
    return out


# -- stock -------------------------------------------------------------------------------------------------------
def parse_stock(rows: Sequence[Row], scope: Scope) -> Parsed:
    """Each row states what is on the shelf for one stock identity (location, SKU, lot, expiry, LPN, status)."""
    out = Parsed()
    seen: dict[tuple[Any, ...], int] = {}
    statuses = {s.value for s in StockStatus}
    for row in rows:
        before = len(out.errors) + len(out.foreign)
        owner_id = _owner(row, scope, out)
        warehouse_id = _warehouse(row, scope, out)
        cells = Cells(row, out.errors)
        location = cells.text("location", required=True, max_length=32, upper=True)
        sku = cells.text("sku", required=True, max_length=64)
        lot = cells.text("lot", max_length=64)
        lpn = cells.text("lpn", max_length=20)
        if lpn and not LPN_RE.match(lpn):
            cells.bad("lpn", f"'{lpn}' may use only letters, digits, '.', '_', '-' (max 20)")
        expiry = cells.day("expiry")
        status = (row.get("status") or StockStatus.AVAILABLE.value).lower()
        if status not in statuses:
            cells.bad("status", f"'{status}' is not one of {', '.join(sorted(statuses))}")
        qty = cells.integer("qty", minimum=0, maximum=MAX_STOCK_QTY)
        if not row.get("qty"):
            cells.bad("qty", "is empty (write 0 for none)")
        if len(out.errors) + len(out.foreign) > before or owner_id is None or warehouse_id is None or qty is None:
            continue
        key = (owner_id, warehouse_id, location, sku, lot, expiry, lpn, status)
        if key in seen:
            out.errors.append(RowError(row.n, "sku", f"the same stock (location, SKU, lot, LPN) is on row {seen[key]}"))
            continue
        seen[key] = row.n
        line = StockLine(warehouse_id, location, sku, lot, expiry, lpn, StockStatus(status), qty)
        out.items.append(Item([row.n], owner_id, f"{sku} at {location}", line))
    return out


PARSERS: dict[Kind, Callable[[Sequence[Row], Scope], Parsed]] = {
    Kind.SKUS: parse_skus,
    Kind.ORDERS: parse_orders,
    Kind.PURCHASE_ORDERS: parse_purchase_orders,
    Kind.STOCK: parse_stock,
}
