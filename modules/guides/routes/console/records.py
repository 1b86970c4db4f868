"""The guide's record in the console: certificates (upload, download, delete), ratings and
complaints (record, resolve). Each form answers with a redirect back to the guide page,
or the page again with the form's errors."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from app.errors import AppError, Conflict, Invalid
from app.web.forms import attempt, field_errors
from app.web.responses import file_response
from modules.guides import permissions, service
from modules.guides.routes.console.forms import read_upload, today
from modules.guides.routes.console.guides import GUIDE, MULTIPART, guide_page
from modules.guides.schemas import CertificateForm, ComplaintForm, RatingForm, ResolveForm
from tenants.context import Ctx

CERTIFICATE = {"certificate_id": "guide_certificates"}
COMPLAINT = {**GUIDE, "complaint_id": "guide_complaints"}


def _back(guide_id: uuid.UUID, notice: str) -> Redirect:
    return Redirect(f"/console/guides/{guide_id}?notice={notice}", status_code=303)


async def _record(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    guide_id: uuid.UUID,
    call: Awaitable[object],
    *,
    failed: str,
    notice: str,
    refused: tuple[type[AppError], ...] = (Invalid,),
    **form: Any,
) -> Response[Any]:
    """Every form on the guide page: the service call in a savepoint, then back to the
    page with `notice`, or the page again with the `failed` form's errors and input."""
    try:
        await attempt(ctx.db, call)
    except refused as exc:
        return await guide_page(
            request,
            ctx,
            guide_id,
            errors=field_errors(exc),
            failed=failed,
            status_code=exc.status_code,
            **form,
        )
    return _back(guide_id, notice)


class GuideRecordsController(Controller):
    path = "/console/guides/{guide_id:uuid}"
    opt = {"guard": permissions.GUIDES}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @post("/certificates", opt={"owns": GUIDE})
    async def add_certificate(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        guide_id: FromPath[uuid.UUID],
        data: Annotated[CertificateForm, MULTIPART],
    ) -> Response[Any]:
        filename, content = await read_upload(data.file)
        call = service.add_certificate(
            ctx.db, ctx.tenant_id, guide_id, data, filename=filename, data=content, actor=ctx.actor
        )
        return await _record(
            request,
            ctx,
            guide_id,
            call,
            failed="certificate",
            notice="certificate_added",
            certificate_form=data,
        )

    @post("/ratings", opt={"owns": GUIDE})
    async def add_rating(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        guide_id: FromPath[uuid.UUID],
        data: URLEncodedBody[RatingForm],
    ) -> Response[Any]:
        call = service.add_rating(
            ctx.db, ctx.tenant_id, guide_id, data, today=today(ctx), actor=ctx.actor
        )
        return await _record(
            request, ctx, guide_id, call, failed="rating", notice="rating_added", rating_form=data
        )

    @post("/complaints", opt={"owns": GUIDE})
    async def add_complaint(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        guide_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ComplaintForm],
    ) -> Response[Any]:
        call = service.add_complaint(
            ctx.db, ctx.tenant_id, guide_id, data, today=today(ctx), actor=ctx.actor
        )
        return await _record(
            request,
            ctx,
            guide_id,
            call,
            failed="complaint",
            notice="complaint_added",
            complaint_form=data,
        )

    @post(
        "/complaints/{complaint_id:uuid}/resolve",
        opt={"owns": COMPLAINT, "guard": permissions.RESOLVE},
    )
    async def resolve(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        guide_id: FromPath[uuid.UUID],
        complaint_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ResolveForm],
    ) -> Response[Any]:
        call = service.resolve_complaint(
            ctx.db,
            ctx.tenant_id,
            guide_id,
            complaint_id,
            resolution=data.resolution,
            actor=ctx.actor,
        )
        return await _record(
            request,
            ctx,
            guide_id,
            call,
            failed=f"resolve-{complaint_id}",
            notice="complaint_resolved",
            refused=(Invalid, Conflict),
        )


class CertificatesController(Controller):
    """A certificate by its own id (download, delete): the file belongs to one guide."""

    path = "/console/guides/certificates/{certificate_id:uuid}"
    opt = {"guard": permissions.GUIDES, "owns": CERTIFICATE}  # noqa: RUF012
    include_in_schema = False

    @get("/")
    async def download(self, ctx: Ctx, certificate_id: FromPath[uuid.UUID]) -> Response[bytes]:
        found = await service.certificate_download(ctx.db, ctx.tenant_id, certificate_id)
        return file_response(
            found.data, found.content_type, filename=found.filename, cache="private, no-store"
        )

    @post("/delete")
    async def delete(self, ctx: Ctx, certificate_id: FromPath[uuid.UUID]) -> Redirect:
        guide_id = await service.delete_certificate(
            ctx.db, ctx.tenant_id, certificate_id, actor=ctx.actor
        )
        return _back(guide_id, "certificate_deleted")
