"""The console's pass signing keys (`/console/boarding/keys`, managers): which key signs
new boarding passes, which retired keys still verify and until when, and rotating."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from app import clock
from modules.boarding import permissions, service
from tenants.context import Ctx
from tenants.shell import console_page

KEYS_PATH = "/console/boarding/keys"
NOTICES = {
    "rotated": "A new key signs passes from now on. Passes signed by the old key keep "
    "working until they expire.",
}


class PassKeysController(Controller):
    path = KEYS_PATH
    opt = {"guard": permissions.MANAGERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def keys(
        self, request: Request[Any, Any, Any], ctx: Ctx, notice: FromQuery[str | None] = None
    ) -> Template:
        return console_page(
            request,
            ctx,
            "boarding/passes/keys.html",
            active="boarding",
            keys=await service.pass_keys(ctx.db, ctx.tenant_id),
            pack_key=service.offline_pack_key(ctx.tenant_id),
            notice=NOTICES.get(notice or ""),
            now=clock.now(),
        )

    @post("/rotate")
    async def rotate(self, ctx: Ctx) -> Redirect:
        """Retire the signing key and make a new one (a suspected leak, or routine)."""
        await service.rotate_key(ctx.db, ctx.tenant_id, actor=ctx.actor)
        return Redirect(f"{KEYS_PATH}?notice=rotated", status_code=303)


ROUTES = [PassKeysController]
