"""Rate cards: create, change, remove; every card of an owner checked together (no overlap, known codes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from server.billing import rules
from server.billing.models import Rate, RateCard
from server.db.repository import for_update
from server.db.uow import UnitOfWork
from server.errors import InvalidInput, NotFound
from server.identity.models import Owner


async def lock_owner(uow: UnitOfWork, owner_id: int) -> Owner:
    """Lock the owner row: its cards are checked, and its invoices issued, one writer at a time."""
    owner = (await uow.session.execute(for_update(select(Owner).where(Owner.id == owner_id)))).scalar_one_or_none()
    if owner is None:
        raise NotFound(f"There is no owner {owner_id}.", code="owner_not_found")
    return owner


async def rates_of(uow: UnitOfWork, card_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    out: dict[int, dict[str, Decimal]] = {cid: {} for cid in card_ids}
    rows = await uow.session.execute(select(Rate).where(Rate.rate_card_id.in_(card_ids)))
    for r in rows.scalars():
        out[r.rate_card_id][r.charge_code] = r.rate
    return out


async def owner_cards(uow: UnitOfWork, owner_id: int) -> list[tuple[RateCard, dict[str, Decimal]]]:
    cards = list(
        (
            await uow.session.execute(
                select(RateCard).where(RateCard.owner_id == owner_id).order_by(RateCard.valid_from)
            )
        ).scalars()
    )
    rates = await rates_of(uow, [c.id for c in cards])
    return [(c, rates[c.id]) for c in cards]


def as_rule(card: RateCard, rates: dict[str, Decimal]) -> rules.RateCard:
    return rules.RateCard(card.currency, card.valid_from, card.valid_to, dict(rates), card.minimum_monthly)


async def get_card(uow: UnitOfWork, card_id: int) -> tuple[RateCard, dict[str, Decimal]]:
    card = await uow.session.get(RateCard, card_id)
    if card is None:
        raise NotFound(f"There is no rate card {card_id}.", code="rate_card_not_found")
    uow.caller.check_owner(card.owner_id)
    return card, (await rates_of(uow, [card.id]))[card.id]


async def _check(uow: UnitOfWork, owner_id: int, candidate: rules.RateCard, replacing: int | None) -> None:
    if len(candidate.currency) != 3 or not candidate.currency.isalpha() or not candidate.currency.isupper():
        raise InvalidInput("A currency is three capital letters (ISO 4217), e.g. CNY.", code="invalid_currency")
    if candidate.valid_to is not None and candidate.valid_to < candidate.valid_from:
        raise InvalidInput("A rate card cannot end before it starts.", code="invalid_rate_card")
    if candidate.minimum_monthly < 0:
        raise InvalidInput("A minimum monthly charge cannot be negative.", code="invalid_rate_card")
    others = [as_rule(c, r) for c, r in await owner_cards(uow, owner_id) if c.id != replacing]
    rules.check_cards([*others, candidate])


async def save_card(
    uow: UnitOfWork,
    *,
    owner_id: int,
    currency: str,
    valid_from: date,
    valid_to: date | None,
    rates: dict[str, Decimal],
    minimum_monthly: Decimal,
    note: str = "",
    card_id: int | None = None,
) -> tuple[RateCard, dict[str, Decimal]]:
    """Create a card (``card_id`` None) or replace one's terms. Invoices already issued keep their own rates."""
    await lock_owner(uow, owner_id)
    candidate = rules.RateCard(currency, valid_from, valid_to, dict(rates), minimum_monthly)
    await _check(uow, owner_id, candidate, card_id)
    if card_id is None:
        card = RateCard(owner_id=owner_id)
        uow.session.add(card)
    else:
        card, _ = await get_card(uow, card_id)
        if card.owner_id != owner_id:
            raise InvalidInput("A rate card cannot move to another owner.", code="invalid_rate_card")
        for old in (await uow.session.execute(select(Rate).where(Rate.rate_card_id == card.id))).scalars():
            await uow.session.delete(old)
    card.currency, card.valid_from, card.valid_to = currency, valid_from, valid_to
    card.minimum_monthly, card.note = minimum_monthly, note
    await uow.session.flush()
    for code, rate in sorted(rates.items()):
        uow.session.add(Rate(rate_card_id=card.id, charge_code=code, rate=rate))
    await uow.session.flush()
    return card, dict(rates)


async def delete_card(uow: UnitOfWork, card_id: int) -> None:
    card, _ = await get_card(uow, card_id)
    await uow.session.delete(card)
    await uow.session.flush()
