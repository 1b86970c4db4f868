"""All SQL of the payments module.

Payments and refunds go through `PaymentRepository` (tenant-scoped; row-level security is
the second lock). The webhook inbox is global and goes through `EventInbox`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import uuid7
from modules.payments.domain import MANUAL_PROVIDER, OPEN, RefundStatus
from modules.payments.models import Payment, PaymentAccount, PaymentProviderEvent, PaymentRefund
from tenants.repository import TenantScopedRepository


class PaymentRepository(TenantScopedRepository):
    async def payment(self, payment_id: uuid.UUID, *, lock: bool = False) -> Payment | None:
        stmt = self.scoped(Payment).where(Payment.id == payment_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def by_intent(self, intent_id: str, *, lock: bool = False) -> Payment | None:
        stmt = self.scoped(Payment).where(Payment.provider_intent_id == intent_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def for_subject(
        self, subject_type: str, subject_id: uuid.UUID, *, lock: bool = False
    ) -> Sequence[Payment]:
        """Newest first. With `lock`, concurrent refunds of one subject queue up here, so
        two of them can never both spend the same refundable money."""
        stmt = (
            self.scoped(Payment)
            .where(Payment.subject_type == subject_type, Payment.subject_id == subject_id)
            .order_by(Payment.created_at.desc(), Payment.id.desc())
        )
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalars().all()

    async def open_card_payments(
        self, subject_type: str, subject_id: uuid.UUID
    ) -> Sequence[Payment]:
        stmt = (
            self.scoped(Payment)
            .where(
                Payment.subject_type == subject_type,
                Payment.subject_id == subject_id,
                Payment.provider != MANUAL_PROVIDER,
                Payment.status.in_(OPEN),
            )
            .order_by(Payment.created_at.desc())
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def pending_refunds_fen(self, payment_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not payment_ids:
            return {}
        stmt = (
            select(PaymentRefund.payment_id, func.sum(PaymentRefund.amount_fen))
            .where(
                PaymentRefund.tenant_id == self.tenant_id,
                PaymentRefund.payment_id.in_(payment_ids),
                PaymentRefund.status == RefundStatus.PENDING,
            )
            .group_by(PaymentRefund.payment_id)
        )
        return {row[0]: int(row[1]) for row in (await self.db.execute(stmt)).all()}

    async def refund(self, refund_id: uuid.UUID, *, lock: bool = False) -> PaymentRefund | None:
        stmt = self.scoped(PaymentRefund).where(PaymentRefund.id == refund_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def refunds_for(self, payment_ids: Sequence[uuid.UUID]) -> Sequence[PaymentRefund]:
        if not payment_ids:
            return []
        stmt = (
            self.scoped(PaymentRefund)
            .where(PaymentRefund.payment_id.in_(payment_ids))
            .order_by(PaymentRefund.created_at)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def add_refunded(self, payment_id: uuid.UUID, amount_fen: int) -> None:
        await self.db.execute(
            update(Payment)
            .where(Payment.tenant_id == self.tenant_id, Payment.id == payment_id)
            .values(refunded_fen=Payment.refunded_fen + amount_fen, updated_at=func.now())
        )

    async def flush(self) -> None:
        await self.db.flush()


class AccountRepository(TenantScopedRepository):
    """The tenant's one connected account row."""

    async def current(self, *, lock: bool = False) -> PaymentAccount | None:
        stmt = self.scoped(PaymentAccount)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def add_once(self, values: dict[str, Any]) -> PaymentAccount:
        """Insert the tenant's account unless it has one (two clicks at once: one row)."""
        stmt = (
            insert(PaymentAccount)
            .values(id=uuid7(), tenant_id=self.tenant_id, **values)
            .on_conflict_do_nothing(index_elements=["tenant_id"])
        )
        await self.db.execute(stmt)
        found = await self.current(lock=True)
        assert found is not None
        return found


class EventInbox:
    """The global webhook inbox (no tenant: the tenant is only known after parsing)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def store(
        self, *, provider: str, event_id: str, type: str, payload: dict[str, Any]
    ) -> uuid.UUID | None:
        """The new row's id, or None when this event was already stored (a replay)."""
        stmt = (
            insert(PaymentProviderEvent)
            .values(id=uuid7(), provider=provider, event_id=event_id, type=type, payload=payload)
            .on_conflict_do_nothing(index_elements=["provider", "event_id"])
            .returning(PaymentProviderEvent.id)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def get(self, row_id: uuid.UUID, *, lock: bool = False) -> PaymentProviderEvent | None:
        stmt = select(PaymentProviderEvent).where(PaymentProviderEvent.id == row_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def by_event_id(self, provider: str, event_id: str) -> PaymentProviderEvent | None:
        stmt = select(PaymentProviderEvent).where(
            PaymentProviderEvent.provider == provider, PaymentProviderEvent.event_id == event_id
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def mark(self, row_id: uuid.UUID, outcome: str, at: datetime) -> None:
        await self.db.execute(
            update(PaymentProviderEvent)
            .where(PaymentProviderEvent.id == row_id)
            .values(processed_at=at, outcome=outcome)
        )
