"""SQL of calling off a voyage: the cabin bookings still live on it, with their lead
passenger to tell."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from modules.boarding.domain import PassengerStatus
from modules.boarding.models import Passenger
from tenants.repository import TenantScopedRepository


@dataclass(frozen=True, slots=True)
class LiveBooking:
    reservation_id: uuid.UUID
    lead_name: str
    lead_phone: str


class CancellingRepository(TenantScopedRepository):
    async def live_bookings(self, voyage_id: uuid.UUID) -> list[LiveBooking]:
        rows = await self.db.execute(
            select(Passenger.reservation_id, Passenger.name, Passenger.phone, Passenger.is_lead)
            .where(
                Passenger.tenant_id == self.tenant_id,
                Passenger.voyage_id == voyage_id,
                Passenger.status != PassengerStatus.CANCELLED,
            )
            .order_by(Passenger.reservation_id, Passenger.is_lead.desc(), Passenger.created_at)
        )
        found: dict[uuid.UUID, LiveBooking] = {}
        for r in rows:
            if r.reservation_id not in found:  # the lead passenger comes first
                found[r.reservation_id] = LiveBooking(r.reservation_id, r.name, r.phone)
        return list(found.values())
