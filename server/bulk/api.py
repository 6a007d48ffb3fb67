"""Bulk CSV endpoints: ``POST /api/v1/import/{kind}`` and ``GET /api/v1/export/{kind}.csv`` for SKUs, orders,
purchase orders and stock. One handler pair per kind (each kind has its own roles), all made by the same two
functions below."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter
from pydantic import BaseModel, Field

from server.bulk import services
from server.bulk.http import csv_body
from server.bulk.rules import COLUMNS, Kind
from server.bulk.table import Encoding, ExportEncoding
from server.db.uow import UnitOfWork
from server.http.guards import MANAGERS, allow
from server.identity.models import Role
from server.settings import Settings

OFFICE = (*MANAGERS, Role.CLIENT, Role.INTEGRATION)
# who may import each kind: the same people the JSON API lets create it; stock is the warehouse's own books
IMPORT_ROLES: dict[Kind, tuple[Role, ...]] = {
    Kind.SKUS: OFFICE,
    Kind.ORDERS: OFFICE,
    Kind.PURCHASE_ORDERS: OFFICE,
    Kind.STOCK: MANAGERS,
}
WHAT = {
    Kind.SKUS: "SKUs (created, or updated by code: the columns in the file change, the others stay; new barcodes "
    "added)",
    Kind.ORDERS: "orders, one row per line grouped by channel_order_id (taken in like POST /orders: a repeat is "
    "unchanged, a change before release updates, after release is refused)",
    Kind.PURCHASE_ORDERS: "purchase orders, one row per line grouped by number (a number the owner already has is "
    "refused, like POST /purchase-orders)",
    Kind.STOCK: "stock as counted: each row sets the on-hand of one stock identity (location, SKU, lot, expiry, "
    "LPN, status); the difference is booked in the ledger with reason 'import'",
}


class ImportReport(BaseModel):
    kind: str
    dry_run: bool = Field(description="True: checked and rolled back, nothing was imported")
    encoding: str = Field(description="The encoding the file was read with")
    rows: int
    items: int = Field(description="SKUs, orders, purchase orders or stock lines in the file")
    created: int
    updated: int
    unchanged: int


DryRun = Annotated[bool, Parameter(description="Check everything, import nothing, return the report")]
FileEncoding = Annotated[Encoding, Parameter(description="The file's encoding; auto tells UTF-8 from GBK/GB18030")]
OwnerId = Annotated[int | None, Parameter(description="Owner of rows without an owner column (staff)")]
WarehouseId = Annotated[int | None, Parameter(description="Warehouse of rows without a warehouse column")]
OutEncoding = Annotated[ExportEncoding, Parameter(description="utf-8 (with BOM, for Excel) or gb18030")]


def _import_handler(kind: Kind) -> HTTPRouteHandler:
    async def import_csv(
        request: Request[Any, Any, Any],
        uow: UnitOfWork,
        settings: Settings,
        dry_run: DryRun = False,
        encoding: FileEncoding = "auto",
        owner_id: OwnerId = None,
        warehouse_id: WarehouseId = None,
    ) -> ImportReport:
        report = await services.import_file(
            uow,
            kind,
            await csv_body(request),
            encoding=encoding,
            dry_run=dry_run,
            owner_id=owner_id,
            warehouse_id=warehouse_id,
            max_rows=settings.import_max_rows,
        )
        return ImportReport(**report)

    spec = COLUMNS[kind]
    import_csv.__name__ = f"import_{kind.name.lower()}"
    return post(
        f"/api/v1/import/{kind.value}",
        opt=allow(*IMPORT_ROLES[kind]),
        status_code=200,
        request_max_body_size=None,  # the transaction middleware holds imports to WES_IMPORT_MAX_BYTES
        tags=["bulk"],
        summary=f"Import {kind.value} from CSV (text/csv body or multipart field 'file')",
        description=f"Imports {WHAT[kind]}. Columns: {', '.join(spec.columns)} (required: "
        f"{', '.join(spec.required)}). UTF-8 or GBK/GB18030; every bad row is listed (row, column, message) and "
        "nothing is imported then; cells that would run as spreadsheet formulas are refused.",
    )(import_csv)


def _export_handler(kind: Kind) -> HTTPRouteHandler:
    async def export_csv(
        uow: UnitOfWork,
        owner_id: OwnerId = None,
        warehouse_id: WarehouseId = None,
        encoding: OutEncoding = "utf-8",
    ) -> Response[bytes]:
        data = await services.export_file(uow, kind, owner_id=owner_id, warehouse_id=warehouse_id, encoding=encoding)
        charset = "utf-8" if encoding == "utf-8" else "gb18030"
        return Response(
            data,
            media_type=f"text/csv; charset={charset}",
            headers={"Content-Disposition": f'attachment; filename="{kind.value}.csv"'},
        )

    export_csv.__name__ = f"export_{kind.name.lower()}"
    return get(
        f"/api/v1/export/{kind.value}.csv",
        opt=allow(*OFFICE),
        tags=["bulk"],
        summary=f"Export {kind.value} as CSV (the caller's owner only; formulas neutralised)",
        description="The same columns the import reads, plus read-only ones; importing it back changes nothing "
        "for SKUs and stock. Every cell a spreadsheet would run as a formula starts with a '.",
    )(export_csv)


ROUTES = [*(_import_handler(k) for k in Kind), *(_export_handler(k) for k in Kind)]
