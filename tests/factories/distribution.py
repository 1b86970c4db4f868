"""Factories for the distribution module: a distributor (a tenant on the platform or an
external partner), an agreement with an authorised product, an order, ledger accounts and a
balanced entry, a statement, a dispute, a callback and its attempt, a payout, a package and
its part. Rows are written directly so these work before and beside the services;
service-level tests build on them."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import bind_tenant
from modules.distribution.models import (
    Agreement,
    AgreementProduct,
    Callback,
    CallbackAttempt,
    Dispute,
    DistributionOrder,
    Distributor,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    Package,
    PackagePart,
    Payout,
    Statement,
)
from tenants.models import Tenant
from tests.factories.reservations import Stock, make_stock
from tests.factories.rows import add_row

_seq = itertools.count(1)


_add = add_row


async def make_distributor(
    db: AsyncSession, *, tenant: Tenant, partner: Tenant | None = None, **overrides: Any
) -> Distributor:
    """A distributor of the supplier `tenant`: the agency tenant `partner`, or (without one)
    an external OTA partner."""
    n = next(_seq)
    fields: dict[str, Any] = {
        "code": f"D{n:04d}",
        "name": partner.name if partner is not None else f"携程旅行网 {n}",
        "kind": "tenant" if partner is not None else "external",
        "partner_tenant_id": partner.id if partner is not None else None,
        "contact_name": "王经理",
        "contact_phone": "13900139000",
        **overrides,
    }
    return await _add(db, tenant, Distributor(**fields))


async def make_agreement(
    db: AsyncSession,
    *,
    tenant: Tenant,
    distributor: Distributor | None = None,
    parent: Agreement | None = None,
    **overrides: Any,
) -> Agreement:
    """An active first-level agreement (prepaid, monthly) from today for a year; with
    `parent`, a second-level one under it."""
    distributor = distributor or await make_distributor(db, tenant=tenant)
    n = next(_seq)
    fields: dict[str, Any] = {
        "number": f"FX-T-{n:05d}",
        "distributor_id": distributor.id,
        "partner_tenant_id": distributor.partner_tenant_id,
        "upline_tenant_id": distributor.upline_tenant_id,
        "parent_id": parent.id if parent is not None else None,
        "level": 2 if parent is not None else 1,
        "valid_from": clock.today(),
        "valid_to": clock.today() + timedelta(days=365),
        "payment_terms": "prepaid",
        "cycle": "monthly",
        **overrides,
    }
    return await _add(db, tenant, Agreement(**fields))


async def make_product(
    db: AsyncSession,
    *,
    tenant: Tenant,
    agreement: Agreement | None = None,
    stock: Stock | None = None,
    **overrides: Any,
) -> AgreementProduct:
    """A room type on its rack plan, authorised at a net price of ¥588 per night."""
    agreement = agreement or await make_agreement(db, tenant=tenant)
    stock = stock or await make_stock(db, tenant=tenant)
    fields: dict[str, Any] = {
        "agreement_id": agreement.id,
        "unit_type_id": stock.unit_type.id,
        "rate_plan_id": stock.plan.id,
        "price_mode": "net",
        "net_price_fen": 58800,
        **overrides,
    }
    return await _add(db, tenant, AgreementProduct(**fields))


async def make_order(
    db: AsyncSession, *, tenant: Tenant, product: AgreementProduct | None = None, **overrides: Any
) -> DistributionOrder:
    """A confirmed order row (no reservation behind it unless given)."""
    product = product or await make_product(db, tenant=tenant)
    agreement = await db.get(Agreement, product.agreement_id)
    assert agreement is not None
    n = next(_seq)
    start = clock.today() + timedelta(days=30)
    fields: dict[str, Any] = {
        "number": f"FX{start:%Y%m%d}-{n:05d}",
        "agreement_id": agreement.id,
        "distributor_id": agreement.distributor_id,
        "product_id": product.id,
        "idempotency_key": f"order-{n}",
        "arrival": start,
        "departure": start + timedelta(days=1),
        "sale_fen": 68800,
        "settlement_fen": 58800,
        "guest_name": "李娜",
        **overrides,
    }
    return await _add(db, tenant, DistributionOrder(**fields))


async def make_account(
    db: AsyncSession, *, tenant: Tenant, kind: str = "funds", **overrides: Any
) -> LedgerAccount:
    """The tenant's account of `kind` (for `agreement_id`, or the supplier's own), created
    on first use: an account is unique per tenant, agreement and kind."""
    await bind_tenant(db, tenant.id)
    found = await db.scalar(
        select(LedgerAccount).where(
            LedgerAccount.tenant_id == tenant.id,
            LedgerAccount.kind == kind,
            LedgerAccount.agreement_id.is_not_distinct_from(overrides.get("agreement_id")),
        )
    )
    if found is not None:
        return found
    return await _add(db, tenant, LedgerAccount(kind=kind, **overrides))


async def make_entry(
    db: AsyncSession,
    *,
    tenant: Tenant,
    amount_fen: int = 10000,
    debit: LedgerAccount | None = None,
    credit: LedgerAccount | None = None,
    **overrides: Any,
) -> LedgerEntry:
    """A balanced two-line entry (a top-up into funds by default), both postings written in
    one statement as the ledger requires; the cached balances are NOT moved here."""
    debit = debit or await make_account(db, tenant=tenant, kind="funds")
    credit = credit or await make_account(db, tenant=tenant, kind="platform_fee")
    fields: dict[str, Any] = {
        "kind": "topup",
        "accounting_date": clock.today(),
        "agreement_id": None,
        **overrides,
    }
    entry = await _add(db, tenant, LedgerEntry(**fields))
    line = {
        "tenant_id": tenant.id,
        "entry_id": entry.id,
        "agreement_id": entry.agreement_id,
        "accounting_date": entry.accounting_date,
    }
    await db.execute(
        insert(LedgerPosting).values(
            [
                {**line, "id": uuid.uuid4(), "account_id": debit.id, "amount_fen": amount_fen},
                {**line, "id": uuid.uuid4(), "account_id": credit.id, "amount_fen": -amount_fen},
            ]
        )
    )
    return entry


async def make_statement(
    db: AsyncSession, *, tenant: Tenant, agreement: Agreement | None = None, **overrides: Any
) -> Statement:
    """An open statement for last month."""
    agreement = agreement or await make_agreement(db, tenant=tenant)
    first = clock.today().replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    n = next(_seq)
    fields: dict[str, Any] = {
        "number": f"JS-T-{n:05d}",
        "agreement_id": agreement.id,
        "period_start": start,
        "period_end": first,
        **overrides,
    }
    return await _add(db, tenant, Statement(**fields))


async def _distributor(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_distributor(db, tenant=tenant)).id


async def _agreement(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_agreement(db, tenant=tenant)).id


async def _product(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_product(db, tenant=tenant)).id


async def _order(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_order(db, tenant=tenant)).id


async def _account(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_account(db, tenant=tenant)).id


async def _entry(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_entry(db, tenant=tenant)).id


async def _posting(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    entry = await make_entry(db, tenant=tenant)
    rows = (
        await db.execute(
            LedgerPosting.__table__.select().where(
                LedgerPosting.tenant_id == tenant.id, LedgerPosting.entry_id == entry.id
            )
        )
    ).all()
    return rows[0].id


async def _statement(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_statement(db, tenant=tenant)).id


async def _dispute(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    statement = await make_statement(db, tenant=tenant)
    row = Dispute(statement_id=statement.id, raised_by="distributor", reason="房费与协议价不符")
    return (await _add(db, tenant, row)).id


async def _callback(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    distributor = await make_distributor(db, tenant=tenant)
    row = Callback(
        distributor_id=distributor.id,
        message_id=f"msg_{uuid.uuid4().hex}",
        event_type="order.confirmed",
        payload={"type": "order.confirmed"},
    )
    return (await _add(db, tenant, row)).id


async def _attempt(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    callback_id = await _callback(db, tenant)
    row = CallbackAttempt(callback_id=callback_id, attempted_at=clock.now(), status_code=200)
    return (await _add(db, tenant, row)).id


async def _payout(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    row = Payout(number=f"FK-T-{next(_seq):05d}", method="bank", amount_fen=100000)
    return (await _add(db, tenant, row)).id


async def _package(db: AsyncSession, tenant: Tenant) -> Package:
    n = next(_seq)
    row = Package(
        number=f"TC-T-{n:05d}",
        name="山城两晚 + 三峡游轮 + 温泉一日",
        idempotency_key=f"package-{n}",
        tourist_name="陈静",
        total_fen=568000,
    )
    return await _add(db, tenant, row)


async def _package_id(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await _package(db, tenant)).id


async def _part(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    package = await _package(db, tenant)
    row = PackagePart(
        package_id=package.id,
        seq=1,
        supplier_tenant_id=uuid.uuid4(),
        agreement_id=uuid.uuid4(),
        product_id=uuid.uuid4(),
    )
    return (await _add(db, tenant, row)).id


TABLE_FACTORIES = {
    "distributors": _distributor,
    "dist_agreements": _agreement,
    "dist_agreement_products": _product,
    "dist_orders": _order,
    "dist_ledger_accounts": _account,
    "dist_ledger_entries": _entry,
    "dist_ledger_postings": _posting,
    "dist_statements": _statement,
    "dist_disputes": _dispute,
    "dist_callbacks": _callback,
    "dist_callback_attempts": _attempt,
    "dist_payouts": _payout,
    "dist_packages": _package_id,
    "dist_package_parts": _part,
}
