"""Staff management (owners change, managers and auditors look), accepting an
invitation, and one's own account.

Row actions answer htmx with the updated table row and plain forms with a redirect, so
the page works with and without JavaScript."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import AppError, Conflict, Invalid
from app.i18n import gettext as _
from app.web.errors import is_htmx
from app.web.nav import NavItem
from tenants import permissions, service
from tenants.context import SESSION_COOKIE, Ctx, RequestContext
from tenants.models import ROLES, Membership, StaffSession
from tenants.routes.auth import (
    LINK_PAGE_HEADERS,
    field_errors,
    link_invalid_page,
    remember_tenant,
    throttled_message,
)
from tenants.schemas.auth import PasswordChangeForm
from tenants.schemas.staff import AcceptForm, InviteForm, RoleForm
from tenants.shell import console_page

MEMBER = {"membership_id": Membership}
NOTICES = {
    "invited": "The invitation is on its way.",
    "role_changed": "The role has been changed.",
    "removed": "The person has been removed from the staff.",
    "resent": "The invitation has been sent again.",
    "password_changed": "Your password has been changed. Your other sessions were signed out.",
    "signed_out_elsewhere": "Your other sessions were signed out.",
    "session_ended": "That session was signed out.",
}


def _notice(key: str | None) -> str | None:
    return _(NOTICES[key]) if key in NOTICES else None


def _actor(ctx: RequestContext) -> service.Actor:
    p = ctx.principal
    return service.Actor(user_id=p.user_id, name=p.display_name or p.email or "", ip=ctx.ip)


class StaffController(Controller):
    path = "/console/staff"
    opt = {"guard": permissions.VIEW_STAFF}  # noqa: RUF012
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        *,
        removed: bool = False,
        notice: str | None = None,
        error: str | None = None,
        form: Any = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        members = await service.list_staff(ctx.db, ctx.tenant_id, include_removed=removed)
        return console_page(
            request,
            ctx,
            "console/staff/index.html",
            active="staff",
            status_code=status_code,
            members=members,
            roles=ROLES,
            role_label=service.role_label,
            can_manage=permissions.OWNER.admits(ctx.principal.role),
            show_removed=removed,
            notice=notice,
            error=error,
            form=form or {"email": "", "display_name": "", "role": "front_desk"},
            errors=errors or {},
        )

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        removed: FromQuery[bool] = False,
        notice: FromQuery[str | None] = None,
    ) -> Template:
        return await self._page(request, ctx, removed=removed, notice=_notice(notice))

    @post("/invite", opt={"guard": permissions.OWNER})
    async def invite(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[InviteForm]
    ) -> Template | Redirect:
        assert ctx.tenant is not None
        try:
            await service.invite_staff(
                ctx.db,
                ctx.tenant_id,
                ctx.tenant.name,
                actor=_actor(ctx),
                email=data.email,
                display_name=data.display_name,
                role=data.role,
            )
        except Invalid as exc:
            return await self._page(
                request, ctx, form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect("/console/staff?notice=invited", status_code=303)

    async def _row_answer(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        membership_id: uuid.UUID,
        notice: str,
        exc: AppError | None = None,
    ) -> Response[Any]:
        """htmx: the row, with the error in it if any. Plain form: back to the list."""
        if is_htmx(request):
            row = await service.staff_member(ctx.db, ctx.tenant_id, membership_id)
            return Template(
                template_name="console/staff/_partials/row.html",
                context={
                    "m": row,
                    "roles": ROLES,
                    "role_label": service.role_label,
                    "can_manage": True,
                    "me": ctx.principal.membership_id,
                    "row_error": _(exc.message) if exc else None,
                    "tz": clock.tz_of(ctx.tenant),
                },
                status_code=exc.status_code if exc else 200,
            )
        if exc is not None:
            message = next(iter(field_errors(exc).values()), None) or _(exc.message)
            return await self._page(request, ctx, error=message, status_code=exc.status_code)
        return Redirect(f"/console/staff?notice={notice}", status_code=303)

    @post("/{membership_id:uuid}/role", opt={"guard": permissions.OWNER, "owns": MEMBER})
    async def change_role(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        membership_id: FromPath[uuid.UUID],
        data: URLEncodedBody[RoleForm],
    ) -> Response[Any]:
        try:
            await service.change_role(
                ctx.db, ctx.tenant_id, membership_id, data.role, actor=_actor(ctx)
            )
        except (Conflict, Invalid) as exc:
            return await self._row_answer(request, ctx, membership_id, "", exc)
        return await self._row_answer(request, ctx, membership_id, "role_changed")

    @post("/{membership_id:uuid}/remove", opt={"guard": permissions.OWNER, "owns": MEMBER})
    async def remove(
        self, request: Request[Any, Any, Any], ctx: Ctx, membership_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        try:
            await service.remove_member(ctx.db, ctx.tenant_id, membership_id, actor=_actor(ctx))
        except Conflict as exc:
            return await self._row_answer(request, ctx, membership_id, "", exc)
        if membership_id == ctx.principal.membership_id:
            # Removed oneself: this session has just ended too.
            response: Response[Any] = Redirect("/console/login", status_code=303)
            if is_htmx(request):
                response = Response("", headers={"HX-Redirect": "/console/login"})
            response.delete_cookie(SESSION_COOKIE, path="/")
            return response
        return await self._row_answer(request, ctx, membership_id, "removed")

    @post("/{membership_id:uuid}/resend", opt={"guard": permissions.OWNER, "owns": MEMBER})
    async def resend(
        self, request: Request[Any, Any, Any], ctx: Ctx, membership_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        assert ctx.tenant is not None
        try:
            await service.resend_invitation(
                ctx.db, ctx.tenant_id, ctx.tenant.name, membership_id, actor=_actor(ctx)
            )
        except Conflict as exc:
            return await self._row_answer(request, ctx, membership_id, "", exc)
        return await self._row_answer(request, ctx, membership_id, "resent")


class InvitationController(Controller):
    """The page an invitation e-mail links to; the tenant is bound from the token."""

    path = "/console/invitation"
    opt = {"guard": permissions.EMAILED_LINK}  # noqa: RUF012
    include_in_schema = False

    async def _page(
        self,
        ctx: Ctx,
        token: str,
        errors: dict[str, str] | None = None,
        form: Any = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        details = await service.invitation_details(ctx.db, ctx.tenant_id, token)
        return Template(
            template_name="console/auth/invitation.html",
            context={
                "token": token,
                "invitation": details,
                "tenant": ctx.tenant,
                "role_label": service.role_label,
                "errors": errors or {},
                "form": form or {"display_name": details.display_name},
                "error": error,
            },
            status_code=status_code,
            headers=LINK_PAGE_HEADERS,
        )

    @get("/")
    async def accept_page(self, ctx: Ctx, token: FromQuery[str]) -> Template:
        try:
            return await self._page(ctx, token)
        except service.LinkInvalid as exc:
            return link_invalid_page(exc.message)

    @post("/")
    async def accept(self, ctx: Ctx, data: URLEncodedBody[AcceptForm]) -> Template | Redirect:
        try:
            email = await service.accept_invitation(
                ctx.db,
                ctx.tenant_id,
                token=data.token,
                display_name=data.display_name,
                password=data.password,
                password_confirm=data.password_confirm,
                current_password=data.current_password,
                ip=ctx.ip,
            )
        except service.LinkInvalid as exc:
            return link_invalid_page(exc.message)
        except service.LoginThrottled as exc:
            return await self._page(
                ctx, data.token, form=data, error=throttled_message(exc), status_code=429
            )
        except Invalid as exc:
            return await self._page(
                ctx, data.token, form=data, errors=field_errors(exc), status_code=422
            )
        assert ctx.tenant is not None
        response = Redirect(
            f"/console/login?{urlencode({'done': 'joined', 'email': email})}", status_code=303
        )
        remember_tenant(response, ctx.tenant.slug)
        return response


class AccountController(Controller):
    path = "/console/account"
    opt = {"guard": permissions.ANY_MEMBER}  # noqa: RUF012
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        *,
        notice: str | None = None,
        error: str | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        p = ctx.principal
        view = await service.account_overview(ctx.db, ctx.tenant_id, p.user_id, p.session_id)
        return console_page(
            request,
            ctx,
            "console/auth/account.html",
            active="account",
            status_code=status_code,
            account=view,
            notice=notice,
            error=error,
            errors=errors or {},
        )

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, notice: FromQuery[str | None] = None
    ) -> Template:
        return await self._page(request, ctx, notice=_notice(notice))

    @post("/password")
    async def change_password(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[PasswordChangeForm]
    ) -> Template | Redirect:
        p = ctx.principal
        try:
            await service.change_password(
                ctx.db,
                ctx.tenant_id,
                user_id=p.user_id,
                session_id=p.session_id,
                current_password=data.current_password,
                new_password=data.new_password,
                new_password_confirm=data.new_password_confirm,
                ip=ctx.ip,
            )
        except service.LoginThrottled as exc:
            response = await self._page(request, ctx, error=throttled_message(exc), status_code=429)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except Invalid as exc:
            return await self._page(request, ctx, errors=field_errors(exc), status_code=422)
        return Redirect("/console/account?notice=password_changed", status_code=303)

    @post("/sessions/end-others")
    async def end_other_sessions(self, ctx: Ctx) -> Redirect:
        p = ctx.principal
        await service.end_other_sessions(
            ctx.db, ctx.tenant_id, user_id=p.user_id, current_session_id=p.session_id, ip=ctx.ip
        )
        return Redirect("/console/account?notice=signed_out_elsewhere", status_code=303)

    @post("/sessions/{session_id:uuid}/end", opt={"owns": {"session_id": StaffSession}})
    async def end_session(self, ctx: Ctx, session_id: FromPath[uuid.UUID]) -> Redirect:
        await service.end_session(
            ctx.db, ctx.tenant_id, session_id, user_id=ctx.principal.user_id, ip=ctx.ip
        )
        return Redirect("/console/account?notice=session_ended", status_code=303)


ROUTES = [StaffController, InvitationController, AccountController]
NAV = [
    NavItem(
        key="staff",
        label="Staff",
        href="/console/staff",
        roles=permissions.VIEW_STAFF,
        section="admin",
        order=10,
    ),
    NavItem(key="account", label="My account", href="/console/account", section="admin", order=90),
]
