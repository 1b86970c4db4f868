"""The housekeeping board: rooms by floor, each with big buttons for the next status,
made for a phone carried down the corridor. A tap answers htmx with the room's tile."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Invalid
from app.web.errors import is_htmx
from app.web.forms import field_errors
from modules.frontdesk import domain, permissions, service
from modules.frontdesk.schemas import UnitStatusForm
from tenants.context import Ctx
from tenants.shell import console_page

UNIT = {"unit_id": "units"}


class HousekeepingController(Controller):
    path = "/console/housekeeping"
    opt = {"guard": permissions.HOUSEKEEPING}  # noqa: RUF012
    include_in_schema = False

    @get("/")
    async def board(
        self, request: Request[Any, Any, Any], ctx: Ctx, status: FromQuery[str | None] = None
    ) -> Template:
        shown = status if status in domain.ROOM_STATUSES else None
        board = await service.housekeeping_board(
            ctx.db, ctx.tenant_id, tz=clock.tz_of(ctx.tenant), status=shown
        )
        return console_page(
            request,
            ctx,
            "frontdesk/housekeeping.html",
            active="housekeeping",
            board=board,
            status=shown,
            labels=domain.ROOM_STATUS_LABELS,
        )

    @post("/units/{unit_id:uuid}/status", opt={"owns": UNIT})
    async def set_status(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        unit_id: FromPath[uuid.UUID],
        data: URLEncodedBody[UnitStatusForm],
    ) -> Response[Any]:
        error = None
        try:
            tile = await service.set_room_status(
                ctx.db,
                ctx.tenant_id,
                unit_id,
                data.status,
                actor=ctx.actor,
                tz=clock.tz_of(ctx.tenant),
            )
        except Invalid as exc:
            error = field_errors(exc).get("status")
            tile = await service.housekeeping_tile(
                ctx.db, ctx.tenant_id, unit_id, tz=clock.tz_of(ctx.tenant)
            )
        if not is_htmx(request):
            return Redirect("/console/housekeeping", status_code=303)
        return Template(
            template_name="frontdesk/_partials/tile.html",
            context={"tile": tile, "labels": domain.ROOM_STATUS_LABELS, "error": error},
            status_code=422 if error else 200,
        )


ROUTES = [HousekeepingController]
