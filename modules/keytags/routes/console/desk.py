"""The admission desk in the console:

- `/console/keytags`: scan a tag (the reader types the UID and Enter into the focused box)
  to open its visit; the admission form (persons with ticket, changing room, tag or QR
  wristband, locker; the source; how the tab is covered); occupancy per changing room; the
  visits in the resort;
- `/console/keytags/visits/{visit_id}`: one visit with its tags, charges and desk money, and
  block / replace / cancel; the exit bill is the exit desk's page;
- `/console/keytags/visits/{visit_id}/wristband.pdf`: a QR wristband to print.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext
from app.web.forms import attempt, field_errors
from app.web.responses import pdf_response
from modules.keytags import domain, permissions, service
from modules.keytags.schemas.desk import (
    FORM_ROWS,
    AdmissionForm,
    BlockForm,
    CancelForm,
    ReplaceForm,
    ScanForm,
    form_errors,
    read_admission,
)
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

ACTIVE = "keytags-desk"
VISIT = {"visit_id": "spa_visits"}


def _visit_url(visit_id: uuid.UUID, note: str = "") -> str:
    return f"/console/keytags/visits/{visit_id}" + (f"?done={note}" if note else "")


async def _desk_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    scan: ScanForm | None = None,
    scan_error: str = "",
    form: AdmissionForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    tz = clock.tz_of(ctx.tenant)
    choices = await service.desk_choices(ctx.db, ctx.tenant_id, tz=tz)
    return console_page(
        request,
        ctx,
        "keytags/desk/home.html",
        active=ACTIVE,
        scan=scan or ScanForm(),
        scan_error=scan_error,
        values=form.values if form else {},
        errors=errors or {},
        choices=choices,
        card=await service.card_form(ctx.db, ctx.tenant_id),
        rows=range(FORM_ROWS),
        occupancy=await service.locker_occupancy(ctx.db, ctx.tenant_id),
        visits=await service.visits_in_resort(ctx.db, ctx.tenant_id),
        sources=domain.VisitSource.labels(),
        tab_modes=domain.TabMode.labels(),
        statuses=domain.VisitStatus.labels(),
        tz=tz,
        status_code=status_code,
    )


async def _visit_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    visit_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "keytags/desk/visit.html",
        active=ACTIVE,
        page=await service.visit_page(ctx.db, ctx.tenant_id, visit_id),
        errors=errors or {},
        done=done,
        sources=domain.VisitSource.labels(),
        tab_modes=domain.TabMode.labels(),
        statuses=domain.VisitStatus.labels(),
        tag_kinds=domain.TagKind.labels(),
        tag_statuses=domain.TagStatus.labels(),
        charge_kinds=domain.ChargeKind.labels(),
        tender_kinds=domain.TenderKind.labels(),
        methods=domain.TenderMethod.labels(),
        tz=clock.tz_of(ctx.tenant),
        status_code=status_code,
    )


class DeskConsole(Controller):
    path = "/console/keytags"
    opt = {"guard": permissions.DESK}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def desk(
        self, request: Request[Any, Any, Any], ctx: Ctx, tag: FromQuery[str] = ""
    ) -> Template | Redirect:
        """The desk: a scanned tag goes straight to its visit."""
        scan = ScanForm(tag=tag)
        error = ""
        if scan.tag:
            visit_id = await service.visit_of_tag(ctx.db, ctx.tenant_id, scan.tag)
            if visit_id is not None:
                return Redirect(_visit_url(visit_id), status_code=303)
            error = gettext("No visit holds this tag.")
        return await _desk_page(request, ctx, scan=scan, scan_error=error)

    @post("/admit")
    async def admit(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template | Redirect:
        """Admit the persons of the form; refused, the form again with the reasons."""
        raw = await request.form()
        form = AdmissionForm(values={}, rows=())
        try:
            form, admission = read_admission({k: raw.getall(k) for k in raw})
            visits = await attempt(
                ctx.db,
                service.open_party(
                    ctx.db,
                    ctx.tenant_id,
                    admission,
                    actor=ctx.actor,
                    tz=clock.tz_of(ctx.tenant),
                ),
            )
        except (Invalid, Conflict, NotFound) as exc:
            if not form.values:
                form = AdmissionForm(values={k: str(raw.get(k, ""))[:255] for k in raw}, rows=())
            return await _desk_page(
                request,
                ctx,
                form=form,
                errors=form_errors(field_errors(exc), form.rows),
                status_code=exc.status_code if not isinstance(exc, NotFound) else 422,
            )
        return Redirect(_visit_url(visits[0].id, "admitted"), status_code=303)

    @get("/visits/{visit_id:uuid}", opt={"owns": VISIT})
    async def visit(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        visit_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        """One visit: tags, charges, desk money, the party; block, replace, cancel."""
        note = done if done in ("admitted", "blocked", "replaced", "cancelled") else ""
        return await _visit_page(request, ctx, visit_id, done=note)

    @post("/visits/{visit_id:uuid}/block", opt={"owns": VISIT})
    async def block(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        visit_id: FromPath[uuid.UUID],
        data: URLEncodedBody[BlockForm],
    ) -> Template | Redirect:
        """Block the visit's tag (lost): it stops at every outlet at once."""
        call = service.block_tag(
            ctx.db,
            ctx.tenant_id,
            visit_id,
            reason=data.reason,
            charge_fee=data.waive_fee != "1",
            actor=ctx.actor,
        )
        return await self._act(request, ctx, visit_id, call, "blocked")

    @post("/visits/{visit_id:uuid}/replace", opt={"owns": VISIT})
    async def replace(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        visit_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ReplaceForm],
    ) -> Template | Redirect:
        """Bind a new tag (scanned, or a QR wristband printed now) to the same visit."""
        call = service.replace_tag(
            ctx.db,
            ctx.tenant_id,
            visit_id,
            tag_uid=data.tag_uid,
            qr_wristband=data.qr == "1",
            actor=ctx.actor,
        )
        return await self._act(request, ctx, visit_id, call, "replaced")

    @post("/visits/{visit_id:uuid}/cancel", opt={"owns": VISIT})
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        visit_id: FromPath[uuid.UUID],
        data: URLEncodedBody[CancelForm],
    ) -> Template | Redirect:
        """Cancel a visit opened by mistake (nothing charged on it)."""
        call = service.cancel_visit(
            ctx.db, ctx.tenant_id, visit_id, reason=data.reason, actor=ctx.actor
        )
        return await self._act(request, ctx, visit_id, call, "cancelled")

    async def _act(
        self,
        request: Request[Any, Any, Any],
        ctx: RequestContext,
        visit_id: uuid.UUID,
        call: Any,
        done: str,
    ) -> Template | Redirect:
        try:
            await attempt(ctx.db, call)
        except (Invalid, Conflict) as exc:
            return await _visit_page(
                request,
                ctx,
                visit_id,
                errors=field_errors(exc),
                status_code=exc.status_code,
            )
        return Redirect(_visit_url(visit_id, done), status_code=303)

    @get("/visits/{visit_id:uuid}/wristband.pdf", opt={"owns": VISIT})
    async def wristband(self, ctx: Ctx, visit_id: FromPath[uuid.UUID]) -> Response[bytes]:
        """The visit's QR wristband, to print on the wristband printer."""
        assert ctx.tenant is not None
        pdf = await service.wristband_pdf(
            ctx.db,
            ctx.tenant_id,
            visit_id,
            resort=ctx.tenant.name,
            tz=clock.tz_of(ctx.tenant),
        )
        return pdf_response(pdf, f"wristband-{visit_id}.pdf")


ROUTES = [DeskConsole]
