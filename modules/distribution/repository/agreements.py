"""SQL of distributors, agreements and authorised products.

Two kinds of read live here:

- the supplier's own (`AgreementsRepository`, on the tenant-scoped base: every statement
  filters by the bound tenant, the owner of every row here);
- the partner's (`agreement_for_partner`, `partner_agreements`, `partner_distributor`): a
  distributor tenant, or the first-level distributor that appointed a sub-distributor, reads
  the agreement rows naming it. The base class would filter `tenant_id = own`, which never
  matches (the supplier owns the row), so these queries filter by
  `partner_tenant_id = :own OR upline_tenant_id = :own` instead. That is safe: the
  transaction is bound to `own`, and row-level security admits only the owner's rows and,
  on `distributors` and `dist_agreements` alone, the SELECT-only `partner_read` policy for
  the two tenants a row names; the explicit filter is the same rule in code (layer 1), so
  neither a missing policy nor a missing filter alone could show another tenant's row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app import clock
from app.db.engine import TenantId
from app.errors import NotFound
from modules.distribution.models import Agreement, AgreementProduct, Distributor
from tenants.repository import TenantScopedRepository


def _in_force(on: date) -> ColumnElement[bool]:
    return and_(
        Agreement.status == "active",
        Agreement.valid_from <= on,
        or_(Agreement.valid_to.is_(None), Agreement.valid_to >= on),
    )


class AgreementsRepository(TenantScopedRepository):
    """The supplier's distributors, agreements and authorised products."""

    # Distributors --------------------------------------------------------------------------
    async def distributors(self) -> Sequence[Distributor]:
        stmt = self.scoped(Distributor).where(Distributor.appointed_by_id.is_(None))
        return (await self.db.execute(stmt.order_by(Distributor.code))).scalars().all()

    async def distributor(self, distributor_id: uuid.UUID) -> Distributor | None:
        return await self.get(Distributor, distributor_id)

    async def distributor_for_partner(self, partner_tenant_id: uuid.UUID) -> Distributor | None:
        stmt = self.scoped(Distributor).where(
            Distributor.partner_tenant_id == partner_tenant_id, Distributor.status == "active"
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def distributor_for_api_key(self, api_key_id: uuid.UUID) -> Distributor | None:
        stmt = self.scoped(Distributor).where(
            Distributor.api_key_id == api_key_id, Distributor.status == "active"
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def lock_signing(self) -> None:
        """Serialises the supplier's sign-ups and agreement numbering for this transaction,
        so two managers at once get FX-2026-0007 and FX-2026-0008 (and one agency is never
        signed up twice) instead of a unique-constraint error."""
        await self.db.execute(
            select(func.pg_advisory_xact_lock(func.hashtext("dist_signing:" + str(self.tenant_id))))
        )

    async def next_distributor_code(self) -> str:
        stmt = select(func.count()).where(Distributor.tenant_id == self.tenant_id)
        n = int((await self.db.execute(stmt)).scalar_one()) + 1
        return f"D{n:04d}"

    # Agreements ----------------------------------------------------------------------------
    async def agreements(self, *, distributor_id: uuid.UUID | None = None) -> Sequence[Agreement]:
        stmt = self.scoped(Agreement)
        if distributor_id is not None:
            stmt = stmt.where(Agreement.distributor_id == distributor_id)
        return (await self.db.execute(stmt.order_by(Agreement.number.desc()))).scalars().all()

    async def agreement(self, agreement_id: uuid.UUID, *, lock: bool = False) -> Agreement | None:
        stmt = self.scoped(Agreement).where(Agreement.id == agreement_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def children(self, parent_id: uuid.UUID) -> Sequence[Agreement]:
        stmt = self.scoped(Agreement).where(Agreement.parent_id == parent_id)
        return (await self.db.execute(stmt.order_by(Agreement.number))).scalars().all()

    async def agreements_in_force(self, distributor_id: uuid.UUID, on: date) -> Sequence[Agreement]:
        stmt = self.scoped(Agreement).where(
            Agreement.distributor_id == distributor_id, _in_force(on)
        )
        return (await self.db.execute(stmt.order_by(Agreement.valid_from.desc()))).scalars().all()

    async def next_agreement_number(self, year: int) -> str:
        """FX-<year>-<n>: one more than the highest of the year (callers hold
        `lock_signing`, so two signings never draw the same number); past 9999 the number
        simply grows a digit."""
        prefix = f"FX-{year}-"
        stmt = (
            select(Agreement.number)
            .where(
                Agreement.tenant_id == self.tenant_id,
                Agreement.number.regexp_match(f"^{prefix}[0-9]+$"),
            )
            .order_by(func.length(Agreement.number).desc(), Agreement.number.desc())
            .limit(1)
        )
        last = (await self.db.execute(stmt)).scalar_one_or_none()
        n = int(last[len(prefix) :]) + 1 if last else 1
        return f"{prefix}{n:04d}"

    async def end_tree(self, root_id: uuid.UUID, *, at: datetime, reason: str) -> list[uuid.UUID]:
        """Ends an agreement and every sub-agreement under it in one statement (two levels
        at most), so a first-level partner's sub-distributors can never outlive it."""
        stmt = (
            update(Agreement)
            .where(
                Agreement.tenant_id == self.tenant_id,
                or_(Agreement.id == root_id, Agreement.parent_id == root_id),
                Agreement.status != "ended",
            )
            .values(status="ended", ended_at=at, end_reason=reason)
            .returning(Agreement.id)
        )
        return list((await self.db.execute(stmt)).scalars().all())

    async def cap_children(self, parent_id: uuid.UUID, valid_to: date) -> None:
        """Sub-agreements never outlast their parent: their end moves in with the parent's."""
        stmt = (
            update(Agreement)
            .where(
                Agreement.tenant_id == self.tenant_id,
                Agreement.parent_id == parent_id,
                or_(Agreement.valid_to.is_(None), Agreement.valid_to > valid_to),
            )
            .values(valid_to=func.greatest(valid_to, Agreement.valid_from))
        )
        await self.db.execute(stmt)

    async def set_status(self, agreement_id: uuid.UUID, *, from_: str, to: str) -> bool:
        stmt = (
            update(Agreement)
            .where(
                Agreement.tenant_id == self.tenant_id,
                Agreement.id == agreement_id,
                Agreement.status == from_,
            )
            .values(status=to)
            .returning(Agreement.id)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none() is not None

    # Products ------------------------------------------------------------------------------
    async def products(self, agreement_id: uuid.UUID) -> Sequence[AgreementProduct]:
        stmt = self.scoped(AgreementProduct).where(AgreementProduct.agreement_id == agreement_id)
        return (await self.db.execute(stmt.order_by(AgreementProduct.id))).scalars().all()

    async def product(
        self, agreement_id: uuid.UUID, product_id: uuid.UUID
    ) -> AgreementProduct | None:
        stmt = self.scoped(AgreementProduct).where(
            AgreementProduct.agreement_id == agreement_id, AgreementProduct.id == product_id
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def product_for_unit(
        self,
        agreement_id: uuid.UUID,
        unit_type_id: uuid.UUID,
        rate_plan_id: uuid.UUID | None,
        voyage_id: uuid.UUID | None,
    ) -> AgreementProduct | None:
        stmt = self.scoped(AgreementProduct).where(
            AgreementProduct.agreement_id == agreement_id,
            AgreementProduct.unit_type_id == unit_type_id,
            AgreementProduct.rate_plan_id.is_not_distinct_from(rate_plan_id),
            AgreementProduct.voyage_id.is_not_distinct_from(voyage_id),
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def authorised_products(
        self, agreement_id: uuid.UUID, on: date
    ) -> Sequence[AgreementProduct]:
        # A sub-distributor sells its upline's authorisation: the parent must be in force too.
        parent = aliased(Agreement)
        parent_in_force = select(parent.id).where(
            parent.tenant_id == Agreement.tenant_id,
            parent.id == Agreement.parent_id,
            parent.status == "active",
            parent.valid_from <= on,
            or_(parent.valid_to.is_(None), parent.valid_to >= on),
        )
        stmt = (
            self.scoped(AgreementProduct)
            .join(
                Agreement,
                (Agreement.tenant_id == AgreementProduct.tenant_id)
                & (Agreement.id == AgreementProduct.agreement_id),
            )
            .where(
                AgreementProduct.agreement_id == agreement_id,
                AgreementProduct.active.is_(True),
                _in_force(on),
                or_(Agreement.parent_id.is_(None), exists(parent_in_force)),
            )
            .order_by(AgreementProduct.id)
        )
        return (await self.db.execute(stmt)).scalars().all()


# Functions other topics call (orders, the API, packages, settlement) ----------------------


async def agreement_for_partner(
    db: AsyncSession, own_tid: TenantId, agreement_id: uuid.UUID
) -> Agreement:
    """The agreement naming `own_tid` as its distributor or upline, read under the caller's
    own binding (see the module docstring for why this filter is safe); NotFound otherwise,
    whatever the reason (another distributor's, unknown), so its existence is never told."""
    stmt = select(Agreement).where(
        Agreement.id == agreement_id,
        or_(Agreement.partner_tenant_id == own_tid, Agreement.upline_tenant_id == own_tid),
    )
    found = (await db.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise NotFound()
    return found


async def partner_agreements(db: AsyncSession, own_tid: TenantId) -> Sequence[Agreement]:
    """Every agreement naming `own_tid` (its suppliers, and the sub-agreements it appointed),
    newest first; same safety argument as `agreement_for_partner`."""
    stmt = select(Agreement).where(
        or_(Agreement.partner_tenant_id == own_tid, Agreement.upline_tenant_id == own_tid)
    )
    return (await db.execute(stmt.order_by(Agreement.created_at.desc()))).scalars().all()


async def partner_distributor(
    db: AsyncSession, own_tid: TenantId, distributor_id: uuid.UUID
) -> Distributor | None:
    """A distributor row naming `own_tid` (the partner itself, or a sub-distributor it
    appointed), read under the caller's binding through `partner_read`."""
    stmt = select(Distributor).where(
        Distributor.id == distributor_id,
        or_(Distributor.partner_tenant_id == own_tid, Distributor.upline_tenant_id == own_tid),
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def agreements_for_api_key(
    db: AsyncSession, tid: TenantId, api_key_id: uuid.UUID, *, on: date | None = None
) -> Sequence[Agreement]:
    """The supplier's agreements in force (active, within validity) with the distributor
    holding this key, newest first; empty for a key no distributor holds."""
    repo = AgreementsRepository(db, tid)
    distributor = await repo.distributor_for_api_key(api_key_id)
    if distributor is None:
        return []
    return await repo.agreements_in_force(distributor.id, on or clock.today())


async def agreement_for_api_key(
    db: AsyncSession,
    tid: TenantId,
    api_key_id: uuid.UUID,
    agreement_id: uuid.UUID | None = None,
    *,
    on: date | None = None,
) -> Agreement:
    """The agreement an external partner's key books under: the one named (if it is the key
    holder's and in force), else its newest agreement in force; NotFound when none."""
    found = await agreements_for_api_key(db, tid, api_key_id, on=on)
    for agreement in found:
        if agreement_id is None or agreement.id == agreement_id:
            return agreement
    raise NotFound()


async def authorised_products(
    db: AsyncSession, tid: TenantId, agreement_id: uuid.UUID, *, on: date | None = None
) -> Sequence[AgreementProduct]:
    """The active products of an agreement that is active and within its validity on `on`
    (today by default); empty otherwise. Call bound to the supplier (`tid`)."""
    return await AgreementsRepository(db, tid).authorised_products(
        agreement_id, on or clock.today()
    )


async def authorised_product(
    db: AsyncSession,
    tid: TenantId,
    agreement: uuid.UUID | Agreement,
    product_id: uuid.UUID,
    *,
    on: date | None = None,
) -> AgreementProduct:
    """One authorised product of an agreement in force (given by id or row); NotFound for
    anything else (the supplier's other products, a suspended or ended agreement, a
    withdrawn product)."""
    agreement_id = agreement.id if isinstance(agreement, Agreement) else agreement
    for product in await authorised_products(db, tid, agreement_id, on=on):
        if product.id == product_id:
            return product
    raise NotFound()
