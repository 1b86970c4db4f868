"""The guest's cruise booking `/book/{slug}/cruise`: the sailings (dates, route, ship,
from-price per cabin grade), a sailing's grades, the passengers of the cabin, then the
reservations module's pay step (`/book/{slug}/pay/...`) and the confirmation with its PDF.
Public: the line comes from the slug; phone-first pages."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app.errors import Conflict, Invalid, NotFound
from app.web.forms import attempt, field_errors
from app.web.input import read_date, read_int
from app.web.ratelimit import RateLimited, allow
from app.web.responses import pdf_response
from modules.boarding import permissions, service
from modules.boarding.schemas.booking import (
    ID_TYPES,
    MAX_PASSENGERS,
    SEXES,
    CabinForm,
    PassengerInput,
    form_field,
)
from tenants.context import Ctx, RequestContext

VOYAGE = {"voyage_id": "boarding_voyages"}
GRADE = {"voyage_id": "boarding_voyages", "unit_type_id": "unit_types"}
RESERVATION = {"reservation_id": "reservations"}
MODULES = ("reservations",)  # the page sells what reservations holds, as the hotel page
HOLDS_PER_ADDRESS = (
    30,
    timedelta(hours=1),
)  # as the hotel page: a script cannot empty a ship with holds
HOLD_MINUTES = 20


def _tenant(ctx: RequestContext) -> Any:
    """The line, when it sells cruises online (else the page does not exist)."""
    tenant = ctx.tenant
    if tenant is None or any(m not in tenant.enabled_modules for m in MODULES):
        raise NotFound()
    return tenant


def _page(ctx: RequestContext, template: str, status_code: int = 200, **context: Any) -> Template:
    tenant = _tenant(ctx)
    return Template(
        template_name=f"boarding/booking/{template}",
        context={
            "tenant": tenant,
            "tz": tenant.timezone,
            "base": f"/book/{tenant.slug}/cruise",
            "id_types": ID_TYPES,
            "sexes": SEXES,
            **context,
        },
        status_code=status_code,
    )


def confirmation_url(slug: str, reservation_id: uuid.UUID, code: str) -> str:
    return f"/book/{slug}/cruise/bookings/{reservation_id}?{urlencode({'code': code})}"


def pay_url(slug: str, reservation_id: uuid.UUID, code: str) -> str:
    """The reservations module's pay step, as the hotel page uses it."""
    return f"/book/{slug}/pay/{reservation_id}?{urlencode({'code': code})}"


def _count(value: str, capacity: int) -> int:
    return read_int(value, minimum=1, maximum=min(capacity, MAX_PASSENGERS)) or min(2, capacity)


def _inputs(form: CabinForm, count: int) -> list[PassengerInput]:
    return [
        PassengerInput(
            name=form.get(i, "name"),
            id_type=form.get(i, "id_type") or "resident_id",
            id_number=form.get(i, "id_number"),
            sex=form.get(i, "sex"),
            birth_date=read_date(form.get(i, "birth_date")),
            phone=form.get(i, "phone"),
            nationality=form.get(i, "nationality"),
        )
        for i in range(count)
    ]


def _errors(exc: Invalid | Conflict) -> dict[str, str]:
    return {form_field(k): v for k, v in field_errors(exc).items()}


