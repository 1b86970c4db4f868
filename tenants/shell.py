"""Rendering console pages inside the shell: navigation filtered by the tenant's enabled
modules and the user's role."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from app.web.nav import NavItem
from tenants.context import RequestContext


def console_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    template: str,
    *,
    active: str = "",
    status_code: int = 200,
    **context: Any,
) -> Template:
    nav: list[NavItem] = request.app.state.nav
    tenant = ctx.tenant
    enabled = tenant.enabled_modules if tenant else ()
    visible = [item for item in nav if item.visible(ctx.principal.role, enabled)]
    shell = {
        "tenant": tenant,
        "principal": ctx.principal,
        "nav": visible,
        "active": active,
        "badges": getattr(request.state, "badges", {}),
    }
    return Template(
        template_name=template, context={"shell": shell, **context}, status_code=status_code
    )
