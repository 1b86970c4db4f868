"""Taking money: card payments through the provider, and payments taken at the desk.

Creating an intent is the one provider call made inside a request's transaction: the pay
page needs its client secret at once. It is keyed by our payment's id, so a retried
request gets the same intent; an intent whose row was rolled back is never confirmed and
simply lapses at the provider.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid, NotFound, Unavailable
from app.payments.gateway import GatewayError, Intent, current_gateway
from modules.payments.domain import FINAL, MANUAL_PROVIDER, UNDER_WAY, PaymentStatus
from modules.payments.models import KINDS, METHODS, Payment
from modules.payments.repository import PaymentRepository
from modules.payments.schemas import CardResult, PaymentStart, PaymentView
from modules.payments.service.accounts import charge_account
from modules.payments.service.common import apply_intent, now, payment_view, subject_changed
from tenants.service.audit import record_audit

__all__ = [
    "confirm_card",
    "open_card_payments",
    "payments_for",
    "record_manual_payment",
    "start_payment",
    "sync_payment",
]

UNAVAILABLE = "Online payment is unavailable right now. Please try again in a moment."
DESK_METHODS = tuple(m for m in METHODS if m != "card")


async def start_payment(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    subject_type: str,
    subject_id: uuid.UUID,
    amount_fen: int,
    kind: str,
    description: str,
    customer_email: str | None = None,
) -> PaymentStart:
    """A card payment for the pay page. Asking again for the same subject, kind and amount
    (the guest reloads the page) continues the open payment instead of starting another;
    open payments for another amount are cancelled so only one can ever be paid.

    The intent is a direct charge on the enterprise's own connected account; without a
    ready one the guest is told so (`OnlinePaymentsNotReady`) and no intent is created."""
    if amount_fen <= 0:
        raise Invalid.field("amount_fen", "The amount must be more than zero.")
    if kind not in KINDS:
        raise Invalid.field("kind", "Unknown payment kind.")
    account = await charge_account(db, tenant_id)
    repo = PaymentRepository(db, tenant_id)
    gateway = current_gateway()
    for open_payment in await repo.open_card_payments(subject_type, subject_id):
        if (
            open_payment.kind == kind
            and open_payment.amount_fen == amount_fen
            and open_payment.provider_account_id == account
        ):
            intent = await _call(
                gateway.retrieve_intent(
                    _intent_id(open_payment), account=open_payment.provider_account_id
                )
            )
            await apply_intent(db, tenant_id, open_payment, intent)
            if open_payment.status not in (*FINAL, PaymentStatus.PROCESSING):
                return _start(open_payment, intent)
        else:
            await _cancel(db, tenant_id, open_payment)
    payment = Payment(
        subject_type=subject_type,
        subject_id=subject_id,
        kind=kind,
        method="card",
        provider=gateway.provider,
        amount_fen=amount_fen,
        currency="CNY",
        status=PaymentStatus.PENDING,
        description=description,
        customer_email=customer_email,
        provider_account_id=account,
    )
    repo.add(payment)
    await repo.flush()
    intent = await _call(
        gateway.create_intent(
            amount_fen=amount_fen,
            currency="CNY",
            description=description,
            metadata={
                "tenant_id": str(tenant_id),
                "payment_id": str(payment.id),
                "subject_type": subject_type,
                "subject_id": str(subject_id),
            },
            idempotency_key=str(payment.id),
            receipt_email=customer_email,
            account=account,
        )
    )
    payment.provider_intent_id = intent.id
    await repo.flush()
    return _start(payment, intent)


def _start(payment: Payment, intent: Intent) -> PaymentStart:
    gateway = current_gateway()
    return PaymentStart(
        payment_id=payment.id,
        client_secret=intent.client_secret or "",
        publishable_key=gateway.publishable_key,
        js_url=gateway.js_url,
        amount_fen=payment.amount_fen,
        currency=payment.currency,
        status=payment.status,
        stripe_account=payment.provider_account_id or "",
    )


async def _cancel(db: AsyncSession, tenant_id: TenantId, payment: Payment) -> None:
    account = payment.provider_account_id
    try:
        intent = await current_gateway().cancel_intent(_intent_id(payment), account=account)
    except GatewayError:
        intent = await _call(
            current_gateway().retrieve_intent(_intent_id(payment), account=account)
        )
    await apply_intent(db, tenant_id, payment, intent)


async def _open_payment(
    repo: PaymentRepository, subject_id: uuid.UUID, payment_id: uuid.UUID
) -> Payment:
    payment = await repo.payment(payment_id, lock=True)
    if payment is None or payment.subject_id != subject_id or payment.provider == MANUAL_PROVIDER:
        raise NotFound()
    return payment


async def confirm_card(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    subject_id: uuid.UUID,
    payment_id: uuid.UUID,
    token: str,
) -> CardResult:
    """Pay with the card the guest typed (a Stripe.js token). A declined card is an answer
    the page shows, not an error: the guest may try another card on the same payment."""
    payment = await _open_payment(PaymentRepository(db, tenant_id), subject_id, payment_id)
    if payment.status in UNDER_WAY:
        return CardResult(status=payment.status)
    if payment.status == PaymentStatus.CANCELED:
        raise NotFound()
    try:
        intent = await current_gateway().confirm_with_card_token(
            _intent_id(payment),
            token,
            idempotency_key=f"{payment.id}-{token}",
            account=payment.provider_account_id,
        )
    except GatewayError as exc:
        if exc.retryable:
            raise Unavailable(UNAVAILABLE) from exc
        payment.status, payment.failure_message = PaymentStatus.FAILED, str(exc)
        await db.flush()
        return CardResult(status=PaymentStatus.FAILED, message=str(exc))
    await apply_intent(db, tenant_id, payment, intent)
    secret = intent.client_secret if payment.status == PaymentStatus.REQUIRES_ACTION else None
    return CardResult(status=payment.status, client_secret=secret, message=payment.failure_message)


async def sync_payment(
    db: AsyncSession, tenant_id: TenantId, *, subject_id: uuid.UUID, payment_id: uuid.UUID
) -> PaymentView:
    """Read the payment's state from the provider now (the guest is back from Stripe.js),
    so the confirmation page need not wait for the webhook; the webhook later changes
    nothing."""
    payment = await _open_payment(PaymentRepository(db, tenant_id), subject_id, payment_id)
    if payment.status not in FINAL:
        intent = await _call(
            current_gateway().retrieve_intent(
                _intent_id(payment), account=payment.provider_account_id
            )
        )
        await apply_intent(db, tenant_id, payment, intent)
    return payment_view(payment)


async def payments_for(
    db: AsyncSession, tenant_id: TenantId, subject_type: str, subject_id: uuid.UUID
) -> list[PaymentView]:
    """Every payment of the subject with its refunds, newest first."""
    repo = PaymentRepository(db, tenant_id)
    rows = await repo.for_subject(subject_type, subject_id)
    refunds = await repo.refunds_for([r.id for r in rows])
    return [payment_view(row, refunds) for row in rows]


async def open_card_payments(
    db: AsyncSession, tenant_id: TenantId, subject_type: str, subject_id: uuid.UUID
) -> list[PaymentView]:
    """Card payments of the subject the guest may still complete, newest first."""
    rows = await PaymentRepository(db, tenant_id).open_card_payments(subject_type, subject_id)
    return [payment_view(row) for row in rows]


async def record_manual_payment(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    subject_type: str,
    subject_id: uuid.UUID,
    amount_fen: int,
    method: str,
    kind: str = "balance",
    description: str = "",
    recorded_by: uuid.UUID | None = None,
) -> PaymentView:
    """Money taken at the desk (cash, WeChat Pay, Alipay, a card terminal): it has
    arrived, so it counts at once and is written to the audit log."""
    if amount_fen <= 0:
        raise Invalid.field("amount_fen", "The amount must be more than zero.")
    if method not in DESK_METHODS:
        raise Invalid.field("method", "Unknown payment method.")
    if kind not in KINDS:
        raise Invalid.field("kind", "Unknown payment kind.")
    repo = PaymentRepository(db, tenant_id)
    payment = Payment(
        subject_type=subject_type,
        subject_id=subject_id,
        kind=kind,
        method=method,
        provider=MANUAL_PROVIDER,
        amount_fen=amount_fen,
        currency="CNY",
        status=PaymentStatus.SUCCEEDED,
        description=description,
        recorded_by=recorded_by,
        succeeded_at=now(),
    )
    repo.add(payment)
    await repo.flush()
    await record_audit(
        db,
        tenant_id,
        "payments.manual",
        actor_user_id=recorded_by,
        subject_type=subject_type,
        subject_id=subject_id,
        data={"payment_id": str(payment.id), "amount_fen": amount_fen, "method": method},
    )
    await subject_changed(db, tenant_id, subject_type, subject_id)
    return payment_view(payment)


def _intent_id(payment: Payment) -> str:
    if not payment.provider_intent_id:
        raise NotFound()
    return payment.provider_intent_id


async def _call(pending: Awaitable[Intent]) -> Intent:
    try:
        return await pending
    except GatewayError as exc:
        raise Unavailable(UNAVAILABLE) from exc
