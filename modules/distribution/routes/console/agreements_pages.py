"""The pages of distributors and agreements (rendered by routes/console/agreements.py)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from app import clock
from app.i18n import gettext
from modules.distribution.domain import Cycle, PaymentTerms, PriceMode
from modules.distribution.schemas.agreements import (
    AgreementForm,
    AgreementStatus,
    AmendForm,
    AppointForm,
    CallbackForm,
    DistributorForm,
    DistributorKind,
    EndForm,
    PriceForm,
    ProductView,
)
from modules.distribution.service import agreements as service
from modules.distribution.service import agreements_partner as partner
from modules.distribution.service import distributors
from tenants.context import RequestContext
from tenants.shell import console_page

LABELS = {
    "statuses": AgreementStatus.labels(),
    "kinds": DistributorKind.labels(),
    "terms": PaymentTerms.labels(),
    "cycles": Cycle.labels(),
    "modes": PriceMode.labels(),
}


def _page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    template: str,
    active: str,
    status_code: int,
    **context: Any,
) -> Template:
    return console_page(
        request,
        ctx,
        f"distribution/agreements/{template}",
        active=active,
        status_code=status_code,
        today=clock.today(clock.tz_of(ctx.tenant)),
        errors=context.pop("errors", None) or {},
        **LABELS,
        **context,
    )


async def distributors_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    q: str = "",
    form: DistributorForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return _page(
        request,
        ctx,
        "distributors.html",
        "distribution-distributors",
        status_code,
        distributors=await distributors.list_distributors(ctx.db, ctx.tenant_id),
        found=await distributors.find_agencies(ctx.db, ctx.tenant_id, q) if q else [],
        q=q,
        form=form or DistributorForm(),
        errors=errors,
    )


async def distributor_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    distributor_id: uuid.UUID,
    *,
    done: str = "",
    form: AgreementForm | None = None,
    callback_form: CallbackForm | None = None,
    errors: dict[str, str] | None = None,
    shown_token: str | None = None,
    shown_secret: str | None = None,
    status_code: int = 200,
) -> Template:
    d = await distributors.get_distributor(ctx.db, ctx.tenant_id, distributor_id)
    today = clock.today(clock.tz_of(ctx.tenant))
    return _page(
        request,
        ctx,
        "distributor.html",
        "distribution-distributors",
        status_code,
        distributor=d,
        agreements=await service.list_agreements(
            ctx.db, ctx.tenant_id, distributor_id=distributor_id
        ),
        form=form or AgreementForm(valid_from=today.isoformat()),
        callback_form=callback_form or CallbackForm(callback_url=d.callback_url),
        shown_token=shown_token,
        shown_secret=shown_secret,
        done=done,
        errors=errors,
    )


async def agreements_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Template:
    return _page(
        request,
        ctx,
        "index.html",
        "distribution-agreements",
        200,
        agreements=await service.list_agreements(ctx.db, ctx.tenant_id),
    )


async def agreement_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    agreement_id: uuid.UUID,
    *,
    done: str = "",
    form: PriceForm | None = None,
    end_form: EndForm | None = None,
    amend_form: AmendForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    agreement = await service.get_agreement(ctx.db, ctx.tenant_id, agreement_id)
    amend_form = amend_form or AmendForm(
        valid_to=agreement.valid_to.isoformat() if agreement.valid_to else "",
        credit_limit=_plain_yuan(agreement.credit_limit_fen)
        if agreement.payment_terms == "credit"
        else "",
        notes=agreement.notes,
    )
    return _page(
        request,
        ctx,
        "agreement.html",
        "distribution-agreements",
        status_code,
        agreement=agreement,
        products=await service.agreement_products(ctx.db, ctx.tenant_id, agreement_id),
        choices=await service.choices_for(ctx.db, ctx.tenant_id),
        subs=await service.sub_agreements(ctx.db, ctx.tenant_id, agreement_id),
        form=form or PriceForm(),
        end_form=end_form or EndForm(),
        amend_form=amend_form,
        done=done,
        errors=errors,
    )


def _upline_name(p: ProductView) -> str:
    own = (
        _yuan(p.net_price_fen)
        if p.net_price_fen is not None
        else f"{(p.commission_bp or 0) / 100:g}%"
    )
    return gettext("%(name)s · your price %(price)s", name=p.name, price=own)


def _plain_yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


async def suppliers_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Template:
    return _page(
        request,
        ctx,
        "suppliers.html",
        "distribution-suppliers",
        200,
        agreements=await service.my_suppliers(ctx.db, ctx.tenant_id),
    )


async def supplier_agreement_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    agreement_id: uuid.UUID,
    *,
    q: str = "",
    done: str = "",
    form: PriceForm | None = None,
    appoint_form: AppointForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template | Redirect:
    page = await partner.partner_page(ctx.db, ctx.tenant_id, agreement_id)
    if page is None:  # the caller is this agreement's supplier
        return Redirect(f"/console/distribution/agreements/{agreement_id}", status_code=303)
    return _page(
        request,
        ctx,
        "supplier.html",
        "distribution-suppliers",
        status_code,
        page=page,
        options=[
            {
                "key": service.choice_key(p.unit_type_id, p.rate_plan_id, p.voyage_id),
                "name": _upline_name(p),
                "sale_fen": p.sale_fen,
            }
            for p in page.upline_products
        ],
        found=await partner.find_agencies(ctx.db, ctx.tenant_id, q)
        if q and page.can_appoint
        else [],
        q=q,
        form=form or PriceForm(),
        appoint_form=appoint_form or AppointForm(),
        done=done,
        errors=errors,
    )
