"""A reservation's money: the guest's pay step of the booking page, cancelling with the
refund owed, and hearing from the payments module when money arrives or goes back.

The payments module takes and gives back money for any subject and imports no other
module; this one asks it for payments and registers as the listener of "reservation"
subjects (`payments.on_subject_changed`)."""

from __future__ import annotations

import hmac
import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, NotFound
from modules.payments import service as payments
from modules.reservations.domain import OPEN, ReservationStatus
from modules.reservations.schemas import Cancellation, PayPage, ReservationView
from modules.reservations.service.lifecycle import cancel, get_reservation, set_payment_state

__all__ = [
    "RESERVATION",
    "WrongBookingCode",
    "cancel_and_refund",
    "guest_card",
    "guest_return",
    "pay_page",
]

log = logging.getLogger("zhilv.reservations")

# The payments module's subject type for a reservation's payments.
RESERVATION = "reservation"


class WrongBookingCode(NotFound):
    """The link is right but the booking code is missing or wrong."""


async def _guest_reservation(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, code: str
) -> ReservationView:
    """The reservation for whoever has its link AND its booking code (as the booking
    page's confirmation asks): a forwarded or guessed link alone shows nothing."""
    reservation = await get_reservation(db, tenant_id, reservation_id)
    if not hmac.compare_digest(reservation.code.upper().encode(), code.strip().upper().encode()):
        raise WrongBookingCode()
    return reservation


async def pay_page(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, code: str
) -> PayPage:
    """What the guest pays online for this reservation: the payment the booking page
    already started, else the rate plan's deposit, else the whole stay. Nothing once
    something has been paid (the balance is settled at the desk) or when the
    reservation can no longer be paid (cancelled, expired)."""
    reservation = await _guest_reservation(db, tenant_id, reservation_id, code)
    if reservation.status not in OPEN or reservation.paid_fen > 0:
        return PayPage(reservation=reservation, start=None)
    open_payments = await payments.open_card_payments(db, tenant_id, RESERVATION, reservation_id)
    if open_payments:
        kind, amount = open_payments[0].kind, open_payments[0].amount_fen
    elif 0 < reservation.deposit_fen < reservation.total_fen:
        kind, amount = "deposit", reservation.deposit_fen
    else:
        kind, amount = "prepayment", reservation.total_fen
    if amount <= 0:
        return PayPage(reservation=reservation, start=None)
    start = await payments.start_payment(
        db,
        tenant_id,
        subject_type=RESERVATION,
        subject_id=reservation_id,
        amount_fen=amount,
        kind=kind,
        description=f"{reservation.code} {reservation.unit_type_name}",
        customer_email=reservation.guest_email,
    )
    if start.status in payments.UNDER_WAY:
        return PayPage(reservation=reservation, start=None, kind=kind)
    return PayPage(reservation=reservation, start=start, kind=kind)


async def guest_card(
    db: AsyncSession,
    tenant_id: TenantId,
    reservation_id: uuid.UUID,
    code: str,
    *,
    payment_id: uuid.UUID,
    token: str,
) -> payments.CardResult:
    await _guest_reservation(db, tenant_id, reservation_id, code)
    return await payments.confirm_card(
        db, tenant_id, subject_id=reservation_id, payment_id=payment_id, token=token
    )


async def guest_return(
    db: AsyncSession,
    tenant_id: TenantId,
    reservation_id: uuid.UUID,
    code: str,
    *,
    payment_id: uuid.UUID,
) -> payments.PaymentView:
    await _guest_reservation(db, tenant_id, reservation_id, code)
    return await payments.sync_payment(
        db, tenant_id, subject_id=reservation_id, payment_id=payment_id
    )


async def cancel_and_refund(
    db: AsyncSession,
    tenant_id: TenantId,
    reservation_id: uuid.UUID,
    *,
    reason: str,
    actor: Actor | None = None,
    waive_fee: bool = False,
) -> tuple[Cancellation, int]:
    """Cancel under the rate plan's policy and give back what was paid beyond the fee, in
    one transaction: the cancel flows (console, API) call this, so a guest is never left
    cancelled without the refund they are owed, nor refunded and still booked. Returns
    the cancellation and the fen being refunded."""
    cancellation = await cancel(
        db, tenant_id, reservation_id, reason=reason, actor=actor, waive_fee=waive_fee
    )
    refunded = 0
    if cancellation.refundable_fen > 0:
        refunded = await payments.refund(
            db,
            tenant_id,
            subject_type=RESERVATION,
            subject_id=reservation_id,
            amount_fen=cancellation.refundable_fen,
            reason=reason or "cancelled",
            actor_user_id=actor.user_id if actor else None,
        )
    return cancellation, refunded


async def payment_changed(db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID) -> None:
    """What the reservation's payments now hold, written onto it. A reservation whose hold
    lapsed and whose dates sold out meanwhile cannot take the money: it is given back
    rather than kept for a booking the guest does not have."""
    reservation = await get_reservation(db, tenant_id, reservation_id)
    held = await payments.payments_for(db, tenant_id, RESERVATION, reservation_id)
    state, net = payments.holdings(held, reservation.total_fen)
    try:
        async with db.begin_nested():
            await set_payment_state(db, tenant_id, reservation_id, state, net)
        lapsed = (await get_reservation(db, tenant_id, reservation_id)).status
    except Conflict:
        lapsed = ReservationStatus.EXPIRED
    if lapsed == ReservationStatus.EXPIRED and net > 0:
        log.warning("reservation %s lapsed before its payment arrived; refunding", reservation_id)
        await payments.refund(
            db,
            tenant_id,
            subject_type=RESERVATION,
            subject_id=reservation_id,
            amount_fen=net,
            reason="hold_expired",
        )


payments.on_subject_changed(RESERVATION, payment_changed)
