"""Agreements and their authorised products and settlement prices, as the supplier manages
them: signed (FX-2026-0001), priced per product (a net price or a commission, never above
the current sale price), suspended and resumed, ended with a reason (a first-level
agreement's sub-agreements end with it, in the same statement)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext
from modules.distribution.models import Agreement, AgreementProduct
from modules.distribution.repository import agreements as repo_fns
from modules.distribution.repository.agreements import AgreementsRepository
from modules.distribution.repository.ledger import LedgerRepository
from modules.distribution.schemas.agreements import (
    AgreementTerms,
    AgreementView,
    Price,
    ProductChoice,
    ProductView,
)
from modules.distribution.service.agreements_catalog import product_choices
from tenants import service as tenants


def agreement_view(
    a: Agreement, *, distributor_name: str = "", supplier_name: str = "", parent_status: str = ""
) -> AgreementView:
    return AgreementView(
        id=a.id,
        number=a.number,
        supplier_tenant_id=a.tenant_id,
        distributor_id=a.distributor_id,
        partner_tenant_id=a.partner_tenant_id,
        upline_tenant_id=a.upline_tenant_id,
        parent_id=a.parent_id,
        level=a.level,
        status=a.status,
        valid_from=a.valid_from,
        valid_to=a.valid_to,
        payment_terms=a.payment_terms,
        credit_limit_fen=a.credit_limit_fen,
        cycle=a.cycle,
        may_appoint=a.may_appoint,
        platform_fee_bp=a.platform_fee_bp,
        notes=a.notes,
        end_reason=a.end_reason,
        distributor_name=distributor_name,
        supplier_name=supplier_name,
        parent_status=parent_status,
    )


def product_view(p: AgreementProduct, choice: ProductChoice | None = None) -> ProductView:
    return ProductView(
        id=p.id,
        agreement_id=p.agreement_id,
        unit_type_id=p.unit_type_id,
        rate_plan_id=p.rate_plan_id,
        voyage_id=p.voyage_id,
        name=choice.name if choice else "",
        kind=choice.kind if choice else "",
        price_mode=p.price_mode,
        net_price_fen=p.net_price_fen,
        commission_bp=p.commission_bp,
        active=p.active,
        sale_fen=choice.sale_fen if choice else None,
    )


def choice_key(
    unit_type_id: uuid.UUID, rate_plan_id: uuid.UUID | None, voyage_id: uuid.UUID | None
) -> str:
    return f"{unit_type_id}:{rate_plan_id or '-'}:{voyage_id or '-'}"


# Reads --------------------------------------------------------------------------------


async def list_agreements(
    db: AsyncSession, tid: TenantId, *, distributor_id: uuid.UUID | None = None
) -> list[AgreementView]:
    repo = AgreementsRepository(db, tid)
    names = {d.id: d.name for d in await repo.distributors()}
    rows = await repo.agreements(distributor_id=distributor_id)
    missing = {a.distributor_id for a in rows} - names.keys()
    for distributor_id_ in missing:  # sub-distributors (not in the first-level list)
        d = await repo.distributor(distributor_id_)
        names[distributor_id_] = d.name if d else ""
    return [agreement_view(a, distributor_name=names.get(a.distributor_id, "")) for a in rows]


async def get_agreement(db: AsyncSession, tid: TenantId, agreement_id: uuid.UUID) -> AgreementView:
    repo = AgreementsRepository(db, tid)
    a = await repo.agreement(agreement_id)
    if a is None:
        raise NotFound()
    d = await repo.distributor(a.distributor_id)
    parent = await repo.agreement(a.parent_id) if a.parent_id else None
    return agreement_view(
        a, distributor_name=d.name if d else "", parent_status=parent.status if parent else ""
    )


async def sub_agreements(
    db: AsyncSession, tid: TenantId, agreement_id: uuid.UUID
) -> list[AgreementView]:
    repo = AgreementsRepository(db, tid)
    out = []
    for a in await repo.children(agreement_id):
        d = await repo.distributor(a.distributor_id)
        out.append(agreement_view(a, distributor_name=d.name if d else ""))
    return out


async def agreement_products(
    db: AsyncSession, tid: TenantId, agreement_id: uuid.UUID, *, only_authorised: bool = False
) -> list[ProductView]:
    """The agreement's products with their names and today's sale price; with
    `only_authorised`, just what may be sold today (active products of an agreement in force)."""
    if only_authorised:
        rows: Sequence[AgreementProduct] = await repo_fns.authorised_products(db, tid, agreement_id)
    else:
        rows = await AgreementsRepository(db, tid).products(agreement_id)
    choices = {c.key: c for c in await product_choices(db, tid)}
    return [
        product_view(p, choices.get(choice_key(p.unit_type_id, p.rate_plan_id, p.voyage_id)))
        for p in rows
    ]


async def choices_for(db: AsyncSession, tid: TenantId) -> list[ProductChoice]:
    """What the supplier sells that an agreement may authorise."""
    return await product_choices(db, tid)


async def partner_agreement(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID
) -> AgreementView:
    """An agreement naming `own` (as distributor or upline), with its supplier's name; 404
    for anything else."""
    a = await repo_fns.agreement_for_partner(db, own, agreement_id)
    names = await tenants.enterprise_names(db, [a.tenant_id])
    d = await repo_fns.partner_distributor(db, own, a.distributor_id)
    return agreement_view(
        a, distributor_name=d.name if d else "", supplier_name=names.get(a.tenant_id, "")
    )


async def my_suppliers(db: AsyncSession, own: TenantId) -> list[AgreementView]:
    """我的供应商: every agreement naming this tenant, with the supplier's name."""
    rows = await repo_fns.partner_agreements(db, own)
    names = await tenants.enterprise_names(db, [a.tenant_id for a in rows])
    return [agreement_view(a, supplier_name=names.get(a.tenant_id, "")) for a in rows]


