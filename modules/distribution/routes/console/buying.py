"""分销采购 `/console/distribution/buying/…`: the agency's booking desk. Its suppliers with
its balance or credit at each; a supplier's authorised products for chosen dates with
availability and its settlement prices; booking for a tourist (real-name where the product
needs it), the balance shown before and after; 我的分销订单 across its suppliers, an
order's detail and its cancellation. Every agreement id is checked under the agency's own
binding by the service (404 for one not naming it)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import AppError, Conflict, Invalid, NotFound
from app.web.forms import attempt, field_errors
from app.web.input import read_date, read_int
from app.web.nav import NavItem
from modules.distribution import permissions
from modules.distribution.schemas.booking import MAX_NIGHTS, PASSENGER_SLOTS, BookForm
from modules.distribution.service import buying, orders
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

BASE = "/console/distribution/buying"
AGREEMENT = {"agreement_id": "dist_agreements"}
ACTIVE = "distribution-buying"


def _page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    return console_page(
        request,
        ctx,
        f"distribution/buying/{template}",
        active=ACTIVE,
        status_code=status_code,
        errors=context.pop("errors", None) or {},
        **context,
    )


def _dates(ctx: RequestContext, arrival: str, departure: str) -> tuple[date, date]:
    """The dates asked (odd input falls back to tomorrow for one night)."""
    today = clock.today(clock.tz_of(ctx.tenant))
    first = read_date(arrival)
    if first is None or first < today:
        first = today + timedelta(days=1)
    last = read_date(departure)
    if last is None or not 0 < (last - first).days <= MAX_NIGHTS:
        last = first + timedelta(days=1)
    return first, last


def _supplier_page(agreement_id: uuid.UUID) -> Redirect:
    """The caller is this agreement's supplier: its own page shows it."""
    return Redirect(f"/console/distribution/agreements/{agreement_id}", status_code=303)


async def _form_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    agreement_id: uuid.UUID,
    form: BookForm,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template | Redirect:
    arrival, departure = _dates(ctx, form.arrival, form.departure)
    try:
        product_id = uuid.UUID(form.product_id)
    except ValueError:
        product_id = uuid.UUID(int=0)  # no product of this agreement: 404 (after the checks)
    page = await buying.booking_page(
        ctx.db,
        ctx.tenant_id,
        agreement_id,
        product_id=product_id,
        arrival=arrival,
        departure=departure,
        quantity=read_int(form.quantity, minimum=1, maximum=20) or 1,
    )
    if page is None:
        return _supplier_page(agreement_id)
    return _page(
        request,
        ctx,
        "book.html",
        status_code,
        page=page,
        form=form,
        slots=range(1, min(page.item.capacity, PASSENGER_SLOTS) + 1),
        errors=errors,
    )


class BuyingConsole(Controller):
    path = BASE
    opt = {"guard": permissions.BUYERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        suppliers = await buying.my_suppliers(ctx.db, ctx.tenant_id)
        return _page(request, ctx, "index.html", suppliers=suppliers)

    @get("/orders")
    async def my_orders(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        found = await orders.my_orders(ctx.db, ctx.tenant_id)
        return _page(request, ctx, "orders.html", groups=found)

    @get("/{agreement_id:uuid}", opt={"owns": AGREEMENT})
    async def catalog(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        arrival: FromQuery[str] = "",
        departure: FromQuery[str] = "",
        quantity: FromQuery[str] = "1",
    ) -> Template | Redirect:
        first, last = _dates(ctx, arrival[:10], departure[:10])
        count = read_int(quantity[:3], minimum=1, maximum=20) or 1
        page = await buying.catalog_page(
            ctx.db, ctx.tenant_id, agreement_id, arrival=first, departure=last, quantity=count
        )
        if page is None:
            return _supplier_page(agreement_id)
        return _page(
            request, ctx, "catalog.html", page=page, arrival=first, departure=last, quantity=count
        )

    @get("/{agreement_id:uuid}/book", opt={"owns": AGREEMENT})
    async def book_form(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        product_id: FromQuery[str] = "",
        arrival: FromQuery[str] = "",
        departure: FromQuery[str] = "",
        quantity: FromQuery[str] = "1",
    ) -> Template | Redirect:
        form = BookForm(
            product_id=product_id[:40],
            arrival=arrival[:10],
            departure=departure[:10],
            quantity=quantity[:3],
            key=uuid.uuid4().hex,
        )
        return await _form_page(request, ctx, agreement_id, form)

    @post("/{agreement_id:uuid}/book", opt={"owns": AGREEMENT})
    async def book(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        data: URLEncodedBody[BookForm],
    ) -> Template | Redirect:
        try:
            placed = await attempt(
                ctx.db, buying.book(ctx.db, ctx.tenant_id, agreement_id, data.parse(), ctx.actor)
            )
        except (Invalid, Conflict) as exc:
            status = 422 if isinstance(exc, Invalid) else 409
            return await _form_page(
                request, ctx, agreement_id, data, errors=field_errors(exc), status_code=status
            )
        return Redirect(
            f"{BASE}/{agreement_id}/orders/{placed.number}?done=booked", status_code=303
        )

    @get("/{agreement_id:uuid}/orders/{number:str}", opt={"owns": AGREEMENT})
    async def order(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        number: FromPath[str],
        done: FromQuery[str] = "",
    ) -> Template | Redirect:
        page = await buying.order_page(ctx.db, ctx.tenant_id, agreement_id, number[:24])
        if page is None:
            return _supplier_page(agreement_id)
        return _page(request, ctx, "order.html", page=page, done=done[:20])

    @post("/{agreement_id:uuid}/orders/{number:str}/cancel", opt={"owns": AGREEMENT})
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        number: FromPath[str],
    ) -> Template | Redirect:
        try:
            await attempt(
                ctx.db, buying.cancel(ctx.db, ctx.tenant_id, agreement_id, number[:24], ctx.actor)
            )
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            page = await buying.order_page(ctx.db, ctx.tenant_id, agreement_id, number[:24])
            if page is None:
                raise NotFound() from None
            return _page(
                request, ctx, "order.html", 409, page=page, done="", errors=field_errors(exc)
            )
        return Redirect(f"{BASE}/{agreement_id}/orders/{number}?done=cancelled", status_code=303)


ROUTES: list[Any] = [BuyingConsole]
NAV: list[NavItem] = [
    NavItem(
        key=ACTIVE,
        label="Distribution buying",
        href=BASE,
        roles=permissions.BUYERS,
        module="distribution",
        order=63,
    ),
]
