"""Console pages for reservations: the list and search, a booking made at the desk or on
the phone, and one reservation with its changes, cancellation, no-show."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Conflict, Invalid
from app.i18n import gettext as translate
from app.web.errors import is_htmx
from modules.reservations import permissions, service
from modules.reservations.models import Reservation
from modules.reservations.schemas import (
    ID_TYPES,
    STATUSES,
    UNIT_FEATURES,
    BookForm,
    ChangeForm,
    FormErrors,
    ReasonForm,
    as_list,
    field_errors,
)
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

NOTICES = {
    "booked": "The booking is confirmed.",
    "held": "The units are held for the guest.",
    "changed": "The reservation was changed.",
    "cancelled": "The reservation was cancelled.",
    "no_show": "The guest was marked as a no-show.",
    "confirmed": "The hold is confirmed.",
}


def _today() -> date:
    return service.today()


class ReservationsConsole(Controller):
    path = "/console/reservations"
    opt = {"guard": permissions.BOOKING_STAFF}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        arrival_from: FromQuery[str] = "",
        arrival_to: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        errors = FormErrors()
        start = errors.date("arrival_from", arrival_from, required=False)
        end = errors.date("arrival_to", arrival_to, required=False)
        rows = await service.search_reservations(
            ctx.db,
            ctx.tenant_id,
            term=q,
            status=status or None,
            arrival_from=start,
            arrival_to=end,
            page=max(1, page),
        )
        context: dict[str, Any] = {
            "rows": rows,
            "q": q,
            "status": status,
            "statuses": STATUSES,
            "arrival_from": arrival_from,
            "arrival_to": arrival_to,
            "page": max(1, page),
            "errors": errors,
        }
        if is_htmx(request) and request.headers.get("hx-target") == "results":
            return Template("reservations/_partials/results.html", context=context)
        return console_page(
            request, ctx, "reservations/list.html", active="reservations", **context
        )

    @get("/new")
    async def new(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        today = _today()
        form = BookForm(
            arrival=today.isoformat(), departure=(today + timedelta(days=1)).isoformat()
        )
        return await _new_page(request, ctx, form)

    @get("/offers")
    async def offers(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        arrival: FromQuery[str] = "",
        departure: FromQuery[str] = "",
        adults: FromQuery[str] = "2",
        children: FromQuery[str] = "0",
        rate_plan: FromQuery[str] = "rack",
    ) -> Template:
        """htmx: the types on sale for the dates and party, as radio choices."""
        form = BookForm(
            arrival=arrival,
            departure=departure,
            adults=adults,
            children=children,
            rate_plan=rate_plan,
        )
        offers, errors = await _offers(ctx, form)
        return Template(
            "reservations/_partials/offers.html",
            context={"offers": offers, "errors": errors, "form": form},
        )

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[BookForm]
    ) -> Template | Redirect:
        errors = FormErrors()
        arrival = errors.date("arrival", data.arrival)
        departure = errors.date("departure", data.departure)
        adults = errors.number("adults", data.adults, low=1, high=50) or 1
        children = errors.number("children", data.children, low=0, high=50) or 0
        unit_type_id = errors.uuid("unit_type_id", data.unit_type_id)
        if errors or arrival is None or departure is None or unit_type_id is None:
            return await _new_page(request, ctx, data, errors, status_code=422)
        guest = service.GuestDetails(
            name=data.guest_name,
            phone=data.guest_phone,
            id_type=data.id_type,
            id_number=data.id_number,
            email=data.guest_email or None,
            preferences=tuple(as_list(data.preferences)),
            notes=data.notes,
        )
        try:
            plan = await service.rate_plan_for(ctx.db, ctx.tenant_id, data.rate_plan)
            stay = service.Stay(
                unit_type_id,
                plan.id,
                arrival,
                departure,
                adults,
                children,
                guest,
                service.Source.FRONT_DESK,
                hold_minutes=60 if data.hold else None,
            )
            view = await service.sell(ctx.db, ctx.tenant_id, stay)
        except Invalid as exc:
            return await _new_page(request, ctx, data, field_errors(exc), status_code=422)
        except Conflict as exc:
            return await _new_page(
                request, ctx, data, {}, error=translate(exc.message), status_code=409
            )
        done = "held" if data.hold else "booked"
        return Redirect(f"/console/reservations/{view.id}?done={done}", status_code=303)

    @get("/{reservation_id:uuid}", opt={"owns": {"reservation_id": Reservation}})
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        reservation_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        return await _detail(request, ctx, reservation_id, notice=NOTICES.get(done))

    @post("/{reservation_id:uuid}/change", opt={"owns": {"reservation_id": Reservation}})
    async def change(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        reservation_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ChangeForm],
    ) -> Template | Redirect:
        errors = FormErrors()
        values: dict[str, Any] = {
            "arrival": errors.date("arrival", data.arrival, required=False),
            "departure": errors.date("departure", data.departure, required=False),
            "unit_type_id": errors.uuid("unit_type_id", data.unit_type_id)
            if data.unit_type_id
            else None,
            "adults": errors.number("adults", data.adults, low=1, high=50),
            "children": errors.number("children", data.children, low=0, high=50),
        }
        if not errors:
            try:
                await service.modify(
                    ctx.db, ctx.tenant_id, reservation_id, **values, actor=ctx.actor
                )
                return _back(reservation_id, "changed")
            except Invalid as exc:
                errors.update(field_errors(exc))
            except Conflict as exc:
                return await _detail(
                    request,
                    ctx,
                    reservation_id,
                    change=data,
                    error=translate(exc.message),
                    status_code=409,
                )
        return await _detail(
            request, ctx, reservation_id, change=data, errors=errors, status_code=422
        )

    @post("/{reservation_id:uuid}/cancel", opt={"owns": {"reservation_id": Reservation}})
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        reservation_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ReasonForm],
    ) -> Template | Redirect:
        return await _act(
            request,
            ctx,
            reservation_id,
            "cancelled",
            service.cancel_and_refund(  # the refund owed goes out with the cancellation
                ctx.db,
                ctx.tenant_id,
                reservation_id,
                reason=data.reason,
                actor=ctx.actor,
            ),
        )

    @post("/{reservation_id:uuid}/no-show", opt={"owns": {"reservation_id": Reservation}})
    async def no_show(
        self, request: Request[Any, Any, Any], ctx: Ctx, reservation_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        return await _act(
            request,
            ctx,
            reservation_id,
            "no_show",
            service.mark_no_show(ctx.db, ctx.tenant_id, reservation_id, actor=ctx.actor),
        )

    @post("/{reservation_id:uuid}/confirm", opt={"owns": {"reservation_id": Reservation}})
    async def confirm(
        self, request: Request[Any, Any, Any], ctx: Ctx, reservation_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        return await _act(
            request,
            ctx,
            reservation_id,
            "confirmed",
            service.confirm(ctx.db, ctx.tenant_id, reservation_id, actor=ctx.actor),
        )


async def _act(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    reservation_id: uuid.UUID,
    done: str,
    action: Any,
) -> Template | Redirect:
    """Run one service call; a refusal (409) re-renders the page with its reason."""
    try:
        await action
    except Conflict as exc:
        return await _detail(
            request, ctx, reservation_id, error=translate(exc.message), status_code=409
        )
    return _back(reservation_id, done)


def _back(reservation_id: uuid.UUID, done: str) -> Redirect:
    return Redirect(f"/console/reservations/{reservation_id}?done={done}", status_code=303)


async def _detail(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    reservation_id: uuid.UUID,
    *,
    notice: str | None = None,
    error: str | None = None,
    change: ChangeForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    r = await service.get_reservation(ctx.db, ctx.tenant_id, reservation_id)
    types = await service.list_unit_types(ctx.db, ctx.tenant_id)
    return console_page(
        request,
        ctx,
        "reservations/detail.html",
        active="reservations",
        status_code=status_code,
        r=r,
        types=[t for t in types if t.kind == r.kind],
        notice=notice,
        error=error,
        errors=errors or {},
        change=change
        or ChangeForm(
            arrival=r.arrival.isoformat(),
            departure=r.departure.isoformat(),
            unit_type_id=str(r.unit_type_id),
            adults=str(r.adults),
            children=str(r.children),
        ),
        fee_now=await service.cancellation_preview(ctx.db, ctx.tenant_id, reservation_id),
    )


async def _offers(ctx: RequestContext, form: BookForm) -> tuple[list[Any], dict[str, str]]:
    errors = FormErrors()
    arrival = errors.date("arrival", form.arrival)
    departure = errors.date("departure", form.departure)
    adults = errors.number("adults", form.adults, low=1, high=50) or 1
    children = errors.number("children", form.children, low=0, high=50) or 0
    if errors or arrival is None or departure is None:
        return [], errors
    try:
        offers = await service.search_availability(
            ctx.db,
            ctx.tenant_id,
            arrival=arrival,
            departure=departure,
            adults=adults,
            children=children,
            rate_plan_code=form.rate_plan or "rack",
        )
    except Invalid as exc:
        return [], field_errors(exc)
    return offers, {}


async def _new_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    form: BookForm,
    errors: dict[str, str] | None = None,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    offers, search_errors = await _offers(ctx, form)
    return console_page(
        request,
        ctx,
        "reservations/new.html",
        active="reservations",
        status_code=status_code,
        form=form,
        offers=offers,
        errors={**search_errors, **(errors or {})},
        error=error,
        plans=await service.list_rate_plans(ctx.db, ctx.tenant_id),
        id_types=ID_TYPES,
        features=UNIT_FEATURES,
        chosen=as_list(form.preferences),
    )


ROUTES = [ReservationsConsole]
