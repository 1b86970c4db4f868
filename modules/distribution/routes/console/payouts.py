"""结算付款 `/console/distribution/payouts/…`: the supplier's finance sees what it is owed
from settled statements and payable now, asks for a payout (申请付款), and follows its payouts
with their state, amounts and the Stripe or bank references."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from app.web.nav import NavItem
from modules.distribution import permissions
from modules.distribution.schemas.payouts import (
    PayoutMethodLabel,
    PayoutRequestForm,
    PayoutStatusLabel,
)
from modules.distribution.service import payouts as service
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

BASE = "/console/distribution/payouts"
PAYOUT = {"payout_id": "dist_payouts"}
LABELS: dict[str, Any] = {
    "status_labels": PayoutStatusLabel.labels(),
    "method_labels": PayoutMethodLabel.labels(),
}


async def _index(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    form: PayoutRequestForm | None = None,
    errors: dict[str, str] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "distribution/payouts/index.html",
        active="distribution-payouts",
        status_code=status_code,
        tz=clock.tz_of(ctx.tenant),
        payable=await service.payable(ctx.db, ctx.tenant_id),
        rows=await service.list_payouts(ctx.db, ctx.tenant_id),
        form=form or PayoutRequestForm(),
        errors=errors or {},
        done=done,
        **LABELS,
    )


class PayoutsConsole(Controller):
    path = BASE
    opt = {"guard": permissions.FINANCE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, done: FromQuery[str] = ""
    ) -> Template:
        return await _index(request, ctx, done="requested" if done == "requested" else "")

    @post("/", opt={"guard": permissions.FINANCE_WRITE})
    async def request_payout(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[PayoutRequestForm]
    ) -> Template | Redirect:
        try:
            bank = data.parse()
            await attempt(
                ctx.db, service.request_payout(ctx.db, ctx.tenant_id, bank=bank, actor=ctx.actor)
            )
        except (Invalid, Conflict) as exc:
            code = 422 if isinstance(exc, Invalid) else 409
            return await _index(request, ctx, form=data, errors=field_errors(exc), status_code=code)
        return Redirect(f"{BASE}?done=requested", status_code=303)

    @get("/{payout_id:uuid}", opt={"owns": PAYOUT})
    async def show(
        self, request: Request[Any, Any, Any], ctx: Ctx, payout_id: FromPath[uuid.UUID]
    ) -> Template:
        return console_page(
            request,
            ctx,
            "distribution/payouts/detail.html",
            active="distribution-payouts",
            tz=clock.tz_of(ctx.tenant),
            payout=await service.get_payout(ctx.db, ctx.tenant_id, payout_id),
            **LABELS,
        )


ROUTES: list[Any] = [PayoutsConsole]
NAV: list[NavItem] = [
    NavItem(
        key="distribution-payouts",
        label="Distribution payouts",
        href=BASE,
        roles=permissions.FINANCE,
        module="distribution",
        order=66,
    )
]
