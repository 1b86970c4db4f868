"""Giving money back: refunds on cancellation (the amount decided by the subject's module,
for a reservation under its rate plan's policy) or by staff.

A card refund is a row first and a provider call second: `refund` records it and queues
the `payments.send_refund` job in the same transaction, and the job calls the provider
keyed by the row's id. A rolled-back cancellation therefore refunds nothing, and a job
that runs twice refunds once.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid
from app.jobs.queue import enqueue
from app.payments.gateway import GatewayError, current_gateway
from modules.payments.domain import MANUAL_PROVIDER, PaymentStatus, RefundStatus
from modules.payments.models import Payment, PaymentRefund
from modules.payments.repository import PaymentRepository
from modules.payments.service.common import log, now, subject_changed
from modules.payments.service.webhooks import QUEUE
from tenants.service.audit import record_audit

__all__ = ["SEND_REFUND_TASK", "refund", "send_refund"]

SEND_REFUND_TASK = "payments.send_refund"


async def refund(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    subject_type: str,
    subject_id: uuid.UUID,
    amount_fen: int,
    reason: str,
    actor_user_id: uuid.UUID | None = None,
    online_only: bool = False,
) -> int:
    """Give back up to `amount_fen` of what the subject's payments hold; returns the fen
    actually being refunded (less when less was paid). Online card payments go first,
    newest first (the money returns to the card by itself), then money taken at the desk,
    which is handed back there; `online_only` leaves desk payments alone.

    The subject's payments are locked first, so two refunds at once (a double click, a
    replayed cancellation) can never both give back the same money."""
    if amount_fen < 0:
        raise Invalid.field("amount_fen", "The amount must not be negative.")
    repo = PaymentRepository(db, tenant_id)
    payments = sorted(
        (
            p
            for p in await repo.for_subject(subject_type, subject_id, lock=True)
            if p.status == PaymentStatus.SUCCEEDED
            and not (online_only and p.provider == MANUAL_PROVIDER)
        ),
        key=lambda p: p.provider == MANUAL_PROVIDER,  # stable: newest first within each group
    )
    pending = await repo.pending_refunds_fen([p.id for p in payments])
    left, manual = amount_fen, False
    for payment in payments:
        share = min(left, payment.amount_fen - payment.refunded_fen - pending.get(payment.id, 0))
        if share <= 0:
            continue
        await _refund_one(db, repo, payment, share, reason)
        manual = manual or payment.provider == MANUAL_PROVIDER
        left -= share
    refunded = amount_fen - left
    if refunded:
        await record_audit(
            db,
            tenant_id,
            "payments.refund",
            actor_user_id=actor_user_id,
            subject_type=subject_type,
            subject_id=subject_id,
            data={"amount_fen": refunded, "reason": reason},
        )
    if manual:
        await subject_changed(db, tenant_id, subject_type, subject_id)
    return refunded


async def _refund_one(
    db: AsyncSession, repo: PaymentRepository, payment: Payment, amount_fen: int, reason: str
) -> None:
    """Money taken at the desk is handed back at the desk: recorded as done at once."""
    at_desk = payment.provider == MANUAL_PROVIDER
    row = PaymentRefund(
        payment_id=payment.id,
        amount_fen=amount_fen,
        reason=reason,
        status=RefundStatus.SUCCEEDED if at_desk else RefundStatus.PENDING,
        processed_at=now() if at_desk else None,
    )
    repo.add(row)
    await repo.flush()
    if at_desk:
        await repo.add_refunded(payment.id, amount_fen)
        await db.refresh(payment)
    else:
        args = {"tenant_id": str(repo.tenant_id), "refund_id": str(row.id)}
        await enqueue(db, SEND_REFUND_TASK, args, queue=QUEUE)


async def send_refund(db: AsyncSession, tenant_id: TenantId, refund_id: uuid.UUID) -> str:
    """The job's work: ask the provider for one recorded refund. Runs any number of times;
    only a pending refund is sent, always with the same idempotency key.

    A refusal (the provider says no) marks the refund failed for staff to see; a network
    or provider outage raises, so the job is retried."""
    repo = PaymentRepository(db, tenant_id)
    row = await repo.refund(refund_id, lock=True)
    if row is None or row.status != RefundStatus.PENDING:
        return row.status if row else "missing"
    payment = await repo.payment(row.payment_id, lock=True)
    assert payment is not None and payment.provider_intent_id
    try:
        result = await current_gateway().refund(
            intent_id=payment.provider_intent_id,
            amount_fen=row.amount_fen,
            idempotency_key=str(row.id),
            metadata={"refund_id": str(row.id), "reason": row.reason[:500]},
            account=payment.provider_account_id,  # a direct charge is refunded by its account
        )
    except GatewayError as exc:
        if exc.retryable:
            raise
        log.warning("refund %s refused: %s", row.id, exc)
        row.status, row.error, row.processed_at = RefundStatus.FAILED, str(exc), now()
        await db.flush()
        return row.status
    row.provider_refund_id = result.id
    if result.status == "failed":
        row.status, row.error, row.processed_at = (
            RefundStatus.FAILED,
            "refused by the provider",
            now(),
        )
        await db.flush()
        return row.status
    row.status, row.processed_at = RefundStatus.SUCCEEDED, now()
    await repo.add_refunded(payment.id, row.amount_fen)
    await db.flush()
    await db.refresh(payment)
    await subject_changed(db, tenant_id, payment.subject_type, payment.subject_id)
    return row.status
