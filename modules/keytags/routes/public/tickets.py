"""The guest's day tickets `/book/{slug}/spa/`: a date (today to 60 days ahead, in the resort's
time zone), the ticket types on sale that day with the day's price and how many are left, how
many of each, the buyer's name and mobile; then the reservations module's pay step for each
ticket type of the order, and the confirmation with each code and its QR to show at the desk.
Public: the resort comes from the slug; phone-first pages."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app.documents.qr import qr_svg_data_uri
from app.errors import Conflict, Invalid, NotFound
from app.web.forms import attempt, field_errors
from app.web.input import read_date, read_int
from app.web.ratelimit import RateLimited, allow
from modules.keytags import permissions, service
from modules.keytags.schemas.tickets import SpaOrderForm, TicketOffer
from tenants.context import Ctx, RequestContext

RESERVATION = {"reservation_id": "reservations"}
MODULES = ("keytags", "reservations")
# A code already bought stays viewable wherever reservations runs (as the pay step is).
ORDER_MODULES = ("reservations",)
# As the hotel page: a family buys a handful; a script holding a day's tickets is stopped.
HOLDS_PER_ADDRESS = (20, timedelta(hours=1))


def _tenant(ctx: RequestContext, modules: tuple[str, ...] = MODULES) -> Any:
    """The resort, when it sells day tickets online (else the page does not exist)."""
    tenant = ctx.tenant
    if tenant is None or any(m not in tenant.enabled_modules for m in modules):
        raise NotFound()
    return tenant


def _page(ctx: RequestContext, template: str, status_code: int = 200, **context: Any) -> Template:
    tenant = _tenant(ctx, ORDER_MODULES)
    return Template(
        template_name=f"keytags/public/{template}",
        context={"tenant": tenant, "base": f"/book/{tenant.slug}/spa", **context},
        status_code=status_code,
    )


def order_url(slug: str, reservation_id: uuid.UUID, code: str) -> str:
    return f"/book/{slug}/spa/bookings/{reservation_id}?{urlencode({'code': code})}"


def pay_url(slug: str, reservation_id: uuid.UUID, code: str) -> str:
    """The reservations module's pay step, as the hotel and cruise pages use it."""
    return f"/book/{slug}/pay/{reservation_id}?{urlencode({'code': code})}"


def _counts(raw: dict[str, Any], offers: list[TicketOffer]) -> dict[uuid.UUID, int]:
    """How many of each ticket on sale the guest asked for (-1 when not a count)."""
    counts = {}
    for o in offers:
        text = str(raw.get(f"qty_{o.ticket_type_id}", "") or "0")
        found = read_int(text, minimum=0, maximum=service.MAX_PER_TYPE)
        counts[o.ticket_type_id] = -1 if found is None else found
    return counts


class DayTicketsController(Controller):
    path = "/book/{tenant_slug:str}/spa"
    opt = {"guard": permissions.TICKET_GUEST}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    async def _tickets_page(
        self,
        ctx: Ctx,
        day_text: str,
        *,
        form: SpaOrderForm | None = None,
        counts: dict[uuid.UUID, int] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        today = await service.resort_today(ctx.db, ctx.tenant_id)
        first, last = service.sale_days(today)
        day = read_date(day_text) or today
        wrong_day = not first <= day <= last
        if wrong_day:
            errors = {**(errors or {}), "day": _wrong_day()}
            status_code = 422 if status_code == 200 else status_code
            day = today
        offers = await service.ticket_offers(ctx.db, ctx.tenant_id, day)
        return _page(
            ctx,
            "tickets.html",
            status_code,
            day=day,
            first=first,
            last=last,
            week=[first + timedelta(days=n) for n in range(7)],
            offers=offers,
            form=form or SpaOrderForm(day=day.isoformat()),
            counts=counts or {},
            errors=errors or {},
            max_per_type=service.MAX_PER_TYPE,
        )

    @get("/")
    async def tickets(self, ctx: Ctx, day: FromQuery[str] = "") -> Template:
        """The date's tickets (today when none is picked)."""
        _tenant(ctx)
        return await self._tickets_page(ctx, day)

    @post("/")
    async def buy(self, request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
        """Hold the order's tickets while the guest pays, then the pay step of its first."""
        tenant = _tenant(ctx)
        raw = dict((await request.form()).items())
        try:
            form = SpaOrderForm(
                day=str(raw.get("day", "")),
                guest_name=str(raw.get("guest_name", "")),
                guest_phone=str(raw.get("guest_phone", "")),
            )
        except Invalid as exc:
            return await self._tickets_page(
                ctx, str(raw.get("day", ""))[:10], errors=field_errors(exc), status_code=422
            )
        day = read_date(form.day)
        if day is None:
            return await self._tickets_page(
                ctx, "", form=form, errors={"day": _wrong_day()}, status_code=422
            )
        offers = await service.ticket_offers(ctx.db, ctx.tenant_id, day)
        counts = _counts(raw, offers)
        limit, per = HOLDS_PER_ADDRESS
        if not await allow(ctx.db, "keytags.tickets", ctx.ip, limit=limit, per=per):
            raise RateLimited()
        try:
            held = await attempt(
                ctx.db,
                service.buy_tickets(
                    ctx.db,
                    ctx.tenant_id,
                    day=day,
                    counts=counts,
                    name=form.guest_name,
                    phone=form.guest_phone,
                ),
            )
        except (Invalid, Conflict) as exc:
            return await self._tickets_page(
                ctx,
                form.day,
                form=form,
                counts=counts,
                errors=field_errors(exc),
                status_code=exc.status_code,
            )
        first = held[0]
        if first.status == "held":
            return Redirect(pay_url(tenant.slug, first.id, first.code), status_code=303)
        return Redirect(order_url(tenant.slug, first.id, first.code), status_code=303)

    @get("/bookings/{reservation_id:uuid}", opt={"owns": RESERVATION})
    async def order(
        self, ctx: Ctx, reservation_id: FromPath[uuid.UUID], code: FromQuery[str] = ""
    ) -> Template:
        """The order's tickets for whoever has the link and a code: each paid ticket's code
        and QR to show at the desk, and the pay step of any still to pay."""
        tenant = _tenant(ctx, ORDER_MODULES)
        lines = await service.ticket_order(ctx.db, ctx.tenant_id, reservation_id, code)
        if lines is None:
            return _page(ctx, "lookup.html", reservation_id=reservation_id, wrong=bool(code))
        return _page(
            ctx,
            "order.html",
            lines=lines,
            day=lines[0].day,
            due=[
                (line, pay_url(tenant.slug, line.reservation_id, line.code))
                for line in lines
                if line.due
            ],
            qr={line.code: qr_svg_data_uri(line.code, scale=5) for line in lines},
            self_url=order_url(tenant.slug, reservation_id, code),
            contact=await service.resort_contact(ctx.db, ctx.tenant_id),
        )


def _wrong_day() -> str:
    from app.i18n import gettext

    return gettext("Choose a date from today to 60 days ahead.")


ROUTES = [DayTicketsController]
