"""The front desk console: the day's arrivals, in-house guests and departures; check-in
with a suggested room; the stay page with its folio, room move and check-out; the invoice.

Folio forms answer htmx with the refreshed folio and plain forms with a redirect, so the
pages work with and without JavaScript."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import AppError, Conflict, Invalid, NotFound
from app.web.errors import is_htmx
from app.web.forms import attempt, field_errors
from app.web.responses import pdf_response
from modules.frontdesk import domain, permissions, service
from modules.frontdesk.models import Stay
from modules.frontdesk.schemas import (
    ChargeForm,
    CheckInForm,
    CheckOutForm,
    MoveForm,
    PaymentForm,
)
from modules.frontdesk.service.stays import parse_unit_id
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

STAY = {"stay_id": Stay}
RESERVATION = {"reservation_id": "reservations"}
NOTICES = {
    "checked_in": "Checked in. Hand over the key card.",
    "moved": "The guest has moved; the old room is marked dirty for housekeeping.",
    "checked_out": "Checked out and settled. The room is marked dirty for housekeeping.",
    "extended": "Stay extended: the guest keeps the room and the nights are on the bill.",
}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _page_context(ctx: RequestContext) -> dict[str, Any]:
    return {
        "labels": domain.labels(),
        "tz": clock.tz_of(ctx.tenant),
        "desk_methods": domain.DESK_METHODS,
        "sources": domain.CHARGE_SOURCES,
        "can_adjust": permissions.ADJUST_BILL.admits(ctx.principal.role),
    }


async def stay_page_answer(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    stay_id: uuid.UUID,
    *,
    template: str = "frontdesk/stay.html",
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    failed: str | None = None,
    status_code: int = 200,
    alternatives: tuple[Any, ...] = (),
) -> Template:
    """The stay page (or only its folio section, for htmx), with a form's errors."""
    page = await service.stay_page(ctx.db, ctx.tenant_id, stay_id)
    context = {
        "page": page,
        "errors": errors or {},
        "failed": failed,
        "notice": NOTICES.get(notice or ""),
        "alternatives": alternatives,
        **_page_context(ctx),
    }
    if template == "frontdesk/stay.html":
        return console_page(
            request, ctx, template, active="frontdesk", status_code=status_code, **context
        )
    return Template(template_name=template, context=context, status_code=status_code)


