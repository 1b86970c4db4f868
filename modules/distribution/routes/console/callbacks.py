"""The supplier's callbacks `/console/distribution/callbacks`: every webhook sent to its
distributors with its state and attempts (time, answer, error, duration), and 重新发送 — one
more attempt by hand, through the delivery job. Finance and managers look; managers and
cashiers re-send."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app.web.nav import NavItem
from modules.distribution import permissions
from modules.distribution.service import callbacks, delivery
from tenants.context import Ctx
from tenants.shell import console_page

ACTIVE = "distribution-callbacks"
OWNS = {"owns": {"callback_id": "dist_callbacks"}}
NOTICES = {"resent": "The callback is queued to be sent again."}


class CallbacksConsole(Controller):
    path = "/console/distribution/callbacks"
    opt = {"guard": permissions.FINANCE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        status: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        result = await callbacks.callback_page(ctx.db, ctx.tenant_id, status=status, page=page)
        return console_page(
            request,
            ctx,
            "distribution/callbacks/index.html",
            active=ACTIVE,
            result=result,
            statuses=callbacks.STATUSES,
        )

    @get("/{callback_id:uuid}", opt=OWNS)
    async def detail(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        callback_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        found = await callbacks.callback_detail(ctx.db, ctx.tenant_id, callback_id)
        return console_page(
            request,
            ctx,
            "distribution/callbacks/detail.html",
            active=ACTIVE,
            found=found,
            notice=NOTICES.get(done),
            may_resend=permissions.FINANCE_WRITE.admits(ctx.principal.role),
        )

    @post("/{callback_id:uuid}/resend", opt={**OWNS, "guard": permissions.FINANCE_WRITE})
    async def resend(self, ctx: Ctx, callback_id: FromPath[uuid.UUID]) -> Redirect:
        await delivery.resend(ctx.db, ctx.tenant_id, callback_id)
        return Redirect(
            f"/console/distribution/callbacks/{callback_id}?done=resent", status_code=303
        )


ROUTES: list[Any] = [CallbacksConsole]
NAV: list[NavItem] = [
    NavItem(
        key=ACTIVE,
        label="Distributor callbacks",
        href="/console/distribution/callbacks",
        roles=permissions.FINANCE,
        module="distribution",
        order=58,
    )
]
