"""The guide's record in the console: certificates (upload, download, delete), ratings and
complaints (record, resolve). Each form answers with a redirect back to the guide page,
or the page again with the form's errors."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from app.errors import Conflict, Invalid
from modules.guides import service
from modules.guides.routes_console import GUIDE, GUIDE_ROLES, MULTIPART, guide_page
from modules.guides.schemas import CertificateForm, ComplaintForm, RatingForm, ResolveForm
from modules.guides.web import actor, attempt, field_errors, file_response, read_upload, today
from tenants.context import Ctx

RESOLVE_ROLES = frozenset({"manager"})  # closing a complaint is a manager's call
CERTIFICATE = {"certificate_id": "guide_certificates"}
COMPLAINT = {**GUIDE, "complaint_id": "guide_complaints"}


def _back(guide_id: uuid.UUID, notice: str) -> Redirect:
    return Redirect(f"/console/guides/{guide_id}?notice={notice}", status_code=303)


class GuideRecordsController(Controller):
    path = "/console/guides/{guide_id:uuid}"
    opt = {"access": "staff", "roles": GUIDE_ROLES}  # noqa: RUF012 - Litestar reads it per class
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
        try:
            await attempt(
                ctx.db,
                service.add_certificate(
                    ctx.db,
                    ctx.tenant_id,
                    guide_id,
                    data,
                    filename=filename,
                    data=content,
                    actor=actor(ctx),
                ),
            )
        except Invalid as exc:
            return await guide_page(
                request,
                ctx,
                guide_id,
                errors=field_errors(exc),
                failed="certificate",
                status_code=exc.status_code,
                certificate_form=data,
            )
        return _back(guide_id, "certificate_added")

    @post("/ratings", opt={"owns": GUIDE})
    async def add_rating(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        guide_id: FromPath[uuid.UUID],
        data: URLEncodedBody[RatingForm],
    ) -> Response[Any]:
        try:
            await attempt(
                ctx.db,
                service.add_rating(
                    ctx.db, ctx.tenant_id, guide_id, data, today=today(ctx), actor=actor(ctx)
                ),
            )
        except Invalid as exc:
            return await guide_page(
                request,
                ctx,
                guide_id,
                errors=field_errors(exc),
                failed="rating",
                status_code=exc.status_code,
                rating_form=data,
            )
        return _back(guide_id, "rating_added")

    @post("/complaints", opt={"owns": GUIDE})
    async def add_complaint(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        guide_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ComplaintForm],
    ) -> Response[Any]:
        try:
            await attempt(
                ctx.db,
                service.add_complaint(
                    ctx.db, ctx.tenant_id, guide_id, data, today=today(ctx), actor=actor(ctx)
                ),
            )
        except Invalid as exc:
            return await guide_page(
                request,
                ctx,
                guide_id,
                errors=field_errors(exc),
                failed="complaint",
                status_code=exc.status_code,
                complaint_form=data,
            )
        return _back(guide_id, "complaint_added")

    @post(
        "/complaints/{complaint_id:uuid}/resolve",
        opt={"owns": COMPLAINT, "roles": RESOLVE_ROLES},
    )
    async def resolve(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        guide_id: FromPath[uuid.UUID],
        complaint_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ResolveForm],
    ) -> Response[Any]:
        try:
            await attempt(
                ctx.db,
                service.resolve_complaint(
                    ctx.db,
                    ctx.tenant_id,
                    guide_id,
                    complaint_id,
                    resolution=data.resolution,
                    actor=actor(ctx),
                ),
            )
        except (Invalid, Conflict) as exc:
            return await guide_page(
                request,
                ctx,
                guide_id,
                errors=field_errors(exc),
                failed=f"resolve-{complaint_id}",
                status_code=exc.status_code,
            )
        return _back(guide_id, "complaint_resolved")


class CertificatesController(Controller):
    """A certificate by its own id (download, delete): the file belongs to one guide."""

    path = "/console/guides/certificates/{certificate_id:uuid}"
    opt = {"access": "staff", "roles": GUIDE_ROLES, "owns": CERTIFICATE}  # noqa: RUF012
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
            ctx.db, ctx.tenant_id, certificate_id, actor=actor(ctx)
        )
        return _back(guide_id, "certificate_deleted")
