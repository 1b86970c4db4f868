"""Pairing a terminal: the code screen, the hand-over of the device cookie, and (in
development only) a demo path that pairs a browser as a room's terminal without a code."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Invalid, NotFound, TooManyRequests
from app.web.forms import field_errors
from modules.terminals import permissions, service
from modules.terminals.routes.terminal.responses import set_device_cookie
from modules.terminals.schemas import PairForm
from tenants.context import Ctx


def _pair_page(
    ctx: Ctx,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
    retry_after: int | None = None,
) -> Template:
    headers = dict(service.NO_STORE)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return Template(
        template_name="terminals/pair.html",
        context={"tenant": ctx.tenant, "errors": errors or {}},
        status_code=status,
        headers=headers,
    )


class PairingController(Controller):
    path = "/terminal"
    include_in_schema = False

    @get("/pair", opt={"guard": permissions.UNPAIRED})
    async def where_to_pair(self, ctx: Ctx) -> Response[Any]:
        """Where an unpaired terminal lands: its enterprise's code screen when the old
        cookie still says which enterprise, else a page telling staff what to open."""
        if ctx.tenant is not None:
            return Redirect(f"/terminal/{ctx.tenant.slug}/pair", status_code=303)
        return Template(template_name="terminals/not_paired.html", headers=service.NO_STORE)

    @get("/{tenant_slug:str}/pair", opt={"guard": permissions.PAIRING})
    async def pair_page(self, ctx: Ctx) -> Template:
        return _pair_page(ctx)

    @post("/{tenant_slug:str}/pair", opt={"guard": permissions.PAIRING})
    async def pair(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[PairForm]
    ) -> Response[Any]:
        # No savepoint: a wrong code must stay recorded (it counts towards the limit).
        try:
            paired = await service.pair(ctx.db, ctx.tenant_id, data.code, ip=ctx.ip)
        except Invalid as exc:
            return _pair_page(ctx, errors=field_errors(exc), status=422)
        except TooManyRequests as exc:
            return _pair_page(
                ctx, errors=field_errors(exc), status=429, retry_after=exc.retry_after
            )
        return set_device_cookie(request, Redirect("/terminal", status_code=303), paired.token)

    @get("/{tenant_slug:str}/demo/{room:str}", opt={"guard": permissions.PAIRING})
    async def demo(
        self, request: Request[Any, Any, Any], ctx: Ctx, room: FromPath[str]
    ) -> Response[Any]:
        """Development only: this browser becomes the demo terminal of that room."""
        if request.app.state.settings.env != "development":
            raise NotFound()
        paired = await service.demo_pair(ctx.db, ctx.tenant_id, room)
        return set_device_cookie(request, Redirect("/terminal", status_code=303), paired.token)


ROUTES = [PairingController]
