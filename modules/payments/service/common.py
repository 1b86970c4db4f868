"""Shared pieces: views, the provider-status mapping and the one place a payment's state
moves (`apply_intent`), after which the subject (a reservation) hears about it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Conflict
from app.payments.gateway import Intent
from modules.payments.models import Payment, PaymentRefund
from modules.payments.repository import PaymentRepository
from modules.payments.schemas import PaymentView, RefundView
from modules.reservations import service as reservations

log = logging.getLogger("zhilv.payments")

RESERVATION = "reservation"
# Once here, a payment's status never changes again (refunds are counted beside it), so a
# late or replayed event can never undo money that arrived.
FINAL = ("succeeded", "canceled")
_PROVIDER_STATUS = {
    "requires_payment_method": "pending",
    "requires_confirmation": "pending",
    "requires_action": "requires_action",
    "processing": "processing",
    "requires_capture": "processing",
    "succeeded": "succeeded",
    "canceled": "canceled",
}


def now() -> datetime:
    return datetime.now(UTC)


def our_status(intent: Intent) -> str:
    status = _PROVIDER_STATUS.get(intent.status, "pending")
    if status == "pending" and intent.failure_message:
        return "failed"
    return status


def refund_view(row: PaymentRefund) -> RefundView:
    return RefundView(
        id=row.id,
        payment_id=row.payment_id,
        amount_fen=row.amount_fen,
        reason=row.reason,
        status=row.status,
        created_at=row.created_at,
        processed_at=row.processed_at,
        error=row.error,
    )


def payment_view(row: Payment, refunds: Sequence[PaymentRefund] = ()) -> PaymentView:
    return PaymentView(
        id=row.id,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        kind=row.kind,
        method=row.method,
        provider=row.provider,
        amount_fen=row.amount_fen,
        currency=row.currency,
        status=row.status,
        refunded_fen=row.refunded_fen,
        description=row.description,
        created_at=row.created_at,
        succeeded_at=row.succeeded_at,
        failure_message=row.failure_message,
        refunds=tuple(refund_view(r) for r in refunds if r.payment_id == row.id),
    )


async def apply_intent(
    db: AsyncSession, tenant_id: TenantId, payment: Payment, intent: Intent
) -> bool:
    """Move `payment` to what the provider says; True when it changed.

    Safe to call any number of times with any order of intents: a final payment stays as
    it is, and an intent for another amount is refused (it cannot be ours)."""
    if payment.status in FINAL or intent.amount_fen != payment.amount_fen:
        if intent.amount_fen != payment.amount_fen:
            log.warning("intent %s amount differs from payment %s", intent.id, payment.id)
        return False
    status = our_status(intent)
    if status == payment.status and status != "failed":
        return False
    payment.status = status
    payment.failure_message = intent.failure_message if status == "failed" else None
    payment.updated_at = now()
    if status == "succeeded":
        payment.succeeded_at = now()
    await db.flush()
    if status == "succeeded":
        await subject_changed(db, tenant_id, payment.subject_type, payment.subject_id)
    return True


def payment_state(payments: Sequence[Payment], total_fen: int) -> tuple[str, int]:
    """The subject's payment state and what it holds net of refunds."""
    paid = [p for p in payments if p.status == "succeeded"]
    net = sum(p.amount_fen - p.refunded_fen for p in paid)
    refunded = sum(p.refunded_fen for p in paid)
    if refunded and net <= 0:
        return "refunded", 0
    if refunded:
        return "partially_refunded", net
    if net <= 0:
        return "unpaid", 0
    return ("paid" if net >= total_fen else "deposit_paid"), net


async def subject_changed(
    db: AsyncSession, tenant_id: TenantId, subject_type: str, subject_id: uuid.UUID
) -> None:
    """Tell the subject what it now holds. A reservation whose hold lapsed and whose
    dates sold out meanwhile cannot take the money: it is given back rather than kept
    for a booking the guest does not have."""
    if subject_type != RESERVATION:
        return
    repo = PaymentRepository(db, tenant_id)
    reservation = await reservations.get_reservation(db, tenant_id, subject_id)
    payments = await repo.for_subject(subject_type, subject_id)
    state, net = payment_state(payments, reservation.total_fen)
    try:
        async with db.begin_nested():
            await reservations.set_payment_state(db, tenant_id, subject_id, state, net)
        lapsed = (await reservations.get_reservation(db, tenant_id, subject_id)).status
    except Conflict:
        lapsed = "expired"
    if lapsed == "expired" and net > 0:
        log.warning("reservation %s lapsed before its payment arrived; refunding", subject_id)
        from modules.payments.service.refunds import refund

        await refund(
            db,
            tenant_id,
            subject_type=subject_type,
            subject_id=subject_id,
            amount_fen=net,
            reason="hold_expired",
        )
