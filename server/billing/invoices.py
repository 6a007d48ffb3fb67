"""Invoices per owner and month: preview (computed, not stored), issue (stored and frozen, once per period),
credit notes correcting an issued invoice. Pricing itself is rules.price; this module gathers and stores."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from server.billing import derive, rules
from server.billing.models import (
    BillableEvent,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceLineEvent,
    InvoiceStatus,
)
from server.billing.services import as_rule, lock_owner, owner_cards
from server.db.base import utcnow
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.identity.models import Owner
from server.integration import outbox


@dataclass(slots=True)
class DraftLine:
    charge_code: str
    qty: Decimal
    rate: Decimal
    amount: Decimal
    event_ids: list[int] = field(default_factory=list)
    credits_line_id: int | None = None


@dataclass(slots=True)
class Draft:
    owner_id: int
    period_start: date
    period_end: date
    currency: str
    total: Decimal
    lines: list[DraftLine]


def period_key(owner_id: int, start: date) -> str:
    return f"{owner_id}:{start:%Y-%m}"


async def compute(uow: UnitOfWork, owner_id: int, period: str) -> Draft:
    """Derive the period's events (idempotent), then price them with the owner's cards of that period."""
    start, end = rules.period_bounds(period)
    await derive.sync_events(uow, start, end, owner_id)
    events = await derive.period_events(uow, owner_id, start, end)
    cards = [as_rule(c, r) for c, r in await owner_cards(uow, owner_id)]
    by_key = {(e.charge_code, e.source_type, e.source_id): e for e in events}
    plain = [rules.Event(e.charge_code, e.qty, e.day, e.source_type, e.source_id) for e in events]
    priced = rules.price(rules.billable(plain, cards), cards, start, end)
    lines = [
        DraftLine(
            ln.charge_code,
            ln.qty,
            ln.rate,
            ln.amount,
            sorted(by_key[(ln.charge_code, st, sid)].id for st, sid in ln.sources),
        )
        for ln in priced.lines
    ]
    return Draft(owner_id, start, end, priced.currency, priced.total, lines)


async def _owner_code(uow: UnitOfWork, owner_id: int) -> str:
    owner = await uow.session.get(Owner, owner_id)
    return owner.code if owner is not None else str(owner_id)


async def _store(uow: UnitOfWork, invoice: Invoice, lines: list[DraftLine]) -> Invoice:
    uow.session.add(invoice)
    await uow.session.flush()
    for seq, ln in enumerate(lines, start=1):
        row = InvoiceLine(
            invoice_id=invoice.id,
            seq=seq,
            charge_code=ln.charge_code,
            qty=ln.qty,
            rate=ln.rate,
            amount=ln.amount,
            credits_line_id=ln.credits_line_id,
        )
        uow.session.add(row)
        await uow.session.flush()
        for eid in ln.event_ids:
            uow.session.add(InvoiceLineEvent(line_id=row.id, event_id=eid))
    await uow.session.flush()
    return invoice


def _announce(uow: UnitOfWork, inv: Invoice, lines: list[DraftLine]) -> None:
    outbox.record(
        uow,
        "invoice.issued",
        {
            "invoice_id": inv.id,
            "number": inv.number,
            "kind": inv.kind.value,
            "period": f"{inv.period_start:%Y-%m}",
            "currency": inv.currency,
            "total": str(inv.total),
            "credit_of_id": inv.credit_of_id,
            "totals_by_type": {k: str(v) for k, v in sorted(_group(lines).items())},
        },
        owner_id=inv.owner_id,
        key=f"invoice:{inv.credit_of_id or inv.id}",
    )


def _group(lines: list[DraftLine]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for ln in lines:
        totals[ln.charge_code.split(".")[0]] += ln.amount
    return dict(totals)


async def find_issued(uow: UnitOfWork, owner_id: int, period: str) -> Invoice | None:
    start, _ = rules.period_bounds(period)
    stmt = select(Invoice).where(Invoice.period_key == period_key(owner_id, start))
    return (await uow.session.execute(stmt)).scalar_one_or_none()


async def issue(uow: UnitOfWork, owner_id: int, period: str) -> tuple[Invoice, bool]:
    """Issue the period's invoice, or return the one already issued (same owner and period): ``(invoice, new)``.
    Only a period that has ended can be issued; from then on its lines, rates and events never change."""
    start, end = rules.period_bounds(period)
    await lock_owner(uow, owner_id)
    found = await find_issued(uow, owner_id, period)
    if found is not None:
        return found, False
    if end >= utcnow().date():
        raise Conflict(f"The period {period} has not ended yet; preview it instead.", code="period_open")
    draft = await compute(uow, owner_id, period)
    code = await _owner_code(uow, owner_id)
    inv = Invoice(
        number=f"INV-{start:%Y%m}-{code}",
        kind=InvoiceKind.INVOICE,
        status=InvoiceStatus.ISSUED,
        owner_id=owner_id,
        period_start=start,
        period_end=end,
        period_key=period_key(owner_id, start),
        currency=draft.currency,
        total=draft.total,
        issued_at=utcnow(),
        issued_by=uow.caller.username[:64],
    )
    await _store(uow, inv, draft.lines)
    _announce(uow, inv, draft.lines)
    return inv, True


async def get_invoice(uow: UnitOfWork, invoice_id: int) -> Invoice:
    inv = await uow.session.get(Invoice, invoice_id)
    if inv is None:
        raise NotFound(f"There is no invoice {invoice_id}.", code="invoice_not_found")
    uow.caller.check_owner(inv.owner_id)
    return inv


async def lines_of(uow: UnitOfWork, invoice_id: int) -> list[tuple[InvoiceLine, list[BillableEvent]]]:
    lines = list(
        (
            await uow.session.execute(
                select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id).order_by(InvoiceLine.seq)
            )
        ).scalars()
    )
    events: dict[int, list[BillableEvent]] = defaultdict(list)
    rows = await uow.session.execute(
        select(InvoiceLineEvent.line_id, BillableEvent)
        .join(BillableEvent, BillableEvent.id == InvoiceLineEvent.event_id)
        .where(InvoiceLineEvent.line_id.in_([ln.id for ln in lines]))
        .order_by(BillableEvent.day, BillableEvent.id)
    )
    for line_id, ev in rows.all():
        events[line_id].append(ev)
    return [(ln, events.get(ln.id, [])) for ln in lines]


async def credit(uow: UnitOfWork, invoice_id: int, reason: str, lines: list[tuple[int, Decimal]] | None) -> Invoice:
    """A credit note against an issued invoice: ``lines`` as (invoice line id, qty to credit) at that line's
    rate, or every line's remaining quantity when None. Never more than was billed, over all credit notes."""
    inv = await get_invoice(uow, invoice_id)
    await lock_owner(uow, inv.owner_id)
    if inv.kind != InvoiceKind.INVOICE or inv.status != InvoiceStatus.ISSUED:
        raise Conflict(f"{inv.number} is no issued invoice; only one can be credited.", code="not_creditable")
    if not reason.strip():
        raise InvalidInput("Say why the invoice is credited (reason).", code="reason_required")
    billed = {ln.id: ln for ln, _ in await lines_of(uow, inv.id)}
    credited: dict[int, Decimal] = defaultdict(Decimal)
    rows = await uow.session.execute(
        select(InvoiceLine.credits_line_id, func.sum(InvoiceLine.qty))
        .where(InvoiceLine.credits_line_id.in_(billed))
        .group_by(InvoiceLine.credits_line_id)
    )
    for line_id, qty in rows.all():
        if line_id is not None:
            credited[line_id] = -Decimal(str(qty))  # SQLite sums NUMERIC as float
    wanted = [(lid, billed[lid].qty - credited[lid]) for lid in billed] if lines is None else lines
    errors: list[dict[str, str]] = []
    out: list[DraftLine] = []
    for lid, qty in wanted:
        ln = billed.get(lid)
        if ln is None:
            errors.append({"line_id": str(lid), "message": f"invoice {inv.number} has no line {lid}"})
            continue
        left = ln.qty - credited[lid]
        if qty <= 0 or qty > left:
            if lines is not None:
                errors.append({"line_id": str(lid), "message": f"credit between 0 and {left} of line {ln.seq}"})
            continue
        amount = -rules.money(qty * ln.rate) if qty != ln.qty else -ln.amount
        out.append(DraftLine(ln.charge_code, -qty, ln.rate, amount, credits_line_id=ln.id))
    if errors:
        raise InvalidInput("The credit note has problems.", code="invalid_credit", errors=errors)
    if not out:
        raise Conflict(f"{inv.number} is credited in full already.", code="nothing_to_credit")
    n = (
        await uow.session.execute(select(func.count()).select_from(Invoice).where(Invoice.credit_of_id == inv.id))
    ).scalar_one()
    note = Invoice(
        number=f"CN-{inv.number.removeprefix('INV-')}-{n + 1}",
        kind=InvoiceKind.CREDIT_NOTE,
        status=InvoiceStatus.ISSUED,
        owner_id=inv.owner_id,
        period_start=inv.period_start,
        period_end=inv.period_end,
        period_key=None,
        currency=inv.currency,
        total=sum((ln.amount for ln in out), Decimal(0)),
        credit_of_id=inv.id,
        reason=reason.strip()[:500],
        issued_at=utcnow(),
        issued_by=uow.caller.username[:64],
    )
    await _store(uow, note, out)
    _announce(uow, note, out)
    return note
