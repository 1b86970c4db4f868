"""Card holds (pre-authorisation): a desk authorises an amount on the guest's card when they
arrive (a PaymentIntent with manual capture), and at the end takes what the bill came to
(`capture`, at most the amount held; the provider gives the rest back to the card at once) or
gives it all back (`release`).

While held, the payment is `processing` (the provider's `requires_capture`) for the amount
authorised; once captured it is `succeeded` for the amount taken, so what a subject holds
counts only the money that moved. Every provider call is keyed by the payment's id, so a
retried request never captures twice.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound, Unavailable
from app.payments.gateway import GatewayError, current_gateway
from modules.payments.domain import MANUAL_PROVIDER, PaymentStatus
from modules.payments.models import Payment
from modules.payments.repository import PaymentRepository
from modules.payments.schemas import PaymentView
from modules.payments.service.accounts import NOT_READY, OnlinePaymentsNotReady, charge_account
from modules.payments.service.common import apply_intent, now, payment_view, subject_changed
from tenants.service.audit import record_audit

__all__ = ["capture", "preauthorise", "release"]

UNAVAILABLE = "Card payment is unavailable right now. Please try again in a moment."
HELD = PaymentStatus.PROCESSING


class NotAuthorised(Conflict):
    code = "card_not_authorised"
    message = "The card was not authorised."


async def preauthorise(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    subject_type: str,
    subject_id: uuid.UUID,
    amount_fen: int,
    card_token: str,
    description: str,
) -> PaymentView:
    """Holds `amount_fen` on the card (a card terminal's or Stripe.js token). A card that is
    declined or needs the holder's 3-D Secure is refused (422 on `card`) and the intent
    cancelled, so no hold is left behind on a refusal. The hold is on the enterprise's own
    connected account; without a ready one it is refused on `card` before Stripe is asked."""
    if amount_fen <= 0:
        raise Invalid.field("preauth", "The amount must be more than zero.")
    if not card_token or len(card_token) > 255:
        raise Invalid.field("card", "Present the card.")
    try:
        account = await charge_account(db, tenant_id)
    except OnlinePaymentsNotReady as exc:
        raise Invalid.field("card", NOT_READY) from exc
    gateway = current_gateway()
    payment = Payment(
        subject_type=subject_type,
        subject_id=subject_id,
        kind="deposit",
        method="card",
        provider=gateway.provider,
        amount_fen=amount_fen,
        currency="CNY",
        status=PaymentStatus.PENDING,
        description=description,
        provider_account_id=account,
    )
    repo = PaymentRepository(db, tenant_id)
    repo.add(payment)
    await repo.flush()
    try:
        intent = await gateway.create_intent(
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
            capture_method="manual",
            account=account,
        )
        payment.provider_intent_id = intent.id
        intent = await gateway.confirm_with_card_token(
            intent.id, card_token, idempotency_key=f"{payment.id}-hold", account=account
        )
    except GatewayError as exc:
        if exc.retryable:
            raise Unavailable(UNAVAILABLE) from exc
        raise Invalid.field("card", str(exc)) from exc
    if intent.status != "requires_capture":
        try:
            await gateway.cancel_intent(intent.id, account=account)
        except GatewayError:
            pass  # an unconfirmed intent lapses by itself
        raise Invalid.field("card", intent.failure_message or NotAuthorised.message)
    await apply_intent(db, tenant_id, payment, intent)
    return payment_view(payment)


async def _held(repo: PaymentRepository, payment_id: uuid.UUID) -> Payment:
    payment = await repo.payment(payment_id, lock=True)
    if payment is None or payment.provider == MANUAL_PROVIDER or not payment.provider_intent_id:
        raise NotFound()
    return payment


async def capture(
    db: AsyncSession,
    tenant_id: TenantId,
    payment_id: uuid.UUID,
    amount_fen: int,
    *,
    recorded_by: uuid.UUID | None = None,
) -> PaymentView:
    """Takes `amount_fen` (1 … the amount held) of a hold; the rest goes back to the card.
    Asking again for the same amount answers the captured payment (a retried request);
    0 is a `release`."""
    repo = PaymentRepository(db, tenant_id)
    payment = await _held(repo, payment_id)
    if amount_fen == 0:
        return await release(db, tenant_id, payment_id)
    if payment.status == PaymentStatus.SUCCEEDED and payment.amount_fen == amount_fen:
        return payment_view(payment)
    if payment.status != HELD:
        raise Conflict("This card hold is no longer open.")
    if not 0 < amount_fen <= payment.amount_fen:
        raise Invalid.field("amount_fen", "At most the amount held can be taken from the card.")
    held = payment.amount_fen
    try:
        intent = await current_gateway().capture_intent(
            payment.provider_intent_id or "",
            amount_fen,
            idempotency_key=str(payment.id),
            account=payment.provider_account_id,
        )
    except GatewayError as exc:
        if exc.retryable:
            raise Unavailable(UNAVAILABLE) from exc
        raise Conflict(str(exc)) from exc
    if intent.status != "succeeded":
        raise Conflict("The card hold could not be captured.")
    payment.amount_fen = amount_fen
    payment.status = PaymentStatus.SUCCEEDED
    payment.succeeded_at = payment.updated_at = now()
    payment.failure_message = None
    await repo.flush()
    await record_audit(
        db,
        tenant_id,
        "payments.capture",
        actor_user_id=recorded_by,
        subject_type=payment.subject_type,
        subject_id=payment.subject_id,
        data={"payment_id": str(payment.id), "held_fen": held, "captured_fen": amount_fen},
    )
    await subject_changed(db, tenant_id, payment.subject_type, payment.subject_id)
    return payment_view(payment)


async def release(db: AsyncSession, tenant_id: TenantId, payment_id: uuid.UUID) -> PaymentView:
    """Gives a whole hold back to the card (nothing was due, or it was paid another way).
    Releasing a released hold changes nothing; a captured one cannot be released."""
    repo = PaymentRepository(db, tenant_id)
    payment = await _held(repo, payment_id)
    if payment.status == PaymentStatus.CANCELED:
        return payment_view(payment)
    if payment.status != HELD:
        raise Conflict("This card hold is no longer open.")
    gateway = current_gateway()
    account = payment.provider_account_id
    try:
        intent = await gateway.cancel_intent(payment.provider_intent_id or "", account=account)
    except GatewayError as exc:
        if exc.retryable:
            raise Unavailable(UNAVAILABLE) from exc
        intent = await gateway.retrieve_intent(payment.provider_intent_id or "", account=account)
    await apply_intent(db, tenant_id, payment, intent)
    return payment_view(payment)
