"""The public sign-up page: an enterprise registers itself and its owner is signed in."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Invalid, TooManyRequests
from app.i18n import current_locale
from app.i18n import gettext as translate  # runtime msgids (errors), not literals
from tenants import permissions, service
from tenants.context import SESSION_COOKIE, Ctx
from tenants.routes.auth import LAST_TENANT_COOKIE
from tenants.schemas.signup import SignupForm

# The form's field names where they differ from the service's.
_FIELD_NAMES = {"owner_password": "password"}


def _page(
    form: SignupForm,
    *,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    return Template(
        template_name="public/signup.html",
        context={
            "form": form,
            "kinds": form.kind_list(),
            "kind_labels": service.KIND_LABELS,
            "errors": errors or {},
            "error": error,
        },
        status_code=status_code,
    )


class SignupController(Controller):
    path = "/signup"
    opt = {"guard": permissions.PUBLIC}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def form(self) -> Template:
        return _page(SignupForm())

    @post("/")
    async def submit(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[SignupForm]
    ) -> Redirect | Template:
        locale = current_locale()
        new = service.NewTenant(
            name=data.name,
            slug=data.slug.strip().lower(),
            kinds=data.kind_list(),
            owner_email=data.owner_email,
            owner_password=data.password,
            owner_name=data.owner_name,
            enterprise_code=data.enterprise_code.strip() or None,
            locale=locale,
        )
        try:
            signed = await service.sign_up(
                ctx.db, new, ip=ctx.ip, user_agent=ctx.user_agent, locale=locale
            )
        except TooManyRequests as exc:
            return _page(data, error=translate(exc.message), status_code=429)
        except Invalid as exc:
            errors = {
                _FIELD_NAMES.get(e["field"], e["field"]): translate(e["message"])
                for e in exc.errors or []
                if e.get("field")
            }
            return _page(data, errors=errors, error=translate(exc.message), status_code=422)
        response = Redirect("/console", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            signed.cookie_value,
            max_age=signed.max_age,
            httponly=True,
            secure=request.app.state.settings.secure_cookies,
            samesite="lax",
            path="/",
        )
        response.set_cookie(LAST_TENANT_COOKIE, new.slug, max_age=365 * 86400, samesite="lax")
        return response


ROUTES = [SignupController]
NAV: list[Any] = []
