"""The enterprise settings page (owners only)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Invalid
from app.i18n import gettext as translate  # runtime msgids (errors), not literals
from app.web.nav import NavItem
from tenants import permissions, service
from tenants.context import Ctx, RequestContext
from tenants.schemas.settings import SettingsForm
from tenants.shell import console_page


def _field_errors(exc: Invalid) -> dict[str, str]:
    return {e["field"]: translate(e["message"]) for e in exc.errors or [] if e.get("field")}


def _page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    form: service.TenantSettings,
    *,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Template:
    timezones: tuple[str, ...] = service.TIMEZONES
    if form.timezone and form.timezone not in timezones:
        timezones = (form.timezone, *timezones)
    return console_page(
        request,
        ctx,
        "console/settings/edit.html",
        active="settings",
        status_code=status_code,
        form=form,
        errors=errors or {},
        saved=saved,
        modules=service.MODULES,
        locales=service.LOCALE_CHOICES,
        timezones=timezones,
    )


class SettingsController(Controller):
    path = "/console/settings"
    opt = {"guard": permissions.OWNER}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def edit(
        self, request: Request[Any, Any, Any], ctx: Ctx, saved: FromQuery[str | None] = None
    ) -> Template:
        current = await service.tenant_settings(ctx.db, ctx.tenant_id)
        return _page(request, ctx, current, saved=bool(saved))

    @post("/")
    async def save(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[SettingsForm]
    ) -> Redirect | Template:
        try:
            await service.update_tenant_settings(
                ctx.db,
                ctx.tenant_id,
                name=data.name,
                enterprise_code=data.enterprise_code,
                locale=data.locale,
                timezone=data.timezone,
                modules=data.module_list(),
                address=data.address,
                phone=data.phone,
                actor_user_id=ctx.principal.user_id,
                ip=ctx.ip,
            )
        except Invalid as exc:
            errors = _field_errors(exc)
            shown = service.TenantSettings(
                name=data.name,
                enterprise_code=data.enterprise_code,
                locale=data.locale,
                timezone=data.timezone,
                modules=data.module_list(),
                address=data.address,
                phone=data.phone,
            )
            return _page(request, ctx, shown, errors=errors, status_code=422)
        return Redirect("/console/settings?saved=1", status_code=303)


ROUTES = [SettingsController]
NAV = [
    NavItem(
        key="settings",
        label="Enterprise settings",
        href="/console/settings",
        roles=permissions.OWNER,
        section="admin",
        order=50,
    )
]