# Writes -------------------------------------------------------------------------------


async def create_agreement(
    db: AsyncSession,
    tid: TenantId,
    distributor_id: uuid.UUID,
    terms: AgreementTerms,
    *,
    actor: Actor,
) -> AgreementView:
    """Signs a first-level agreement with one of the supplier's distributors."""
    repo = AgreementsRepository(db, tid)
    d = await repo.distributor(distributor_id)
    if d is None or d.status != "active" or d.appointed_by_id is not None:
        raise Invalid.field("distributor_id", gettext("Choose a distributor from the list."))
    await repo.lock_signing()
    row = Agreement(
        number=await repo.next_agreement_number(terms.valid_from.year),
        distributor_id=d.id,
        partner_tenant_id=d.partner_tenant_id,
        upline_tenant_id=None,
        parent_id=None,
        level=1,
        valid_from=terms.valid_from,
        valid_to=terms.valid_to,
        payment_terms=terms.payment_terms,
        credit_limit_fen=terms.credit_limit_fen,
        cycle=terms.cycle,
        may_appoint=terms.may_appoint and d.kind == "tenant",
        platform_fee_bp=terms.platform_fee_bp,
        notes=terms.notes,
        created_by=actor.user_id,
    )
    repo.add(row)
    await db.flush()
    return agreement_view(row, distributor_name=d.name)


async def _agreement(
    repo: AgreementsRepository, agreement_id: uuid.UUID, *, lock: bool = False
) -> Agreement:
    a = await repo.agreement(agreement_id, lock=lock)
    if a is None:
        raise NotFound()
    return a


async def set_price(
    db: AsyncSession, tid: TenantId, agreement_id: uuid.UUID, key: str, price: Price
) -> ProductView:
    """Authorises a product at a settlement price (or changes its price). Refused: a net
    price above the product's current sale price, a commission that would do the same for a
    sub-distributor below its upline, a product the supplier does not sell, an ended
    agreement."""
    repo = AgreementsRepository(db, tid)
    a = await _agreement(repo, agreement_id, lock=True)
    if a.status == "ended":
        raise Conflict(gettext("This agreement has ended."))
    choice = {c.key: c for c in await product_choices(db, tid)}.get(key)
    if choice is None:
        raise Invalid.field("product", gettext("Choose a product from the list."))
    check_price(price, choice.sale_fen)
    if a.parent_id is not None:
        upline = await repo.product_for_unit(
            a.parent_id, choice.unit_type_id, choice.rate_plan_id, choice.voyage_id
        )
        check_sub_price(price, upline)
    row = await repo.product_for_unit(
        a.id, choice.unit_type_id, choice.rate_plan_id, choice.voyage_id
    )
    if row is None:
        row = AgreementProduct(
            agreement_id=a.id,
            unit_type_id=choice.unit_type_id,
            rate_plan_id=choice.rate_plan_id,
            voyage_id=choice.voyage_id,
        )
        repo.add(row)
    row.price_mode = price.mode
    row.net_price_fen = price.net_fen
    row.commission_bp = price.commission_bp
    row.active = True
    await db.flush()
    return product_view(row, choice)


def check_price(price: Price, sale_fen: int) -> None:
    if price.mode == "net" and (price.net_fen or 0) > sale_fen:
        raise Invalid.field(
            "net_price",
            gettext("A net price cannot be above the sale price (%(sale)s).", sale=_yuan(sale_fen)),
        )


def check_sub_price(price: Price, upline: AgreementProduct | None) -> None:
    """A sub-distributor buys from its upline: its price is never below the upline's own
    (else the upline would sell at a loss) and in the same mode as the upline's."""
    if upline is None or not upline.active:
        raise Invalid.field(
            "product", gettext("The upline's agreement does not authorise this product.")
        )
    if price.mode != upline.price_mode:
        raise Invalid.field(
            "price_mode", gettext("Use the same price mode as the upline's agreement.")
        )
    if price.mode == "net" and (price.net_fen or 0) < (upline.net_price_fen or 0):
        raise Invalid.field(
            "net_price",
            gettext(
                "The price cannot be below the upline's own (%(net)s).",
                net=_yuan(upline.net_price_fen or 0),
            ),
        )
    if price.mode == "commission" and (price.commission_bp or 0) > (upline.commission_bp or 0):
        raise Invalid.field(
            "commission", gettext("The commission cannot be above the upline's own.")
        )


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


