"""The board's Billing page, for the 3PL operator: each owner's storage over the last weeks from the nightly
snapshots (a night without one shows as a gap), the invoices and credit notes issued (CSV and PDF), and issuing a
month's invoice for an owner (through :func:`server.billing.invoices.issue`, the same use case as the API)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy import ColumnElement, func, select

from server.billing import invoices
from server.billing.models import Invoice, StorageSnapshot
from server.board.api import BOARD, PAGE, BoardPages, FormData, check_csrf, form_int, pager
from server.db.base import utcnow
from server.db.uow import UnitOfWork
from server.errors import DomainError, InvalidInput
from server.identity.models import Owner
from server.settings import Settings

STORAGE_DAYS = 14


def last_month(today: date) -> str:
    """The period a 3PL usually invoices next: the month before ``today``'s (``YYYY-MM``)."""
    return f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"


async def storage_days(uow: UnitOfWork, owner_id: int | None, today: date) -> dict[str, Any]:
    """Stored locations per owner and day over the last ``STORAGE_DAYS`` nights (all warehouses together), the
    nights with no snapshot at all, and the same as chart data."""
    days = [today - timedelta(days=n) for n in range(STORAGE_DAYS, 0, -1)]
    where: list[ColumnElement[bool]] = [StorageSnapshot.day >= days[0], StorageSnapshot.day <= days[-1]]
    if owner_id is not None:
        where.append(StorageSnapshot.owner_id == owner_id)
    rows = (
        await uow.session.execute(
            select(
                Owner.code, StorageSnapshot.day, func.sum(StorageSnapshot.locations), func.sum(StorageSnapshot.units)
            )
            .join(Owner, Owner.id == StorageSnapshot.owner_id)
            .where(*where)
            .group_by(Owner.code, StorageSnapshot.day)
        )
    ).all()
    taken = set(
        (
            await uow.session.execute(
                select(StorageSnapshot.day).where(StorageSnapshot.day >= days[0], StorageSnapshot.day <= days[-1])
            )
        ).scalars()
    )
    by_owner: dict[str, dict[date, tuple[int, int]]] = {}
    for code, day, locations, units in rows:
        by_owner.setdefault(code, {})[day] = (int(locations), int(units))
    chart = {
        "labels": [f"{d:%m-%d}" for d in days],
        "series": [
            {"owner": code, "values": [per_day.get(d, (None, None))[0] for d in days]}
            for code, per_day in sorted(by_owner.items())
        ],
    }
    return {
        "days": days,
        "storage": sorted(by_owner.items()),
        "missing_days": [d for d in days if d not in taken],
        "storage_chart": json.dumps(chart),
    }


async def billing_page(uow: UnitOfWork, owner_id: int | None, offset: int, today: date | None = None) -> dict[str, Any]:
    """Everything the Billing page shows: storage by night, one page of invoices (newest first), the owners."""
    today = today or utcnow().date()
    where: list[ColumnElement[bool]] = [Invoice.owner_id == owner_id] if owner_id is not None else []
    total = (await uow.session.execute(select(func.count(Invoice.id)).where(*where))).scalar_one()
    rows = (
        await uow.session.execute(
            select(Invoice, Owner.code)
            .join(Owner, Owner.id == Invoice.owner_id)
            .where(*where)
            .order_by(Invoice.id.desc())
            .limit(PAGE)
            .offset(offset)
        )
    ).all()
    owners = (await uow.session.execute(select(Owner.id, Owner.code).order_by(Owner.code))).all()
    return {
        "invoices": [{"inv": inv, "owner": code} for inv, code in rows],
        "owners": [(i, c) for i, c in owners],
        "owner_id": "" if owner_id is None else str(owner_id),
        "period": last_month(today),
        "issued": None,
        "error": "",
        "pages": pager(int(total), offset),
        **await storage_days(uow, owner_id, today),
    }


class BillingBoard(BoardPages):
    @get("/billing", opt=BOARD)
    async def billing(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        owner_id: FromQuery[str] = "",
        offset: FromQuery[int] = 0,
    ) -> Template:
        owner = int(owner_id) if owner_id.strip().isdigit() else None  # "" from the form's "every owner"
        data = await billing_page(uow, owner, max(offset, 0))
        return Template("billing.html", context=self._ctx(uow, settings, request, **data))

    @post("/billing/invoices", opt=BOARD, status_code=200)
    async def issue_invoice(
        self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Template:
        """Issue an owner's month (again: the invoice already issued); a refusal is shown on the page and changes
        nothing."""
        check_csrf(settings, request, data.get("csrf"))
        owner = form_int(data, "owner_id")
        period = data.get("period", "").strip()
        issued: dict[str, Any] | None = None
        error, status = "", 200
        try:
            if owner is None:
                raise InvalidInput("Choose the owner to invoice.", code="owner_required")
            inv, new = await invoices.issue(uow, owner, period)
            issued = {"number": inv.number, "currency": inv.currency, "total": inv.total, "new": new}
        except DomainError as exc:  # shown on the page; the reply's 4xx rolls back whatever was begun
            error, status = exc.message, exc.status
        page = await billing_page(uow, None, 0)
        page.update(issued=issued, error=error, period=period or page["period"])
        return Template("billing.html", context=self._ctx(uow, settings, request, **page), status_code=status)
