"""What the front desk's night audit asks of reservations: the day's room counts, who
should have arrived and did not, and the party behind each stay. Hotel rooms only."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from modules.reservations.repository.statistics import StatisticsRepository

__all__ = ["DayCounts", "Party", "day_counts", "missed_arrivals", "parties"]


@dataclass(frozen=True, slots=True)
class DayCounts:
    rooms: int  # active hotel rooms
    room_nights_available: int  # on sale that night (the calendar's total, closed days 0)
    no_shows: int  # rooms booked to arrive that day and marked no-show
    cancellations: int  # rooms cancelled that day (local date of the cancellation)


@dataclass(frozen=True, slots=True)
class Party:
    adults: int
    children: int
    id_type: str  # the booker's ID document (resident_id, passport, …)

    @property
    def guests(self) -> int:
        return self.adults + self.children


async def day_counts(db: AsyncSession, tenant_id: TenantId, day: date, *, tz: str) -> DayCounts:
    """A day's hotel-room counts from inventory and bookings, all integers from SQL."""
    row = await StatisticsRepository(db, tenant_id).day_counts(day, tz)
    return DayCounts(
        rooms=int(row.rooms),
        room_nights_available=int(row.available),
        no_shows=int(row.no_shows),
        cancellations=int(row.cancellations),
    )


async def missed_arrivals(db: AsyncSession, tenant_id: TenantId, day: date) -> list[uuid.UUID]:
    """Confirmed room bookings due to arrive on or before `day` that never checked in:
    the night audit marks them no-show (with `mark_no_show`, which takes the fee)."""
    return await StatisticsRepository(db, tenant_id).missed_arrivals(day)


async def parties(
    db: AsyncSession, tenant_id: TenantId, reservation_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Party]:
    """Party size and ID document type per booking (guest counts for the statistics)."""
    rows = await StatisticsRepository(db, tenant_id).parties(reservation_ids)
    return {r.id: Party(int(r.adults), int(r.children), r.id_type) for r in rows}
