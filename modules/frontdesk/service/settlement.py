"""Opening a stay's bill at check-in and settling it at check-out."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.money import format_fen
from modules.frontdesk import domain
from modules.frontdesk.models import FolioLine, Stay
from modules.frontdesk.repository import FrontDeskRepository
from modules.frontdesk.schemas import FolioView
from modules.frontdesk.service.folio import (
    locked_open_stay,
    new_line,
    record_desk_payment,
)
from modules.frontdesk.service.views import folio_view
from modules.payments import service as payments
from modules.reservations import service as reservations
from modules.reservations.service import ReservationView
from tenants.service import record_audit

__all__ = ["check_out"]

ROOM = "room"


async def open_folio(repo: FrontDeskRepository, stay: Stay, r: ReservationView) -> None:
    """The booked nights as charges (one line a night, at the booked price) and what the
    guest already paid online as a payment, so the bill starts from what was agreed."""
    lines = [
        new_line(
            stay,
            "charge",
            night.price_fen,
            _("Room %(type)s, night of %(day)s", type=r.unit_type_name, day=night.day.isoformat()),
            source=ROOM,
            service_date=night.day,
        )
        for night in r.night_prices
        if night.price_fen > 0
    ]
    if not r.night_prices and r.total_fen > 0:
        lines.append(
            new_line(
                stay, "charge", r.total_fen, _("Room %(type)s", type=r.unit_type_name), source=ROOM
            )
        )
    if r.paid_fen > 0:
        lines.append(
            new_line(
                stay,
                "payment",
                -r.paid_fen,
                _("Paid online with the booking %(code)s", code=r.code),
                source="booking",
                method="online",
            )
        )
    await repo.save(*lines)


def _unused_nights(lines: list[FolioLine], today: date) -> list[FolioLine]:
    """Room nights from today on, when the guest leaves before the booked departure (the
    night before departure is the last one slept). The first night is owed once the guest
    has had the key, even when they leave the day they came."""
    room_nights = [
        line
        for line in lines
        if line.kind == "charge" and line.source == ROOM and line.service_date is not None
    ]
    if not room_nights:
        return []
    first = min(line.service_date for line in room_nights if line.service_date)
    cutoff = max(today, first + timedelta(days=1))
    reversed_days = {
        line.service_date for line in lines if line.kind == "adjustment" and line.source == ROOM
    }
    return [
        line
        for line in room_nights
        if line.service_date is not None
        and line.service_date >= cutoff
        and line.service_date not in reversed_days
    ]


async def check_out(
    db: AsyncSession,
    tenant_id: TenantId,
    stay_id: uuid.UUID,
    *,
    method: str,
    actor: Actor,
    tz: str,
    now: datetime | None = None,
) -> FolioView:
    """Close the stay: nights not slept are taken off, the balance is settled (paid at the
    desk, or handed back), the room goes to housekeeping as dirty.

    A guest who owes money cannot leave the system without it being taken: the clerk
    must say how the balance is settled, or check-out is refused with that field (and
    nothing is written)."""
    now = now or clock.now()
    repo = FrontDeskRepository(db, tenant_id)
    stay = await locked_open_stay(repo, stay_id)
    lines = list(await repo.lines(stay.id))
    unused = _unused_nights(lines, domain.business_date(tz, now))
    owed = domain.balance(line.amount_fen for line in lines) - sum(u.amount_fen for u in unused)
    _check_method(owed, method)
    credits = [
        new_line(
            stay,
            "adjustment",
            -line.amount_fen,
            _("Early departure: night of %(day)s not used", day=str(line.service_date)),
            source=ROOM,
            service_date=line.service_date,
            actor=actor,
        )
        for line in unused
    ]
    await repo.save(*credits)
    lines += credits
    if owed > 0:
        lines.append(await record_desk_payment(db, tenant_id, repo, stay, owed, method, actor))
    elif owed < 0:
        lines.append(await _refunded(db, tenant_id, repo, stay, -owed, method, actor))
    stay.status, stay.checked_out_at, stay.checked_out_by = (
        domain.StayStatus.CHECKED_OUT,
        now,
        actor.user_id,
    )
    await repo.save(stay)
    await reservations.mark_checked_out(db, tenant_id, stay.reservation_id)
    await reservations.set_unit_status(db, tenant_id, stay.unit_id, "dirty")
    await record_audit(
        db,
        tenant_id,
        "frontdesk.check_out",
        actor_user_id=actor.user_id,
        subject_type="stay",
        subject_id=stay.id,
        data={"unit": stay.unit_number, "settled_fen": owed, "method": method or None},
        ip=actor.ip,
    )
    return folio_view(stay, lines)


def _check_method(owed: int, method: str) -> None:
    if owed > 0 and method not in domain.DESK_METHODS:
        raise Invalid.field(
            "method",
            _("Choose how the guest pays the balance of %(amount)s.", amount=format_fen(owed)),
        )
    if owed < 0 and method not in (*domain.DESK_METHODS, "online"):
        raise Invalid.field(
            "method",
            _("Choose how %(amount)s is given back to the guest.", amount=format_fen(-owed)),
        )


async def _refunded(
    db: AsyncSession,
    tenant_id: TenantId,
    repo: FrontDeskRepository,
    stay: Stay,
    amount_fen: int,
    method: str,
    actor: Actor,
) -> FolioLine:
    """Hand back what the guest paid beyond the bill: to the card they paid online with,
    or over the desk in the method the clerk chose."""
    if method == "online":
        amount_fen = await payments.refund(
            db,
            tenant_id,
            subject_type="reservation",
            subject_id=stay.reservation_id,
            amount_fen=amount_fen,
            reason="stay settled below what was paid",
            actor_user_id=actor.user_id,
        )
        if amount_fen <= 0:
            raise Conflict("Nothing paid online can be refunded; give it back at the desk.")
    line = new_line(
        stay,
        "refund",
        amount_fen,
        _("Refund to the guest (%(method)s)", method=_(domain.METHOD_LABELS[method])),
        source="desk",
        method=method,
        actor=actor,
    )
    await repo.save(line)
    return line
