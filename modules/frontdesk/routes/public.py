"""The guest booking page `/book/{tenant_slug}`: dates and party, the room types with
their prices, guest details, then the payments module's pay step, then the confirmation
page and its PDF. Public: the tenant comes from the slug; phone-first layout."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid, NotFound
from app.web.forms import attempt, field_errors
from app.web.ratelimit import RateLimited, allow
from app.web.responses import pdf_response
from modules.frontdesk import domain, permissions, service
from modules.frontdesk.schemas import GuestForm
from modules.reservations.service import ReservationStatus
from tenants.context import Ctx, RequestContext

RESERVATION = {"reservation_id": "reservations"}
BOOKING_MODULE = "reservations"
# A cruise line's guests book sailings, cabins and passengers (the boarding module's pages).
CRUISE, BOARDING_MODULE = "cruise", "boarding"
# A hot spring's guests buy day tickets (the keytags module's pages); its tickets are not rooms.
HOT_SPRING, HOTEL, KEYTAGS_MODULE, ADMISSION = "hot_spring", "hotel", "keytags", "admission"


def _tenant(ctx: RequestContext) -> Any:
    """The enterprise, when it takes bookings online (else the page does not exist)."""
    if ctx.tenant is None or BOOKING_MODULE not in ctx.tenant.enabled_modules:
        raise NotFound()
    return ctx.tenant


def _page(ctx: RequestContext, template: str, status_code: int = 200, **context: Any) -> Template:
    tenant = _tenant(ctx)
    return Template(
        template_name=template,
        context={
            "tenant": tenant,
            "base": f"/book/{tenant.slug}",
            "labels": domain.labels(),
            **context,
        },
        status_code=status_code,
    )


def confirmation_url(slug: str, reservation_id: uuid.UUID, code: str) -> str:
    return f"/book/{slug}/reservations/{reservation_id}?{urlencode({'code': code})}"


def pay_url(slug: str, reservation_id: uuid.UUID, code: str) -> str:
    """The payments module's pay step for a held booking."""
    return f"/book/{slug}/pay/{reservation_id}?{urlencode({'code': code})}"


