"""The settlement console's pages, rendered from one service call each (the routes stay
thin): the statements list with the run's progress, one statement for either side, the
reconciliation lists, and the distributor's statements."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.response import Template

from modules.distribution.schemas.settlement import (
    DisputeForm,
    DisputeStatus,
    LineKind,
    StatementStatus,
    StatementView,
)
from modules.distribution.service import reconciliation, settlement, statements
from tenants.context import RequestContext
from tenants.shell import console_page

PER_PAGE = 50


def _labels() -> dict[str, Any]:
    return {
        "statuses": StatementStatus.labels(),
        "kinds": LineKind.labels(),
        "dispute_statuses": DisputeStatus.labels(),
    }


async def statements_page(
    request: Request[Any, Any, Any], ctx: RequestContext, *, page: int, job_id: int | None
) -> Template:
    rows = await settlement.list_statements(ctx.db, ctx.tenant_id, page=page, per_page=PER_PAGE + 1)
    progress = await settlement.settlement_progress(ctx.db, ctx.tenant_id, job_id)
    return console_page(
        request,
        ctx,
        "distribution/settlement/statements.html",
        active="distribution-statements",
        rows=rows[:PER_PAGE],
        page=page,
        has_next=len(rows) > PER_PAGE,
        progress=progress,
        **_labels(),
    )


async def progress_fragment(
    request: Request[Any, Any, Any], ctx: RequestContext, *, job_id: int | None
) -> Template:
    progress = await settlement.settlement_progress(ctx.db, ctx.tenant_id, job_id)
    return Template(
        template_name="distribution/settlement/_partials/progress.html",
        context={"progress": progress},
    )


def statement_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    view: StatementView,
    *,
    side: str,
    done: str = "",
    form: DisputeForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    if side == "supplier":
        base = f"/console/distribution/statements/{view.statement.id}"
        urls = {
            "pdf": f"{base}/statement.pdf",
            "csv": f"{base}/statement.csv",
            "confirm": f"{base}/confirm",
            "dispute": f"{base}/disputes",
            "answer": f"{base}/disputes/",
        }
        active = "distribution-statements"
    else:
        base = f"/console/distribution/my-statements/{view.agreement_id}"
        shown = f"{base}?{urlencode({'number': view.statement.number})}"
        urls = {
            "pdf": f"{shown}&format=pdf",
            "csv": f"{shown}&format=csv",
            "confirm": f"{base}/confirm",
            "dispute": f"{base}/disputes",
            "answer": "",
        }
        active = "distribution-my-statements"
    return console_page(
        request,
        ctx,
        "distribution/settlement/statement.html",
        active=active,
        view=view,
        side=side,
        urls=urls,
        done=done,
        form=form or DisputeForm(),
        errors=errors or {},
        status_code=status_code,
        **_labels(),
    )


async def reconciliation_page(
    request: Request[Any, Any, Any], ctx: RequestContext, *, period: str
) -> Template:
    found = await reconciliation.reconcile_month(ctx.db, ctx.tenant_id, period or None)
    return console_page(
        request,
        ctx,
        "distribution/settlement/reconciliation.html",
        active="distribution-reconciliation",
        result=found,
        period=f"{found.period_start:%Y-%m}",
        statuses=reconciliation.ORDER_STATUS_LABELS,
    )


async def partner_agreement_page(
    request: Request[Any, Any, Any], ctx: RequestContext, agreement_id: Any
) -> Template:
    rows = await statements.partner_overview(ctx.db, ctx.tenant_id, agreement_id=agreement_id)
    return console_page(
        request,
        ctx,
        "distribution/settlement/my_statements.html",
        active="distribution-my-statements",
        rows=rows,
        **_labels(),
    )


async def partner_statements_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Template:
    rows = await statements.partner_overview(ctx.db, ctx.tenant_id)
    return console_page(
        request,
        ctx,
        "distribution/settlement/my_statements.html",
        active="distribution-my-statements",
        rows=rows,
        **_labels(),
    )
