"""The purser's cabin booking at the desk or on the phone
(`/console/boarding/voyages/{voyage_id}/book`): a grade of the voyage, the rate, every
passenger of the cabin; booked at once (the desk takes the money), then the booking with
its cabin, passengers and confirmation PDF."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from app.web.input import read_date, read_int
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
from modules.reservations import service as reservations
from tenants.context import Ctx
from tenants.shell import console_page

VOYAGE = {"voyage_id": "boarding_voyages"}
BOOKING = {"voyage_id": "boarding_voyages", "reservation_id": "reservations"}
ACTIVE = "boarding"


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


class CabinBookingConsole(Controller):
    path = "/console/boarding/voyages/{voyage_id:uuid}"
    opt = {"guard": permissions.PURSERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    async def _form(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: uuid.UUID,
        *,
        grade_id: str,
        plan: str,
        form: CabinForm,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        offers = await service.sailing_offers(ctx.db, ctx.tenant_id, voyage_id)
        count = read_int(form.count, minimum=1, maximum=MAX_PASSENGERS) or 2
        return console_page(
            request,
            ctx,
            "boarding/booking/console.html",
            active=ACTIVE,
            status_code=status_code,
            s=offers.sailing,
            grades=offers.grades,
            grade_id=grade_id,
            plans=[
                p for p in await reservations.list_rate_plans(ctx.db, ctx.tenant_id) if p.active
            ],
            plan=plan,
            form=form,
            count=count,
            counts=range(1, MAX_PASSENGERS + 1),
            errors=errors or {},
            id_types=ID_TYPES,
            sexes=SEXES,
            tz=ctx.tenant.timezone if ctx.tenant else None,
        )

    @get("/book", opt={"owns": VOYAGE})
    async def new(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        count: FromQuery[str] = "2",
        unit_type_id: FromQuery[str] = "",
        rate_plan: FromQuery[str] = "rack",
    ) -> Template:
        return await self._form(
            request,
            ctx,
            voyage_id,
            grade_id=unit_type_id,
            plan=rate_plan,
            form=CabinForm(count=count),
        )

    @post("/book", opt={"owns": VOYAGE})
    async def book(
        self, request: Request[Any, Any, Any], ctx: Ctx, voyage_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        raw = dict((await request.form()).items())
        grade_id = str(raw.get("unit_type_id", ""))[:40]
        plan = str(raw.get("rate_plan", "rack"))[:40]
        try:
            form = CabinForm.of(raw)
            grade = uuid.UUID(grade_id) if grade_id else None
        except ValueError:
            grade = None
            form = CabinForm(count=str(raw.get("count", "2"))[:2])
        except Invalid as exc:
            form = CabinForm(count=str(raw.get("count", "2"))[:2])
            errors = {form_field(k): v for k, v in field_errors(exc).items()}
            return await self._form(
                request,
                ctx,
                voyage_id,
                grade_id=grade_id,
                plan=plan,
                form=form,
                errors=errors,
                status_code=422,
            )
        count = read_int(form.count, minimum=1, maximum=MAX_PASSENGERS) or 1
        try:
            if grade is None:
                raise Invalid.field("unit_type_id", "Choose a cabin grade of this sailing.")
            booking = await attempt(
                ctx.db,
                service.book_cabin(
                    ctx.db,
                    ctx.tenant_id,
                    voyage_id=voyage_id,
                    unit_type_id=grade,
                    passengers=_inputs(form, count),
                    source="front_desk",
                    rate_plan_code=plan,
                    email=form.email,
                    notes=form.notes,
                    actor=ctx.actor,
                ),
            )
        except (Invalid, Conflict) as exc:
            errors = {form_field(k): v for k, v in field_errors(exc).items()}
            return await self._form(
                request,
                ctx,
                voyage_id,
                grade_id=grade_id,
                plan=plan,
                form=form,
                errors=errors,
                status_code=exc.status_code,
            )
        url = f"/console/boarding/voyages/{voyage_id}/bookings/{booking.reservation.id}"
        return Redirect(url, status_code=303)

    @get("/bookings/{reservation_id:uuid}", opt={"owns": BOOKING})
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        reservation_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        b = await service.cabin_booking(ctx.db, ctx.tenant_id, reservation_id)
        if b is None:  # a room, not a cabin
            return Redirect(f"/console/reservations/{reservation_id}", status_code=303)
        if b.sailing.id != voyage_id:
            url = f"/console/boarding/voyages/{b.sailing.id}/bookings/{reservation_id}"
            return Redirect(url, status_code=303)
        return console_page(
            request,
            ctx,
            "boarding/booking/console_booking.html",
            active=ACTIVE,
            b=b,
            r=b.reservation,
            s=b.sailing,
            id_types=ID_TYPES,
            tz=ctx.tenant.timezone if ctx.tenant else None,
            checkin=service.checkin_url(ctx.tenant_id, reservation_id),
        )

    @get("/bookings/{reservation_id:uuid}/confirmation.pdf", opt={"owns": BOOKING})
    async def pdf(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        reservation_id: FromPath[uuid.UUID],
    ) -> Response[Any]:
        """The confirmation to print or send to the guest, as the guest's page makes it."""
        b = await service.cabin_booking(ctx.db, ctx.tenant_id, reservation_id)
        tenant = ctx.tenant
        if b is None or tenant is None:  # a room, not a cabin
            return Redirect(f"/console/reservations/{reservation_id}", status_code=303)
        if b.sailing.id != voyage_id:
            url = f"/console/boarding/voyages/{b.sailing.id}/bookings/{reservation_id}"
            return Redirect(f"{url}/confirmation.pdf", status_code=303)
        r = b.reservation
        link = (
            str(request.base_url).rstrip("/")
            + f"/book/{tenant.slug}/cruise/bookings/{r.id}?code={r.code}"
        )
        pdf = await service.booking_confirmation_pdf(
            b,
            line_name=tenant.name,
            timezone=tenant.timezone,
            link=link,
            checkin_url=service.checkin_url(ctx.tenant_id, r.id),
        )
        return pdf_response(pdf, f"cruise-{r.code}.pdf")


ROUTES = [CabinBookingConsole]
