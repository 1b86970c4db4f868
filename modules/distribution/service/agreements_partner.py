"""The distributor's side of agreements: 我的供应商 (the agreements naming this tenant), an
agreement's authorised products and prices as the distributor sees them, and a first-level
distributor allowed to appoint (`may_appoint`) signing up a sub-distributor (another agency)
at its own prices: never below its own settlement price, never above the sale price.

Every supplier-side read or write here happens inside `acting_for`, after the agreement was
loaded under the caller's own binding (row-level security shows it only if it names the
caller), and touches only what that agreement covers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.i18n import gettext
from modules.distribution.models import Agreement, Distributor
from modules.distribution.repository import agreements as repo_fns
from modules.distribution.repository.agreements import AgreementsRepository
from modules.distribution.schemas.agreements import AgreementView, Price, ProductView
from modules.distribution.service import agreements as supplier_side
from tenants import service as tenants
from tenants.counterparty import acting_for

AGENCY = "agency"


async def partner_products(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID
) -> list[ProductView]:
    """What the agreement authorises today, at the distributor's prices; nothing else of the
    supplier's catalogue."""
    agreement = await repo_fns.agreement_for_partner(db, own, agreement_id)
    async with acting_for(db, agreement, own=own) as supplier:
        return await supplier_side.agreement_products(
            db, supplier, agreement.id, only_authorised=True
        )


async def appointable(db: AsyncSession, own: TenantId, agreement_id: uuid.UUID) -> Agreement:
    """The caller's own first-level agreement in force that allows appointing; else 404
    (another tenant's) or a refusal saying why."""
    a = await repo_fns.agreement_for_partner(db, own, agreement_id)
    if a.partner_tenant_id != own:
        raise NotFound()
    if a.level != 1 or not a.may_appoint:
        raise Invalid.field(
            "partner", gettext("This agreement does not allow appointing sub-distributors.")
        )
    if a.status != "active" or not (
        a.valid_from <= clock.today() and (a.valid_to is None or clock.today() <= a.valid_to)
    ):
        raise Invalid.field("partner", gettext("This agreement is not in force."))
    return a


async def appoint_sub_distributor(
    db: AsyncSession,
    own: TenantId,
    agreement_id: uuid.UUID,
    partner_tenant_id: uuid.UUID,
    *,
    valid_to: date | None,
) -> AgreementView:
    """Signs up another agency as this distributor's sub-distributor under the supplier:
    a second-level agreement hanging from the caller's (ended with it), prepaid, on the
    same cycle, valid no longer than the caller's own. Products are priced afterwards."""
    parent = await appointable(db, own, agreement_id)
    if partner_tenant_id in (own, parent.tenant_id):
        raise Invalid.field("partner", gettext("Choose another agency."))
    agency = await tenants.enterprise_entry(db, partner_tenant_id, kind=AGENCY)
    if agency is None:
        raise Invalid.field("partner", gettext("Choose an agency from the search."))
    end = parent.valid_to if valid_to is None else valid_to
    if parent.valid_to is not None and end is not None and end > parent.valid_to:
        raise Invalid.field(
            "valid_to", gettext("A sub-agreement cannot outlast your own agreement.")
        )
    if end is not None and end < clock.today():
        raise Invalid.field("valid_to", gettext("The end date is in the past."))
    async with acting_for(db, parent, own=own) as supplier:
        repo = AgreementsRepository(db, supplier)
        await repo.lock_signing()
        if await repo.distributor_for_partner(partner_tenant_id) is not None:
            raise Invalid.field(
                "partner", gettext("This agency already distributes for this supplier.")
            )
        d = Distributor(
            code=await repo.next_distributor_code(),
            name=agency.name[:100],
            kind="tenant",
            partner_tenant_id=partner_tenant_id,
            upline_tenant_id=own,
            appointed_by_id=parent.distributor_id,
        )
        repo.add(d)
        await db.flush()
        today = clock.today()
        sub = Agreement(
            number=await repo.next_agreement_number(today.year),
            distributor_id=d.id,
            partner_tenant_id=partner_tenant_id,
            upline_tenant_id=own,
            parent_id=parent.id,
            level=2,
            valid_from=max(today, parent.valid_from),
            valid_to=end,
            payment_terms="prepaid",
            cycle=parent.cycle,
            may_appoint=False,
            platform_fee_bp=parent.platform_fee_bp,
        )
        repo.add(sub)
        await db.flush()
        return supplier_side.agreement_view(sub, distributor_name=d.name)


