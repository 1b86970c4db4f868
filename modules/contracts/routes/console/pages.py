"""The contracts console: the list with its filters, the draft form (tourists and days as
rows added and removed with htmx, errors beside their field) and a contract's page with
its Art. 58 checklist, signatures, versions and filing state."""

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
from app.web.input import parse_int
from modules.contracts import domain, permissions, service
from modules.contracts.models import Contract
from modules.contracts.routes.console.forms import (
    FILING_LABELS,
    field_errors,
    form_lists,
    labels,
    new_key,
    values_of,
    values_typed,
)
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

CONTRACT = {"contract_id": Contract}
NOTICES = {
    "saved": "The draft is saved.",
    "recalled": "The contract is back to draft; the tourist's link no longer works.",
    "tourist_signed": "The tourist has signed.",
    "signed": "Countersigned: the contract is binding and filed with the bureau.",
    "amended": "The amendment is recorded as a new version and filed.",
    "cancelled": "The contract is cancelled and the cancellation filed.",
}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def form_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    values: tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]],
    action: str,
    title: str,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    amend: bool = False,
    reason: str = "",
) -> Template:
    v, tourists, days = values
    return console_page(
        request, ctx, "contracts/form.html", active="contracts", status_code=status_code,
        v=v, tourists=tourists, days=days, action=action, title=title, errors=errors or {},
        guides=await service.guide_options(ctx.db, ctx.tenant_id), labels=labels(),
        types=domain.CONTRACT_TYPES, id_types=domain.ID_TYPES, amend=amend, reason=reason,
        insurance_choices=domain.INSURANCE_CHOICES, dispute_choices=domain.DISPUTE_CHOICES,
    )  # fmt: skip


async def contract_detail(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    contract_id: uuid.UUID,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    link: service.SigningLink | None = None,
    status_code: int = 200,
) -> Template:
    page = await service.contract_page(ctx.db, ctx.tenant_id, contract_id)
    return console_page(
        request, ctx, "contracts/detail.html", active="contracts", status_code=status_code,
        page=page, c=page.contract, notice=NOTICES.get(notice or ""), errors=errors or {},
        link=link, labels=labels(), tz=clock.tz_of(ctx.tenant),
        can_see_filings=permissions.FILINGS_VIEW.admits(ctx.principal.role),
        refund_due_by=domain.refund_due_by,
    )  # fmt: skip


class ContractsController(Controller):
    path = "/console/contracts"
    opt = {"guard": permissions.CONTRACTS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        status: FromQuery[str | None] = None,
        filing: FromQuery[str | None] = None,
        date_from: FromQuery[str | None] = None,
        date_to: FromQuery[str | None] = None,
        q: FromQuery[str] = "",
        page: FromQuery[str] = "1",
    ) -> Template:
        listing = await service.list_contracts(
            ctx.db, ctx.tenant_id, status=status, filing_state=filing,
            date_from=_day(date_from), date_to=_day(date_to), search=q[:100],
            page=parse_int(page, "page", minimum=1, maximum=100_000, default=1),
        )  # fmt: skip
        return console_page(
            request, ctx, "contracts/list.html", active="contracts", listing=listing,
            labels=labels(), filing_states=tuple(FILING_LABELS),
        )  # fmt: skip

    @get("/new")
    async def new(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        data = await service.draft_defaults(ctx.db, ctx.tenant_id)
        v, tourists, days = values_of(data)
        tourists = tourists or [{"key": new_key(), "id_type": "resident_id", "is_lead": True}]
        return await form_page(
            request, ctx, values=(v, tourists, days or [{}]),
            action="/console/contracts/new", title="New contract",
        )  # fmt: skip

    @post("/new")
    async def create(self, request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
        form = await form_lists(request)
        try:
            data = service.parse_draft_form(form)
            contract_id = await attempt(
                ctx.db, service.create_draft(ctx.db, ctx.tenant_id, data, actor=ctx.actor)
            )
        except Invalid as exc:
            return await form_page(
                request, ctx, values=values_typed(form), action="/console/contracts/new",
                title="New contract", errors=field_errors(exc), status_code=422,
            )  # fmt: skip
        return Redirect(f"/console/contracts/{contract_id}?notice=saved", status_code=303)

    @get("/rows/tourist")
    async def tourist_row(self, ctx: Ctx) -> Template:
        """One empty tourist row for the draft form (htmx appends it)."""
        row = {"key": new_key(), "id_type": "resident_id"}
        return Template(
            template_name="contracts/_partials/tourist_row.html",
            context={"t": row, "i": 0, "errors": {}, "id_types": domain.ID_TYPES,
                     "labels": labels()},
        )  # fmt: skip

    @get("/rows/day")
    async def day_row(self, ctx: Ctx) -> Template:
        return Template(
            template_name="contracts/_partials/day_row.html",
            context={"d": {}, "i": 0, "errors": {}},
        )

    @get("/badge")
    async def badge(self, ctx: Ctx) -> Template:
        """The shell's badge: contracts the tourist signed that wait for the agency."""
        count = await service.awaiting_countersign(ctx.db, ctx.tenant_id)
        return Template(template_name="contracts/_partials/badge.html", context={"count": count})

    @post("/check")
    async def check(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        """The checklist of what is typed in the form, without saving it (htmx)."""
        form = await form_lists(request)
        try:
            data = service.parse_draft_form(form)
        except Invalid as exc:
            return Template(
                template_name="contracts/_partials/form_errors.html",
                context={"errors": field_errors(exc)},
                status_code=422,
            )
        items = await service.check_input(ctx.db, ctx.tenant_id, data)
        return Template(
            template_name="contracts/_partials/checklist.html", context={"items": items}
        )

    @get("/{contract_id:uuid}", opt={"owns": CONTRACT})
    async def detail(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        contract_id: FromPath[uuid.UUID],
        notice: FromQuery[str | None] = None,
    ) -> Template:
        return await contract_detail(request, ctx, contract_id, notice=notice)

    @get("/{contract_id:uuid}/edit", opt={"owns": CONTRACT})
    async def edit(
        self, request: Request[Any, Any, Any], ctx: Ctx, contract_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        data = await service.draft_input(ctx.db, ctx.tenant_id, contract_id)
        page = await service.contract_page(ctx.db, ctx.tenant_id, contract_id)
        if page.contract.status != domain.ContractStatus.DRAFT:
            return Redirect(f"/console/contracts/{contract_id}", status_code=303)
        v, tourists, days = values_of(data)
        return await form_page(
            request, ctx, values=(v, tourists or [{"key": new_key(), "is_lead": True}],
                                  days or [{}]),
            action=f"/console/contracts/{contract_id}/edit", title="Edit draft",
        )  # fmt: skip

    @post("/{contract_id:uuid}/edit", opt={"owns": CONTRACT})
    async def update(
        self, request: Request[Any, Any, Any], ctx: Ctx, contract_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        form = await form_lists(request)
        try:
            data = service.parse_draft_form(form)
            await attempt(
                ctx.db,
                service.update_draft(ctx.db, ctx.tenant_id, contract_id, data, actor=ctx.actor),
            )
        except (Invalid, Conflict) as exc:
            return await form_page(
                request, ctx, values=values_typed(form),
                action=f"/console/contracts/{contract_id}/edit", title="Edit draft",
                errors=field_errors(exc), status_code=exc.status_code,
            )  # fmt: skip
        return Redirect(f"/console/contracts/{contract_id}?notice=saved", status_code=303)


ROUTES = [ContractsController]
