"""Calling off a voyage: every cabin booked on it is cancelled with no fee kept and what
was paid refunded in full (the line cancelled, not the guest), its passes stop working, and
each lead passenger is told by SMS with the reason and the refund."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.i18n import gettext as _
from app.i18n import use_locale
from app.money import format_fen
from app.notifications.service import queue_message
from modules.boarding.repository.cancelling import CancellingRepository
from modules.reservations import service as reservations
from tenants.service import tenant_settings

__all__ = ["CANCEL_SMS_PURPOSE", "cancel_voyage_bookings"]

CANCEL_SMS_PURPOSE = "boarding_voyage_cancelled"


async def cancel_voyage_bookings(
    db: AsyncSession,
    tenant_id: TenantId,
    voyage_id: uuid.UUID,
    *,
    number: str,
    reason: str,
    actor: Actor | None = None,
) -> int:
    """Cancel and fully refund every live cabin booking of the voyage, in the caller's
    transaction (the voyage's own cancellation); how many bookings were cancelled."""
    bookings = await CancellingRepository(db, tenant_id).live_bookings(voyage_id)
    if not bookings:
        return 0
    line = await tenant_settings(db, tenant_id)
    cancelled = 0
    with use_locale(line.locale):
        why = _("Voyage %(voyage)s cancelled: %(reason)s", voyage=number, reason=reason)
        for booking in bookings:
            try:
                done, refunded = await reservations.cancel_and_refund(
                    db, tenant_id, booking.reservation_id, reason=why, actor=actor, waive_fee=True
                )
            except reservations.WrongStatus:
                continue  # already cancelled or over: nothing to undo
            cancelled += 1
            if booking.lead_phone:
                body = _(
                    "%(line)s: %(name)s, we are sorry: voyage %(voyage)s is cancelled "
                    "(%(reason)s). Your booking %(code)s is cancelled without any fee and "
                    "%(amount)s paid is refunded in full to where it came from.",
                    line=line.name,
                    name=booking.lead_name,
                    voyage=number,
                    reason=reason,
                    code=done.reservation.code,
                    amount=format_fen(refunded),
                )
                await queue_message(
                    db,
                    tenant_id,
                    channel="sms",
                    recipient=booking.lead_phone,
                    body=body,
                    purpose=CANCEL_SMS_PURPOSE,
                )
    return cancelled
