"""Console pages of bureau filing: the filings list and detail (retry, re-file with
corrections), the shell's badge, and the owner's bureau registration."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Invalid
from app.i18n import gettext as translate  # runtime msgids (errors), not literals
from app.web.errors import is_htmx
from modules.filings import permissions, service
from modules.filings.domain import KINDS, STATES
from modules.filings.models import Filing
from modules.filings.schemas import RefileForm, RegistrationForm
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

OWNS = {"owns": {"filing_id": Filing}}


def _field_errors(exc: Invalid) -> dict[str, str]:
    return {e["field"]: translate(e["message"]) for e in exc.errors or [] if e.get("field")}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def _detail(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    filing_id: uuid.UUID,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Template:
    view = await service.filing_detail(ctx.db, ctx.tenant_id, filing_id)
    registration = await service.registration_view(ctx.db, ctx.tenant_id)
    return console_page(
        request,
        ctx,
        "filings/detail.html",
        active="filings",
        status_code=status_code,
        view=view,
        registration=registration,
        can_act=permissions.ACT.admits(ctx.principal.role),
        **extra,
    )


class FilingsController(Controller):
    path = "/console/filings"
    opt = {"guard": permissions.VIEW}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        kind: FromQuery[str | None] = None,
        state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
        date_from: FromQuery[str | None] = None,
        date_to: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        assert ctx.tenant is not None
        result = await service.list_filings(
            ctx.db,
            ctx.tenant_id,
            kind=kind,
            state=state_filter,
            date_from=_day(date_from),
            date_to=_day(date_to),
            timezone=ctx.tenant.timezone,
            page=page,
        )
        registration = await service.registration_view(ctx.db, ctx.tenant_id)
        return console_page(
            request,
            ctx,
            "filings/index.html",
            active="filings",
            result=result,
            registration=registration,
            kinds=KINDS,
            states=STATES,
        )

    @get("/badge")
    async def badge(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        """The shell's badge, fetched by htmx after the page loads (no query per page)."""
        count = await service.attention_count(ctx.db, ctx.tenant_id)
        return Template(template_name="filings/_partials/badge.html", context={"count": count})

    @get("/{filing_id:uuid}", opt=OWNS)
    async def detail(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        filing_id: FromPath[uuid.UUID],
        done: FromQuery[str | None] = None,
    ) -> Template:
        return await _detail(request, ctx, filing_id, done=done)

    @post("/{filing_id:uuid}/retry", opt={**OWNS, "guard": permissions.ACT})
    async def retry(self, ctx: Ctx, filing_id: FromPath[uuid.UUID]) -> Redirect:
        await service.retry_filing(
            ctx.db, ctx.tenant_id, filing_id, actor_user_id=ctx.principal.user_id, ip=ctx.ip
        )
        return Redirect(f"/console/filings/{filing_id}?done=retried", status_code=303)

    @post("/{filing_id:uuid}/refile", opt={**OWNS, "guard": permissions.ACT})
    async def refile(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        filing_id: FromPath[uuid.UUID],
        data: URLEncodedBody[RefileForm],
    ) -> Redirect | Template:
        try:
            new = await service.refile(
                ctx.db,
                ctx.tenant_id,
                filing_id,
                data.payload,
                actor_user_id=ctx.principal.user_id,
                ip=ctx.ip,
            )
        except Invalid as exc:
            errors = _field_errors(exc)
            return await _detail(
                request, ctx, filing_id, status_code=422, errors=errors, draft=data.payload
            )
        return Redirect(f"/console/filings/{new.id}?done=refiled", status_code=303)


def _registration_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    view: service.RegistrationView,
    *,
    form: RegistrationForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Template:
    shown = form or RegistrationForm(
        enterprise_code=view.enterprise_code, district_code=view.district_code
    )
    return console_page(
        request,
        ctx,
        "filings/registration.html",
        active="bureau",
        status_code=status_code,
        view=view,
        form=shown,
        errors=errors or {},
        **extra,
    )


class RegistrationController(Controller):
    path = "/console/filings/registration"
    opt = {"guard": permissions.REGISTER}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def edit(
        self, request: Request[Any, Any, Any], ctx: Ctx, done: FromQuery[str | None] = None
    ) -> Template:
        view = await service.registration_view(ctx.db, ctx.tenant_id)
        return _registration_page(request, ctx, view, done=done)

    @post("/")
    async def save(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[RegistrationForm]
    ) -> Redirect | Template:
        try:
            await service.save_registration(
                ctx.db,
                ctx.tenant_id,
                request.app.state.settings,
                enterprise_code=data.enterprise_code,
                district_code=data.district_code,
                filing_secret=data.filing_secret,
                actor_user_id=ctx.principal.user_id,
                ip=ctx.ip,
            )
        except Invalid as exc:
            view = await service.registration_view(ctx.db, ctx.tenant_id)
            data.filing_secret = ""  # never echoed back
            errors = _field_errors(exc)
            return _registration_page(request, ctx, view, form=data, errors=errors, status_code=422)
        return Redirect("/console/filings/registration?done=saved", status_code=303)

    @post("/test")
    async def test(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        """Ask the bureau, with a signed request, whether it accepts our credentials."""
        outcome = await service.test_connection(ctx.db, ctx.tenant_id, request.app.state.settings)
        if is_htmx(request):
            return Template(
                template_name="filings/_partials/test_result.html", context={"test": outcome}
            )
        view = await service.registration_view(ctx.db, ctx.tenant_id)
        return _registration_page(request, ctx, view, test=outcome)

    @post("/resume")
    async def resume(self, ctx: Ctx) -> Redirect:
        await service.resume_filing(
            ctx.db, ctx.tenant_id, actor_user_id=ctx.principal.user_id, ip=ctx.ip
        )
        return Redirect("/console/filings/registration?done=resumed", status_code=303)


ROUTES = [RegistrationController, FilingsController]
