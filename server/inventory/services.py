"""The one inventory service every stock change goes through: it changes the stock row and writes the
ledger row in the same transaction.

Locking: rows are locked ``FOR UPDATE`` in primary-key order, so two moves in opposite directions never
deadlock; on SQLite the whole transaction holds the write lock (``BEGIN IMMEDIATE``). The database's CHECK
constraints (on-hand >= 0, allocated <= on-hand) stay the last line of defence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Integer, bindparam, case, func, literal, select, text, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from server.catalog.models import Sku
from server.db.repository import for_update, upsert_insert
from server.db.uow import UnitOfWork
from server.errors import InsufficientStock, InvalidInput, NotFound
from server.integration import outbox
from server.inventory.models import Movement, MovementReason, Stock, StockStatus
from server.inventory.rules import (
    ADJUSTMENT_REASONS,
    MOVE_REASONS,
    StockKey,
    check_can_take,
    check_destination,
    check_lot_rules,
    require_positive,
)
from server.layout.models import STORAGE_TYPES, Location


@dataclass(frozen=True, slots=True)
class DocRef:
    """What caused a movement, for the ledger: e.g. ('receipt', 'RCP-000123')."""

    type: str = ""
    ref: str = ""


def _key_of(stock: Stock) -> StockKey:
    return StockKey(stock.owner_id, stock.sku_id, stock.location_id, stock.lot, stock.expiry, stock.lpn, stock.status)


# the columns and expression of the unique index ``uq_stock_identity`` (see :class:`Stock`), as an upsert names it
IDENTITY_INDEX: list[Any] = [
    Stock.owner_id,
    Stock.sku_id,
    Stock.location_id,
    Stock.lot,
    Stock.lpn,
    Stock.status,
    text("coalesce(expiry, '0001-01-01')"),
]


@cache
def _add_statement(dialect: str) -> Any:
    """:meth:`InventoryService._add`'s upsert (built once per database kind; the row's values are parameters)."""
    stmt = upsert_insert(dialect, Stock)
    return (
        stmt.on_conflict_do_update(
            index_elements=IDENTITY_INDEX, set_={Stock.on_hand: Stock.on_hand + stmt.excluded.on_hand}
        )
        .returning(Stock)
        .execution_options(populate_existing=True)
    )


@cache
def _take_statement(allow_allocated: bool) -> Any:
    """:meth:`InventoryService._take_last`'s update (parameters ``stock_id`` and ``qty``), built once."""
    qty = bindparam("qty", type_=Integer)
    free = Stock.on_hand if allow_allocated else Stock.on_hand - Stock.allocated
    values: dict[Any, Any] = {Stock.on_hand: Stock.on_hand - qty}
    if allow_allocated:
        values[Stock.allocated] = case((Stock.allocated > qty, Stock.allocated - qty), else_=0)
    return (
        update(Stock)
        .where(Stock.id == bindparam("stock_id", type_=BigInteger), free >= qty)
        .values(values)
        .returning(Stock.on_hand, Stock.allocated)
        .execution_options(synchronize_session=False)
    )


def _identity(key: StockKey) -> list[Any]:
    return [
        Stock.owner_id == key.owner_id,
        Stock.sku_id == key.sku_id,
        Stock.location_id == key.location_id,
        Stock.lot == key.lot,
        Stock.lpn == key.lpn,
        Stock.status == key.status,
        Stock.expiry.is_(None) if key.expiry is None else Stock.expiry == key.expiry,
    ]


@dataclass(frozen=True, slots=True)
class PickFacts:
    """What a pick must know of its source location before it takes units: the open count that froze the
    location (None if none) and whether the location is an active pick face of the SKU (then it may need
    refilling after the pick)."""

    frozen_count_id: int | None
    face_rules: bool


