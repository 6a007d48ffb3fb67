"""Bulk CSV import and export of SKUs, orders, purchase orders and stock.

An import reads the whole file first (:mod:`server.bulk.table`, :mod:`server.bulk.rules`), then runs every item
through the same use case the JSON API runs (``create_sku``/``update_sku``/``add_barcode``, ``submit_order``,
``create_po``, ``InventoryService.adjust``), each in a savepoint so one refusal does not hide the next: every bad
row is listed, and when there is any, the whole import is rolled back (one transaction, nothing imported). A dry
run does all of that and rolls back even when the file is good, returning the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select

from server.bulk.rules import COLUMNS, PARSERS, SKU_FIELDS, Item, Kind, Scope, StockLine, field_loc, locate_document
from server.bulk.table import RowError, read_table, refuse, write_table
from server.catalog import services as catalog
from server.catalog.models import Barcode, BarcodeKind, Sku
from server.catalog.schemas import SkuIn
from server.db.uow import UnitOfWork
from server.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from server.identity.models import Owner, Warehouse
from server.inbound import services as inbound
from server.inbound.models import Lpn, PoStatus, PurchaseOrder, PurchaseOrderLine, Supplier
from server.inventory.models import MovementReason, Stock
from server.inventory.rules import StockKey
from server.inventory.services import DocRef, InventoryService
from server.layout.models import Location
from server.outbound import services as outbound
from server.outbound.models import OrderLine, SalesOrder

Progress = Callable[[int, int], None]
SHIP_TO = ("name", "line1", "line2", "city", "region", "postcode", "country", "phone")
CHUNK = 1000  # values in one IN (...) look-up
BATCH = 100  # items in one savepoint while no item is refused
T = TypeVar("T")

# where a service's refusal without a field points to, by its code
COLUMN_OF_CODE = {
    "duplicate_sku": "code",
    "duplicate_barcode": "gtins",
    "invalid_gtin": "gtins",
    "owner_not_found": "owner",
    "other_owner": "owner",
    "owner_required": "owner",
    "warehouse_not_found": "warehouse",
    "duplicate_po": "number",
    "order_locked": "channel_order_id",
    "unknown_sku": "sku",
    "sku_not_found": "sku",
    "location_not_found": "location",
    "location_inactive": "location",
    "location_blocked": "location",
    "location_owner_mismatch": "location",
    "insufficient_stock": "qty",
    "invalid_quantity": "qty",
}


def _chunks(values: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


async def scope_for(uow: UnitOfWork, owner_id: int | None, warehouse_id: int | None) -> Scope:
    """The owners a file may name (an owner's login: only itself) and the defaults for rows that name none."""
    caller = uow.caller
    default_owner = caller.resolve_owner(owner_id) if owner_id is not None or caller.owner_id is not None else None
    stmt = select(Owner.code, Owner.id)
    if caller.owner_id is not None:
        stmt = stmt.where(Owner.id == caller.owner_id)
    owners = {str(c): int(i) for c, i in (await uow.session.execute(stmt)).all()}
    warehouses = {str(c): int(i) for c, i in (await uow.session.execute(select(Warehouse.code, Warehouse.id))).all()}
    if warehouse_id is not None and warehouse_id not in warehouses.values():
        raise NotFound(f"There is no warehouse {warehouse_id}.", code="warehouse_not_found")
    if warehouse_id is None and len(warehouses) == 1:
        warehouse_id = next(iter(warehouses.values()))
    return Scope(owners, warehouses, caller.owner_id, default_owner, warehouse_id)


def _row_errors(
    exc: DomainError, item: Item, locate: Callable[[tuple[Any, ...]], tuple[int, str]], fallback: str
) -> list[RowError]:
    """A service's refusal of one item as row errors: each ``errors[].field`` on its row and column, else the
    message on the item's first row."""
    out = []
    for e in exc.errors:
        name = str(e.get("field", ""))
        if name:
            row, column = locate(field_loc(name))
            message = exc.message if len(exc.errors) == 1 else str(e.get("message") or exc.message)
            out.append(RowError(row, column, message))
    if not out:
        out.append(RowError(item.rows[0], COLUMN_OF_CODE.get(exc.code, fallback), exc.message))
    return out


async def _each(
    uow: UnitOfWork,
    items: Sequence[Item],
    run: Callable[[Item], Awaitable[str]],
    locate: Callable[[Item, tuple[Any, ...]], tuple[int, str]],
    fallback: str,
    tally: Counter[str],
    errors: list[RowError],
    progress: Progress | None,
) -> None:
    """Run every item; a refusal becomes row errors and the next item goes on.

    Items run a batch at a time in one savepoint while all goes well (two round trips a batch, not an item); a
    refusal rolls the batch back and runs it again an item a savepoint, and so does every later batch, since the
    import is then only looking for the rest of the problems (it is rolled back whole)."""
    done = 0
    for batch in _chunks(items, BATCH):
        if not errors:
            try:
                async with uow.session.begin_nested():
                    outcomes = [await run(item) for item in batch]
            except DomainError:
                pass
            else:
                tally.update(outcomes)
                done += len(batch)
                if progress is not None:
                    progress(done, len(items))
                continue
        for item in batch:
            try:
                async with uow.session.begin_nested():
                    tally[await run(item)] += 1
            except DomainError as exc:
                errors.extend(_row_errors(exc, item, partial(locate, item), fallback))
        done += len(batch)
        if progress is not None:
            progress(done, len(items))


# -- import: SKUs ---------------------------------------------------------------------------------------------------
async def _skus_by_code(uow: UnitOfWork, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Sku]:
    by_owner: dict[int, list[str]] = {}
    for owner_id, code in pairs:
        by_owner.setdefault(owner_id, []).append(code)
    out: dict[tuple[int, str], Sku] = {}
    for owner_id, codes in by_owner.items():
        for chunk in _chunks(sorted(set(codes))):
            rows = await uow.session.execute(select(Sku).where(Sku.owner_id == owner_id, Sku.code.in_(chunk)))
            out.update({(owner_id, s.code): s for s in rows.scalars()})
    return out


async def _import_skus(
    uow: UnitOfWork, items: Sequence[Item], tally: Counter[str], errors: list[RowError], progress: Progress | None
) -> None:
    # plain values, not rows: a batch rolled back expires the rows it changed, and those must not be read again
    existing = {
        key: (sku.id, {f: getattr(sku, f) for f in ("name", "uom", "active", *SKU_FIELDS)})
        for key, sku in (await _skus_by_code(uow, [(i.owner_id, i.payload.code) for i in items])).items()
    }
    codes_of: dict[int, set[str]] = {}
    for chunk in _chunks([sku_id for sku_id, _ in existing.values()]):
        codes_of.update({i: {b.value for b in bcs} for i, bcs in (await catalog.barcodes_of(uow, chunk)).items()})

    async def run(item: Item) -> str:
        data: SkuIn = item.payload
        current = existing.get((item.owner_id, data.code))
        if current is None:
            fields = data.model_dump(exclude={"owner_id", "barcodes"})
            if item.extra["active"] is not None:
                fields["active"] = item.extra["active"]
            barcodes = [b.model_dump() for b in data.barcodes]
            await catalog.create_sku(uow, item.owner_id, fields, barcodes)
            return "created"
        sku_id, values = current
        changes = {k: v for k, v in item.extra["changes"].items() if values[k] != v}
        if "uom" in changes:  # the API cannot change it either: stock and orders are counted in it
            raise InvalidInput(
                f"The unit of measure of SKU {data.code} is {values['uom']}; it cannot be changed.",
                code="uom_locked",
                errors=[{"field": "uom", "message": f"is {values['uom']}; it cannot be changed"}],
            )
        have = codes_of.get(sku_id, set())
        new = [b for b in data.barcodes if catalog.barcode_value(b.value, b.kind) not in have]
        if changes:
            await catalog.update_sku(uow, sku_id, changes)
        for b in new:
            await catalog.add_barcode(uow, sku_id, b.value, b.kind, b.units)
        return "updated" if changes or new else "unchanged"

    def locate(item: Item, loc: tuple[Any, ...]) -> tuple[int, str]:
        cols: list[str] = item.extra.get("barcode_columns", [])
        if loc and loc[0] == "barcodes":
            i = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
            return item.rows[0], cols[i] if i < len(cols) else "gtins"
        if loc and loc[0] == "value":
            return item.rows[0], "gtins"
        return item.rows[0], str(loc[0]) if loc else ""

    await _each(uow, items, run, locate, "code", tally, errors, progress)


# -- import: orders and purchase orders ------------------------------------------------------------------------------
async def _import_orders(
    uow: UnitOfWork, items: Sequence[Item], tally: Counter[str], errors: list[RowError], progress: Progress | None
) -> None:
    async def run(item: Item) -> str:
        _, outcome = await outbound.submit_order(uow, item.payload)
        return outcome

    def locate(item: Item, loc: tuple[Any, ...]) -> tuple[int, str]:
        return locate_document(loc, item.rows, {"owner_id": "owner", "warehouse_id": "warehouse"})

    await _each(uow, items, run, locate, "channel_order_id", tally, errors, progress)


async def _import_purchase_orders(
    uow: UnitOfWork, items: Sequence[Item], tally: Counter[str], errors: list[RowError], progress: Progress | None
) -> None:
    async def run(item: Item) -> str:
        await inbound.create_po(uow, item.payload)
        return "created"

    def locate(item: Item, loc: tuple[Any, ...]) -> tuple[int, str]:
        return locate_document(loc, item.rows, {"supplier": "supplier", "sku": "sku", "line_no": "line_no"})

    await _each(uow, items, run, locate, "number", tally, errors, progress)


# -- import: stock -------------------------------------------------------------------------------------------------
async def _locations_by_code(uow: UnitOfWork, lines: Sequence[StockLine]) -> dict[tuple[int, str], Location]:
    by_wh: dict[int, set[str]] = {}
    for line in lines:
        by_wh.setdefault(line.warehouse_id, set()).add(line.location)
    out: dict[tuple[int, str], Location] = {}
    for wid, codes in by_wh.items():
        for chunk in _chunks(sorted(codes)):
            rows = await uow.session.execute(
                select(Location).where(Location.warehouse_id == wid, Location.code.in_(chunk))
            )
            out.update({(wid, loc.code): loc for loc in rows.scalars()})
    return out


def _identity(key: StockKey) -> list[ColumnElement[bool]]:
    return [
        Stock.owner_id == key.owner_id,
        Stock.sku_id == key.sku_id,
        Stock.location_id == key.location_id,
        Stock.lot == key.lot,
        Stock.lpn == key.lpn,
        Stock.status == key.status,
        Stock.expiry.is_(None) if key.expiry is None else Stock.expiry == key.expiry,
    ]


async def _lpn_for(uow: UnitOfWork, code: str, owner_id: int, warehouse_id: int) -> None:
    """The license plate the stock is on: an existing one of the same owner and warehouse, or a new one."""
    lpn = (await uow.session.execute(select(Lpn).where(Lpn.code == code))).scalar_one_or_none()
    if lpn is None:
        uow.session.add(Lpn(code=code, owner_id=owner_id, warehouse_id=warehouse_id, receipt_id=None, sscc=""))
        await uow.session.flush()
        return
    if lpn.owner_id != owner_id or lpn.warehouse_id != warehouse_id:
        raise Conflict(
            f"LPN {code} belongs to another owner or warehouse.",
            code="lpn_elsewhere",
            errors=[{"field": "lpn", "message": f"LPN {code} belongs to another owner or warehouse"}],
        )


async def _import_stock(
    uow: UnitOfWork, items: Sequence[Item], tally: Counter[str], errors: list[RowError], progress: Progress | None
) -> None:
    lines = [i.payload for i in items]
    # the rows are held (the inventory service then finds them in the session) but only their ids are read:
    # a batch rolled back may expire them
    held_locations = await _locations_by_code(uow, lines)
    held_skus = await _skus_by_code(uow, [(i.owner_id, i.payload.sku) for i in items])
    locations = {k: loc.id for k, loc in held_locations.items()}
    skus = {k: sku.id for k, sku in held_skus.items()}
    inv = InventoryService(uow)
    doc = DocRef("import", f"CSV-{datetime.now(UTC):%Y%m%d-%H%M%S}")

    async def run(item: Item) -> str:
        line: StockLine = item.payload
        loc_id = locations.get((line.warehouse_id, line.location))
        if loc_id is None:
            raise NotFound(f"There is no location {line.location} in this warehouse.", code="location_not_found")
        sku_id = skus.get((item.owner_id, line.sku))
        if sku_id is None:
            raise NotFound(f"This owner has no SKU {line.sku}.", code="sku_not_found")
        key = StockKey(item.owner_id, sku_id, loc_id, line.lot, line.expiry, line.lpn, line.status)
        current = (await uow.session.execute(select(Stock.on_hand).where(*_identity(key)))).scalar_one_or_none()
        delta = line.qty - (current or 0)
        if delta == 0:
            return "unchanged"
        if line.lpn:
            await _lpn_for(uow, line.lpn, item.owner_id, line.warehouse_id)
        note = f"CSV stock import: {current or 0} -> {line.qty}"
        await inv.adjust(key, delta, reason=MovementReason.IMPORT, note=note, doc=doc)
        return "updated" if current else "created"

    def locate(item: Item, loc: tuple[Any, ...]) -> tuple[int, str]:
        return item.rows[0], str(loc[0]) if loc else "qty"

    await _each(uow, items, run, locate, "qty", tally, errors, progress)


IMPORTERS = {
    Kind.SKUS: _import_skus,
    Kind.ORDERS: _import_orders,
    Kind.PURCHASE_ORDERS: _import_purchase_orders,
    Kind.STOCK: _import_stock,
}


async def import_file(
    uow: UnitOfWork,
    kind: Kind,
    data: bytes | str,
    *,
    encoding: str = "auto",
    dry_run: bool = False,
    owner_id: int | None = None,
    warehouse_id: int | None = None,
    max_rows: int = 100_000,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Import a CSV of ``kind``: all of it, or nothing and a 422 listing every bad row (row, column, message)."""
    spec = COLUMNS[kind]
    table = read_table(
        data,
        columns=spec.columns,
        required=spec.required,
        ignored=spec.export_only,
        encoding=encoding,
        max_rows=max_rows,
    )
    if not table.rows:
        raise refuse(table.errors)
    scope = await scope_for(uow, owner_id, warehouse_id)
    parsed = PARSERS[kind](table.rows, scope)
    if parsed.foreign:
        raise Forbidden(
            f"{len(parsed.foreign)} row(s) name another owner; your login imports only for its own. "
            "Nothing was imported.",
            code="other_owner",
            errors=[e.as_dict() for e in parsed.foreign],
        )
    errors = [*table.errors, *parsed.errors]
    # the session keeps loaded rows only while something holds them: holding the owners and warehouses saves the
    # areas' services a look-up per item (they `session.get` them)
    held = [
        *(await uow.session.execute(select(Owner).where(Owner.id.in_({i.owner_id for i in parsed.items})))).scalars(),
        *(await uow.session.execute(select(Warehouse).where(Warehouse.id.in_(scope.warehouses.values())))).scalars(),
    ]
    events, hooks = len(uow.events), len(uow.after_commit)
    tally: Counter[str] = Counter()
    savepoint = await uow.session.begin_nested()
    try:
        await IMPORTERS[kind](uow, parsed.items, tally, errors, progress)
    except BaseException:
        await savepoint.rollback()
        raise
    if errors or dry_run:
        await savepoint.rollback()
        del uow.events[events:]  # nobody hears of what was rolled back
        del uow.after_commit[hooks:]
        if errors:
            raise refuse(errors)
    else:
        await savepoint.commit()
    del held
    return {
        "kind": kind.value,
        "dry_run": dry_run,
        "encoding": table.encoding,
        "rows": len(table.rows),
        "items": len(parsed.items),
        "created": tally["created"],
        "updated": tally["updated"],
        "unchanged": tally["unchanged"],
    }


# -- export --------------------------------------------------------------------------------------------------------
def _owner_filter(uow: UnitOfWork, owner_id: int | None) -> int | None:
    """The owner an export is for: an owner's login gets its own, staff may name one (or get all)."""
    if owner_id is not None:
        uow.caller.check_owner(owner_id)
        return owner_id
    return uow.caller.owner_id


async def _codes(uow: UnitOfWork, model: Any, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    out: dict[int, str] = {}
    for chunk in _chunks(wanted):
        out.update(dict((await uow.session.execute(select(model.id, model.code).where(model.id.in_(chunk)))).all()))
    return out


async def _export_skus(uow: UnitOfWork, owner_id: int | None, warehouse_id: int | None) -> list[list[Any]]:
    stmt = select(Sku).order_by(Sku.owner_id, Sku.code)
    if owner_id is not None:
        stmt = stmt.where(Sku.owner_id == owner_id)
    skus = list((await uow.session.execute(stmt)).scalars())
    owners = await _codes(uow, Owner, [s.owner_id for s in skus])
    barcodes: dict[int, list[Barcode]] = {}
    for chunk in _chunks([s.id for s in skus]):
        barcodes.update(await catalog.barcodes_of(uow, chunk))

    def joined(sku_id: int, kind: BarcodeKind) -> str:
        codes = sorted((b for b in barcodes.get(sku_id, []) if b.kind == kind), key=lambda b: b.id)
        return "|".join(b.value + (f"*{b.units}" if b.units != 1 else "") for b in codes)

    return [
        [
            owners[s.owner_id],
            s.code,
            s.name,
            *(getattr(s, f) for f in SKU_FIELDS),
            s.active,
            joined(s.id, BarcodeKind.GTIN),
            joined(s.id, BarcodeKind.ALTERNATE),
        ]
        for s in skus
    ]


async def _export_orders(uow: UnitOfWork, owner_id: int | None, warehouse_id: int | None) -> list[list[Any]]:
    stmt = (
        select(SalesOrder, OrderLine)
        .join(OrderLine, OrderLine.order_id == SalesOrder.id)
        .order_by(SalesOrder.id, OrderLine.line_no)
    )
    if owner_id is not None:
        stmt = stmt.where(SalesOrder.owner_id == owner_id)
    if warehouse_id is not None:
        stmt = stmt.where(SalesOrder.warehouse_id == warehouse_id)
    pairs = list((await uow.session.execute(stmt)).all())
    owners = await _codes(uow, Owner, [o.owner_id for o, _ in pairs])
    warehouses = await _codes(uow, Warehouse, [o.warehouse_id for o, _ in pairs])
    skus = await _codes(uow, Sku, [ln.sku_id for _, ln in pairs])
    out = []
    for o, ln in pairs:
        ship = o.ship_to or {}
        out.append(
            [
                owners[o.owner_id],
                warehouses[o.warehouse_id],
                o.channel.value,
                o.channel_order_id,
                o.order_type.value,
                o.priority,
                o.cutoff_at,
                o.carrier,
                o.service,
                *(ship.get(k, "") for k in SHIP_TO),
                skus[ln.sku_id],
                ln.qty,
                o.status.value,
                ln.line_no,
            ]
        )
    return out


async def _export_purchase_orders(uow: UnitOfWork, owner_id: int | None, warehouse_id: int | None) -> list[list[Any]]:
    stmt = (
        select(PurchaseOrder, PurchaseOrderLine)
        .join(PurchaseOrderLine, PurchaseOrderLine.po_id == PurchaseOrder.id)
        .order_by(PurchaseOrder.id, PurchaseOrderLine.line_no)
    )
    if owner_id is not None:
        stmt = stmt.where(PurchaseOrder.owner_id == owner_id)
    if warehouse_id is not None:
        stmt = stmt.where(PurchaseOrder.warehouse_id == warehouse_id)
    pairs = list((await uow.session.execute(stmt)).all())
    owners = await _codes(uow, Owner, [p.owner_id for p, _ in pairs])
    warehouses = await _codes(uow, Warehouse, [p.warehouse_id for p, _ in pairs])
    suppliers = await _codes(uow, Supplier, [p.supplier_id for p, _ in pairs])
    skus = await _codes(uow, Sku, [ln.sku_id for _, ln in pairs])
    return [
        [
            owners[p.owner_id],
            warehouses[p.warehouse_id],
            p.number,
            suppliers[p.supplier_id],
            p.expected_date,
            p.note,
            p.status != PoStatus.DRAFT,
            ln.line_no,
            skus[ln.sku_id],
            ln.qty_ordered,
            ln.uom,
            ln.expected_date,
            p.status.value,
            ln.qty_received,
        ]
        for p, ln in pairs
    ]


async def _export_stock(uow: UnitOfWork, owner_id: int | None, warehouse_id: int | None) -> list[list[Any]]:
    stmt = (
        select(Stock, Location.code, Location.warehouse_id)
        .join(Location, Location.id == Stock.location_id)
        .where(Stock.on_hand > 0)
        .order_by(Location.warehouse_id, Location.code, Stock.id)
    )
    if owner_id is not None:
        stmt = stmt.where(Stock.owner_id == owner_id)
    if warehouse_id is not None:
        stmt = stmt.where(Location.warehouse_id == warehouse_id)
    rows = list((await uow.session.execute(stmt)).all())
    owners = await _codes(uow, Owner, [s.owner_id for s, _, _ in rows])
    warehouses = await _codes(uow, Warehouse, [w for _, _, w in rows])
    skus = await _codes(uow, Sku, [s.sku_id for s, _, _ in rows])
    return [
        [
            owners[s.owner_id],
            warehouses[wid],
            code,
            skus[s.sku_id],
            s.lot,
            s.expiry,
            s.lpn,
            s.status.value,
            s.on_hand,
            s.allocated,
        ]
        for s, code, wid in rows
    ]


EXPORTERS = {
    Kind.SKUS: _export_skus,
    Kind.ORDERS: _export_orders,
    Kind.PURCHASE_ORDERS: _export_purchase_orders,
    Kind.STOCK: _export_stock,
}


async def export_file(
    uow: UnitOfWork,
    kind: Kind,
    *,
    owner_id: int | None = None,
    warehouse_id: int | None = None,
    encoding: str = "utf-8",
) -> bytes:
    """The CSV an import of ``kind`` reads back (plus a few read-only columns), the caller's owner(s) only."""
    spec = COLUMNS[kind]
    rows = await EXPORTERS[kind](uow, _owner_filter(uow, owner_id), warehouse_id)
    return write_table([*spec.columns, *spec.export_only], rows, encoding)
