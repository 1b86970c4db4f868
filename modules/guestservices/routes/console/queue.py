"""The staff queues in the console: guest requests (with an age timer and the overdue
ones highlighted) and orders to the room. Both lists refresh themselves with htmx, so a
request sent from a terminal appears without anyone reloading."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app import clock
from app.web.errors import is_htmx
from modules.guestservices import domain, permissions, service
from modules.guestservices.models import RoomOrder, ServiceRequest
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

REQUEST = {"request_id": ServiceRequest}
ORDER = {"order_id": RoomOrder}
REFRESH_SECONDS = 15


class QueueController(Controller):
    """A staff queue: the page, and the list alone that the page polls every few
    seconds (and that htmx swaps in after an action)."""

    opt = {"guard": permissions.QUEUE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False
    queue_name: ClassVar[str]  # its templates: guestservices/<name>.html and the partial
    active: ClassVar[str]

    async def _context(self, ctx: RequestContext, status: str | None) -> dict[str, Any]:
        raise NotImplementedError

    async def _list(self, ctx: RequestContext, status: str | None) -> Template:
        context = await self._context(ctx, status)
        return Template(
            template_name=f"guestservices/_partials/{self.queue_name}.html", context=context
        )

    @get("/")
    async def queue(
        self, request: Request[Any, Any, Any], ctx: Ctx, status: FromQuery[str | None] = None
    ) -> Template:
        context = await self._context(ctx, status)
        return console_page(
            request, ctx, f"guestservices/{self.queue_name}.html", active=self.active, **context
        )

    @get("/list")
    async def listing(self, ctx: Ctx, status: FromQuery[str | None] = None) -> Template:
        """The list alone, polled by the page every few seconds."""
        return await self._list(ctx, status)


class RequestQueueController(QueueController):
    path = "/console/guestservices/requests"
    queue_name = "requests"
    active = "guest_requests"

    async def _context(self, ctx: RequestContext, status: str | None) -> dict[str, Any]:
        queue = await service.request_queue(ctx.db, ctx.tenant_id, status=status)
        return {
            "queue": queue,
            "labels": domain.labels(),
            "statuses": domain.REQUEST_STATUSES,
            "actions": domain.REQUEST_ACTIONS,
            "tz": clock.tz_of(ctx.tenant),
            "refresh": REFRESH_SECONDS,
            "ack_minutes": int(domain.ACKNOWLEDGE_WITHIN.total_seconds() // 60),
            # Express check-out is finished on the front desk's stay page, when there is one.
            "stay_links": bool(ctx.tenant and "frontdesk" in ctx.tenant.enabled_modules),
        }

    @get("/badge")
    async def badge(self, ctx: Ctx) -> Template:
        count = await service.new_request_count(ctx.db, ctx.tenant_id)
        return Template(
            template_name="guestservices/_partials/badge.html", context={"count": count}
        )

    @post("/{request_id:uuid}/{action:str}", opt={"owns": REQUEST})
    async def advance(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        request_id: FromPath[uuid.UUID],
        action: FromPath[str],
        status: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """Acknowledge, start or finish; a request that moved on meanwhile answers 409
        with a message (htmx shows it above the list)."""
        await service.advance_request(
            ctx.db, ctx.tenant_id, request_id, action, by_user_id=ctx.principal.user_id
        )
        if not is_htmx(request):
            suffix = f"?status={status}" if status in domain.REQUEST_STATUSES else ""
            return Redirect(f"/console/guestservices/requests{suffix}", status_code=303)
        return await self._list(ctx, status)


class OrderQueueController(QueueController):
    path = "/console/guestservices/orders"
    queue_name = "orders"
    active = "room_orders"

    async def _context(self, ctx: RequestContext, status: str | None) -> dict[str, Any]:
        shown = status if status in domain.ORDER_STATUSES else None
        return {
            "orders": await service.order_queue(ctx.db, ctx.tenant_id, status=shown),
            "status": shown,
            "labels": domain.labels(),
            "statuses": domain.ORDER_STATUSES,
            "actions": domain.ORDER_ACTIONS,
            "tz": clock.tz_of(ctx.tenant),
            "refresh": REFRESH_SECONDS,
        }

    @post("/{order_id:uuid}/{action:str}", opt={"owns": ORDER})
    async def advance(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        order_id: FromPath[uuid.UUID],
        action: FromPath[str],
        status: FromQuery[str | None] = None,
    ) -> Response[Any]:
        await service.advance_order(
            ctx.db, ctx.tenant_id, order_id, action, by_user_id=ctx.principal.user_id
        )
        if not is_htmx(request):
            return Redirect("/console/guestservices/orders", status_code=303)
        return await self._list(ctx, status)


ROUTES = [RequestQueueController, OrderQueueController]
