"""The guest's pages on the in-room terminal: one-touch services, the room-service menu,
the bill with express check-out, and ratings and complaints.

Privacy: the stay is always the one checked in to the device's own room right now
(`terminals.terminal_stay`), never an identifier from the request. An identifier in a
path is checked twice: `owns` (this tenant) and the service (this stay), so another room's
request answers 404. Once the guest checks out there is no stay, and none of their
requests, orders, bill or complaints is shown.

Refusals not caught here (a request already taken, a second rating) go through the app's
error mapper, which shows their message in the shell's #flash for htmx."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from app import clock
from app.errors import Conflict, Invalid, NotFound
from app.web.forms import attempt, field_errors
from modules.frontdesk import service as frontdesk
from modules.guestservices import domain, permissions, service
from modules.guestservices.models import RoomOrder, ServiceRequest
from modules.guestservices.schemas import ComplaintForm, RatingForm, RequestForm
from modules.terminals import service as terminals
from modules.terminals.service import TerminalStay
from tenants.context import Ctx, RequestContext

REQUEST = {"request_id": ServiceRequest}
ORDER = {"order_id": RoomOrder}
POLL_SECONDS = 5
NOTICES = {
    "sent": "Sent. Staff will be with you shortly.",
    "cancelled": "Request cancelled.",
    "rated": "Thank you for your rating!",
    "ordered": "Order received. It has been added to your bill.",
    "checkout": "The front desk has your express check-out request.",
    "complained": "Your complaint has been sent to the manager on duty.",
}


async def _stay(ctx: RequestContext) -> TerminalStay | None:
    device_id = ctx.principal.device_id
    if device_id is None:
        return None
    return await terminals.terminal_stay(ctx.db, ctx.tenant_id, device_id)


async def _stay_or_refuse(ctx: RequestContext) -> TerminalStay:
    stay = await _stay(ctx)
    if stay is None:
        raise Conflict(service.NO_STAY)
    return stay


async def _stay_or_404(ctx: RequestContext) -> TerminalStay:
    """For paths naming a request or order: with nobody checked in, nothing is theirs."""
    stay = await _stay(ctx)
    if stay is None:
        raise NotFound()
    return stay


def _common(stay: TerminalStay | None, **extra: Any) -> dict[str, Any]:
    return {"stay": stay, "labels": domain.labels(), "poll": POLL_SECONDS, **extra}


class TerminalController(Controller):
    """A guest page on the terminal: device access, refusals shown the terminal's way,
    and the page rendered in the shell (tab `active`) with the stay's data (`_context`)."""

    opt = {"guard": permissions.TERMINAL}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False
    exception_handlers = terminals.TERMINAL_EXCEPTION_HANDLERS
    active: ClassVar[str]

    async def _context(self, ctx: RequestContext, stay: TerminalStay | None) -> dict[str, Any]:
        """This stay's part of the page; a handler's own keywords take precedence."""
        return {}

    async def _render(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        template: str,
        *,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        stay = await _stay(ctx)
        context = _common(stay, **{**await self._context(ctx, stay), **extra})
        return await terminals.terminal_page(
            request, ctx, template, active=self.active, status_code=status_code, **context
        )


class ServicesController(TerminalController):
    path = "/terminal/services"
    active = "services"

    async def _context(self, ctx: RequestContext, stay: TerminalStay | None) -> dict[str, Any]:
        requests = await service.stay_requests(ctx.db, ctx.tenant_id, stay.stay_id) if stay else ()
        tz = clock.tz_of(ctx.tenant)
        return {"requests": requests, "kinds": domain.SERVICE_KINDS, "tz": tz}

    async def _body(self, request: Request[Any, Any, Any], ctx: Ctx, **extra: Any) -> Template:
        """The page's body alone, swapped in by htmx after a form."""
        return await self._render(
            request, ctx, "guestservices/_partials/terminal_services_body.html", **extra
        )

    @get("/")
    async def page(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await self._render(
            request, ctx, "guestservices/terminal/services.html", form=RequestForm(), errors={}
        )

    @get("/list")
    async def listing(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        """This stay's requests, polled every few seconds: a clerk's "done" shows at once."""
        stay = await _stay(ctx)
        context = _common(stay, **await self._context(ctx, stay))
        return await terminals.terminal_page(
            request, ctx, "guestservices/_partials/terminal_requests.html", **context
        )

    @post("/")
    async def send(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[RequestForm]
    ) -> Template:
        stay = await _stay_or_refuse(ctx)
        try:
            await attempt(
                ctx.db,
                service.request_service(
                    ctx.db,
                    ctx.tenant_id,
                    stay_id=stay.stay_id,
                    form=data,
                    device_id=ctx.principal.device_id,
                    tz=clock.tz_of(ctx.tenant),
                ),
            )
        except (Invalid, Conflict) as exc:
            return await self._body(
                request, ctx, form=data, errors=field_errors(exc),
                failed=data.kind, status_code=exc.status_code,
            )  # fmt: skip
        return await self._body(request, ctx, form=RequestForm(), errors={}, notice=NOTICES["sent"])

    @post("/{request_id:uuid}/cancel", opt={"owns": REQUEST})
    async def cancel(
        self, request: Request[Any, Any, Any], ctx: Ctx, request_id: FromPath[uuid.UUID]
    ) -> Template:
        stay = await _stay_or_404(ctx)
        await service.cancel_request(
            ctx.db, ctx.tenant_id, stay_id=stay.stay_id, request_id=request_id
        )
        return await self._body(
            request, ctx, form=RequestForm(), errors={}, notice=NOTICES["cancelled"]
        )

    @post("/{request_id:uuid}/rating", opt={"owns": REQUEST})
    async def rate(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        request_id: FromPath[uuid.UUID],
        data: URLEncodedBody[RatingForm],
    ) -> Template:
        stay = await _stay_or_404(ctx)
        await service.rate(
            ctx.db, ctx.tenant_id, stay_id=stay.stay_id, form=data, request_id=request_id
        )
        return await self._body(
            request, ctx, form=RequestForm(), errors={}, notice=NOTICES["rated"]
        )


class DiningController(TerminalController):
    path = "/terminal/dining"
    active = "dining"

    async def _context(self, ctx: RequestContext, stay: TerminalStay | None) -> dict[str, Any]:
        orders = await service.stay_orders(ctx.db, ctx.tenant_id, stay.stay_id) if stay else ()
        menus = await service.menu(ctx.db, ctx.tenant_id, available_only=True) if stay else {}
        return {"orders": orders, "menus": menus, "errors": {}, "typed": {}}

    @get("/")
    async def page(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await self._render(request, ctx, "guestservices/terminal/dining.html")

    @get("/orders")
    async def listing(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await self._render(request, ctx, "guestservices/_partials/terminal_orders.html")

    @post("/orders")
    async def order(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        """Quantities arrive as `qty_<menu item id>` fields; the order and its charges on
        the bill are written together."""
        stay = await _stay_or_refuse(ctx)
        form = await request.form()
        typed = {k[4:]: str(v) for k, v in form.items() if k.startswith("qty_")}
        note = str(form.get("note") or "")
        try:
            await attempt(
                ctx.db,
                service.place_order(
                    ctx.db,
                    ctx.tenant_id,
                    stay_id=stay.stay_id,
                    quantities=typed,
                    note=note,
                    device_id=ctx.principal.device_id,
                ),
            )
        except (Invalid, Conflict) as exc:
            return await self._render(
                request, ctx, "guestservices/_partials/terminal_dining_body.html",
                errors=field_errors(exc), typed=typed, status_code=exc.status_code,
            )  # fmt: skip
        return await self._render(
            request,
            ctx,
            "guestservices/_partials/terminal_dining_body.html",
            notice=NOTICES["ordered"],
        )

    @post("/orders/{order_id:uuid}/rating", opt={"owns": ORDER})
    async def rate(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        order_id: FromPath[uuid.UUID],
        data: URLEncodedBody[RatingForm],
    ) -> Template:
        stay = await _stay_or_404(ctx)
        await service.rate(
            ctx.db, ctx.tenant_id, stay_id=stay.stay_id, form=data, order_id=order_id
        )
        return await self._render(request, ctx, "guestservices/_partials/terminal_orders.html")


class BillController(TerminalController):
    path = "/terminal/bill"
    active = "bill"

    async def _context(self, ctx: RequestContext, stay: TerminalStay | None) -> dict[str, Any]:
        folio = await frontdesk.folio(ctx.db, ctx.tenant_id, stay.stay_id) if stay else None
        checkout = None
        if stay:
            asked = await service.stay_requests(ctx.db, ctx.tenant_id, stay.stay_id)
            checkout = next((r for r in asked if r.kind == "checkout" and r.open), None)
        tz = clock.tz_of(ctx.tenant)
        return {"folio": folio, "checkout": checkout, "tz": tz}

    @get("/")
    async def page(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await self._render(request, ctx, "guestservices/terminal/bill.html")

    @post("/checkout")
    async def checkout(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        """Express check-out: a request for the desk, which settles and checks out."""
        stay = await _stay_or_refuse(ctx)
        await service.request_checkout(
            ctx.db, ctx.tenant_id, stay_id=stay.stay_id, device_id=ctx.principal.device_id
        )
        return await self._render(
            request,
            ctx,
            "guestservices/_partials/terminal_bill_body.html",
            notice=NOTICES["checkout"],
        )


class FeedbackController(TerminalController):
    path = "/terminal/feedback"
    active = "feedback"

    async def _context(self, ctx: RequestContext, stay: TerminalStay | None) -> dict[str, Any]:
        feedback = (
            await service.guest_feedback(ctx.db, ctx.tenant_id, stay.stay_id) if stay else None
        )
        return {
            "feedback": feedback,
            "categories": domain.COMPLAINT_CATEGORIES,
            "tz": clock.tz_of(ctx.tenant),
            "errors": {},
            "form": ComplaintForm(),
        }

    @get("/")
    async def page(self, request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
        return await self._render(request, ctx, "guestservices/terminal/feedback.html")

    async def _attempt(
        self, request: Request[Any, Any, Any], ctx: Ctx, call: Any, notice: str, **extra: Any
    ) -> Response[Any]:
        body = "guestservices/_partials/terminal_feedback_body.html"
        try:
            await attempt(ctx.db, call)
        except (Invalid, Conflict) as exc:
            return await self._render(
                request, ctx, body, errors=field_errors(exc), status_code=exc.status_code, **extra
            )
        return await self._render(request, ctx, body, notice=NOTICES[notice])

    @post("/rating")
    async def rate_stay(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[RatingForm]
    ) -> Response[Any]:
        stay = await _stay_or_refuse(ctx)
        call = service.rate(ctx.db, ctx.tenant_id, stay_id=stay.stay_id, form=data)
        return await self._attempt(request, ctx, call, "rated", failed="rating")

    @post("/complaints")
    async def complain(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[ComplaintForm]
    ) -> Response[Any]:
        stay = await _stay_or_refuse(ctx)
        call = service.file_complaint(ctx.db, ctx.tenant_id, stay_id=stay.stay_id, form=data)
        return await self._attempt(request, ctx, call, "complained", form=data, failed="complaint")


ROUTES = [ServicesController, DiningController, BillController, FeedbackController]
