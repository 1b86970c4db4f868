"""The resort's gates through the API: a tag read at the entry (the billing clock starts) or
at the exit (opens only for a settled visit within the exit window)."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody

from modules.keytags import permissions, service
from modules.keytags.schemas.exit import GateIn, GateOut
from tenants.context import Ctx


class GateApi(Controller):
    path = "/api/v1/keytags"
    tags = ["keytags"]  # noqa: RUF012 - Litestar reads it per class
    security = [{"apiKey": []}]  # noqa: RUF012

    @post(
        "/gate",
        opt={"guard": permissions.GATE_API},
        status_code=200,
        summary="A tag read at the entry or exit gate",
    )
    async def gate(self, ctx: Ctx, data: JSONBody[GateIn]) -> GateOut:
        """`in`: the first pass starts the visit's billing clock (later passes change nothing).
        `out`: `open` true only for a visit settled at the exit desk within the resort's exit
        window; the visit then ends (exit time recorded, the tag back in stock or a printed
        wristband retired, the locker free). Otherwise `open` false with `reason`: `unpaid`
        (with `due_fen`), `settle_again` (the window has passed; with the time added since),
        `unknown_tag`, `blocked`, `no_visit` (no visit holds the tag: already out) or
        `settled` (a settled tag at the entry). Nothing is written on a refusal."""
        result = await service.gate(
            ctx.db,
            ctx.tenant_id,
            uid=data.uid,
            direction=data.direction,
            device_id=data.device_id,
            actor=ctx.actor,
        )
        return GateOut.of(result)


ROUTES = [GateApi]
