"""Pre-check-in invitations: from 72 hours before sailing, the lead passenger of every
confirmed cabin booking gets one SMS with the cabin's pre-check-in link (the same link the
confirmation page shows), so passengers arrive at the pier with their passes on the phone."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.i18n import gettext as _
from app.i18n import use_locale
from app.notifications.service import queue_message
from modules.boarding.domain import PORTS
from modules.boarding.repository.invitations import DueInvitation, InvitationRepository
from modules.boarding.service.checkin import CHECKIN_OPENS_BEFORE_SAILING, checkin_url
from tenants.service import tenant_settings

__all__ = ["INVITATION_PURPOSE", "invitation_text", "send_checkin_invitations"]

INVITATION_PURPOSE = "boarding_checkin_invitation"
BATCH = 500  # leads per run and tenant; the next run takes the rest


async def send_checkin_invitations(
    db: AsyncSession, tenant_id: TenantId, *, now: datetime | None = None
) -> int:
    """Queue the pre-check-in SMS of every lead now due (in the same transaction that marks
    them invited, so each lead gets it once). Returns how many were queued."""
    now = now or clock.now()
    repo = InvitationRepository(db, tenant_id)
    due = await repo.due(now=now, until=now + CHECKIN_OPENS_BEFORE_SAILING, limit=BATCH)
    if not due:
        return 0
    line = await tenant_settings(db, tenant_id)
    zone = clock.zone(line.timezone or None)
    with use_locale(line.locale):
        for invite in due:
            body = invitation_text(invite, line=line.name, zone=zone, locale=line.locale)
            await queue_message(
                db,
                tenant_id,
                channel="sms",
                recipient=invite.phone,
                body=body + " " + checkin_url(tenant_id, invite.reservation_id),
                purpose=INVITATION_PURPOSE,
            )
    await repo.mark_invited([i.passenger_id for i in due], now)
    return len(due)


def invitation_text(invite: DueInvitation, *, line: str, zone: tzinfo, locale: str) -> str:
    """What the lead reads (the line's language), before the link."""
    opens = invite.opens_at.astimezone(zone)
    closes = invite.closes_at.astimezone(zone)
    day = (
        f"{opens.month}月{opens.day}日"
        if (locale or "zh_CN").startswith("zh")
        else f"{opens.day} {opens:%b}"
    )
    port = PORTS.get(invite.port_code)
    return _(
        "%(line)s: %(name)s, voyage %(voyage)s boards at %(pier)s on %(day)s, "
        "%(opens)s–%(closes)s. Pre-check in online now and get a boarding pass for "
        "each passenger:",
        line=line,
        name=invite.name,
        voyage=invite.voyage_number,
        pier=port.pier if port else invite.port_code,
        day=day,
        opens=f"{opens:%H:%M}",
        closes=f"{closes:%H:%M}",
    )
