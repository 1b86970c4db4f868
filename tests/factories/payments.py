"""Factories for payments: plain rows (any subject) for isolation tests and arranging."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import uuid7
from app.db.engine import TenantId, bind_tenant
from modules.payments.models import Payment, PaymentRefund
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


TABLE_FACTORIES = {"payments": _payment_row, "payment_refunds": _refund_row}
