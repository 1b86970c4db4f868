"""结算对账 `/console/distribution/statements/…`: the supplier's finance sees the statements,
settles now (立即结算, a job whose progress the page follows), confirms, disputes and answers
disputes, prints the PDF and the CSV, and reconciles redemptions against orders per period.
The distributor's side, `/console/distribution/my-statements/{agreement_id}`, reaches each
statement through its own agreement (the supplier's row, shown to it by `partner_read`) and
the statement's number (`?number=`, or the form's); it reads, prints (`&format=pdf|csv`),
confirms and disputes the same statement."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from app.web.input import read_int
from app.web.nav import NavItem
from app.web.responses import file_response, pdf_response
from modules.distribution import permissions
from modules.distribution.routes.console import settlement_pages as pages
from modules.distribution.schemas.settlement import DisputeForm, NumberForm, ResolveForm
from modules.distribution.service import disputes, settlement, statements
from tenants.context import Ctx

BASE = "/console/distribution"
STATEMENT = {"statement_id": "dist_statements"}
DISPUTE = {"statement_id": "dist_statements", "dispute_id": "dist_disputes"}
AGREEMENT = {"agreement_id": "dist_agreements"}


def _csv(view: Any) -> Response[bytes]:
    data = statements.statement_csv(view)
    return file_response(data, "text/csv; charset=utf-8", filename=f"{view.statement.number}.csv")


class StatementsConsole(Controller):
    path = f"{BASE}/statements"
    opt = {"guard": permissions.FINANCE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        page: FromQuery[str] = "",
        job: FromQuery[str] = "",
    ) -> Template:
        """The statements, newest period first, and the settlement run's progress."""
        return await pages.statements_page(
            request, ctx, page=read_int(page) or 1, job_id=read_int(job)
        )

    @post("/settle", opt={"guard": permissions.FINANCE_WRITE})
    async def settle_now(self, ctx: Ctx) -> Redirect:
        """立即结算: queue a settlement run now; the page follows its progress."""
        job_id = await settlement.request_settlement(ctx.db, ctx.tenant_id)
        return Redirect(f"{BASE}/statements?job={job_id}", status_code=303)

    @get("/progress")
    async def progress(
        self, request: Request[Any, Any, Any], ctx: Ctx, job: FromQuery[str] = ""
    ) -> Template:
        """The progress fragment (htmx polls it while the run waits or runs)."""
        return await pages.progress_fragment(request, ctx, job_id=read_int(job))

    @get("/{statement_id:uuid}", opt={"owns": STATEMENT})
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        statement_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        view = await statements.statement_view(ctx.db, ctx.tenant_id, statement_id)
        return pages.statement_page(request, ctx, view, side="supplier", done=done[:20])

    @get("/{statement_id:uuid}/statement.pdf", opt={"owns": STATEMENT})
    async def pdf(self, ctx: Ctx, statement_id: FromPath[uuid.UUID]) -> Response[bytes]:
        view = await statements.statement_view(ctx.db, ctx.tenant_id, statement_id)
        pdf = await statements.statement_pdf(view)
        return pdf_response(pdf, f"{view.statement.number}.pdf")

    @get("/{statement_id:uuid}/statement.csv", opt={"owns": STATEMENT})
    async def csv(self, ctx: Ctx, statement_id: FromPath[uuid.UUID]) -> Response[bytes]:
        return _csv(await statements.statement_view(ctx.db, ctx.tenant_id, statement_id))

    @post(
        "/{statement_id:uuid}/confirm",
        opt={"owns": STATEMENT, "guard": permissions.FINANCE_WRITE},
    )
    async def confirm(
        self, request: Request[Any, Any, Any], ctx: Ctx, statement_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        try:
            await attempt(
                ctx.db,
                statements.confirm_as_supplier(
                    ctx.db, ctx.tenant_id, statement_id, by=ctx.actor.name
                ),
            )
        except Conflict as exc:
            view = await statements.statement_view(ctx.db, ctx.tenant_id, statement_id)
            return pages.statement_page(
                request, ctx, view, side="supplier", errors=field_errors(exc), status_code=409
            )
        return Redirect(f"{BASE}/statements/{statement_id}?done=confirmed", status_code=303)

    @post(
        "/{statement_id:uuid}/disputes",
        opt={"owns": STATEMENT, "guard": permissions.FINANCE_WRITE},
    )
    async def dispute(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        statement_id: FromPath[uuid.UUID],
        data: URLEncodedBody[DisputeForm],
    ) -> Template | Redirect:
        try:
            await attempt(
                ctx.db,
                disputes.dispute_as_supplier(
                    ctx.db,
                    ctx.tenant_id,
                    statement_id,
                    by=ctx.actor.name,
                    entry_id=data.entry_id,
                    reason=data.reason,
                    amount=data.amount,
                ),
            )
        except (Invalid, Conflict) as exc:
            view = await statements.statement_view(ctx.db, ctx.tenant_id, statement_id)
            return pages.statement_page(
                request, ctx, view, side="supplier", form=data, errors=field_errors(exc),
                status_code=exc.status_code,
            )  # fmt: skip
        return Redirect(f"{BASE}/statements/{statement_id}?done=disputed", status_code=303)

    @post(
        "/{statement_id:uuid}/disputes/{dispute_id:uuid}/answer",
        opt={"owns": DISPUTE, "guard": permissions.FINANCE_WRITE},
    )
    async def answer(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        statement_id: FromPath[uuid.UUID],
        dispute_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ResolveForm],
    ) -> Template | Redirect:
        """Adjust (a reversal and a new entry in the next open period) or reject."""
        try:
            if data.action == "adjust":
                call = disputes.resolve_dispute(
                    ctx.db, ctx.tenant_id, dispute_id, amount=data.amount, note=data.note,
                    created_by=ctx.actor.user_id,
                )  # fmt: skip
            else:
                call = disputes.reject_dispute(ctx.db, ctx.tenant_id, dispute_id, note=data.note)
            await attempt(ctx.db, call)
        except (Invalid, Conflict) as exc:
            view = await statements.statement_view(ctx.db, ctx.tenant_id, statement_id)
            return pages.statement_page(
                request, ctx, view, side="supplier", errors=field_errors(exc),
                status_code=exc.status_code,
            )  # fmt: skip
        return Redirect(f"{BASE}/statements/{statement_id}?done=answered", status_code=303)