class FrontDeskController(Controller):
    path = "/console/frontdesk"
    opt = {"guard": permissions.DESK}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def day(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        day: FromQuery[str | None] = None,
        error: FromQuery[str | None] = None,
    ) -> Template:
        desk = await service.desk_day(
            ctx.db, ctx.tenant_id, day=_day(day), tz=clock.tz_of(ctx.tenant)
        )
        return console_page(
            request,
            ctx,
            "frontdesk/day.html",
            active="frontdesk",
            desk=desk,
            not_found=error == "not_found",
            labels=domain.labels(),
        )

    @get("/find")
    async def find(self, ctx: Ctx, code: FromQuery[str] = "") -> Redirect:
        """A confirmation code typed or scanned (the QR on the guest's confirmation)."""
        try:
            r, stay = await service.find_booking(ctx.db, ctx.tenant_id, code)
        except NotFound:
            return Redirect("/console/frontdesk?error=not_found", status_code=303)
        target = f"stays/{stay.id}" if stay else f"arrivals/{r.id}"
        return Redirect(f"/console/frontdesk/{target}", status_code=303)

    async def _check_in_page(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        reservation_id: uuid.UUID,
        *,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        options = await service.check_in_options(
            ctx.db, ctx.tenant_id, reservation_id, tz=clock.tz_of(ctx.tenant)
        )
        stay = await service.stay_for_reservation(ctx.db, ctx.tenant_id, reservation_id)
        return console_page(
            request,
            ctx,
            "frontdesk/check_in.html",
            active="frontdesk",
            status_code=status_code,
            options=options,
            stay=stay,
            errors=errors or {},
            **_page_context(ctx),
        )

    @get("/arrivals/{reservation_id:uuid}", opt={"owns": RESERVATION})
    async def check_in_page(
        self, request: Request[Any, Any, Any], ctx: Ctx, reservation_id: FromPath[uuid.UUID]
    ) -> Template:
        return await self._check_in_page(request, ctx, reservation_id)

    @post("/arrivals/{reservation_id:uuid}", opt={"owns": RESERVATION})
    async def check_in(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        reservation_id: FromPath[uuid.UUID],
        data: URLEncodedBody[CheckInForm],
    ) -> Response[Any]:
        try:
            stay = await attempt(
                ctx.db,
                service.check_in(
                    ctx.db,
                    ctx.tenant_id,
                    reservation_id,
                    unit_id=parse_unit_id(data.unit_id),
                    actor=ctx.actor,
                    tz=clock.tz_of(ctx.tenant),
                ),
            )
        except (Invalid, Conflict) as exc:
            return await self._check_in_page(
                request,
                ctx,
                reservation_id,
                errors=field_errors(exc),
                status_code=exc.status_code,
            )
        return Redirect(f"/console/frontdesk/stays/{stay.id}?notice=checked_in", status_code=303)

    @get("/stays/{stay_id:uuid}", opt={"owns": STAY})
    async def stay(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        stay_id: FromPath[uuid.UUID],
        notice: FromQuery[str | None] = None,
    ) -> Template:
        return await stay_page_answer(request, ctx, stay_id, notice=notice)

    async def _folio_answer(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        stay_id: uuid.UUID,
        exc: AppError | None = None,
        failed: str | None = None,
    ) -> Response[Any]:
        """htmx: the folio section again (with the form's errors). Plain form: the page."""
        errors = field_errors(exc) if exc else None
        status = exc.status_code if exc else 200
        if is_htmx(request):
            return await stay_page_answer(
                request,
                ctx,
                stay_id,
                template="frontdesk/_partials/folio.html",
                errors=errors,
                failed=failed,
                status_code=status,
            )
        if exc is not None:
            return await stay_page_answer(
                request, ctx, stay_id, errors=errors, failed=failed, status_code=status
            )
        return Redirect(f"/console/frontdesk/stays/{stay_id}", status_code=303)

    async def _folio_action(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        stay_id: uuid.UUID,
        failed: str,
        call: Callable[[], Awaitable[object]],
    ) -> Response[Any]:
        """Post one line to the bill in a savepoint; a refused form answers with its errors
        and leaves nothing of it behind."""
        try:
            await attempt(ctx.db, call())
        except (Invalid, Conflict) as exc:
            return await self._folio_answer(request, ctx, stay_id, exc, failed=failed)
        return await self._folio_answer(request, ctx, stay_id)

    @post("/stays/{stay_id:uuid}/charges", opt={"owns": STAY})
    async def charge(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        stay_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ChargeForm],
    ) -> Response[Any]:
        source = data.source if data.source in domain.CHARGE_SOURCES else "other"
        return await self._folio_action(
            request,
            ctx,
            stay_id,
            "charge",
            lambda: service.post_charge(
                ctx.db,
                ctx.tenant_id,
                stay_id=stay_id,
                description=data.description,
                amount_fen=service.parse_amount(data.amount),
                source=source,
                posted_by=ctx.principal.user_id,
            ),
        )

    @post("/stays/{stay_id:uuid}/payments", opt={"owns": STAY})
    async def payment(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        stay_id: FromPath[uuid.UUID],
        data: URLEncodedBody[PaymentForm],
    ) -> Response[Any]:
        return await self._folio_action(
            request,
            ctx,
            stay_id,
            "payment",
            lambda: service.take_payment(
                ctx.db,
                ctx.tenant_id,
                stay_id,
                amount_fen=service.parse_amount(data.amount),
                method=data.method,
                actor=ctx.actor,
            ),
        )

    @post("/stays/{stay_id:uuid}/adjustments", opt={"guard": permissions.ADJUST_BILL, "owns": STAY})
    async def adjustment(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        stay_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ChargeForm],
    ) -> Response[Any]:
        sign = -1 if data.amount.strip().startswith("-") else 1
        return await self._folio_action(
            request,
            ctx,
            stay_id,
            "adjustment",
            lambda: service.post_adjustment(
                ctx.db,
                ctx.tenant_id,
                stay_id,
                description=data.description,
                amount_fen=sign * service.parse_amount(data.amount.strip().lstrip("-")),
                actor=ctx.actor,
            ),
        )

    @post("/stays/{stay_id:uuid}/move", opt={"owns": STAY})
    async def move(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        stay_id: FromPath[uuid.UUID],
        data: URLEncodedBody[MoveForm],
    ) -> Response[Any]:
        return await self._stay_action(
            request,
            ctx,
            stay_id,
            "moved",
            lambda: service.move_room(
                ctx.db,
                ctx.tenant_id,
                stay_id,
                unit_id=parse_unit_id(data.unit_id),
                reason=data.reason,
                actor=ctx.actor,
            ),
        )

    @post("/stays/{stay_id:uuid}/check-out", opt={"owns": STAY})
    async def check_out(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        stay_id: FromPath[uuid.UUID],
        data: URLEncodedBody[CheckOutForm],
    ) -> Response[Any]:
        return await self._stay_action(
            request,
            ctx,
            stay_id,
            "checked_out",
            lambda: service.check_out(
                ctx.db,
                ctx.tenant_id,
                stay_id,
                method=data.method,
                actor=ctx.actor,
                tz=clock.tz_of(ctx.tenant),
            ),
        )

    async def _stay_action(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        stay_id: uuid.UUID,
        notice: str,
        call: Callable[[], Awaitable[object]],
    ) -> Response[Any]:
        """Run a stay's action in a savepoint: refused, the stay page again with the
        form's errors (nothing of it kept); done, back to the stay with the notice."""
        try:
            await attempt(ctx.db, call())
        except (Invalid, Conflict) as exc:
            return await stay_page_answer(
                request, ctx, stay_id, errors=field_errors(exc), status_code=exc.status_code
            )
        return Redirect(f"/console/frontdesk/stays/{stay_id}?notice={notice}", status_code=303)

    @get("/stays/{stay_id:uuid}/invoice.pdf", opt={"owns": STAY})
    async def invoice(self, ctx: Ctx, stay_id: FromPath[uuid.UUID]) -> Response[bytes]:
        assert ctx.tenant is not None
        issuer = await service.issuer_of(ctx.db, ctx.tenant_id)
        pdf = await service.invoice_pdf(ctx.db, ctx.tenant_id, stay_id, issuer=issuer)
        return pdf_response(pdf, f"invoice-{stay_id}.pdf")


ROUTES = [FrontDeskController]