async def set_sub_price(
    db: AsyncSession, own: TenantId, sub_agreement_id: uuid.UUID, key: str, price: Price
) -> ProductView:
    """The upline prices one of its own authorised products for its sub-distributor (the
    supplier's `set_price` refuses a price below the upline's or above the sale price)."""
    sub = await repo_fns.agreement_for_partner(db, own, sub_agreement_id)
    if sub.upline_tenant_id != own:
        raise NotFound()
    async with acting_for(db, sub, own=own) as supplier:
        return await supplier_side.set_price(db, supplier, sub.id, key, price)


async def my_sub_agreements(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID
) -> list[AgreementView]:
    """The sub-agreements the caller appointed under its agreement `agreement_id`."""
    parent = await repo_fns.agreement_for_partner(db, own, agreement_id)
    out = []
    for a in await repo_fns.partner_agreements(db, own):
        if a.parent_id == parent.id and a.upline_tenant_id == own:
            d = await repo_fns.partner_distributor(db, own, a.distributor_id)
            out.append(supplier_side.agreement_view(a, distributor_name=d.name if d else ""))
    return out


@dataclass(frozen=True, slots=True)
class PartnerPage:
    """One agreement as a distributor (or the upline of a sub-distributor) sees it."""

    agreement: AgreementView
    products: list[ProductView]
    subs: list[AgreementView] = field(default_factory=list)
    upline_products: list[ProductView] = field(default_factory=list)  # to price a sub's
    can_appoint: bool = False
    is_upline: bool = False


async def partner_page(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID
) -> PartnerPage | None:
    """The page of an agreement naming `own`; None when `own` is its supplier (the caller
    belongs on the supplier's page); 404 for anyone else's."""
    try:
        a = await repo_fns.agreement_for_partner(db, own, agreement_id)
    except NotFound:
        if await AgreementsRepository(db, own).agreement(agreement_id) is not None:
            return None
        raise
    names = await tenants.enterprise_names(db, [a.tenant_id])
    is_upline = a.upline_tenant_id == own
    async with acting_for(db, a, own=own) as supplier:
        supplier_repo = AgreementsRepository(db, supplier)
        d = await supplier_repo.distributor(a.distributor_id)
        parent = await supplier_repo.agreement(a.parent_id) if a.parent_id else None
        view = supplier_side.agreement_view(
            a,
            distributor_name=d.name if d else "",
            supplier_name=names.get(a.tenant_id, ""),
            parent_status=parent.status if parent else "",
        )
        if is_upline:
            products = await supplier_side.agreement_products(db, supplier, a.id)
            assert a.parent_id is not None
            upline = await supplier_side.agreement_products(
                db, supplier, a.parent_id, only_authorised=True
            )
        else:
            products = await supplier_side.agreement_products(
                db, supplier, a.id, only_authorised=True
            )
            upline = []
    subs = await my_sub_agreements(db, own, a.id) if a.partner_tenant_id == own else []
    can = (
        a.partner_tenant_id == own
        and a.level == 1
        and a.may_appoint
        and view.in_force(clock.today())
    )
    return PartnerPage(view, products, subs, upline, can, is_upline)


async def find_agencies(
    db: AsyncSession, own: TenantId, words: str
) -> list[tenants.DirectoryEntry]:
    """Agencies to appoint as sub-distributors (never the caller itself)."""
    return await tenants.find_enterprises(db, words, kind=AGENCY, exclude=own)
