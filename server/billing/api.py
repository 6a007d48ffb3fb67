"""Billing endpoints: rate cards (admin), storage snapshots, billable events, invoices and credit notes.

Staff (admin, supervisor) see every owner; an owner's user or API key sees only its own cards, events and invoices
(another owner's gets 403, like every other area)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from litestar import Controller, Response, delete, get, post, put
from litestar.params import FromQuery
from sqlalchemy import ColumnElement, select

from server.billing import derive, invoices, rules, services, storage
from server.billing.export import DocLine, InvoiceDoc, to_csv, to_pdf
from server.billing.models import BillableEvent, Invoice, InvoiceKind, InvoiceStatus, RateCard, StorageSnapshot
from server.billing.schemas import (
    CreditIn,
    DeriveIn,
    DeriveOut,
    EventOut,
    InvoiceLineOut,
    InvoiceOut,
    InvoiceSummary,
    PeriodIn,
    RateCardIn,
    RateCardOut,
    SnapshotIn,
    SnapshotOut,
)
from server.db.repository import list_page
from server.db.uow import UnitOfWork
from server.http.deps import Limit, Offset, Page
from server.http.guards import MANAGERS, allow
from server.identity.models import Owner, Role

READERS = (Role.ADMIN, Role.SUPERVISOR, Role.CLIENT, Role.INTEGRATION)


def _scope(uow: UnitOfWork, column: object, owner_id: int | None) -> list[ColumnElement[bool]]:
    """An owner's login: its own rows only; staff: every owner, or the one asked for."""
    if owner_id is not None:
        uow.caller.check_owner(owner_id)
    owner = owner_id if owner_id is not None else uow.caller.owner_id
    return [] if owner is None else [column == owner]  # type: ignore[list-item]


def _card_out(card: RateCard, rates: dict[str, Decimal]) -> RateCardOut:
    return RateCardOut(
        id=card.id,
        owner_id=card.owner_id,
        currency=card.currency,
        valid_from=card.valid_from,
        valid_to=card.valid_to,
        rates=dict(sorted(rates.items())),
        minimum_monthly=card.minimum_monthly,
        note=card.note,
    )


def _basis(charge_code: str, credits_line_id: int | None) -> str:
    if credits_line_id is not None:
        return "credit"
    return "minimum" if charge_code == rules.MINIMUM_CODE else "events"


