"""The guide archive in the console: the list (filters, licence badges), the archive card
form, the guide page with the record, the photo, and the navigation badge."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from app.documents.qr import qr_svg_data_uri
from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from app.web.responses import file_response
from modules.guides import domain, permissions, service
from modules.guides.routes.console.forms import has_code, read_upload, today
from modules.guides.schemas import GuideData, GuideForm
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

GUIDE = {"guide_id": "guides"}
MULTIPART = Body(media_type=RequestEncodingType.MULTI_PART)
NO_PHOTO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 90 120">'
    b'<rect width="90" height="120" fill="#eef1f4"/><circle cx="45" cy="44" r="20" fill="#c3cbd4"/>'
    b'<path d="M10 120c2-30 17-44 35-44s33 14 35 44z" fill="#c3cbd4"/></svg>'
)
NOTICES = {
    "created": "The guide is archived.",
    "saved": "Saved.",
    "certificate_added": "The certificate is uploaded.",
    "certificate_deleted": "The certificate is deleted.",
    "rating_added": "The rating is recorded.",
    "complaint_added": "The complaint is recorded.",
    "complaint_resolved": "The complaint is marked resolved.",
}


def _form_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    form: GuideData,
    guide_id: uuid.UUID | None = None,
    errors: dict[str, str] | None = None,
    unusual: bool = False,
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "guides/form.html",
        active="guides",
        status_code=status_code,
        form=form,
        guide_id=guide_id,
        errors=errors or {},
        unusual=unusual,
        labels=domain.labels(),
    )


def _data_of(view: service.GuideView) -> GuideData:
    s = view.summary
    return GuideData(
        licence_no=s.licence_no,
        name=s.name,
        level=s.level,
        languages=list(s.languages),
        licence_valid_until=s.licence_valid_until.isoformat(),
        qualification_no=view.qualification_no or "",
        affiliation=view.affiliation or "",
        phone=view.phone or "",
        status=s.status,
        notes=view.notes or "",
        accept_unusual_licence=view.unusual_licence,
    )


class GuidesController(Controller):
    path = "/console/guides"
    opt = {"guard": permissions.GUIDES}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        status: FromQuery[str | None] = domain.GuideStatus.ACTIVE,
        level: FromQuery[str | None] = None,
        language: FromQuery[str | None] = None,
        licence: FromQuery[str | None] = None,
    ) -> Template:
        rows = await service.search_guides(
            ctx.db,
            ctx.tenant_id,
            today=today(ctx),
            status=status,
            level=level,
            language=language,
            licence=licence,
        )
        due = await service.licences_due_count(ctx.db, ctx.tenant_id, today=today(ctx))
        filters = {"status": status or "", "level": level, "language": language, "licence": licence}
        return console_page(
            request,
            ctx,
            "guides/index.html",
            active="guides",
            rows=rows,
            due=due,
            filters=filters,
            labels=domain.labels(),
        )

    @get("/badge")
    async def badge(self, ctx: Ctx) -> Template:
        """Expired and soon-expiring licences, fetched by htmx after the page loads."""
        count = await service.licences_due_count(ctx.db, ctx.tenant_id, today=today(ctx))
        return Template(template_name="guides/_partials/badge.html", context={"count": count})

    @get("/new")
    async def new(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return _form_page(request, ctx, form=GuideData(languages=["mandarin"]))

    @post("/")
    async def create(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        data: Annotated[GuideForm, MULTIPART],
    ) -> Response[Any]:
        form = data.data()
        _name, photo = await read_upload(data.photo)
        try:
            view = await attempt(
                ctx.db,
                service.create_guide(
                    ctx.db, ctx.tenant_id, form, today=today(ctx), actor=ctx.actor, photo=photo
                ),
            )
        except (Invalid, Conflict) as exc:
            return _form_page(
                request,
                ctx,
                form=form,
                errors=field_errors(exc),
                unusual=has_code(exc, "unusual"),
                status_code=exc.status_code,
            )
        return Redirect(f"/console/guides/{view.summary.id}?notice=created", status_code=303)

    @get("/{guide_id:uuid}", opt={"owns": GUIDE})
    async def detail(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        guide_id: FromPath[uuid.UUID],
        notice: FromQuery[str | None] = None,
    ) -> Template:
        return await guide_page(request, ctx, guide_id, notice=notice)

    @get("/{guide_id:uuid}/edit", opt={"owns": GUIDE})
    async def edit(
        self, request: Request[Any, Any, Any], ctx: Ctx, guide_id: FromPath[uuid.UUID]
    ) -> Template:
        view = await service.get_guide(ctx.db, ctx.tenant_id, guide_id, today=today(ctx))
        return _form_page(
            request, ctx, form=_data_of(view), guide_id=guide_id, unusual=view.unusual_licence
        )

    @post("/{guide_id:uuid}", opt={"owns": GUIDE})
    async def update(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        guide_id: FromPath[uuid.UUID],
        data: Annotated[GuideForm, MULTIPART],
    ) -> Response[Any]:
        form = data.data()
        _name, photo = await read_upload(data.photo)
        try:
            await attempt(
                ctx.db,
                service.update_guide(
                    ctx.db,
                    ctx.tenant_id,
                    guide_id,
                    form,
                    today=today(ctx),
                    actor=ctx.actor,
                    photo=photo,
                ),
            )
        except (Invalid, Conflict) as exc:
            return _form_page(
                request,
                ctx,
                form=form,
                guide_id=guide_id,
                errors=field_errors(exc),
                unusual=has_code(exc, "unusual") or form.accept_unusual_licence,
                status_code=exc.status_code,
            )
        return Redirect(f"/console/guides/{guide_id}?notice=saved", status_code=303)

    @get("/{guide_id:uuid}/photo", opt={"owns": GUIDE})
    async def photo(self, ctx: Ctx, guide_id: FromPath[uuid.UUID]) -> Response[bytes]:
        """The photo (its URL changes with each upload, so it may be cached); a silhouette
        while the guide has none."""
        found = await service.guide_photo(ctx.db, ctx.tenant_id, guide_id)
        if found is None:
            return file_response(NO_PHOTO, "image/svg+xml", cache="private, max-age=300")
        return file_response(found.data, found.content_type, cache="private, max-age=86400")


async def guide_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    guide_id: uuid.UUID,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    failed: str | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Template:
    """The guide page; a refused form on it is shown again with its errors (`failed`
    names which form)."""
    record = await service.guide_record(ctx.db, ctx.tenant_id, guide_id, today=today(ctx))
    licence = record.guide.summary.licence_no
    check_url = (
        f"{request.app.state.settings.base_url}/verify/guide?{urlencode({'licence': licence})}"
    )
    return console_page(
        request,
        ctx,
        "guides/detail.html",
        active="guides",
        status_code=status_code,
        record=record,
        notice=NOTICES.get(notice or ""),
        errors=errors or {},
        failed=failed,
        today=today(ctx),
        can_resolve=permissions.RESOLVE.admits(ctx.principal.role),
        labels=domain.labels(),
        check_url=check_url,
        check_qr=qr_svg_data_uri(check_url),
        **extra,
    )