class ReconciliationConsole(Controller):
    path = f"{BASE}/reconciliation"
    opt = {"guard": permissions.FINANCE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, period: FromQuery[str] = ""
    ) -> Template:
        """Sold but not redeemed, and redeemed but not sold, for one month."""
        return await pages.reconciliation_page(request, ctx, period=period[:7])


class PartnerStatementsConsole(Controller):
    """The distributor's side: everything hangs from its agreement (the one row it may read);
    the statement is named by its number in the query or the form."""

    path = f"{BASE}/my-statements"
    opt = {"guard": permissions.FINANCE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        """Every statement of every agreement naming us, one supplier at a time."""
        return await pages.partner_statements_page(request, ctx)

    @get("/{agreement_id:uuid}", opt={"owns": AGREEMENT})
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        number: FromQuery[str] = "",
        format: FromQuery[str] = "",
        done: FromQuery[str] = "",
    ) -> Template | Response[bytes]:
        """The agreement's statements; with `number`, that statement (`format` pdf or csv:
        the same document the supplier prints)."""
        if not number:
            return await pages.partner_agreement_page(request, ctx, agreement_id)
        view = await statements.partner_statement(ctx.db, ctx.tenant_id, agreement_id, number)
        if format == "pdf":
            pdf = await statements.statement_pdf(view)
            return pdf_response(pdf, f"{view.statement.number}.pdf")
        if format == "csv":
            return _csv(view)
        return pages.statement_page(request, ctx, view, side="distributor", done=done[:20])

    @post(
        "/{agreement_id:uuid}/confirm",
        opt={"owns": AGREEMENT, "guard": permissions.FINANCE_WRITE},
    )
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        data: URLEncodedBody[NumberForm],
    ) -> Template | Redirect:
        try:
            await attempt(
                ctx.db,
                statements.confirm_as_partner(
                    ctx.db, ctx.tenant_id, agreement_id, data.number, by=ctx.actor.name
                ),
            )
        except Conflict as exc:
            view = await statements.partner_statement(
                ctx.db, ctx.tenant_id, agreement_id, data.number
            )
            return pages.statement_page(
                request, ctx, view, side="distributor", errors=field_errors(exc), status_code=409
            )
        return Redirect(_partner_url(agreement_id, data.number, "confirmed"), status_code=303)

    @post(
        "/{agreement_id:uuid}/disputes",
        opt={"owns": AGREEMENT, "guard": permissions.FINANCE_WRITE},
    )
    async def dispute(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        data: URLEncodedBody[DisputeForm],
    ) -> Template | Redirect:
        try:
            await attempt(
                ctx.db,
                disputes.dispute_as_partner(
                    ctx.db,
                    ctx.tenant_id,
                    agreement_id,
                    data.number,
                    by=ctx.actor.name,
                    entry_id=data.entry_id,
                    reason=data.reason,
                    amount=data.amount,
                ),
            )
        except (Invalid, Conflict) as exc:
            view = await statements.partner_statement(
                ctx.db, ctx.tenant_id, agreement_id, data.number
            )
            return pages.statement_page(
                request, ctx, view, side="distributor", form=data, errors=field_errors(exc),
                status_code=exc.status_code,
            )  # fmt: skip
        return Redirect(_partner_url(agreement_id, data.number, "disputed"), status_code=303)


def _partner_url(agreement_id: uuid.UUID, number: str, done: str) -> str:
    query = urlencode({"number": number[:24], "done": done})
    return f"{BASE}/my-statements/{agreement_id}?{query}"


ROUTES: list[Any] = [StatementsConsole, ReconciliationConsole, PartnerStatementsConsole]
NAV: list[NavItem] = [
    NavItem(
        key="distribution-statements",
        label="Settlement statements",
        href=f"{BASE}/statements",
        roles=permissions.FINANCE,
        module="distribution",
        order=64,
    ),
    NavItem(
        key="distribution-reconciliation",
        label="Redemption reconciliation",
        href=f"{BASE}/reconciliation",
        roles=permissions.FINANCE,
        module="distribution",
        order=65,
    ),
    NavItem(
        key="distribution-my-statements",
        label="My statements",
        href=f"{BASE}/my-statements",
        roles=permissions.FINANCE,
        module="distribution",
        order=66,
    ),
]
