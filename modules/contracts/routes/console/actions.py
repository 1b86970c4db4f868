"""What staff do to a contract once drafted: send it to the tourist (link, QR, SMS),
take it back, countersign, amend, cancel (with the refund shown first), and download
its signed PDF."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid
from app.web.forms import attempt
from app.web.responses import pdf_response
from modules.contracts import domain, permissions, service
from modules.contracts.routes.console.forms import (
    field_errors,
    form_lists,
    labels,
    new_key,
    values_of,
    values_typed,
)
from modules.contracts.routes.console.pages import CONTRACT, contract_detail, form_page
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page


def _due_by(notice: str | None) -> date | None:
    try:
        return domain.refund_due_by(date.fromisoformat(notice)) if notice else None
    except ValueError:
        return None


def _to(contract_id: uuid.UUID, notice: str) -> Redirect:
    return Redirect(f"/console/contracts/{contract_id}?notice={notice}", status_code=303)


async def _cancel_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    contract_id: uuid.UUID,
    *,
    form: dict[str, list[str]] | None = None,
    quote: domain.Refund | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    page = await service.contract_page(ctx.db, ctx.tenant_id, contract_id)
    typed = {k: v[0] for k, v in (form or {}).items() if v}
    typed.setdefault("notice_date", clock.today(clock.tz_of(ctx.tenant)).isoformat())
    return console_page(
        request, ctx, "contracts/cancel.html", active="contracts", status_code=status_code,
        page=page, c=page.contract, typed=typed, quote=quote, errors=errors or {},
        due_by=_due_by(typed.get("notice_date")) if quote else None,
        labels=labels(), cancellers=domain.CANCELLERS,
    )  # fmt: skip


class ContractActionsController(Controller):
    path = "/console/contracts/{contract_id:uuid}"
    opt = {"guard": permissions.CONTRACTS, "owns": CONTRACT}  # noqa: RUF012
    include_in_schema = False

    @post("/send")
    async def send(
        self, request: Request[Any, Any, Any], ctx: Ctx, contract_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Sends the link and shows it with its QR code (the only time the URL is shown:
        only its hash is kept)."""
        try:
            link = await attempt(
                ctx.db,
                service.send_to_tourist(ctx.db, ctx.tenant_id, contract_id, actor=ctx.actor),
            )
        except (Invalid, Conflict) as exc:
            return await contract_detail(
                request, ctx, contract_id, errors=field_errors(exc), status_code=exc.status_code
            )
        return await contract_detail(request, ctx, contract_id, link=link)

    @post("/recall")
    async def recall(self, ctx: Ctx, contract_id: FromPath[uuid.UUID]) -> Redirect:
        await service.recall(ctx.db, ctx.tenant_id, contract_id, actor=ctx.actor)
        return _to(contract_id, "recalled")

    @post("/countersign")
    async def countersign(
        self, request: Request[Any, Any, Any], ctx: Ctx, contract_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        try:
            await attempt(
                ctx.db, service.countersign(ctx.db, ctx.tenant_id, contract_id, actor=ctx.actor)
            )
        except Conflict as exc:
            return await contract_detail(
                request, ctx, contract_id, errors=field_errors(exc), status_code=409
            )
        return _to(contract_id, "signed")

    @get("/amend")
    async def amend_form(
        self, request: Request[Any, Any, Any], ctx: Ctx, contract_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        if (
            await service.contract_status(ctx.db, ctx.tenant_id, contract_id)
            != domain.ContractStatus.SIGNED
        ):
            return Redirect(f"/console/contracts/{contract_id}", status_code=303)
        data = await service.draft_input(ctx.db, ctx.tenant_id, contract_id)
        v, tourists, days = values_of(data)
        return await form_page(
            request, ctx, values=(v, tourists or [{"key": new_key()}], days or [{}]),
            action=f"/console/contracts/{contract_id}/amend", title="Amend contract",
            amend=True,
        )  # fmt: skip

    @post("/amend")
    async def amend(
        self, request: Request[Any, Any, Any], ctx: Ctx, contract_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        form = await form_lists(request)
        reason = (form.get("reason") or [""])[0]
        try:
            data = service.parse_draft_form(form)
            await attempt(
                ctx.db,
                service.amend(
                    ctx.db, ctx.tenant_id, contract_id, data, reason=reason, actor=ctx.actor
                ),
            )
        except (Invalid, Conflict) as exc:
            return await form_page(
                request, ctx, values=values_typed(form),
                action=f"/console/contracts/{contract_id}/amend", title="Amend contract",
                errors=field_errors(exc), status_code=exc.status_code, amend=True,
                reason=reason,
            )  # fmt: skip
        return _to(contract_id, "amended")

    @get("/cancel")
    async def cancel_form(
        self, request: Request[Any, Any, Any], ctx: Ctx, contract_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        if (
            await service.contract_status(ctx.db, ctx.tenant_id, contract_id)
            != domain.ContractStatus.SIGNED
        ):
            return Redirect(f"/console/contracts/{contract_id}", status_code=303)
        return await _cancel_page(request, ctx, contract_id)

    @post("/cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], ctx: Ctx, contract_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """With `preview`, only shows the refund the scale gives; otherwise cancels."""
        form = await form_lists(request)
        try:
            data = service.parse_cancel_form(form)
            if form.get("preview"):
                quote = await service.refund_quote(ctx.db, ctx.tenant_id, contract_id, data)
                return await _cancel_page(request, ctx, contract_id, form=form, quote=quote)
            await attempt(
                ctx.db,
                service.cancel(ctx.db, ctx.tenant_id, contract_id, data, actor=ctx.actor),
            )
        except (Invalid, Conflict) as exc:
            return await _cancel_page(
                request, ctx, contract_id, form=form, errors=field_errors(exc),
                status_code=exc.status_code,
            )  # fmt: skip
        return _to(contract_id, "cancelled")

    @get("/pdf")
    async def pdf(
        self, ctx: Ctx, contract_id: FromPath[uuid.UUID], version: FromQuery[int | None] = None
    ) -> Response[bytes]:
        filename, pdf = await service.contract_pdf(ctx.db, ctx.tenant_id, contract_id, version)
        return pdf_response(pdf, filename)


ROUTES = [ContractActionsController]
