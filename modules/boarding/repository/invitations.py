"""SQL of the pre-check-in invitations: the lead passengers of confirmed cabin bookings whose
voyage sails within the window and who have not been sent the link yet.

The booking's state is read from the reservations module's `reservations` table in the same
statement (a boarding passenger always names its reservation), so a held or cancelled
booking is never invited; nothing is written to that table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text, update

from modules.boarding.models import Passenger
from tenants.repository import TenantScopedRepository

_DUE = text(
    """
    SELECT p.id, p.reservation_id, p.name, p.phone, v.number, v.id AS voyage_id,
           v.boarding_opens_at, v.boarding_closes_at, c.port_code,
           c.boarding_opens_at AS call_opens_at, c.boarding_closes_at AS call_closes_at
    FROM passengers p
    JOIN boarding_voyages v ON v.tenant_id = p.tenant_id AND v.id = p.voyage_id
    JOIN boarding_port_calls c ON c.tenant_id = p.tenant_id AND c.id = p.boarding_call_id
    JOIN reservations r ON r.tenant_id = p.tenant_id AND r.id = p.reservation_id
    WHERE p.tenant_id = :t
      AND p.is_lead AND p.phone <> '' AND p.status = 'booked'
      AND p.checkin_invited_at IS NULL
      AND r.status = 'confirmed'
      AND v.status IN ('planned', 'boarding')
      AND v.sails_at > :now AND v.sails_at <= :until
      AND COALESCE(c.boarding_closes_at, v.boarding_closes_at) > :now
    ORDER BY v.sails_at, p.reservation_id
    LIMIT :limit
    FOR UPDATE OF p SKIP LOCKED
    """
)


@dataclass(frozen=True, slots=True)
class DueInvitation:
    passenger_id: uuid.UUID
    reservation_id: uuid.UUID
    name: str
    phone: str
    voyage_number: str
    port_code: str
    opens_at: datetime
    closes_at: datetime


class InvitationRepository(TenantScopedRepository):
    async def due(self, *, now: datetime, until: datetime, limit: int) -> list[DueInvitation]:
        rows = await self.db.execute(
            _DUE, {"t": self.tenant_id, "now": now, "until": until, "limit": limit}
        )
        return [
            DueInvitation(
                passenger_id=r.id,
                reservation_id=r.reservation_id,
                name=r.name,
                phone=r.phone,
                voyage_number=r.number,
                port_code=r.port_code,
                opens_at=r.call_opens_at or r.boarding_opens_at,
                closes_at=r.call_closes_at or r.boarding_closes_at,
            )
            for r in rows
        ]

    async def mark_invited(self, passenger_ids: list[uuid.UUID], at: datetime) -> None:
        if passenger_ids:
            await self.db.execute(
                update(Passenger)
                .where(Passenger.tenant_id == self.tenant_id, Passenger.id.in_(passenger_ids))
                .values(checkin_invited_at=at)
            )