def _totals(lines: list[InvoiceLineOut]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for ln in lines:
        group = ln.charge_code.split(".")[0]
        totals[group] = totals.get(group, Decimal(0)) + ln.amount
    return totals


async def _invoice_out(uow: UnitOfWork, inv: Invoice) -> InvoiceOut:
    lines = [
        InvoiceLineOut(
            id=ln.id,
            seq=ln.seq,
            charge_code=ln.charge_code,
            qty=ln.qty,
            rate=ln.rate,
            amount=ln.amount,
            basis=_basis(ln.charge_code, ln.credits_line_id),
            credits_line_id=ln.credits_line_id,
            sources=[EventOut.model_validate(e) for e in events],
        )
        for ln, events in await invoices.lines_of(uow, inv.id)
    ]
    return InvoiceOut(
        id=inv.id,
        number=inv.number,
        kind=inv.kind,
        status=inv.status,
        owner_id=inv.owner_id,
        period=f"{inv.period_start:%Y-%m}",
        period_start=inv.period_start,
        period_end=inv.period_end,
        currency=inv.currency,
        total=inv.total,
        totals_by_type=_totals(lines),
        credit_of_id=inv.credit_of_id,
        reason=inv.reason,
        issued_at=inv.issued_at,
        lines=lines,
    )


async def _draft_out(uow: UnitOfWork, draft: invoices.Draft) -> InvoiceOut:
    ids = [i for ln in draft.lines for i in ln.event_ids]
    events = {
        e.id: e for e in (await uow.session.execute(select(BillableEvent).where(BillableEvent.id.in_(ids)))).scalars()
    }
    lines = [
        InvoiceLineOut(
            seq=seq,
            charge_code=ln.charge_code,
            qty=ln.qty,
            rate=ln.rate,
            amount=ln.amount,
            basis=_basis(ln.charge_code, None),
            sources=[EventOut.model_validate(events[i]) for i in ln.event_ids],
        )
        for seq, ln in enumerate(draft.lines, start=1)
    ]
    return InvoiceOut(
        id=None,
        number="",
        kind=InvoiceKind.INVOICE,
        status=InvoiceStatus.DRAFT,
        owner_id=draft.owner_id,
        period=f"{draft.period_start:%Y-%m}",
        period_start=draft.period_start,
        period_end=draft.period_end,
        currency=draft.currency,
        total=draft.total,
        totals_by_type=_totals(lines),
        lines=lines,
    )


async def _doc(uow: UnitOfWork, inv: Invoice) -> InvoiceDoc:
    owner = await uow.session.get(Owner, inv.owner_id)
    credit_of = await uow.session.get(Invoice, inv.credit_of_id) if inv.credit_of_id else None
    return InvoiceDoc(
        number=inv.number,
        kind=inv.kind.value,
        owner_code=owner.code if owner else str(inv.owner_id),
        owner_name=owner.name if owner else "",
        period_start=inv.period_start,
        period_end=inv.period_end,
        currency=inv.currency,
        total=inv.total,
        issued_at=inv.issued_at,
        reason=inv.reason,
        credit_of=credit_of.number if credit_of else "",
        lines=[
            DocLine(ln.seq, ln.charge_code, ln.qty, ln.rate, ln.amount, len(evs))
            for ln, evs in await invoices.lines_of(uow, inv.id)
        ],
    )


class RateCardController(Controller):
    path = "/api/v1/billing/rate-cards"
    tags = ["billing"]

    @post("/", opt=allow(Role.ADMIN), summary="Add an owner's rate card (validity must not overlap its others)")
    async def create(self, data: RateCardIn, uow: UnitOfWork) -> RateCardOut:
        card, rates = await services.save_card(uow, **data.model_dump())
        return _card_out(card, rates)

    @get("/", opt=allow(*READERS), summary="Rate cards (an owner's login: its own)")
    async def list_cards(
        self, uow: UnitOfWork, limit: Limit = 50, offset: Offset = 0, owner_id: FromQuery[int | None] = None
    ) -> Page[RateCardOut]:
        where = _scope(uow, RateCard.owner_id, owner_id)
        items, total = await list_page(
            uow.session, RateCard, *where, limit=limit, offset=offset, order_by=[(RateCard.valid_from, False)]
        )
        rates = await services.rates_of(uow, [c.id for c in items])
        return Page(items=[_card_out(c, rates[c.id]) for c in items], total=total, limit=limit, offset=offset)

    @get("/{card_id:int}", opt=allow(*READERS), summary="One rate card")
    async def get_card(self, card_id: int, uow: UnitOfWork) -> RateCardOut:
        return _card_out(*await services.get_card(uow, card_id))

    @put("/{card_id:int}", opt=allow(Role.ADMIN), summary="Change a rate card (issued invoices keep their rates)")
    async def update(self, card_id: int, data: RateCardIn, uow: UnitOfWork) -> RateCardOut:
        card, rates = await services.save_card(uow, card_id=card_id, **data.model_dump())
        return _card_out(card, rates)

    @delete("/{card_id:int}", opt=allow(Role.ADMIN), summary="Remove a rate card")
    async def remove(self, card_id: int, uow: UnitOfWork) -> None:
        await services.delete_card(uow, card_id)


class BillingController(Controller):
    path = "/api/v1/billing"
    tags = ["billing"]

    @post("/snapshots", status_code=200, opt=allow(*MANAGERS), summary="Take a day's storage snapshot now")
    async def take_snapshot(self, data: SnapshotIn, uow: UnitOfWork) -> list[SnapshotOut]:
        return [SnapshotOut.model_validate(s) for s in await storage.take_snapshots(uow, data.day, data.warehouse_id)]

    @get("/snapshots", opt=allow(*READERS), summary="Daily storage snapshots (an owner's login: its own)")
    async def list_snapshots(
        self,
        uow: UnitOfWork,
        limit: Limit = 100,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        day_from: FromQuery[date | None] = None,
        day_to: FromQuery[date | None] = None,
    ) -> Page[SnapshotOut]:
        where = _scope(uow, StorageSnapshot.owner_id, owner_id)
        if day_from is not None:
            where.append(StorageSnapshot.day >= day_from)
        if day_to is not None:
            where.append(StorageSnapshot.day <= day_to)
        items, total = await list_page(
            uow.session,
            StorageSnapshot,
            *where,
            limit=limit,
            offset=offset,
            order_by=[(StorageSnapshot.day, False), (StorageSnapshot.owner_id, False)],
        )
        return Page(items=[SnapshotOut.model_validate(s) for s in items], total=total, limit=limit, offset=offset)

    @post("/events/derive", status_code=200, opt=allow(*MANAGERS), summary="Derive a period's billable events")
    async def derive_events(self, data: DeriveIn, uow: UnitOfWork) -> DeriveOut:
        start, end = rules.period_bounds(data.period)
        got = await derive.sync_events(uow, start, end, data.owner_id)
        return DeriveOut(created=got.created, updated=got.updated, unchanged=got.unchanged)

    @get("/events", opt=allow(*READERS), summary="Billable events (an owner's login: its own)")
    async def list_events(
        self,
        uow: UnitOfWork,
        limit: Limit = 100,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        period: FromQuery[str | None] = None,
        charge_code: FromQuery[str | None] = None,
    ) -> Page[EventOut]:
        where = _scope(uow, BillableEvent.owner_id, owner_id)
        if period is not None:
            start, end = rules.period_bounds(period)
            where += [BillableEvent.day >= start, BillableEvent.day <= end]
        if charge_code is not None:
            where.append(BillableEvent.charge_code == charge_code)
        items, total = await list_page(
            uow.session,
            BillableEvent,
            *where,
            limit=limit,
            offset=offset,
            order_by=[(BillableEvent.day, False), (BillableEvent.id, False)],
        )
        return Page(items=[EventOut.model_validate(e) for e in items], total=total, limit=limit, offset=offset)

    @post("/invoices/preview", status_code=200, opt=allow(*READERS), summary="What the period's invoice would be")
    async def preview(self, data: PeriodIn, uow: UnitOfWork) -> InvoiceOut:
        owner = uow.caller.resolve_owner(data.owner_id)
        return await _draft_out(uow, await invoices.compute(uow, owner, data.period))

    @post("/invoices", opt=allow(*MANAGERS), summary="Issue the period's invoice (again: the same invoice)")
    async def issue(self, data: PeriodIn, uow: UnitOfWork) -> Response[InvoiceOut]:
        owner = uow.caller.resolve_owner(data.owner_id)
        inv, new = await invoices.issue(uow, owner, data.period)
        return Response(await _invoice_out(uow, inv), status_code=201 if new else 200)

    @get("/invoices", opt=allow(*READERS), summary="Invoices and credit notes (an owner's login: its own)")
    async def list_invoices(
        self,
        uow: UnitOfWork,
        limit: Limit = 50,
        offset: Offset = 0,
        owner_id: FromQuery[int | None] = None,
        period: FromQuery[str | None] = None,
    ) -> Page[InvoiceSummary]:
        where = _scope(uow, Invoice.owner_id, owner_id)
        if period is not None:
            where.append(Invoice.period_start == rules.period_bounds(period)[0])
        items, total = await list_page(
            uow.session, Invoice, *where, limit=limit, offset=offset, order_by=[(Invoice.id, True)]
        )
        return Page(items=[InvoiceSummary.model_validate(i) for i in items], total=total, limit=limit, offset=offset)

    @get("/invoices/{invoice_id:int}", opt=allow(*READERS), summary="One invoice with the events behind each line")
    async def get_invoice(self, invoice_id: int, uow: UnitOfWork) -> InvoiceOut:
        return await _invoice_out(uow, await invoices.get_invoice(uow, invoice_id))

    @get("/invoices/{invoice_id:int}/invoice.csv", opt=allow(*READERS), summary="The invoice as CSV")
    async def invoice_csv(self, invoice_id: int, uow: UnitOfWork) -> Response[str]:
        inv = await invoices.get_invoice(uow, invoice_id)
        return Response(
            to_csv(await _doc(uow, inv)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{inv.number}.csv"'},
        )

    @get("/invoices/{invoice_id:int}/invoice.pdf", opt=allow(*READERS), summary="The invoice as a PDF document")
    async def invoice_pdf(self, invoice_id: int, uow: UnitOfWork) -> Response[bytes]:
        inv = await invoices.get_invoice(uow, invoice_id)
        return Response(
            to_pdf(await _doc(uow, inv)),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{inv.number}.pdf"'},
        )

    @post(
        "/invoices/{invoice_id:int}/credit-notes",
        opt=allow(*MANAGERS),
        summary="Credit an issued invoice (some lines, or all) with a reason",
    )
    async def credit(self, invoice_id: int, data: CreditIn, uow: UnitOfWork) -> InvoiceOut:
        lines = None if data.lines is None else [(ln.line_id, ln.qty) for ln in data.lines]
        return await _invoice_out(uow, await invoices.credit(uow, invoice_id, data.reason, lines))


CONTROLLERS = [RateCardController, BillingController]
