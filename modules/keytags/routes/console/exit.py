"""The exit desk in the console:

- `/console/keytags/exit`: scan the tag (the reader types the UID and Enter into the focused
  box) and go to its bill;
- `/console/keytags/visits/{visit_id}/bill`: the itemised bill (with the party's when asked),
  the pay form (method, cash handed over, the method for what a card hold leaves), and once
  settled the payments with the change, the time to pass the gate by and the receipt;
- `/console/keytags/visits/{visit_id}/receipt.pdf`: the receipt in Chinese.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from app.web.responses import pdf_response
from modules.keytags import permissions, service
from modules.keytags.domain import DESK_METHODS, TenderKind, TenderMethod
from modules.keytags.schemas.exit import PayForm, ScanForm
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

ACTIVE = "keytags-exit"
VISIT = {"visit_id": "spa_visits"}


def _bill_url(visit_id: uuid.UUID, *, party: bool, done: bool = False) -> str:
    query = [("party", "1")] if party else []
    if done:
        query.append(("done", "1"))
    tail = "&".join(f"{k}={v}" for k, v in query)
    return f"/console/keytags/visits/{visit_id}/bill" + (f"?{tail}" if tail else "")


async def _bill_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    visit_id: uuid.UUID,
    *,
    party: bool,
    form: PayForm | None = None,
    errors: dict[str, str] | None = None,
    done: bool = False,
    status_code: int = 200,
) -> Template:
    bill = await service.bill(ctx.db, ctx.tenant_id, visit_id, party=party)
    return console_page(
        request,
        ctx,
        "keytags/exit/bill.html",
        active=ACTIVE,
        bill=bill,
        party=party,
        form=form or PayForm(method=bill.methods()[0].value),
        errors=errors or {},
        done=done,
        methods=TenderMethod.labels(),
        tender_kinds=TenderKind.labels(),
        desk_methods=[m.value for m in DESK_METHODS],
        tz=clock.tz_of(ctx.tenant),
        status_code=status_code,
    )


class ExitConsole(Controller):
    path = "/console/keytags"
    opt = {"guard": permissions.DESK}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/exit")
    async def exit_desk(
        self, request: Request[Any, Any, Any], ctx: Ctx, tag: FromQuery[str] = ""
    ) -> Template | Redirect:
        """The scan box; a scanned tag goes straight to its bill."""
        form = ScanForm(tag=tag)
        error = ""
        if form.tag:
            try:
                visit = await service.visit_for_tag(ctx.db, ctx.tenant_id, form.tag)
            except service.UnknownTag as exc:
                error = exc.message
            else:
                return Redirect(_bill_url(visit.id, party=False), status_code=303)
        return console_page(
            request,
            ctx,
            "keytags/exit/desk.html",
            active=ACTIVE,
            form=form,
            error=error,
        )

    @get("/visits/{visit_id:uuid}/bill", opt={"owns": VISIT})
    async def bill(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        visit_id: FromPath[uuid.UUID],
        party: FromQuery[str] = "",
        done: FromQuery[str] = "",
    ) -> Template:
        """The itemised bill and the pay form (or, settled, what was paid)."""
        return await _bill_page(request, ctx, visit_id, party=party == "1", done=done == "1")

    @post("/visits/{visit_id:uuid}/settle", opt={"owns": VISIT})
    async def settle(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        visit_id: FromPath[uuid.UUID],
        data: URLEncodedBody[PayForm],
    ) -> Template | Redirect:
        """Pay the bill: refused, the bill again with the reason and nothing kept; paid,
        back to the bill with the payments, the change and the receipt."""
        together = data.together()
        try:
            tendered = data.tendered_fen()
            await attempt(
                ctx.db,
                service.settle(
                    ctx.db,
                    ctx.tenant_id,
                    visit_id,
                    method=data.method,
                    tendered_fen=tendered,
                    rest_method=data.rest_method or None,
                    party=together,
                    actor=ctx.actor,
                ),
            )
        except (Invalid, Conflict) as exc:
            return await _bill_page(
                request,
                ctx,
                visit_id,
                party=together,
                form=data,
                errors=field_errors(exc),
                status_code=exc.status_code,
            )
        return Redirect(_bill_url(visit_id, party=together, done=True), status_code=303)

    @get("/visits/{visit_id:uuid}/receipt.pdf", opt={"owns": VISIT})
    async def receipt(self, ctx: Ctx, visit_id: FromPath[uuid.UUID]) -> Response[bytes]:
        """The receipt in Chinese (the party settled with the visit included)."""
        assert ctx.tenant is not None
        pdf = await service.receipt_pdf(
            ctx.db,
            ctx.tenant_id,
            visit_id,
            resort=ctx.tenant.name,
            tz=clock.tz_of(ctx.tenant),
        )
        visit = await service.bill(ctx.db, ctx.tenant_id, visit_id)
        return pdf_response(pdf, f"receipt-{visit.lead.visit.number}.pdf")


ROUTES = [ExitConsole]
