"""The platform operator console, `/platform`: outside every enterprise."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Conflict, Invalid, TooManyRequests
from app.i18n import gettext as translate  # runtime msgids (errors), not literals
from tenants import permissions, service
from tenants.context import OPERATOR_COOKIE, Ctx, RequestContext
from tenants.models import Tenant
from tenants.schemas.platform import OperatorLoginForm, SuspendForm

OWNS_TENANT = {"owns": {"tenant_id": Tenant}}


def _field_errors(exc: Invalid) -> dict[str, str]:
    return {e["field"]: translate(e["message"]) for e in exc.errors or [] if e.get("field")}


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/platform") and not value.startswith("//"):
        return value
    return "/platform"


def _login_page(form: OperatorLoginForm, error: str | None = None, status: int = 200) -> Template:
    return Template(
        template_name="platform/login.html",
        context={"form": form, "next": _safe_next(form.next), "error": error},
        status_code=status,
    )


async def _tenant_page(
    ctx: RequestContext,
    tenant_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    reason: str = "",
    notice: str | None = None,
    status_code: int = 200,
) -> Template:
    return Template(
        template_name="platform/tenant.html",
        context={
            "operator": ctx.principal,
            "tenant": await service.tenant_for_operator(ctx.db, tenant_id),
            "kind_labels": service.KIND_LABELS,
            "errors": errors or {},
            "reason": reason,
            "notice": notice,
        },
        status_code=status_code,
    )


class OperatorAuthController(Controller):
    path = "/platform"
    opt = {"guard": permissions.PUBLIC}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/login")
    async def login_page(self, next: FromQuery[str | None] = None) -> Template:
        return _login_page(OperatorLoginForm(next=next or ""))

    @post("/login")
    async def login(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[OperatorLoginForm]
    ) -> Redirect | Template:
        try:
            signed = await service.operator_sign_in(
                ctx.db, email=data.email, password=data.password, ip=ctx.ip
            )
        except TooManyRequests as exc:
            return _login_page(data, translate(exc.message), 429)
        except Invalid as exc:
            # Returning (not raising) commits the failed attempt, which throttling counts.
            return _login_page(data, translate(exc.message), 422)
        response = Redirect(_safe_next(data.next), status_code=303)
        response.set_cookie(
            OPERATOR_COOKIE,
            signed.cookie_value,
            max_age=signed.max_age,
            httponly=True,
            secure=request.app.state.settings.secure_cookies,
            samesite="strict",
            path="/platform",
        )
        return response


class PlatformController(Controller):
    path = "/platform"
    opt = {"guard": permissions.OPERATOR}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def tenants(
        self,
        ctx: Ctx,
        page: FromQuery[int] = 1,
        status: FromQuery[str | None] = None,
    ) -> Template:
        result = await service.list_tenants_for_operator(ctx.db, page=page, status=status)
        return Template(
            template_name="platform/tenants.html",
            context={
                "operator": ctx.principal,
                "result": result,
                "kind_labels": service.KIND_LABELS,
            },
        )

    @get("/tenants/{tenant_id:uuid}", opt=OWNS_TENANT)
    async def tenant(
        self, ctx: Ctx, tenant_id: FromPath[uuid.UUID], done: FromQuery[str | None] = None
    ) -> Template:
        notice = {
            "suspended": "The enterprise is suspended. Its staff and API keys are refused.",
            "reactivated": "The enterprise is active again.",
        }.get(done or "")
        return await _tenant_page(ctx, tenant_id, notice=notice)

    @post("/tenants/{tenant_id:uuid}/suspend", opt=OWNS_TENANT)
    async def suspend(
        self, ctx: Ctx, tenant_id: FromPath[uuid.UUID], data: URLEncodedBody[SuspendForm]
    ) -> Redirect | Template:
        try:
            await service.suspend_tenant(
                ctx.db,
                tenant_id,
                reason=data.reason,
                operator_id=ctx.principal.user_id,
                operator_email=ctx.principal.email,
                ip=ctx.ip,
            )
        except Invalid as exc:
            errors = _field_errors(exc)
            return await _tenant_page(
                ctx, tenant_id, errors=errors, reason=data.reason, status_code=422
            )
        except Conflict:
            pass  # already suspended: show it as it is
        return Redirect(f"/platform/tenants/{tenant_id}?done=suspended", status_code=303)

    @post("/tenants/{tenant_id:uuid}/reactivate", opt=OWNS_TENANT)
    async def reactivate(self, ctx: Ctx, tenant_id: FromPath[uuid.UUID]) -> Redirect:
        try:
            await service.reactivate_tenant(
                ctx.db,
                tenant_id,
                operator_id=ctx.principal.user_id,
                operator_email=ctx.principal.email,
                ip=ctx.ip,
            )
        except Conflict:
            pass  # already active
        return Redirect(f"/platform/tenants/{tenant_id}?done=reactivated", status_code=303)

    @post("/logout")
    async def logout(self, ctx: Ctx) -> Redirect:
        if ctx.principal.session_id is not None:
            await service.operator_sign_out(ctx.db, ctx.principal.session_id)
        response = Redirect("/platform/login", status_code=303)
        response.delete_cookie(OPERATOR_COOKIE, path="/platform")
        return response


ROUTES = [OperatorAuthController, PlatformController]
NAV: list[Any] = []
