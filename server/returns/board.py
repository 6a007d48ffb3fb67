"""The board's Returns page: return authorisations (RMA) listed, and made on the board for a shipped order: pick
the order (recently shipped, or found by its reference), give each line's quantity and reason, and the return is
authorised through :func:`server.returns.services.create_rma`, the same use case as the API (unknown lines and
more than was shipped refused with the reason, nothing written)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy import func, or_, select

from server.board.api import BOARD, PAGE, BoardPages, FormData, check_csrf, form_int, pager
from server.catalog.models import Sku
from server.db.uow import UnitOfWork
from server.errors import DomainError
from server.identity.models import Owner
from server.outbound.models import OrderLine, OrderStatus, SalesOrder
from server.returns import rules
from server.returns.models import ReturnAuthorisation, ReturnLine, RmaStatus
from server.returns.schemas import RmaIn
from server.returns.services import create_rma
from server.settings import Settings

RECENT = 15


async def _returnable_lines(uow: UnitOfWork, order: SalesOrder) -> list[dict[str, Any]]:
    """The order's lines with what was shipped, what is already authorised for return and what still may be."""
    session = uow.session
    lines = list(
        (await session.execute(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)))
        .scalars()
        .all()
    )
    codes = dict((await session.execute(select(Sku.id, Sku.code).where(Sku.id.in_({ln.sku_id for ln in lines})))).all())
    before = dict(
        (
            await session.execute(
                select(ReturnLine.order_line_id, func.sum(ReturnLine.qty))
                .join(ReturnAuthorisation, ReturnAuthorisation.id == ReturnLine.rma_id)
                .where(ReturnAuthorisation.order_id == order.id, ReturnAuthorisation.status != RmaStatus.CANCELLED)
                .group_by(ReturnLine.order_line_id)
            )
        ).all()
    )
    return [
        {
            "line_no": ln.line_no,
            "sku": codes.get(ln.sku_id, str(ln.sku_id)),
            "shipped": ln.picked_qty,
            "authorised": int(before.get(ln.id, 0)),
            "returnable": rules.returnable(ln.picked_qty, int(before.get(ln.id, 0))),
        }
        for ln in lines
    ]


async def returns_context(
    uow: UnitOfWork, *, order_id: int | None, q: str, offset: int, created: str = ""
) -> dict[str, Any]:
    """What the page shows: the chosen order and its lines, recently shipped orders to choose from, the RMAs."""
    session = uow.session
    owners = dict((await session.execute(select(Owner.id, Owner.code))).all())
    order: SalesOrder | None = None
    found: list[SalesOrder] = []
    if order_id is not None:
        order = await session.get(SalesOrder, order_id)
    elif q.strip():
        ref = q.strip()
        found = list(
            (
                await session.execute(
                    select(SalesOrder)
                    .where(
                        or_(SalesOrder.channel_order_id == ref, *([SalesOrder.id == int(ref)] if ref.isdigit() else []))
                    )
                    .order_by(SalesOrder.id.desc())
                    .limit(20)
                )
            )
            .scalars()
            .all()
        )
        if len(found) == 1:
            order = found[0]
    shipped = list(
        (
            await session.execute(
                select(SalesOrder)
                .where(SalesOrder.status == OrderStatus.SHIPPED)
                .order_by(SalesOrder.id.desc())
                .limit(RECENT)
            )
        )
        .scalars()
        .all()
    )
    total = (await session.execute(select(func.count(ReturnAuthorisation.id)))).scalar_one()
    rmas = list(
        (
            await session.execute(
                select(ReturnAuthorisation, SalesOrder.channel_order_id)
                .join(SalesOrder, SalesOrder.id == ReturnAuthorisation.order_id)
                .order_by(ReturnAuthorisation.id.desc())
                .limit(PAGE)
                .offset(offset)
            )
        ).all()
    )
    units = dict(
        (
            await session.execute(
                select(ReturnLine.rma_id, func.sum(ReturnLine.qty))
                .where(ReturnLine.rma_id.in_([r.id for r, _ in rmas]))
                .group_by(ReturnLine.rma_id)
            )
        ).all()
    )
    return {
        "owners": owners,
        "order": order,
        "lines": await _returnable_lines(uow, order) if order is not None else [],
        "found": found,
        "q": q,
        "shipped": shipped,
        "rmas": [(r, ref, int(units.get(r.id, 0))) for r, ref in rmas],
        "created": created,
        "form": {},
        "errors": [],
        "pages": pager(int(total), offset),
    }


class ReturnsBoard(BoardPages):
    @get("/returns", opt=BOARD)
    async def returns_page(
        self,
        uow: UnitOfWork,
        settings: Settings,
        request: Request[Any, Any, Any],
        order_id: FromQuery[int | None] = None,
        q: FromQuery[str] = "",
        offset: FromQuery[int] = 0,
        created: FromQuery[str] = "",
    ) -> Template:
        ctx = await returns_context(uow, order_id=order_id, q=q, offset=max(offset, 0), created=created)
        return Template("returns.html", context=self._ctx(uow, settings, request, **ctx))

    @post("/returns", opt=BOARD, status_code=200)
    async def authorise(
        self, uow: UnitOfWork, settings: Settings, request: Request[Any, Any, Any], data: FormData
    ) -> Response[Any]:
        """Authorise a return of the chosen shipped order: one quantity (and an optional reason) per line."""
        check_csrf(settings, request, data.get("csrf"))
        order_id = form_int(data, "order_id")
        order = await uow.session.get(SalesOrder, order_id) if order_id is not None else None
        errors: list[str] = []
        lines = []
        for key, value in data.items():
            if not key.startswith("qty_") or not value.strip():
                continue
            line_no = key.removeprefix("qty_")
            if not value.strip().isdigit() or not line_no.isdigit():
                errors.append(f"line {line_no}: a quantity is a whole number, got '{value.strip()}'")
                continue
            if int(value) > 0:
                lines.append(
                    {"line_no": int(line_no), "qty": int(value), "reason": data.get(f"why_{line_no}", "").strip()}
                )
        if order is None:
            errors.append("Choose a shipped order first.")
        elif not lines and not errors:
            errors.append("Give the quantity to return of at least one line.")
        if not errors and order is not None:
            try:
                rma = await create_rma(
                    uow,
                    RmaIn.model_validate(
                        {
                            "owner_id": order.owner_id,
                            "order_id": order.id,
                            "number": data.get("number", "").strip() or None,
                            "reason": data.get("reason", "").strip(),
                            "lines": lines,
                        }
                    ),
                )
                return Redirect(f"/board/returns?created={rma.number}")
            except ValidationError as exc:
                errors.extend(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            except DomainError as exc:
                errors.append(exc.message)
        # refused: shown on the form with what was typed; the 422 rolls this request's transaction back
        ctx = await returns_context(uow, order_id=order_id, q="", offset=0)
        ctx.update(form=data, errors=errors)
        return Template("returns.html", context=self._ctx(uow, settings, request, **ctx), status_code=422)
