"""The console's terminals page: register a terminal for a room or cabin, read its
one-time pairing code, see when each terminal was last seen, re-pair, revoke, move."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.documents.qr import qr_svg_data_uri
from app.errors import Invalid
from app.web.forms import attempt, field_errors
from modules.reservations import service as reservations
from modules.terminals import permissions, service
from modules.terminals.models import TerminalDevice
from modules.terminals.schemas import DeviceForm, MoveForm, PairingCode
from tenants.context import Ctx
from tenants.shell import console_page

DEVICE = {"device_id": TerminalDevice}
NOTICES = {
    "revoked": "The terminal is revoked: it shows the pairing screen from now on.",
    "moved": "The terminal now shows the new room.",
}


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


class DevicesController(Controller):
    path = "/console/terminals"
    opt = {"guard": permissions.DEVICES}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        *,
        code: PairingCode | None = None,
        errors: dict[str, str] | None = None,
        notice: str | None = None,
        status_code: int = 200,
    ) -> Template:
        assert ctx.tenant is not None
        pair_url = f"{request.app.state.settings.base_url}/terminal/{ctx.tenant.slug}/pair"
        return console_page(
            request,
            ctx,
            "terminals/console/devices.html",
            active="terminals",
            status_code=status_code,
            devices=await service.list_devices(ctx.db, ctx.tenant_id),
            units=await reservations.list_units(ctx.db, ctx.tenant_id),
            code=code,
            pair_url=pair_url,
            pair_qr=qr_svg_data_uri(pair_url) if code else None,
            errors=errors or {},
            notice=NOTICES.get(notice or ""),
            dev_demo=request.app.state.settings.env == "development",
        )

    @get("/")
    async def devices(
        self, request: Request[Any, Any, Any], ctx: Ctx, notice: FromQuery[str | None] = None
    ) -> Template:
        return await self._page(request, ctx, notice=notice)

    @post("/")
    async def register(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[DeviceForm]
    ) -> Template:
        """Answers with the page itself: the code is shown this once, never stored."""
        try:
            code = await attempt(
                ctx.db,
                service.register_device(
                    ctx.db,
                    ctx.tenant_id,
                    name=data.name,
                    unit_id=parse_uuid(data.unit_id),
                    actor_id=ctx.principal.user_id,
                ),
            )
        except Invalid as exc:
            return await self._page(request, ctx, errors=field_errors(exc), status_code=422)
        return await self._page(request, ctx, code=code, status_code=201)

    @post("/{device_id:uuid}/pair", opt={"owns": DEVICE})
    async def repair(
        self, request: Request[Any, Any, Any], ctx: Ctx, device_id: FromPath[uuid.UUID]
    ) -> Template:
        code = await service.repair_device(
            ctx.db, ctx.tenant_id, device_id, actor_id=ctx.principal.user_id
        )
        return await self._page(request, ctx, code=code)

    @post("/{device_id:uuid}/revoke", opt={"owns": DEVICE})
    async def revoke(self, ctx: Ctx, device_id: FromPath[uuid.UUID]) -> Redirect:
        await service.revoke_device(
            ctx.db, ctx.tenant_id, device_id, actor_id=ctx.principal.user_id
        )
        return Redirect("/console/terminals?notice=revoked", status_code=303)

    @post("/{device_id:uuid}/move", opt={"owns": DEVICE})
    async def move(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        device_id: FromPath[uuid.UUID],
        data: URLEncodedBody[MoveForm],
    ) -> Response[Any]:
        try:
            await attempt(
                ctx.db,
                service.move_device(
                    ctx.db,
                    ctx.tenant_id,
                    device_id,
                    unit_id=parse_uuid(data.unit_id),
                    actor_id=ctx.principal.user_id,
                ),
            )
        except Invalid as exc:
            errors = {f"move-{device_id}": msg for msg in field_errors(exc).values()}
            return await self._page(request, ctx, errors=errors, status_code=422)
        return Redirect("/console/terminals?notice=moved", status_code=303)


ROUTES = [DevicesController]
