"""The enterprise's online payment account page: open its Stripe connected account, go
through Stripe's onboarding, see whether it takes payments and receives payouts."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from app.web.nav import NavItem
from modules.payments import permissions, service
from tenants.context import Ctx
from tenants.shell import console_page

PAGE = "/console/payments/account"


class AccountController(Controller):
    path = PAGE
    opt = {"guard": permissions.MANAGE_ACCOUNT}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def show(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        account = await service.account_status(ctx.db, ctx.tenant_id)
        return console_page(
            request, ctx, "payments/account.html", active="payments-account", account=account
        )

    @post("/")
    async def open(self, ctx: Ctx) -> Redirect:
        """Opens the account (once), then back to the page, whose link goes on to Stripe:
        a form's redirect may not leave the site (`form-action 'self'`), a link may."""
        await service.open_account(ctx.db, ctx.tenant_id, actor_user_id=ctx.principal.user_id)
        return Redirect(PAGE, status_code=303)

    @get("/onboarding")
    async def onboarding(self, ctx: Ctx) -> Redirect:
        """A fresh Stripe onboarding link each time (links are single-use and short-lived;
        Stripe sends an expired one back here). A link, not a form, so the console's
        `form-action 'self'` policy allows the redirect to Stripe."""
        url = await service.onboarding_link(ctx.db, ctx.tenant_id)
        return Redirect(url, status_code=303)


ROUTES: list[object] = [AccountController]
NAV: list[object] = [
    NavItem(
        key="payments-account",
        label="Online payment account",
        href=PAGE,
        roles=permissions.MANAGE_ACCOUNT,
        section="admin",
        order=51,
    )
]