class CruiseBookingController(Controller):
    path = "/book/{tenant_slug:str}/cruise"
    opt = {"guard": permissions.BOOKING_GUEST}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def sailings(self, ctx: Ctx) -> Template:
        """The sailings still taking bookings, soonest first."""
        _tenant(ctx)
        found = await service.sailings_on_sale(ctx.db, ctx.tenant_id)
        return _page(ctx, "sailings.html", sailings=found)

    @get("/{voyage_id:uuid}", opt={"owns": VOYAGE})
    async def grades(self, ctx: Ctx, voyage_id: FromPath[uuid.UUID]) -> Template:
        _tenant(ctx)
        offers = await service.sailing_offers(ctx.db, ctx.tenant_id, voyage_id)
        return _page(ctx, "grades.html", s=offers.sailing, grades=offers.grades)

    async def _passengers_page(
        self,
        ctx: Ctx,
        voyage_id: uuid.UUID,
        unit_type_id: uuid.UUID,
        form: CabinForm,
        *,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        offers = await service.sailing_offers(ctx.db, ctx.tenant_id, voyage_id)
        grade = next((g for g in offers.grades if g.unit_type_id == unit_type_id), None)
        if grade is None:
            return _page(
                ctx,
                "passengers.html",
                409 if status_code == 200 else status_code,
                s=offers.sailing,
                grade=None,
                form=form,
                count=0,
                errors=errors or {"_": _sold_out()},
            )
        count = _count(form.count, grade.capacity)
        return _page(
            ctx,
            "passengers.html",
            status_code,
            s=offers.sailing,
            grade=grade,
            form=form,
            count=count,
            counts=range(1, min(grade.capacity, MAX_PASSENGERS) + 1),
            errors=errors or {},
        )

    @get("/{voyage_id:uuid}/{unit_type_id:uuid}", opt={"owns": GRADE})
    async def passengers(
        self,
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        unit_type_id: FromPath[uuid.UUID],
        count: FromQuery[str] = "2",
    ) -> Template:
        """The passengers of the cabin: one block per person (the lead first)."""
        _tenant(ctx)
        return await self._passengers_page(ctx, voyage_id, unit_type_id, CabinForm(count=count))

    @post("/{voyage_id:uuid}/{unit_type_id:uuid}", opt={"owns": GRADE})
    async def book(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        unit_type_id: FromPath[uuid.UUID],
    ) -> Response[Any]:
        """Hold the cabin while the guest pays (or book it, paying at the pier when the
        rate asks no deposit), then the pay step or the confirmation."""
        tenant = _tenant(ctx)
        limit, per = HOLDS_PER_ADDRESS
        if not await allow(ctx.db, "boarding.hold", ctx.ip, limit=limit, per=per):
            raise RateLimited()
        raw = dict((await request.form()).items())
        try:
            form = CabinForm.of(raw)
        except Invalid as exc:
            form = CabinForm(count=str(raw.get("count", "2"))[:2])
            return await self._passengers_page(
                ctx, voyage_id, unit_type_id, form, errors=_errors(exc), status_code=422
            )
        count = read_int(form.count, minimum=1, maximum=MAX_PASSENGERS) or 1
        try:
            booking = await attempt(
                ctx.db,
                service.book_cabin(
                    ctx.db,
                    ctx.tenant_id,
                    voyage_id=voyage_id,
                    unit_type_id=unit_type_id,
                    passengers=_inputs(form, count),
                    source="booking_page",
                    hold_minutes=HOLD_MINUTES,
                    email=form.email,
                    notes=form.notes,
                    pay_at_pier=form.pay == "pier",
                ),
            )
        except (Invalid, Conflict) as exc:
            return await self._passengers_page(
                ctx,
                voyage_id,
                unit_type_id,
                form,
                errors=_errors(exc),
                status_code=exc.status_code,
            )
        r = booking.reservation
        if r.status == "held":
            return Redirect(pay_url(tenant.slug, r.id, r.code), status_code=303)
        return Redirect(confirmation_url(tenant.slug, r.id, r.code), status_code=303)

    @get("/bookings/{reservation_id:uuid}", opt={"owns": RESERVATION})
    async def confirmation(
        self, ctx: Ctx, reservation_id: FromPath[uuid.UUID], code: FromQuery[str] = ""
    ) -> Template | Redirect:
        """The booking for whoever has its link and code; otherwise a form asking for the
        code."""
        tenant = _tenant(ctx)
        b = await service.guest_cabin_booking(ctx.db, ctx.tenant_id, reservation_id, code)
        if b is None:
            if code and await service.cabin_booking(ctx.db, ctx.tenant_id, reservation_id) is None:
                # a room, not a cabin: the hotel page's confirmation
                query = urlencode({"code": code})
                url = f"/book/{tenant.slug}/reservations/{reservation_id}?{query}"
                return Redirect(url, status_code=303)
            return _page(ctx, "lookup.html", reservation_id=reservation_id, wrong=bool(code))
        r = b.reservation
        return _page(
            ctx,
            "confirmation.html",
            b=b,
            r=r,
            s=b.sailing,
            pay=pay_url(tenant.slug, r.id, r.code),
            query=urlencode({"code": r.code}),
            qr=service.booking_qr(r.code),
            checkin=service.checkin_url(ctx.tenant_id, r.id),
        )

    @get("/bookings/{reservation_id:uuid}/status", opt={"owns": RESERVATION})
    async def status(
        self, ctx: Ctx, reservation_id: FromPath[uuid.UUID], code: FromQuery[str] = ""
    ) -> Response[Any]:
        """Polled by the confirmation page while the payment is being confirmed."""
        tenant = _tenant(ctx)
        b = await service.guest_cabin_booking(ctx.db, ctx.tenant_id, reservation_id, code)
        if b is None:
            return Response("", status_code=403)
        r = b.reservation
        response = _page(ctx, "_partials/status.html", r=r)
        if r.status != "held":
            response.headers["HX-Redirect"] = confirmation_url(tenant.slug, r.id, r.code)
        return response

    @get("/bookings/{reservation_id:uuid}/confirmation.pdf", opt={"owns": RESERVATION})
    async def confirmation_pdf(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        reservation_id: FromPath[uuid.UUID],
        code: FromQuery[str] = "",
    ) -> Response[Any]:
        tenant = _tenant(ctx)
        b = await service.guest_cabin_booking(ctx.db, ctx.tenant_id, reservation_id, code)
        if b is None:
            url = f"/book/{tenant.slug}/cruise/bookings/{reservation_id}"
            return Redirect(url, status_code=303)
        r = b.reservation
        link = str(request.base_url).rstrip("/") + confirmation_url(tenant.slug, r.id, r.code)
        pdf = await service.booking_confirmation_pdf(
            b,
            line_name=tenant.name,
            timezone=tenant.timezone,
            link=link,
            checkin_url=service.checkin_url(ctx.tenant_id, r.id),
        )
        return pdf_response(pdf, f"cruise-{r.code}.pdf")


def _sold_out() -> str:
    from app.i18n import gettext

    return gettext("Sorry, no cabin of this grade is left on this sailing.")


ROUTES = [CruiseBookingController]
