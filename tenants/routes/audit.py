"""The audit log page: read only, for owners, managers and auditors."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from app import clock
from app.web.nav import NavItem
from tenants import permissions, service
from tenants.context import Ctx
from tenants.shell import console_page


@get(
    "/console/audit",
    opt={"guard": permissions.AUDIT},
    include_in_schema=False,
)
async def audit_log(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    action: FromQuery[str | None] = None,
    actor: FromQuery[str | None] = None,
    date_from: Annotated[str | None, QueryParameter(name="from")] = None,
    date_to: Annotated[str | None, QueryParameter(name="to")] = None,
    page: FromQuery[str | None] = None,
) -> Template:
    flt = service.audit_filter(
        action=action,
        actor=actor,
        date_from=date_from,
        date_to=date_to,
        page=page,
    )
    timezone = clock.tz_of(ctx.tenant)
    result = await service.list_audit_events(ctx.db, ctx.tenant_id, flt, timezone=timezone)
    return console_page(
        request,
        ctx,
        "console/audit/list.html",
        active="audit",
        result=result,
        actions=service.AUDIT_ACTIONS,
    )


ROUTES = [audit_log]
NAV = [
    NavItem(
        key="audit",
        label="Audit log",
        href="/console/audit",
        roles=permissions.AUDIT,
        section="admin",
        order=40,
    )
]