def pick_fact_columns(location_id: Any, sku_id: Any) -> tuple[Any, Any]:
    """The two :class:`PickFacts` as columns, for a caller that reads the pick's own rows in one statement."""
    from server.inventory.freeze import freezing_count
    from server.inventory.models import PickFaceRule

    face = (
        select(PickFaceRule.id)
        .where(PickFaceRule.location_id == location_id, PickFaceRule.sku_id == sku_id, PickFaceRule.active.is_(True))
        .exists()
    )
    return freezing_count(location_id).label("frozen_count_id"), face.label("face_rules")


class InventoryService:
    """Stock changes for one unit of work. Every public method writes exactly one ledger row per change."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.session: AsyncSession = uow.session

    # -- reading -------------------------------------------------------------------------------------------
    async def get_stock(self, stock_id: int, *, lock: bool = False) -> Stock:
        """A stock row (a row the transaction has read already is not read again unless it is to be locked)."""
        if lock:
            stock = (await self.session.execute(for_update(select(Stock).where(Stock.id == stock_id)))).scalar()
        else:
            stock = await self.session.get(Stock, stock_id)
        if stock is None:
            raise NotFound(f"There is no stock row {stock_id} (it may have just been emptied).", code="stock_not_found")
        if self.uow.principal is not None:
            self.uow.principal.check_owner(stock.owner_id)
        return stock

    async def _lock(self, ids: Sequence[int]) -> dict[int, Stock]:
        """Lock stock rows in primary-key order (the order every transaction uses, so none deadlock)."""
        rows = (
            (
                await self.session.execute(
                    for_update(select(Stock).where(Stock.id.in_(sorted(set(ids)))).order_by(Stock.id))
                )
            )
            .scalars()
            .all()
        )
        return {s.id: s for s in rows}

    async def _find(self, key: StockKey, *, lock: bool) -> Stock | None:
        stmt = select(Stock).where(*_identity(key))
        if lock:
            stmt = for_update(stmt)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def _location(self, location_id: int) -> Location:
        loc = await self.session.get(Location, location_id)
        if loc is None:
            raise NotFound(f"There is no location {location_id}.", code="location_not_found")
        return loc

    # -- the two primitives --------------------------------------------------------------------------------
    async def _add(self, key: StockKey, qty: int) -> Stock:
        """Add units to the row with this identity, creating it when needed: one ``INSERT ... ON CONFLICT DO
        UPDATE`` on the identity's unique index, so two transactions adding to a new identity at once both land on
        the one row (the second waits for the first's row lock), with no look-up before."""
        stmt = _add_statement(self.session.get_bind().dialect.name)
        params = {
            "owner_id": key.owner_id,
            "sku_id": key.sku_id,
            "location_id": key.location_id,
            "lot": key.lot,
            "expiry": key.expiry,
            "lpn": key.lpn,
            "status": key.status,
            "on_hand": qty,
            "allocated": 0,
        }
        stock: Stock = (await self.session.execute(stmt, params)).scalar_one()
        return stock

    async def _remove(self, stock: Stock, qty: int, *, allow_allocated: bool = False) -> None:
        check_can_take(
            on_hand=stock.on_hand,
            allocated=stock.allocated,
            qty=qty,
            what=f"stock row {stock.id}",
            allow_allocated=allow_allocated,
        )
        stock.on_hand -= qty
        if allow_allocated:
            stock.allocated = max(0, stock.allocated - qty)
        # An emptied row stays (on_hand 0): a handheld still holding its id gets "insufficient stock" (409),
        # not "no such row"; look-ups hide empty rows and `wes purge` may drop them later.

    async def _transfer(
        self,
        stock_id: int,
        src_key: StockKey,
        dst_key: StockKey,
        qty: int,
        *,
        reason: MovementReason,
        doc: DocRef,
        note: str,
        allow_allocated: bool = False,
    ) -> Stock:
        """Take ``qty`` from a stock row and add it to the row of ``dst_key``, with one ledger row."""
        existing = await self._find(dst_key, lock=False)
        locked = await self._lock([stock_id, *([existing.id] if existing else [])])
        src = locked.get(stock_id)
        if src is None:
            raise NotFound(f"Stock row {stock_id} was emptied meanwhile.", code="stock_not_found")
        await self._remove(src, qty, allow_allocated=allow_allocated)
        dst = await self._add(dst_key, qty)
        self._ledger(key=src_key, qty=qty, reason=reason, src=src_key, dst=dst_key, doc=doc, note=note)
        await self.session.flush()
        return dst

    def _ledger(
        self,
        *,
        key: StockKey,
        qty: int,
        reason: MovementReason,
        src: StockKey | None,
        dst: StockKey | None,
        doc: DocRef,
        note: str,
    ) -> Movement:
        p = self.uow.principal
        row = Movement(
            owner_id=key.owner_id,
            sku_id=key.sku_id,
            lot=key.lot,
            expiry=key.expiry,
            qty=qty,
            from_location_id=src.location_id if src else None,
            from_lpn=src.lpn if src else "",
            from_status=src.status if src else None,
            to_location_id=dst.location_id if dst else None,
            to_lpn=dst.lpn if dst else "",
            to_status=dst.status if dst else None,
            reason=reason,
            note=note[:500],
            doc_type=doc.type,
            doc_ref=doc.ref,
            user_id=p.user_id if p else None,
            device_id=p.device_id if p else None,
        )
        self.session.add(row)
        return row

    def _emit(self, kind: str, key: StockKey, qty: int, **extra: Any) -> None:
        self.uow.emit(
            "stock",
            {
                "event": kind,
                "owner_id": key.owner_id,
                "sku_id": key.sku_id,
                "location_id": key.location_id,
                "qty": qty,
                **extra,
            },
        )

    # -- use cases ---------------------------------------------------------------------------------------
    async def receive(
        self,
        key: StockKey,
        qty: int,
        *,
        reason: MovementReason = MovementReason.RECEIPT,
        doc: DocRef = DocRef(),
        note: str = "",
    ) -> Stock:
        """Stock arriving from outside (a receipt, a return, stock found): the ledger row has no from-side."""
        require_positive(qty)
        if self.uow.principal is not None:
            self.uow.principal.check_owner(key.owner_id)
        sku = await self.session.get(Sku, key.sku_id)
        if sku is None or sku.owner_id != key.owner_id:
            raise NotFound(f"There is no SKU {key.sku_id} for this owner.", code="sku_not_found")
        check_lot_rules(
            lot_controlled=sku.lot_controlled,
            expiry_controlled=sku.expiry_controlled,
            lot=key.lot,
            expiry=key.expiry,
            sku_code=sku.code,
        )
        loc = await self._location(key.location_id)
        check_destination(
            active=loc.active,
            blocked=loc.blocked,
            code=loc.code,
            location_owner_id=loc.owner_id,
            owner_id=key.owner_id,
        )
        stock = await self._add(key, qty)
        self._ledger(key=key, qty=qty, reason=reason, src=None, dst=key, doc=doc, note=note)
        await self.session.flush()
        self._emit("received", key, qty)
        return await self._arrived(stock, stock, qty, loc.warehouse_id)

    async def move(
        self,
        stock_id: int,
        qty: int,
        to_location_id: int,
        *,
        to_lpn: str | None = None,
        reason: MovementReason = MovementReason.MOVE,
        doc: DocRef = DocRef(),
        note: str = "",
    ) -> Stock:
        """Move free units of one stock row to another location (optionally onto another LPN)."""
        require_positive(qty)
        if reason not in MOVE_REASONS:
            raise InvalidInput(f"'{reason}' is not a move reason.", code="invalid_reason")
        src = await self.get_stock(stock_id)
        dest_loc = await self._location(to_location_id)
        src_loc = await self._location(src.location_id)
        if dest_loc.warehouse_id != src_loc.warehouse_id:
            raise InvalidInput(
                "Stock moves stay inside one warehouse; use a transfer order between warehouses.",
                code="other_warehouse",
            )
        check_destination(
            active=dest_loc.active,
            blocked=dest_loc.blocked,
            code=dest_loc.code,
            location_owner_id=dest_loc.owner_id,
            owner_id=src.owner_id,
        )
        src_key = _key_of(src)
        dst_key = replace(src_key, location_id=to_location_id, lpn=src.lpn if to_lpn is None else to_lpn)
        if dst_key == src_key:
            raise InvalidInput("The stock is already there.", code="same_location")
        dst = await self._transfer(stock_id, src_key, dst_key, qty, reason=reason, doc=doc, note=note)
        self._emit("moved", src_key, qty, to_location_id=to_location_id)
        return await self._arrived(src, dst, qty, dest_loc.warehouse_id)

    async def adjust(
        self, key: StockKey, delta: int, *, reason: MovementReason, note: str, doc: DocRef = DocRef()
    ) -> Stock:
        """Correct the book to what is on the shelf: ``delta`` > 0 found, < 0 lost/damaged/scrapped."""
        if reason not in ADJUSTMENT_REASONS:
            raise InvalidInput(
                f"'{reason}' is not an adjustment reason; use one of {', '.join(sorted(ADJUSTMENT_REASONS))}.",
                code="invalid_reason",
            )
        if delta == 0:
            raise InvalidInput("An adjustment of zero changes nothing.", code="invalid_quantity")
        if not note.strip():
            raise InvalidInput(
                "Say why the stock is adjusted (note).",
                code="note_required",
                errors=[{"field": "note", "message": "required"}],
            )
        if delta > 0:
            stock = await self.receive(key, delta, reason=reason, doc=doc, note=note)
        else:
            found = await self._find(key, lock=True)
            if found is None:
                raise NotFound("There is no such stock to adjust down.", code="stock_not_found")
            stock = found
            if self.uow.principal is not None:
                self.uow.principal.check_owner(stock.owner_id)
            await self._remove(stock, -delta)
            self._ledger(key=key, qty=-delta, reason=reason, src=key, dst=None, doc=doc, note=note)
            await self.session.flush()
            self._emit("adjusted", key, delta)
        outbox.record(
            self.uow,
            "inventory.adjusted",
            {
                "sku_id": key.sku_id,
                "location_id": key.location_id,
                "lot": key.lot,
                "lpn": key.lpn,
                "status": key.status.value,
                "delta": delta,
                "reason": reason.value,
                "note": note,
                "doc_type": doc.type,
                "doc_ref": doc.ref,
            },
            owner_id=key.owner_id,
            key=f"sku:{key.sku_id}",
        )
        return stock

    async def change_status(
        self,
        stock_id: int,
        qty: int,
        status: StockStatus,
        *,
        note: str,
        reason: MovementReason = MovementReason.STATUS,
        doc: DocRef = DocRef(),
    ) -> Stock:
        """Put units on hold, in quarantine, damaged, or back to available, where they stand."""
        require_positive(qty)
        src = await self.get_stock(stock_id)
        src_key = _key_of(src)
        if status == src.status:
            raise InvalidInput(f"The stock is already {status}.", code="same_status")
        dst_key = replace(src_key, status=status)
        dst = await self._transfer(stock_id, src_key, dst_key, qty, reason=reason, doc=doc, note=note)
        self._emit("status_changed", src_key, qty, status=status.value)
        if status != StockStatus.AVAILABLE:
            return dst
        loc = await self._location(dst.location_id)
        return await self._arrived(src, dst, qty, loc.warehouse_id)

    async def _arrived(self, src: Stock, dst: Stock, qty: int, warehouse_id: int) -> Stock:
        """Units arrived in ``dst`` (from ``src``; the same row for a receipt): an active hold whose scope covers
        available units arriving holds them at once; held units that moved take their holds along. Returns the row
        the units are in now."""
        from server.inventory import holds

        if dst.status == StockStatus.AVAILABLE:
            return await holds.catch_arrival(self.uow, dst, qty, warehouse_id)
        if src is not dst and src.status == StockStatus.HOLD and dst.status == StockStatus.HOLD:
            await holds.follow_move(self.uow, src, dst, qty, warehouse_id)
        return dst

    # -- allocation (reservations for orders) ------------------------------------------------------------
    async def lock_free_stock(
        self, sku_ids: Sequence[int], warehouse_id: int, *, exclude: Sequence[int] = ()
    ) -> list[tuple[Stock, Location]]:
        """Lock (primary-key order, in one statement) the available stock of these SKUs with units free in the
        warehouse's storage locations, with each row's location; then reserve from them with :meth:`allocate`.

        A SKU belongs to one owner, so this is by owner too."""
        if not sku_ids:
            return []
        rows = (
            await self.session.execute(
                for_update(
                    select(Stock, Location)
                    .join(Location, Location.id == Stock.location_id)
                    .where(
                        Stock.sku_id.in_(sorted(set(sku_ids))),
                        Stock.id.not_in(list(exclude)),
                        Stock.status == StockStatus.AVAILABLE,
                        Stock.on_hand > Stock.allocated,
                        Location.warehouse_id == warehouse_id,
                        Location.type.in_(list(STORAGE_TYPES)),
                        Location.active.is_(True),
                        Location.blocked.is_(False),
                    )
                    .order_by(Stock.id),
                    of=Stock,
                )
            )
        ).all()
        return [(s, loc) for s, loc in rows]

    async def allocate(self, stock: Stock, qty: int) -> None:
        """Reserve ``qty`` free units of a row the caller has locked (see :meth:`lock_free_stock`)."""
        require_positive(qty)
        if qty > stock.available:
            raise InsufficientStock(
                f"Only {stock.available} units of stock row {stock.id} are free; asked to reserve {qty}.",
                available=stock.available,
                requested=qty,
            )
        stock.allocated += qty

    async def deallocate(self, reservations: Sequence[tuple[int, int]]) -> None:
        """Give back reserved units: (stock id, qty) pairs; rows are locked in primary-key order."""
        wanted = [(sid, q) for sid, q in reservations if q > 0]
        if not wanted:
            return
        locked = await self._lock([sid for sid, _ in wanted])
        for sid, q in wanted:
            row = locked.get(sid)
            if row is not None:
                row.allocated = max(0, row.allocated - q)
        await self.session.flush()

    async def pick(
        self,
        stock_id: int,
        qty: int,
        to_location_id: int,
        *,
        to_lpn: str = "",
        allocated: bool = True,
        doc: DocRef = DocRef(),
        note: str = "",
        facts: PickFacts | None = None,
    ) -> Stock:
        """Move picked units from their location onto a cart (location + tote as LPN), with reason ``pick``.

        ``allocated``: the units were reserved for this pick, so they may be taken from the reservation (and the
        reservation shrinks by as much). ``facts``: what the caller read of the location with its own rows
        (see :func:`pick_fact_columns`); read here otherwise."""
        from server.inventory import replenishment
        from server.inventory.freeze import frozen_by, refuse_if_frozen

        require_positive(qty)
        src = await self.get_stock(stock_id)
        if facts is None:
            facts = PickFacts(await frozen_by(self.uow, src.location_id), face_rules=True)
        await refuse_if_frozen(self.uow, src.location_id, facts.frozen_count_id)  # a counted location is frozen
        src_key = _key_of(src)
        dst_key = replace(src_key, location_id=to_location_id, lpn=to_lpn)
        rules = []
        if facts.face_rules:
            rules = await replenishment.face_rules(self.uow, src_key.location_id, src_key.sku_id)
        # The pick face's row is shared by every picker of the SKU: it is locked last (one UPDATE ... RETURNING
        # after the tote's row and the ledger row), so it is held only until the commit. The tote's row is this
        # order's alone (the order is locked first by every writer of its totes).
        dst = await self._add(dst_key, qty)
        self._ledger(key=src_key, qty=qty, reason=MovementReason.PICK, src=src_key, dst=dst_key, doc=doc, note=note)
        await self.session.flush()
        await self._take_last(src, qty, allow_allocated=allocated)
        self._emit("picked", src_key, qty, to_location_id=to_location_id)
        for rule in rules:  # below min: refill the face
            await replenishment.replenish(self.uow, rule)
        return dst

    async def _take_last(self, src: Stock, qty: int, *, allow_allocated: bool) -> None:
        """Take ``qty`` from a stock row in one ``UPDATE ... RETURNING`` (lock and change at once), refused as
        :meth:`_remove` would refuse it when too few units are there."""
        row = (await self.session.execute(_take_statement(allow_allocated), {"stock_id": src.id, "qty": qty})).first()
        if row is None:
            await self.session.refresh(src, with_for_update=True)
            check_can_take(
                on_hand=src.on_hand,
                allocated=src.allocated,
                qty=qty,
                what=f"stock row {src.id}",
                allow_allocated=allow_allocated,
            )
            raise InsufficientStock(f"Stock row {src.id} changed meanwhile.", available=0, requested=qty)
        set_committed_value(src, "on_hand", row.on_hand)
        set_committed_value(src, "allocated", row.allocated)

    async def ship(
        self,
        stock_id: int,
        qty: int,
        *,
        doc: DocRef = DocRef(),
        note: str = "",
        reason: MovementReason = MovementReason.SHIP,
    ) -> Stock:
        """Units leave the warehouse with a carrier (ship confirmation, or ``rtv`` back to the vendor): the ledger
        row has no to-side."""
        require_positive(qty)
        src = (await self._lock([stock_id])).get(stock_id)
        if src is None:
            raise NotFound(f"Stock row {stock_id} was emptied meanwhile.", code="stock_not_found")
        key = _key_of(src)
        await self._remove(src, qty)
        self._ledger(key=key, qty=qty, reason=reason, src=key, dst=None, doc=doc, note=note)
        await self.session.flush()
        self._emit("shipped", key, qty)
        return src


@dataclass(frozen=True, slots=True)
class AuditDifference:
    key: StockKey
    stock_on_hand: int
    ledger_on_hand: int


async def audit_stock(session: AsyncSession) -> list[AuditDifference]:
    """Every stock identity whose on-hand differs from the sum of its ledger rows (empty = books agree)."""
    into = select(
        Movement.owner_id,
        Movement.sku_id,
        Movement.to_location_id.label("location_id"),
        Movement.lot,
        Movement.expiry,
        Movement.to_lpn.label("lpn"),
        Movement.to_status.label("status"),
        Movement.qty.label("q"),
    ).where(Movement.to_location_id.is_not(None))
    out = select(
        Movement.owner_id,
        Movement.sku_id,
        Movement.from_location_id,
        Movement.lot,
        Movement.expiry,
        Movement.from_lpn,
        Movement.from_status,
        (literal(0) - Movement.qty),
    ).where(Movement.from_location_id.is_not(None))
    both = union_all(into, out).subquery()
    ledger_rows = await session.execute(
        select(
            both.c.owner_id,
            both.c.sku_id,
            both.c.location_id,
            both.c.lot,
            both.c.expiry,
            both.c.lpn,
            both.c.status,
            func.sum(both.c.q),
        ).group_by(
            both.c.owner_id,
            both.c.sku_id,
            both.c.location_id,
            both.c.lot,
            both.c.expiry,
            both.c.lpn,
            both.c.status,
        )
    )
    ledger: dict[StockKey, int] = {}
    for owner_id, sku_id, location_id, lot, expiry, lpn, status, total in ledger_rows:
        if isinstance(expiry, str):
            expiry = date.fromisoformat(expiry)
        key = StockKey(owner_id, sku_id, location_id, lot, expiry, lpn, StockStatus(status))
        ledger[key] = int(total or 0)
    diffs: list[AuditDifference] = []
    seen: set[StockKey] = set()
    for stock in (await session.execute(select(Stock))).scalars():
        key = _key_of(stock)
        seen.add(key)
        if ledger.get(key, 0) != stock.on_hand:
            diffs.append(AuditDifference(key, stock.on_hand, ledger.get(key, 0)))
    for key, total in ledger.items():
        if key not in seen and total != 0:
            diffs.append(AuditDifference(key, 0, total))
    return diffs
