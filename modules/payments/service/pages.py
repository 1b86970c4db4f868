"""The guest's pay step of the booking page."""

from __future__ import annotations

import hmac
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import NotFound
from modules.payments.repository import PaymentRepository
from modules.payments.schemas import CardResult, PaymentView, PayPage
from modules.payments.service.common import RESERVATION
from modules.payments.service.intents import confirm_card, start_payment, sync_payment
from modules.reservations import service as reservations
from modules.reservations.service import ReservationView

__all__ = ["PAYABLE_STATUSES", "WrongBookingCode", "guest_card", "guest_return", "pay_page"]

PAYABLE_STATUSES = ("held", "confirmed")


class WrongBookingCode(NotFound):
    """The link is right but the booking code is missing or wrong."""


async def _guest_reservation(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, code: str
) -> ReservationView:
    """The reservation for whoever has its link AND its booking code (as the booking
    page's confirmation asks): a forwarded or guessed link alone shows nothing."""
    reservation = await reservations.get_reservation(db, tenant_id, reservation_id)
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
    if reservation.status not in PAYABLE_STATUSES or reservation.paid_fen > 0:
        return PayPage(reservation=reservation, start=None)
    open_payments = await PaymentRepository(db, tenant_id).open_card_payments(
        RESERVATION, reservation_id
    )
    if open_payments:
        kind, amount = open_payments[0].kind, open_payments[0].amount_fen
    elif 0 < reservation.deposit_fen < reservation.total_fen:
        kind, amount = "deposit", reservation.deposit_fen
    else:
        kind, amount = "prepayment", reservation.total_fen
    if amount <= 0:
        return PayPage(reservation=reservation, start=None)
    start = await start_payment(
        db,
        tenant_id,
        subject_type=RESERVATION,
        subject_id=reservation_id,
        amount_fen=amount,
        kind=kind,
        description=f"{reservation.code} {reservation.unit_type_name}",
        customer_email=reservation.guest_email,
    )
    if start.status in ("succeeded", "processing"):
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
) -> CardResult:
    await _guest_reservation(db, tenant_id, reservation_id, code)
    return await confirm_card(
        db, tenant_id, subject_id=reservation_id, payment_id=payment_id, token=token
    )


async def guest_return(
    db: AsyncSession,
    tenant_id: TenantId,
    reservation_id: uuid.UUID,
    code: str,
    *,
    payment_id: uuid.UUID,
) -> PaymentView:
    await _guest_reservation(db, tenant_id, reservation_id, code)
    return await sync_payment(db, tenant_id, subject_id=reservation_id, payment_id=payment_id)
