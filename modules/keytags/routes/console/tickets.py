"""The resort's ticket types `/console/keytags/tickets` (prices by kind of day, time covered,
overage, credit limit, sold online) and its holiday calendar `/console/keytags/calendar`
(holiday ranges, 调休 working weekends, a month's kinds of day with the adult price). Anyone
at the desk may look; a manager changes them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Invalid
from app.web.forms import attempt, field_errors
from app.web.input import read_date
from modules.keytags import permissions, service
from modules.keytags.domain import DayKind, TicketCategory
from modules.keytags.models import TicketType
from modules.keytags.schemas.tickets import CalendarForm, TicketForm, ticket_input
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

ACTIVE = "keytags-tickets"
TICKET = {"ticket_type_id": "spa_ticket_types"}
NOTICES = {
    "created": "The ticket type is added.",
    "saved": "The ticket type is saved.",
    "marked": "The dates are marked on the calendar.",
    "removed": "The dates are back to their weekday's own kind.",
}
NEW_TICKET = TicketForm(
    category="adult",
    base_hours="12",
    grace_minutes="15",
    overage_per_hour="20",
    credit_limit="500",
    active="on",
)


def _yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen / 100:.2f}"


def ticket_form(t: TicketType) -> TicketForm:
    """The form showing a ticket type as it is."""
    return TicketForm(
        code=t.code,
        name=t.name,
        name_en=t.name_en,
        category=t.category,
        price_weekday=_yuan(t.price_weekday_fen),
        price_weekend=_yuan(t.price_weekend_fen),
        price_holiday=_yuan(t.price_holiday_fen),
        base_hours=str(t.base_minutes // 60),
        grace_minutes=str(t.grace_minutes),
        overage_per_hour=_yuan(t.overage_fen_per_hour),
        credit_limit=_yuan(t.credit_limit_fen),
        sold_from=t.sold_from.strftime("%H:%M") if t.sold_from else "",
        description=t.description,
        sold_online="on" if t.sold_online else "",
        sort_order=str(t.sort_order),
        active="on" if t.active else "",
    )


class TicketsConsole(Controller):
    path = "/console/keytags"
    opt = {"guard": permissions.DESK}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/tickets")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, done: FromQuery[str] = ""
    ) -> Template:
        return await _tickets_page(request, ctx, notice=NOTICES.get(done))

    @post("/tickets", opt={"guard": permissions.MANAGERS})
    async def create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[TicketForm]
    ) -> Template | Redirect:
        try:
            await attempt(
                ctx.db, service.create_ticket_type(ctx.db, ctx.tenant_id, ticket_input(data))
            )
        except Invalid as exc:
            return await _tickets_page(
                request, ctx, form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect("/console/keytags/tickets?done=created", status_code=303)

    @get("/tickets/{ticket_type_id:uuid}", opt={"owns": TICKET})
    async def edit(
        self, request: Request[Any, Any, Any], ctx: Ctx, ticket_type_id: FromPath[uuid.UUID]
    ) -> Template:
        ticket = await service.ticket_type(ctx.db, ctx.tenant_id, ticket_type_id)
        return _edit_page(request, ctx, ticket, ticket_form(ticket))

    @post("/tickets/{ticket_type_id:uuid}", opt={"owns": TICKET, "guard": permissions.MANAGERS})
    async def save(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        ticket_type_id: FromPath[uuid.UUID],
        data: URLEncodedBody[TicketForm],
    ) -> Template | Redirect:
        try:
            await attempt(
                ctx.db,
                service.update_ticket_type(
                    ctx.db, ctx.tenant_id, ticket_type_id, ticket_input(data)
                ),
            )
        except Invalid as exc:
            ticket = await service.ticket_type(ctx.db, ctx.tenant_id, ticket_type_id)
            return _edit_page(request, ctx, ticket, data, field_errors(exc), 422)
        return Redirect("/console/keytags/tickets?done=saved", status_code=303)

    @get("/calendar")
    async def calendar(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        month: FromQuery[str] = "",
        done: FromQuery[str] = "",
    ) -> Template:
        return await _calendar_page(request, ctx, month, notice=NOTICES.get(done))

    @post("/calendar", opt={"guard": permissions.MANAGERS})
    async def mark(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[CalendarForm]
    ) -> Template | Redirect:
        start, end = read_date(data.start), read_date(data.end or data.start)
        try:
            if start is None or end is None:
                raise Invalid.field("start", "Enter a date as 2026-12-24.")
            await attempt(
                ctx.db,
                service.add_calendar_days(
                    ctx.db, ctx.tenant_id, start=start, end=end, kind=data.kind, name=data.name
                ),
            )
        except Invalid as exc:
            return await _calendar_page(
                request, ctx, data.start[:7], form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect(
            f"/console/keytags/calendar?month={start:%Y-%m}&done=marked", status_code=303
        )

    @post("/calendar/remove", opt={"guard": permissions.MANAGERS})
    async def unmark(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[CalendarForm]
    ) -> Template | Redirect:
        start, end = read_date(data.start), read_date(data.end or data.start)
        try:
            if start is None or end is None:
                raise Invalid.field("start", "Enter a date as 2026-12-24.")
            await attempt(
                ctx.db,
                service.remove_calendar_days(ctx.db, ctx.tenant_id, start=start, end=end),
            )
        except Invalid as exc:
            return await _calendar_page(
                request, ctx, data.start[:7], form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect(
            f"/console/keytags/calendar?month={start:%Y-%m}&done=removed", status_code=303
        )


def _manager(ctx: RequestContext) -> bool:
    return permissions.MANAGERS.admits(ctx.principal.role)


async def _tickets_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    notice: str | None = None,
    form: TicketForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "keytags/tickets/index.html",
        active=ACTIVE,
        status_code=status_code,
        tickets=await service.list_ticket_types(ctx.db, ctx.tenant_id),
        form=form or NEW_TICKET,
        errors=errors or {},
        notice=notice,
        manager=_manager(ctx),
        categories=list(TicketCategory),
    )


def _edit_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    ticket: TicketType,
    form: TicketForm,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "keytags/tickets/edit.html",
        active=ACTIVE,
        status_code=status_code,
        ticket=ticket,
        form=form,
        errors=errors or {},
        manager=_manager(ctx),
        categories=list(TicketCategory),
    )


def _month(text: str, today: date) -> date:
    found = read_date(f"{text}-01") if len(text) == 7 else None
    return found or today.replace(day=1)


async def _calendar_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    month: str,
    *,
    notice: str | None = None,
    form: CalendarForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    today = await service.resort_today(ctx.db, ctx.tenant_id)
    first = _month(month, today)
    prev = (first - timedelta(days=1)).replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return console_page(
        request,
        ctx,
        "keytags/tickets/calendar.html",
        active=ACTIVE,
        status_code=status_code,
        first=first,
        prev=prev,
        following=following,
        today=today,
        weeks=await service.calendar_month(ctx.db, ctx.tenant_id, first.year, first.month),
        marks=await service.calendar_marks(
            ctx.db, ctx.tenant_id, first, date(following.year, following.month, 1)
        ),
        form=form or CalendarForm(),
        errors=errors or {},
        notice=notice,
        manager=_manager(ctx),
        kinds=DayKind,
    )


ROUTES = [TicketsConsole]
