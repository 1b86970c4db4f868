"""Factories for payments: plain rows (any subject) for isolation tests and arranging, and
the enterprise's connected account (every tenant from `make_tenant` has a ready one)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import uuid7
from app.db.engine import TenantId, bind_tenant
from modules.payments.models import Payment, PaymentAccount, PaymentRefund
from tenants.models import Tenant


async def make_payment(db: AsyncSession, *, tenant: Tenant, **overrides: Any) -> Payment:
    """A succeeded desk payment of ¥500.00 for a fresh subject unless told otherwise."""
    await bind_tenant(db, tenant.id)
    values: dict[str, Any] = {
        "subject_type": "test_subject",
        "subject_id": uuid7(),
        "kind": "balance",
        "method": "cash",
        "provider": "manual",
        "amount_fen": 50_000,
        "currency": "CNY",
        "status": "succeeded",
        **overrides,
    }
    payment = Payment(tenant_id=TenantId(tenant.id), **values)
    db.add(payment)
    await db.flush()
    return payment


READY_PREFIX = "acct_ready_"  # known to the Stripe stand-in as onboarded (devtools/)


async def make_payment_account(
    db: AsyncSession, *, tenant: Tenant, ready: bool = True, **overrides: Any
) -> PaymentAccount:
    """The tenant's connected account: by default onboarded, taking payments and payouts,
    under an `acct_ready_…` id the Stripe stand-in treats as such without a round trip."""
    await bind_tenant(db, tenant.id)
    values: dict[str, Any] = {
        "provider": "stripe",
        "provider_account_id": f"{READY_PREFIX}{uuid7().hex[-16:]}",
        "account_type": "standard",
        "country": "HK",
        "details_submitted": ready,
        "charges_enabled": ready,
        "payouts_enabled": ready,
        "requirements_due": [] if ready else ["external_account"],
        **overrides,
    }
    account = PaymentAccount(tenant_id=TenantId(tenant.id), **values)
    db.add(account)
    await db.flush()
    return account


async def _account_row(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    """The tenant's one account (every factory tenant has one already)."""
    await bind_tenant(db, tenant.id)
    found = await db.scalar(select(PaymentAccount.id).where(PaymentAccount.tenant_id == tenant.id))
    return found or (await make_payment_account(db, tenant=tenant)).id


async def _payment_row(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_payment(db, tenant=tenant)).id


async def _refund_row(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    payment = await make_payment(db, tenant=tenant)
    refund = PaymentRefund(
        tenant_id=TenantId(tenant.id),
        payment_id=payment.id,
        amount_fen=1_000,
        reason="test",
        status="succeeded",
    )
    db.add(refund)
    await db.flush()
    return refund.id


TABLE_FACTORIES = {
    "payments": _payment_row,
    "payment_refunds": _refund_row,
    "payment_accounts": _account_row,
}
