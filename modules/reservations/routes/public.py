"""The guest's pay step of the booking page `/book/{slug}/pay/{reservation_id}`: the
reservation's deposit or prepayment by card (the payments module takes the money), then
back to the booking page's confirmation (the front desk module serves it)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.i18n import gettext as translate  # runtime msgids
from modules.payments.service import PaymentStatus
from modules.reservations import permissions, service
from modules.reservations.models import Reservation
from modules.reservations.schemas import CardForm
from tenants.context import Ctx

# The booking page's confirmation step (the front desk module serves it).
CONFIRMATION_URL = "/book/{slug}/reservations/{reservation_id}?{query}"
CARD_NOT_ACCEPTED = "The card was not accepted. Please check it or use another card."
DONE = (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING)


class PayController(Controller):
    """The pay step: its link carries the booking code, like the confirmation page's."""

    path = "/book/{tenant_slug:str}/pay/{reservation_id:uuid}"
    opt = {  # noqa: RUF012 - Litestar reads it per class
        "guard": permissions.GUEST,
        "owns": {"reservation_id": Reservation},
    }
    include_in_schema = False

    @get("/")
    async def page(
        self,
        ctx: Ctx,
        tenant_slug: FromPath[str],
        reservation_id: FromPath[uuid.UUID],
        code: FromQuery[str] = "",
        failed: FromQuery[str | None] = None,
    ) -> Template | Redirect:
        try:
            page = await service.pay_page(ctx.db, ctx.tenant_id, reservation_id, code)
        except service.WrongBookingCode:
            return _ask_for_code(tenant_slug, reservation_id, code)
        base = f"/book/{tenant_slug}/pay/{reservation_id}"
        query = {"code": page.reservation.code}
        return_query = urlencode({**query, "payment": page.start.payment_id if page.start else ""})
        response = Template(
            "reservations/pay.html",
            context={
                "page": page,
                "reservation": page.reservation,
                "tenant": ctx.tenant,
                "card_url": f"{base}/card?{urlencode(query)}",
                "return_url": f"{base}/return?{return_query}",
                "confirmation_url": _confirmation(tenant_slug, reservation_id, code),
                "failed": bool(failed),
            },
        )
        response.headers["Cache-Control"] = "no-store"  # the page holds a client secret
        return response

    @post("/card", status_code=200)
    async def card(
        self,
        ctx: Ctx,
        reservation_id: FromPath[uuid.UUID],
        data: URLEncodedBody[CardForm],
        code: FromQuery[str] = "",
    ) -> dict[str, str | None]:
        """The page sends the card's token; the answer says whether Stripe.js must still
        authenticate (3-D Secure) before the guest goes on."""
        result = await service.guest_card(
            ctx.db,
            ctx.tenant_id,
            reservation_id,
            code,
            payment_id=data.payment_id,
            token=data.token,
        )
        message = translate(CARD_NOT_ACCEPTED) if result.status == PaymentStatus.FAILED else None
        return {"status": result.status, "client_secret": result.client_secret, "message": message}

    @get("/return")
    async def back(
        self,
        ctx: Ctx,
        tenant_slug: FromPath[str],
        reservation_id: FromPath[uuid.UUID],
        payment: FromQuery[uuid.UUID | None] = None,
        code: FromQuery[str] = "",
    ) -> Redirect:
        """Where the page goes once Stripe.js is done: the payment is read back from the
        provider at once, so the confirmation does not wait for the webhook."""
        if payment is None:
            query = urlencode({"code": code})
            return Redirect(f"/book/{tenant_slug}/pay/{reservation_id}?{query}", status_code=303)
        try:
            view = await service.guest_return(
                ctx.db, ctx.tenant_id, reservation_id, code, payment_id=payment
            )
        except service.WrongBookingCode:
            return _ask_for_code(tenant_slug, reservation_id, code)
        if view.status in DONE:
            return Redirect(_confirmation(tenant_slug, reservation_id, code), status_code=303)
        query = urlencode({"code": code, "failed": "1"})
        return Redirect(f"/book/{tenant_slug}/pay/{reservation_id}?{query}", status_code=303)


def _ask_for_code(slug: str, reservation_id: uuid.UUID, code: str) -> Redirect:
    """The booking page's look-up asks for the booking code (and says when it was wrong)."""
    url = f"/book/{slug}/reservations/{reservation_id}"
    return Redirect(f"{url}?{urlencode({'code': code})}" if code else url, status_code=303)


def _confirmation(slug: str, reservation_id: uuid.UUID, code: str) -> str:
    query = urlencode({"code": code})
    return CONFIRMATION_URL.format(slug=slug, reservation_id=reservation_id, query=query)


ROUTES = [PayController]
