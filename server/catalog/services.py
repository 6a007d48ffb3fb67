"""Use cases of the catalog: SKUs and barcodes, per owner."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from server.catalog.models import Barcode, BarcodeKind, Sku
from server.catalog.rules import normalize_gtin
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.identity.models import Owner


def barcode_value(value: str, kind: BarcodeKind, field: str = "barcodes") -> str:
    return normalize_gtin(value, field=field) if kind == BarcodeKind.GTIN else value.strip()


async def sku_or_404(uow: UnitOfWork, sku_id: int) -> Sku:
    sku = await uow.session.get(Sku, sku_id)
    if sku is None:
        raise NotFound(f"There is no SKU {sku_id}.", code="sku_not_found")
    uow.caller.check_owner(sku.owner_id)
    return sku


async def barcodes_of(uow: UnitOfWork, sku_ids: Sequence[int]) -> dict[int, list[Barcode]]:
    out: dict[int, list[Barcode]] = {i: [] for i in sku_ids}
    if sku_ids:
        for bc in (await uow.session.execute(select(Barcode).where(Barcode.sku_id.in_(sku_ids)))).scalars():
            out[bc.sku_id].append(bc)
    return out


async def create_sku(
    uow: UnitOfWork, owner_id: int | None, data: dict[str, Any], barcodes: list[dict[str, Any]]
) -> Sku:
    owner = uow.caller.resolve_owner(owner_id)
    if await uow.session.get(Owner, owner) is None:
        raise NotFound(f"There is no owner {owner}.", code="owner_not_found")
    if (await uow.session.execute(select(Sku.id).where(Sku.owner_id == owner, Sku.code == data["code"]))).first():
        raise Conflict(f"This owner already has a SKU '{data['code']}'.", code="duplicate_sku")
    values = []
    problems = []
    for i, b in enumerate(barcodes):
        try:
            values.append((barcode_value(b["value"], b["kind"], f"barcodes[{i}].value"), b))
        except InvalidInput as exc:
            problems.extend(exc.errors)
    if problems:
        raise InvalidInput(
            "Some barcodes are not valid: " + "; ".join(str(p["message"]) for p in problems),
            code="invalid_gtin",
            errors=problems,
        )
    await _check_barcodes_free(uow, owner, [v for v, _ in values])
    sku = Sku(owner_id=owner, **data)
    uow.session.add(sku)
    await uow.session.flush()
    for value, b in values:
        uow.session.add(Barcode(owner_id=owner, sku_id=sku.id, value=value, kind=b["kind"], units=b["units"]))
    await uow.session.flush()
    return sku


async def _check_barcodes_free(uow: UnitOfWork, owner_id: int, values: list[str]) -> None:
    if len(set(values)) != len(values):
        raise InvalidInput("The same barcode is given twice.", code="duplicate_barcode")
    taken = (
        (
            await uow.session.execute(
                select(Barcode.value).where(Barcode.owner_id == owner_id, Barcode.value.in_(values))
            )
        )
        .scalars()
        .all()
    )
    if taken:
        raise Conflict(
            f"Barcode(s) already used by another SKU of this owner: {', '.join(taken)}.",
            code="duplicate_barcode",
        )


async def add_barcode(uow: UnitOfWork, sku_id: int, value: str, kind: BarcodeKind, units: int) -> Barcode:
    sku = await sku_or_404(uow, sku_id)
    v = barcode_value(value, kind, "value")
    await _check_barcodes_free(uow, sku.owner_id, [v])
    bc = Barcode(owner_id=sku.owner_id, sku_id=sku.id, value=v, kind=kind, units=units)
    uow.session.add(bc)
    await uow.session.flush()
    return bc


async def update_sku(uow: UnitOfWork, sku_id: int, changes: dict[str, Any]) -> Sku:
    sku = await sku_or_404(uow, sku_id)
    for k, v in changes.items():
        setattr(sku, k, v)
    await uow.session.flush()
    return sku


def barcode_candidates(value: str) -> list[str]:
    """The stored barcode values a scanned code may match (a GTIN-8/12/13 is also stored as its GTIN-14)."""
    v = value.strip()
    candidates = [v]
    if v.isdigit() and len(v) in (8, 12, 13):
        candidates.append(v.zfill(14))
    return candidates


async def find_by_barcode(uow: UnitOfWork, value: str, owner_id: int | None = None) -> list[tuple[Sku, Barcode]]:
    """SKUs a scanned code stands for (a GTIN is matched in its 14-digit form), within the caller's owners."""
    stmt = (
        select(Sku, Barcode).join(Barcode, Barcode.sku_id == Sku.id).where(Barcode.value.in_(barcode_candidates(value)))
    )
    scope = uow.caller.owner_id if uow.caller.owner_id is not None else owner_id
    if scope is not None:
        stmt = stmt.where(Sku.owner_id == scope)
    return [(s, b) for s, b in (await uow.session.execute(stmt)).all()]