async def withdraw_product(
    db: AsyncSession, tid: TenantId, agreement_id: uuid.UUID, product_id: uuid.UUID
) -> None:
    """Stops selling a product under the agreement (orders already placed stand)."""
    row = await AgreementsRepository(db, tid).product(agreement_id, product_id)
    if row is None:
        raise NotFound()
    row.active = False
    await db.flush()


async def end_agreement(
    db: AsyncSession, tid: TenantId, agreement_id: uuid.UUID, reason: str, *, actor: Actor
) -> list[uuid.UUID]:
    """Ends an agreement and, for a first-level one, every sub-agreement under it, in one
    statement; the ids ended. Nothing can be sold under them from then on."""
    repo = AgreementsRepository(db, tid)
    a = await _agreement(repo, agreement_id, lock=True)
    if a.status == "ended":
        raise Conflict(gettext("This agreement has already ended."))
    ended = await repo.end_tree(a.id, at=clock.now(), reason=reason)
    await tenants.record_audit(
        db,
        tid,
        "distribution.agreement_ended",
        actor_user_id=actor.user_id,
        subject_type="dist_agreement",
        subject_id=a.id,
        data={"number": a.number, "reason": reason, "ended": [str(i) for i in ended]},
        ip=actor.ip,
    )
    return ended


async def amend_agreement(
    db: AsyncSession,
    tid: TenantId,
    agreement_id: uuid.UUID,
    *,
    valid_to: date | None,
    credit_limit_fen: int | None,
    notes: str,
) -> AgreementView:
    """Changes an agreement's end date, credit limit and notes. A first-level agreement's
    sub-agreements are brought in to its new end; a credit limit below what the distributor
    already owes is refused (it would block every sale without saying why)."""
    repo = AgreementsRepository(db, tid)
    a = await _agreement(repo, agreement_id, lock=True)
    if a.status == "ended":
        raise Conflict(gettext("This agreement has ended."))
    _check_end(a, valid_to)
    if credit_limit_fen is not None and credit_limit_fen != a.credit_limit_fen:
        await _set_credit_limit(db, tid, a, credit_limit_fen)
    a.valid_to = valid_to
    a.notes = notes
    await db.flush()
    if valid_to is not None and a.level == 1:
        await repo.cap_children(a.id, valid_to)
    return agreement_view(a)


def _check_end(a: Agreement, valid_to: date | None) -> None:
    if valid_to is not None and valid_to < a.valid_from:
        raise Invalid.field("valid_to", gettext("The end date is before the start date."))
    if valid_to is not None and valid_to < clock.today() and valid_to != a.valid_to:
        raise Invalid.field("valid_to", gettext("The end date is in the past."))
    if a.parent_id is not None and valid_to is None:
        raise Invalid.field(
            "valid_to", gettext("A sub-agreement cannot outlast your own agreement.")
        )


async def _set_credit_limit(db: AsyncSession, tid: TenantId, a: Agreement, limit_fen: int) -> None:
    if a.payment_terms != "credit":
        raise Invalid.field("credit_limit", gettext("A credit limit goes with credit terms only."))
    if limit_fen <= 0:
        raise Invalid.field(
            "credit_limit", gettext("Enter an amount in yuan, such as 688 or 688.50.")
        )
    ledger = LedgerRepository(db, tid)
    for account in await ledger.agreement_accounts(a.id):
        if account.kind != "distributor_payable":
            continue
        if account.balance_fen > limit_fen:
            raise Invalid.field(
                "credit_limit",
                gettext(
                    "The distributor already owes %(used)s: the limit cannot be lower.",
                    used=_yuan(account.balance_fen),
                ),
            )
        await ledger.set_limit(account.id, limit_fen)
    a.credit_limit_fen = limit_fen


async def suspend_agreement(db: AsyncSession, tid: TenantId, agreement_id: uuid.UUID) -> None:
    """Stops sales under the agreement (and so under its sub-agreements, which sell the
    upline's authorisation) until resumed."""
    repo = AgreementsRepository(db, tid)
    await _agreement(repo, agreement_id)
    if not await repo.set_status(agreement_id, from_="active", to="suspended"):
        raise Conflict(gettext("Only an active agreement can be suspended."))


async def resume_agreement(db: AsyncSession, tid: TenantId, agreement_id: uuid.UUID) -> None:
    repo = AgreementsRepository(db, tid)
    await _agreement(repo, agreement_id)
    if not await repo.set_status(agreement_id, from_="suspended", to="active"):
        raise Conflict(gettext("Only a suspended agreement can be resumed."))


def today_for_supplier() -> date:
    return clock.today()
