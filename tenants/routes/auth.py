"""Staff sign-in and sign-out, forgotten passwords, and the console home."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import AppError, Invalid
from app.i18n import current_locale
from app.i18n import gettext as _
from app.settings import get_settings
from app.web.nav import NavItem
from tenants import permissions, service
from tenants.context import SESSION_COOKIE, Ctx
from tenants.schemas.auth import ForgotForm, LoginForm, ResetForm
from tenants.shell import console_page

LAST_TENANT_COOKIE = "zhilv_tenant"
# Pages whose URL carries a one-time secret: never leak it in a Referer, never cache.
LINK_PAGE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
LOGIN_NOTICES = {
    "password_reset": "Your password has been changed. Please sign in with the new one.",
    "joined": "Welcome aboard. Please sign in.",
}


def field_errors(exc: AppError) -> dict[str, str]:
    """Field errors of an `Invalid`, translated, keyed by field name (for field.html)."""
    found = {}
    for error in exc.errors or []:
        field, msgid = error.get("field"), str(error.get("message", ""))
        if field:
            found[field] = _(msgid)
    return found


def throttled_message(exc: service.LoginThrottled) -> str:
    minutes = max(1, math.ceil(exc.retry_after / 60))
    return _(
        "Too many failed sign-in attempts. Please try again in %(minutes)s minutes.",
        minutes=minutes,
    )


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/console") and not value.startswith("//"):
        return value
    return "/console"


def remember_tenant(response: Redirect, slug: str) -> None:
    response.set_cookie(LAST_TENANT_COOKIE, slug, max_age=365 * 86400, samesite="lax")


def _login_page(
    form: Any,
    next_: str | None,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    return Template(
        template_name="console/login.html",
        context={"form": form, "next": _safe_next(next_), "error": error, "notice": notice},
        status_code=status_code,
        headers=headers or {},
    )


class AuthController(Controller):
    path = "/console"
    opt = {"guard": permissions.PUBLIC}  # noqa: RUF012
    include_in_schema = False

    @get("/login")
    async def login_page(
        self,
        request: Request[Any, Any, Any],
        next: FromQuery[str | None] = None,
        done: FromQuery[str | None] = None,
        email: FromQuery[str] = "",
    ) -> Template:
        form = {"tenant": request.cookies.get(LAST_TENANT_COOKIE, ""), "email": email[:254]}
        notice = _(LOGIN_NOTICES[done]) if done in LOGIN_NOTICES else None
        return _login_page(form, next, notice=notice)

    @post("/login")
    async def login(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[LoginForm]
    ) -> Redirect | Template:
        try:
            signed = await service.sign_in(
                ctx.db,
                tenant_slug=data.tenant,
                email=data.email,
                password=data.password,
                ip=ctx.ip,
                user_agent=ctx.user_agent,
                locale=current_locale(),
                presented_cookie=request.cookies.get(SESSION_COOKIE),
            )
        except service.LoginThrottled as exc:
            headers = {"Retry-After": str(exc.retry_after)}
            return _login_page(
                data, data.next, error=throttled_message(exc), status_code=429, headers=headers
            )
        except Invalid as exc:
            return _login_page(data, data.next, error=_(exc.message), status_code=422)
        response = Redirect(_safe_next(data.next), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            signed.cookie_value,
            max_age=signed.max_age,
            httponly=True,
            secure=request.app.state.settings.secure_cookies,
            samesite="lax",
            path="/",
        )
        remember_tenant(response, data.tenant.strip().lower())
        return response

    @get("/forgot")
    async def forgot_page(self, request: Request[Any, Any, Any]) -> Template:
        form = {"tenant": request.cookies.get(LAST_TENANT_COOKIE, ""), "email": ""}
        return Template(template_name="console/auth/forgot.html", context={"form": form})

    @post("/forgot")
    async def forgot(self, ctx: Ctx, data: URLEncodedBody[ForgotForm]) -> Template:
        """The same answer whoever asks: the page must not tell who works where."""
        errors = {
            name: _("Fill in this field.")
            for name in ("tenant", "email")
            if not getattr(data, name).strip()
        }
        if errors:
            return Template(
                template_name="console/auth/forgot.html",
                context={"form": data, "errors": errors},
                status_code=422,
            )
        await service.request_password_reset(
            ctx.db, tenant_slug=data.tenant, email=data.email, ip=ctx.ip
        )
        minutes = get_settings().password_reset_ttl_minutes
        return Template(
            template_name="console/auth/forgot.html",
            context={"form": data, "sent": True, "minutes": minutes},
        )


def link_invalid_page(message: str) -> Template:
    return Template(
        template_name="console/auth/link_invalid.html",
        context={"message": _(message)},
        status_code=404,
        headers=LINK_PAGE_HEADERS,
    )


class ResetController(Controller):
    """The page a password-reset e-mail links to; the tenant is bound from the token."""

    path = "/console/reset"
    opt = {"guard": permissions.EMAILED_LINK}  # noqa: RUF012
    include_in_schema = False

    @get("/")
    async def reset_page(self, ctx: Ctx, token: FromQuery[str]) -> Template:
        try:
            email = await service.reset_link_email(ctx.db, ctx.tenant_id, token)
        except service.LinkInvalid as exc:
            return link_invalid_page(exc.message)
        return Template(
            template_name="console/auth/reset.html",
            context={"token": token, "email": email, "errors": {}},
            headers=LINK_PAGE_HEADERS,
        )

    @post("/")
    async def reset(self, ctx: Ctx, data: URLEncodedBody[ResetForm]) -> Template | Redirect:
        try:
            email = await service.reset_password(
                ctx.db,
                ctx.tenant_id,
                token=data.token,
                password=data.password,
                password_confirm=data.password_confirm,
                ip=ctx.ip,
            )
        except service.LinkInvalid as exc:
            return link_invalid_page(exc.message)
        except Invalid as exc:
            shown = await service.reset_link_email(ctx.db, ctx.tenant_id, data.token)
            return Template(
                template_name="console/auth/reset.html",
                context={"token": data.token, "email": shown, "errors": field_errors(exc)},
                status_code=422,
                headers=LINK_PAGE_HEADERS,
            )
        query = urlencode({"done": "password_reset", "email": email})
        response = Redirect(f"/console/login?{query}", status_code=303)
        assert ctx.tenant is not None
        remember_tenant(response, ctx.tenant.slug)
        return response


class ConsoleController(Controller):
    path = "/console"
    opt = {"guard": permissions.ANY_MEMBER}  # noqa: RUF012
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return console_page(request, ctx, "console/home.html", active="home")

    @post("/logout")
    async def logout(self, ctx: Ctx) -> Redirect:
        p = ctx.principal
        await service.sign_out(ctx.db, ctx.tenant_id, p.session_id, p.user_id, ip=ctx.ip)
        response = Redirect("/console/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


ROUTES = [AuthController, ResetController, ConsoleController]
NAV = [NavItem(key="home", label="Overview", href="/console", order=0)]
