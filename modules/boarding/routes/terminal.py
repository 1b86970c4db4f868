"""The cabin terminal's boarding passes (`/terminal/boarding-passes`): the passes of the
passengers booked in the cabin the terminal hangs in, so a passenger without a phone can
still show the gangway their code (or photograph it).

The cabin is the device's own unit (a voyage's cabins are its units), never an
identifier from the request; the terminals module knows nothing of boarding, boarding
reads the device's unit through `terminals.service` and adds its tile."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from app import clock
from modules.boarding import permissions, service
from modules.terminals import service as terminals
from tenants.context import Ctx

PASSES_PATH = "/terminal/boarding-passes"

if not any(t.key == "boarding_passes" for t in terminals.TERMINAL_TILES):
    terminals.TERMINAL_TILES.append(
        terminals.TerminalTile(
            "boarding_passes", "Boarding passes", PASSES_PATH, "itinerary", 16, kinds=("cruise",)
        )
    )


class CabinPassesController(Controller):
    path = PASSES_PATH
    opt = {"guard": permissions.CABIN_TERMINAL}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False
    exception_handlers = terminals.TERMINAL_EXCEPTION_HANDLERS

    @get("/")
    async def passes(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        device_id = ctx.principal.device_id
        unit = await terminals.device_unit(ctx.db, ctx.tenant_id, device_id) if device_id else None
        cards = await service.cabin_passes(ctx.db, ctx.tenant_id, unit.id) if unit else []
        return await terminals.terminal_page(
            request,
            ctx,
            "boarding/passes/terminal.html",
            active="boarding_passes",
            cards=cards,
            tz=clock.tz_of(ctx.tenant),
        )


ROUTES = [CabinPassesController]
