"""API keys: the console pages where managers issue and revoke them, and `GET /api/v1/me`
where a device checks the key it was given."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Invalid, NotAuthenticated
from app.i18n import gettext as translate  # runtime msgids (errors), not literals
from app.web.nav import NavItem
from tenants import permissions, service
from tenants.context import Ctx, RequestContext
from tenants.models import ApiKey
from tenants.schemas.apikeys import ApiKeyForm, MeKey, MeResponse, MeTenant
from tenants.shell import console_page


def _field_errors(exc: Invalid) -> dict[str, str]:
    return {e["field"]: translate(e["message"]) for e in exc.errors or [] if e.get("field")}


async def _list_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    form: ApiKeyForm | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "console/apikeys/list.html",
        active="apikeys",
        status_code=status_code,
        keys=await service.list_api_keys(ctx.db, ctx.tenant_id),
        scopes=_offered(request),
        form=form or ApiKeyForm(),
        chosen=service.parse_scopes(form.scopes) if form else (),
        errors=errors or {},
        notice=notice,
    )


def _offered(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Only scopes that some route requires: a key never gets a permission with nothing
    behind it."""
    in_use = request.app.state.scopes_in_use
    return {scope: label for scope, label in service.SCOPES.items() if scope in in_use}


class ApiKeysController(Controller):
    path = "/console/apikeys"
    opt = {"guard": permissions.MANAGE_KEYS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, revoked: FromQuery[str | None] = None
    ) -> Template:
        notice = (
            "The key was revoked; devices using it are refused from now on." if revoked else None
        )
        return await _list_page(request, ctx, notice=notice)

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[ApiKeyForm]
    ) -> Template:
        try:
            created = await service.create_api_key(
                ctx.db,
                ctx.tenant_id,
                name=data.name,
                scopes=service.parse_scopes(data.scopes),
                actor_user_id=ctx.principal.user_id,
                ip=ctx.ip,
                offered=_offered(request),
            )
        except Invalid as exc:
            return await _list_page(
                request, ctx, form=data, errors=_field_errors(exc), status_code=422
            )
        page = console_page(
            request,
            ctx,
            "console/apikeys/created.html",
            active="apikeys",
            status_code=201,
            key=created,
            scopes=service.SCOPES,
        )
        # The token is on this page only: never let a browser or proxy keep a copy.
        page.headers["Cache-Control"] = "no-store"
        return page

    @get("/{key_id:uuid}/revoke", opt={"owns": {"key_id": ApiKey}})
    async def confirm_revoke(
        self, request: Request[Any, Any, Any], ctx: Ctx, key_id: FromPath[uuid.UUID]
    ) -> Template:
        key = await service.get_api_key(ctx.db, ctx.tenant_id, key_id)
        return console_page(request, ctx, "console/apikeys/revoke.html", active="apikeys", key=key)

    @post("/{key_id:uuid}/revoke", opt={"owns": {"key_id": ApiKey}})
    async def revoke(self, ctx: Ctx, key_id: FromPath[uuid.UUID]) -> Redirect:
        await service.revoke_api_key(
            ctx.db, ctx.tenant_id, key_id, actor_user_id=ctx.principal.user_id, ip=ctx.ip
        )
        return Redirect("/console/apikeys?revoked=1", status_code=303)


@get(
    "/api/v1/me",
    opt={"guard": permissions.ANY_KEY},
    tags=["keys"],
    security=[{"apiKey": []}],
    summary="The key making this call",
    description="Lets a device or partner check its key: the enterprise it belongs to, "
    "its name and its scopes. 401 when the key is unknown, revoked or its enterprise "
    "is suspended.",
)
async def me(ctx: Ctx) -> MeResponse:
    """Answered from the key the request context has just read and checked (no second
    read of the same row)."""
    key = ctx.principal
    if key.api_key_id is None or ctx.tenant is None:
        raise NotAuthenticated("A valid API key is required.")
    return MeResponse(
        tenant=MeTenant(slug=ctx.tenant.slug, name=ctx.tenant.name),
        key=MeKey(
            id=key.api_key_id,
            name=key.display_name or "",
            scopes=[s for s in service.SCOPES if s in key.scopes],
        ),
    )


ROUTES = [ApiKeysController, me]
NAV = [
    NavItem(
        key="apikeys",
        label="API keys",
        href="/console/apikeys",
        roles=permissions.MANAGE_KEYS,
        section="admin",
        order=30,
    )
]
