"""分销资金 `/console/distribution/funds/…`: the supplier's finance sees each distributor's
balance or credit and its journal with every posting, records money received by bank
transfer, and takes back one recorded by mistake. `/console/distribution/balances/…`: the
distributor's own balance with each supplier and the lines of its account (its agreement is
checked under its own binding, then the supplier is bound for the read)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from app.web.input import read_int
from app.web.nav import NavItem
from modules.distribution import permissions
from modules.distribution.domain import PaymentTerms
from modules.distribution.schemas.ledger import (
    AccountLabel,
    EntryLabel,
    ReceiptForm,
    ReverseForm,
)
from modules.distribution.service import funds as service
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

BASE = "/console/distribution/funds"
MINE = "/console/distribution/balances"
AGREEMENT = {"agreement_id": "dist_agreements"}
ENTRY = {"agreement_id": "dist_agreements", "entry_id": "dist_ledger_entries"}
LABELS = {
    "entry_labels": EntryLabel.labels(),
    "account_labels": AccountLabel.labels(),
    "terms_labels": PaymentTerms.labels(),
}
DONE = ("received", "reversed")


def _page_number(text: str) -> int:
    return read_int(text, minimum=1, maximum=100_000) or 1


def _page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    template: str,
    *,
    active: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    return console_page(
        request,
        ctx,
        f"distribution/funds/{template}",
        active=active,
        status_code=status_code,
        tz=clock.tz_of(ctx.tenant),
        errors=context.pop("errors", None) or {},
        **LABELS,
        **context,
    )


class FundsConsole(Controller):
    path = BASE
    opt = {"guard": permissions.FINANCE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        rows = await service.funds_overview(ctx.db, ctx.tenant_id)
        return _page(request, ctx, "index.html", active="distribution-funds", rows=rows)

    @get("/{agreement_id:uuid}", opt={"owns": AGREEMENT})
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        page: FromQuery[str] = "1",
        done: FromQuery[str] = "",
    ) -> Template:
        return await _detail(
            request, ctx, agreement_id, page=_page_number(page), done=done if done in DONE else ""
        )

    @post(
        "/{agreement_id:uuid}/receipts",
        opt={"owns": AGREEMENT, "guard": permissions.FINANCE_WRITE},
    )
    async def receive(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ReceiptForm],
    ) -> Template | Redirect:
        try:
            amount, reference, memo = data.parse()
            await attempt(
                ctx.db,
                service.record_receipt(
                    ctx.db,
                    ctx.tenant_id,
                    agreement_id,
                    amount_fen=amount,
                    reference=reference,
                    memo=memo,
                    actor=ctx.actor,
                ),
            )
        except (Invalid, Conflict) as exc:
            code = 422 if isinstance(exc, Invalid) else 409
            return await _detail(
                request, ctx, agreement_id, form=data, errors=field_errors(exc), status_code=code
            )
        return Redirect(f"{BASE}/{agreement_id}?done=received", status_code=303)

    @post(
        "/{agreement_id:uuid}/entries/{entry_id:uuid}/reverse",
        opt={"owns": ENTRY, "guard": permissions.FINANCE_WRITE},
    )
    async def reverse(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        entry_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ReverseForm],
    ) -> Template | Redirect:
        try:
            memo = data.parse()
            await attempt(
                ctx.db,
                service.reverse_receipt(
                    ctx.db, ctx.tenant_id, agreement_id, entry_id, memo=memo, actor=ctx.actor
                ),
            )
        except (Invalid, Conflict) as exc:
            code = 422 if isinstance(exc, Invalid) else 409
            errors = field_errors(exc)
            if "memo" in errors:
                errors["_"] = errors.pop("memo")
            return await _detail(request, ctx, agreement_id, errors=errors, status_code=code)
        return Redirect(f"{BASE}/{agreement_id}?done=reversed", status_code=303)


async def _detail(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    agreement_id: uuid.UUID,
    *,
    page: int = 1,
    done: str = "",
    form: ReceiptForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    detail = await service.funds_detail(ctx.db, ctx.tenant_id, agreement_id, page=page)
    return _page(
        request,
        ctx,
        "detail.html",
        active="distribution-funds",
        status_code=status_code,
        detail=detail,
        form=form or ReceiptForm(),
        errors=errors,
        done=done,
        may_write=permissions.FINANCE_WRITE.admits(ctx.principal.role),
    )


class BalancesConsole(Controller):
    """The distributor's side: its balance or credit with each supplier."""

    path = MINE
    opt = {"guard": permissions.FINANCE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        rows = await service.partner_funds(ctx.db, ctx.tenant_id)
        return _page(request, ctx, "mine.html", active="distribution-balances", rows=rows)

    @get("/{agreement_id:uuid}", opt={"owns": AGREEMENT})
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        page: FromQuery[str] = "1",
    ) -> Template | Redirect:
        detail = await service.partner_funds_detail(
            ctx.db, ctx.tenant_id, agreement_id, page=_page_number(page)
        )
        if detail is None:  # the caller is this agreement's supplier
            return Redirect(f"{BASE}/{agreement_id}", status_code=303)
        return _page(
            request, ctx, "mine_detail.html", active="distribution-balances", detail=detail
        )


ROUTES: list[Any] = [FundsConsole, BalancesConsole]
NAV: list[NavItem] = [
    NavItem(
        key="distribution-funds",
        label="Distribution funds",
        href=BASE,
        roles=permissions.FINANCE,
        module="distribution",
        order=64,
    ),
    NavItem(
        key="distribution-balances",
        label="My distribution balances",
        href=MINE,
        roles=permissions.FINANCE,
        module="distribution",
        order=65,
    ),
]
