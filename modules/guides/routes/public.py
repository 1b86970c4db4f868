"""The public licence look-up `/verify/guide`: a tourist types (or scans) a licence number
and sees the guide's name, photo, level, languages and whether the licence is valid today.

Which enterprise archives the number comes from the global registry (`permissions.VERIFY`);
an unknown number, a guide who left and a malformed number all answer the same neutral
page. Every look-up is counted per client address (app/web/ratelimit): past the limit the
answer is a 429 page, so the form cannot be used to harvest the registry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from app.errors import NotFound
from app.web.ratelimit import RateLimited, allow
from app.web.responses import file_response
from modules.guides import domain, permissions, service
from tenants.context import Ctx

BUCKET = "verify-guide"
LIMIT = 20  # look-ups per client address
PER = timedelta(minutes=10)

LOOKUP = {"guard": permissions.VERIFY}


@get("/verify/guide", opt=LOOKUP, include_in_schema=False)
async def verify_guide(
    request: Request[Any, Any, Any], ctx: Ctx, licence: FromQuery[str | None] = None
) -> Template:
    typed = (licence or "").strip()
    context: dict[str, Any] = {"typed": typed, "labels": domain.labels(), "guide": None}
    if typed:
        if not await allow(ctx.db, BUCKET, ctx.ip, limit=LIMIT, per=PER):
            raise RateLimited()
        context["searched"] = domain.normalize_licence(typed)
        if ctx.tenant is not None:
            context["today"] = domain.business_date(ctx.tenant.timezone)
            context["guide"] = await service.public_guide(
                ctx.db,
                ctx.tenant.id,
                typed,
                today=context["today"],
                agency_name=ctx.tenant.name,
            )
    return Template(template_name="guides/verify.html", context=context)


@get("/verify/guide/{licence:str}/photo/{token:str}", opt=LOOKUP, include_in_schema=False)
async def verify_guide_photo(
    ctx: Ctx, licence: FromPath[str], token: FromPath[str]
) -> Response[bytes]:
    """The photo the look-up page shows; only with the token that page handed out."""
    photo = (
        await service.public_photo(ctx.db, ctx.tenant.id, licence, token)
        if ctx.tenant is not None
        else None
    )
    if photo is None:
        raise NotFound()
    return file_response(photo.data, photo.content_type, cache="public, max-age=3600")


ROUTES = [verify_guide, verify_guide_photo]