class BookingController(Controller):
    path = "/book/{tenant_slug:str}"
    opt = {"guard": permissions.GUEST}  # noqa: RUF012
    include_in_schema = False

    @get("/")
    async def search(
        self,
        ctx: Ctx,
        arrival: FromQuery[str | None] = None,
        departure: FromQuery[str | None] = None,
        adults: FromQuery[str] = "2",
        children: FromQuery[str] = "0",
    ) -> Template | Redirect:
        tenant = _tenant(ctx)
        if arrival is None and CRUISE in tenant.kinds and BOARDING_MODULE in tenant.enabled_modules:
            return Redirect(f"/book/{tenant.slug}/cruise/", status_code=303)  # a ship's flow
        if (
            arrival is None
            and HOT_SPRING in tenant.kinds
            and HOTEL not in tenant.kinds
            and KEYTAGS_MODULE in tenant.enabled_modules
        ):
            return Redirect(f"/book/{tenant.slug}/spa/", status_code=303)  # day tickets only
        today = domain.business_date(clock.tz_of(ctx.tenant))
        form = {"arrival": arrival, "departure": departure, "adults": adults, "children": children}
        if arrival is None:
            q = service.default_query(today)
            form = {
                "arrival": q.arrival.isoformat(),
                "departure": q.departure.isoformat(),
                "adults": "2",
                "children": "0",
            }
            return _page(
                ctx, "frontdesk/booking/search.html", form=form, offers=None, errors={}, today=today
            )
        try:
            q = service.parse_query(arrival, departure or "", adults, children, today=today)
        except Invalid as exc:
            return _page(
                ctx,
                "frontdesk/booking/search.html",
                422,
                form=form,
                offers=None,
                errors=field_errors(exc),
                today=today,
            )
        offers = [
            o for o in await service.booking_search(ctx.db, ctx.tenant_id, q) if o.kind != ADMISSION
        ]
        return _page(
            ctx,
            "frontdesk/booking/search.html",
            form=form,
            offers=offers,
            query=q,
            errors={},
            today=today,
        )

    async def _details(
        self,
        ctx: Ctx,
        form: GuestForm,
        *,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        today = domain.business_date(clock.tz_of(ctx.tenant))
        try:
            q, offer = await service.booking_offer(ctx.db, ctx.tenant_id, form, today=today)
        except (Invalid, Conflict) as exc:
            return _page(
                ctx,
                "frontdesk/booking/details.html",
                exc.status_code,
                form=form,
                offer=None,
                errors=field_errors(exc),
                **_choices(),
            )
        return _page(
            ctx,
            "frontdesk/booking/details.html",
            status_code,
            form=form,
            offer=offer,
            query=q,
            errors=errors or {},
            **_choices(),
        )

    @get("/details")
    async def details(
        self,
        ctx: Ctx,
        unit_type_id: FromQuery[str] = "",
        rate_plan_id: FromQuery[str] = "",
        arrival: FromQuery[str] = "",
        departure: FromQuery[str] = "",
        adults: FromQuery[str] = "2",
        children: FromQuery[str] = "0",
    ) -> Template:
        form = GuestForm(
            unit_type_id=unit_type_id,
            rate_plan_id=rate_plan_id,
            arrival=arrival,
            departure=departure,
            adults=adults,
            children=children,
        )
        return await self._details(ctx, form)

    @post("/details")
    async def hold(self, ctx: Ctx, data: URLEncodedBody[GuestForm]) -> Response[Any]:
        """Holds keep rooms off sale until they lapse, so one address may only try so
        many an hour: a script cannot empty the hotel with unpaid holds."""
        tenant = _tenant(ctx)
        limit, per = domain.HOLDS_PER_ADDRESS
        if not await allow(ctx.db, "booking.hold", ctx.ip, limit=limit, per=per):
            raise RateLimited()
        today = domain.business_date(clock.tz_of(ctx.tenant))
        try:
            r = await attempt(
                ctx.db, service.hold_booking(ctx.db, ctx.tenant_id, data, today=today)
            )
        except (Invalid, Conflict) as exc:
            return await self._details(
                ctx, data, errors=field_errors(exc), status_code=exc.status_code
            )
        if r.status == ReservationStatus.HELD:
            return Redirect(pay_url(tenant.slug, r.id, r.code), status_code=303)
        return Redirect(confirmation_url(tenant.slug, r.id, r.code), status_code=303)

    @get("/reservations/{reservation_id:uuid}", opt={"owns": RESERVATION})
    async def confirmation(
        self, ctx: Ctx, reservation_id: FromPath[uuid.UUID], code: FromQuery[str] = ""
    ) -> Template | Redirect:
        """The booking for whoever has its link and code; otherwise a form asking for the
        code (a link alone, forwarded or guessed, shows nothing)."""
        r = await service.reservation_for_guest(ctx.db, ctx.tenant_id, reservation_id, code)
        if r is None:
            return _page(
                ctx,
                "frontdesk/booking/lookup.html",
                reservation_id=reservation_id,
                wrong=bool(code),
            )
        tenant = _tenant(ctx)
        if r.voyage_id is not None:  # a cabin (after the pay step): the cruise confirmation
            query = urlencode({"code": r.code})
            return Redirect(f"/book/{tenant.slug}/cruise/bookings/{r.id}?{query}", status_code=303)
        if r.kind == ADMISSION:  # day tickets (after the pay step): the spa confirmation
            query = urlencode({"code": r.code})
            return Redirect(f"/book/{tenant.slug}/spa/bookings/{r.id}?{query}", status_code=303)
        return _page(
            ctx,
            "frontdesk/booking/confirmation.html",
            r=r,
            pay=pay_url(tenant.slug, r.id, r.code),
            qr=service.booking_qr(r.code),
            query=urlencode({"code": r.code}),
            issuer=await service.issuer_of(ctx.db, ctx.tenant_id),
        )

    @get("/reservations/{reservation_id:uuid}/status", opt={"owns": RESERVATION})
    async def status(
        self, ctx: Ctx, reservation_id: FromPath[uuid.UUID], code: FromQuery[str] = ""
    ) -> Response[Any]:
        """Polled by the confirmation page while the payment is being confirmed."""
        r = await service.reservation_for_guest(ctx.db, ctx.tenant_id, reservation_id, code)
        if r is None:
            return Response("", status_code=403)
        response = _page(ctx, "frontdesk/booking/_partials/status.html", r=r)
        if r.status != ReservationStatus.HELD:
            tenant = _tenant(ctx)
            response.headers["HX-Redirect"] = confirmation_url(tenant.slug, r.id, r.code)
        return response

    @get("/reservations/{reservation_id:uuid}/confirmation.pdf", opt={"owns": RESERVATION})
    async def confirmation_pdf(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        reservation_id: FromPath[uuid.UUID],
        code: FromQuery[str] = "",
    ) -> Response[Any]:
        tenant = _tenant(ctx)
        r = await service.reservation_for_guest(ctx.db, ctx.tenant_id, reservation_id, code)
        if r is None:
            return Redirect(f"/book/{tenant.slug}/reservations/{reservation_id}", status_code=303)
        issuer = await service.issuer_of(ctx.db, ctx.tenant_id)
        link = str(request.base_url).rstrip("/") + confirmation_url(tenant.slug, r.id, r.code)
        pdf = await service.confirmation_pdf(r, issuer=issuer, link=link)
        return pdf_response(pdf, f"booking-{r.code}.pdf")


def _choices() -> dict[str, Any]:
    return {"id_types": service.ID_TYPE_LABELS, "preferences": service.PREFERENCE_LABELS}


ROUTES = [BookingController]
