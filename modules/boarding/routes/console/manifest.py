"""The real-name manifest in the console: the voyage's cabins and passengers (ID numbers
masked), counts per boarding port, corrections with the change log, the CSV and PDF exports,
and the manager's low-water change of boarding port."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from app.web.responses import file_response, pdf_response
from modules.boarding import permissions
from modules.boarding.schemas.manifest import (
    ID_TYPE_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
    ManifestFilters,
    ManifestPassenger,
    PassengerEdit,
    PortChangeForm,
)
from modules.boarding.service import manifest as service
from modules.boarding.service import manifest_export, ports
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

VOYAGE = {"voyage_id": "boarding_voyages"}
PASSENGER = {"passenger_id": "passengers"}
ACTIVE = "boarding"
CSV_TYPE = "text/csv; charset=utf-8"
NOTICES = {
    "saved": "The passenger's details are saved.",
    "unchanged": "Nothing was changed.",
    "moved": "The boarding port is changed; the passengers are told by SMS.",
}


def _base(voyage_id: uuid.UUID) -> str:
    return f"/console/boarding/voyages/{voyage_id}/manifest"


def _edit_of(p: ManifestPassenger) -> PassengerEdit:
    return PassengerEdit(
        name=p.name,
        sex=p.sex,
        id_type=p.id_type,
        id_number="",  # typed only to correct it: the page never shows a full number
        birth_date=p.birth_date.isoformat(),
        phone=p.phone,
        emergency_name=p.emergency_name,
        emergency_phone=p.emergency_phone,
        unit_id=str(p.unit_id or ""),
    )


class ManifestController(Controller):
    path = "/console/boarding/voyages/{voyage_id:uuid}"
    opt = {"guard": permissions.PURSERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/manifest", opt={"owns": VOYAGE})
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        port: FromQuery[str] = "",
        cabin: FromQuery[str] = "",
        not_aboard: FromQuery[str] = "",
        q: FromQuery[str] = "",
        notice: FromQuery[str] = "",
    ) -> Template:
        filters = ManifestFilters(
            port=port.strip()[:8],
            cabin=cabin.strip()[:20],
            not_aboard=not_aboard in ("1", "on", "true"),
            q=q.strip()[:60],
        )
        manifest = await service.get_manifest(ctx.db, ctx.tenant_id, voyage_id, filters=filters)
        changes = await service.manifest_changes(ctx.db, ctx.tenant_id, voyage_id)
        return console_page(
            request,
            ctx,
            "boarding/manifest/index.html",
            active=ACTIVE,
            manifest=manifest,
            changes=changes[:10],
            notice=NOTICES.get(notice),
            base=_base(voyage_id),
            can_move=permissions.MANAGERS.admits(ctx.principal.role),
            statuses=STATUS_LABELS,
            id_types=ID_TYPE_LABELS,
            sexes=SEX_LABELS,
        )

    @get("/manifest/changes", opt={"owns": VOYAGE})
    async def changes(
        self, request: Request[Any, Any, Any], ctx: Ctx, voyage_id: FromPath[uuid.UUID]
    ) -> Template:
        voyage = await service.voyage_header(ctx.db, ctx.tenant_id, voyage_id)
        changes = await service.manifest_changes(ctx.db, ctx.tenant_id, voyage_id)
        return console_page(
            request,
            ctx,
            "boarding/manifest/changes.html",
            active=ACTIVE,
            voyage=voyage,
            changes=changes,
            base=_base(voyage_id),
        )

    @get("/manifest.csv", opt={"owns": VOYAGE})
    async def csv(self, ctx: Ctx, voyage_id: FromPath[uuid.UUID]) -> Response[bytes]:
        """The full manifest with full ID numbers (audited)."""
        export = await manifest_export.manifest_csv(
            ctx.db, ctx.tenant_id, voyage_id, actor=ctx.actor
        )
        return file_response(
            export.data,
            "text/csv; charset=utf-8",
            filename=export.filename,
            cache="private, no-store",
        )

    @get("/manifest.pdf", opt={"owns": VOYAGE})
    async def pdf(self, ctx: Ctx, voyage_id: FromPath[uuid.UUID]) -> Response[bytes]:
        """The printable manifest (audited)."""
        export = await manifest_export.manifest_pdf(
            ctx.db, ctx.tenant_id, voyage_id, actor=ctx.actor
        )
        return pdf_response(export.data, export.filename)

    @get("/manifest/boarding-port", opt={"owns": VOYAGE, "guard": permissions.MANAGERS})
    async def port_form(
        self, request: Request[Any, Any, Any], ctx: Ctx, voyage_id: FromPath[uuid.UUID]
    ) -> Template:
        return await _port_page(request, ctx, voyage_id, form=PortChangeForm())

    @post("/manifest/boarding-port", opt={"owns": VOYAGE, "guard": permissions.MANAGERS})
    async def change_port(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        data: URLEncodedBody[PortChangeForm],
    ) -> Response[Any]:
        try:
            await attempt(
                ctx.db,
                ports.change_boarding_port(ctx.db, ctx.tenant_id, voyage_id, data, actor=ctx.actor),
            )
        except (Invalid, Conflict) as exc:
            return await _port_page(
                request,
                ctx,
                voyage_id,
                form=data,
                errors=field_errors(exc),
                status_code=exc.status_code,
            )
        return Redirect(f"{_base(voyage_id)}?notice=moved", status_code=303)


class ManifestPassengerController(Controller):
    """One passenger of a manifest: the correction form and its change log."""

    path = "/console/boarding/passengers"
    opt = {"guard": permissions.PURSERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/{passenger_id:uuid}", opt={"owns": PASSENGER})
    async def edit(
        self, request: Request[Any, Any, Any], ctx: Ctx, passenger_id: FromPath[uuid.UUID]
    ) -> Template:
        p = await service.manifest_passenger(ctx.db, ctx.tenant_id, passenger_id)
        return await _edit_page(request, ctx, p, form=_edit_of(p))

    @post("/{passenger_id:uuid}", opt={"owns": PASSENGER})
    async def save(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        passenger_id: FromPath[uuid.UUID],
        data: URLEncodedBody[PassengerEdit],
    ) -> Response[Any]:
        try:
            p = await attempt(
                ctx.db,
                service.edit_passenger(ctx.db, ctx.tenant_id, passenger_id, data, actor=ctx.actor),
            )
        except (Invalid, Conflict) as exc:
            p = await service.manifest_passenger(ctx.db, ctx.tenant_id, passenger_id)
            return await _edit_page(
                request, ctx, p, form=data, errors=field_errors(exc), status_code=exc.status_code
            )
        return Redirect(f"{_base(p.voyage_id)}?notice=saved#p-{passenger_id}", status_code=303)


async def _edit_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    p: ManifestPassenger,
    *,
    form: PassengerEdit,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "boarding/manifest/edit.html",
        active=ACTIVE,
        status_code=status_code,
        passenger=p,
        voyage=await service.voyage_header(ctx.db, ctx.tenant_id, p.voyage_id),
        form=form,
        errors=errors or {},
        cabins=await service.cabin_choices(ctx.db, ctx.tenant_id, p.voyage_id),
        changes=await service.manifest_changes(
            ctx.db, ctx.tenant_id, p.voyage_id, passenger_id=p.id
        ),
        base=_base(p.voyage_id),
        id_types=ID_TYPE_LABELS,
        sexes=SEX_LABELS,
    )


async def _port_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    voyage_id: uuid.UUID,
    *,
    form: PortChangeForm,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    manifest = await service.get_manifest(
        ctx.db, ctx.tenant_id, voyage_id, filters=ManifestFilters(not_aboard=True)
    )
    return console_page(
        request,
        ctx,
        "boarding/manifest/port.html",
        active=ACTIVE,
        status_code=status_code,
        manifest=manifest,
        form=form,
        chosen=set(form.chosen()),
        errors=errors or {},
        ports=ports.low_water_ports(),
        base=_base(voyage_id),
    )


ROUTES = [ManifestController, ManifestPassengerController]
