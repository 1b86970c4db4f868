"""Shared pieces: views, the provider-status mapping and the one place a payment's state
moves (`apply_intent`), after which the subject (a reservation) hears about it through
the listener its module registered (`on_subject_changed`): payments knows no subject
module, so modules that take payments depend on this one and never the reverse."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.payments.gateway import Intent
from modules.payments.domain import FINAL, PaymentStatus
from modules.payments.models import Payment, PaymentRefund
from modules.payments.schemas import PaymentView, RefundView

log = logging.getLogger("zhilv.payments")

_PROVIDER_STATUS = {
    "requires_payment_method": PaymentStatus.PENDING,
    "requires_confirmation": PaymentStatus.PENDING,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "processing": PaymentStatus.PROCESSING,
    "requires_capture": PaymentStatus.PROCESSING,
    "succeeded": PaymentStatus.SUCCEEDED,
    "canceled": PaymentStatus.CANCELED,
}
# `async (db, tenant_id, subject_id)`: a subject's module re-reads what its payments hold.
SubjectListener = Callable[[AsyncSession, TenantId, uuid.UUID], Awaitable[None]]
_LISTENERS: dict[str, SubjectListener] = {}


def now() -> datetime:
    return clock.now()


def our_status(intent: Intent) -> PaymentStatus:
    status = _PROVIDER_STATUS.get(intent.status, PaymentStatus.PENDING)
    if status == PaymentStatus.PENDING and intent.failure_message:
        return PaymentStatus.FAILED
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
    if status == payment.status and status != PaymentStatus.FAILED:
        return False
    if status == PaymentStatus.SUCCEEDED and 0 < intent.amount_received < payment.amount_fen:
        # A card hold captured for less than it held (our capture's own transaction rolled
        # back): the payment is what was taken, the rest went back to the card.
        payment.amount_fen = intent.amount_received
    payment.status = status
    payment.failure_message = intent.failure_message if status == PaymentStatus.FAILED else None
    payment.updated_at = now()
    if status == PaymentStatus.SUCCEEDED:
        payment.succeeded_at = now()
    await db.flush()
    if status == PaymentStatus.SUCCEEDED:
        await subject_changed(db, tenant_id, payment.subject_type, payment.subject_id)
    return True


def on_subject_changed(subject_type: str, listener: SubjectListener) -> None:
    """Register the module that owns `subject_type` subjects (one per type): it is called,
    in the same transaction, whenever money for one of them arrives or goes back."""
    _LISTENERS[subject_type] = listener


async def subject_changed(
    db: AsyncSession, tenant_id: TenantId, subject_type: str, subject_id: uuid.UUID
) -> None:
    """Tell the subject's module that what it holds changed (nothing to tell for a
    subject type no module listens to)."""
    listener = _LISTENERS.get(subject_type)
    if listener is not None:
        await listener(db, tenant_id, subject_id)
