"""SQL of booking a cabin: the cabins already taken on a voyage, the passengers of a
reservation.

Two bookings never get the same cabin: a booking takes the voyage's advisory lock before it
looks for a free cabin, and keeps it until it commits, so the next booking of the voyage
reads the cabins taken (READ COMMITTED: each statement sees what committed before it).
The unique index on live passengers' ID numbers stands behind the "one person once per
voyage" rule.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, text, tuple_, update

from modules.boarding.models import ManifestChange, Passenger
from tenants.repository import TenantScopedRepository

_VOYAGE_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended('boarding_voyage:' || :v, 0))")
# Passengers whose booking was cancelled or lapsed (an unpaid hold) free their cabin and
# their ID number. Reservations tell us about cancellations (a listener); lapsed holds are
# swept here, under the voyage's lock, before a cabin is chosen. Reads the reservation's
# status only (the reservations module owns the table).
_RELEASE_LAPSED = text(
    """
    UPDATE passengers p SET status = 'cancelled', updated_at = :now
    FROM reservations r
    WHERE p.tenant_id = :t AND p.voyage_id = :v AND p.status <> 'cancelled'
      AND r.tenant_id = p.tenant_id AND r.id = p.reservation_id
      AND r.status IN ('cancelled', 'expired')
    RETURNING p.id
    """
)
CANCELLED = "cancelled"  # passengers in any other status hold their cabin and ID
BOOKABLE = ("planned", "boarding")


class BookingRepository(TenantScopedRepository):
    # Cabins -----------------------------------------------------------------------------

    async def lock_voyage(self, voyage_id: uuid.UUID) -> None:
        """Held until commit: one booking of a voyage chooses its cabin at a time."""
        await self.db.execute(_VOYAGE_LOCK, {"v": str(voyage_id)})

    async def release_lapsed(self, voyage_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
        params = {"t": self.tenant_id, "v": voyage_id, "now": now}
        return list((await self.db.execute(_RELEASE_LAPSED, params)).scalars())

    async def taken_cabins(self, voyage_id: uuid.UUID) -> set[uuid.UUID]:
        stmt = select(Passenger.unit_id).where(
            Passenger.tenant_id == self.tenant_id,
            Passenger.voyage_id == voyage_id,
            Passenger.status != CANCELLED,
            Passenger.unit_id.is_not(None),
        )
        return {u for u in (await self.db.execute(stmt)).scalars() if u is not None}

    async def already_aboard(
        self, voyage_id: uuid.UUID, documents: Sequence[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        """Which of these (ID type, number) already sail on the voyage."""
        if not documents:
            return set()
        stmt = select(Passenger.id_type, Passenger.id_number).where(
            Passenger.tenant_id == self.tenant_id,
            Passenger.voyage_id == voyage_id,
            Passenger.status != CANCELLED,
            tuple_(Passenger.id_type, Passenger.id_number).in_(list(documents)),
        )
        return {(r.id_type, r.id_number) for r in (await self.db.execute(stmt)).all()}

    # Passengers -------------------------------------------------------------------------

    async def add_passengers(self, rows: Sequence[Passenger], by_user_id: uuid.UUID | None) -> None:
        for row in rows:
            self.add(row)
        await self.db.flush()
        for row in rows:
            self.add(
                ManifestChange(
                    voyage_id=row.voyage_id,
                    passenger_id=row.id,
                    action="booked",
                    new_value=row.cabin_number,
                    by_user_id=by_user_id,
                )
            )
        await self.db.flush()

    async def of_reservation(self, reservation_id: uuid.UUID) -> Sequence[Passenger]:
        stmt = (
            self.scoped(Passenger)
            .where(Passenger.reservation_id == reservation_id)
            .order_by(Passenger.is_lead.desc(), Passenger.created_at, Passenger.id)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def cancel_of_reservation(
        self, reservation_id: uuid.UUID, now: datetime, reason: str, by_user_id: uuid.UUID | None
    ) -> int:
        stmt = (
            update(Passenger)
            .where(
                Passenger.tenant_id == self.tenant_id,
                Passenger.reservation_id == reservation_id,
                Passenger.status != CANCELLED,
            )
            .values(status=CANCELLED, updated_at=now)
            .returning(Passenger.id, Passenger.voyage_id)
        )
        rows = (await self.db.execute(stmt)).all()
        for row in rows:
            self.add(
                ManifestChange(
                    voyage_id=row.voyage_id,
                    passenger_id=row.id,
                    action="cancelled",
                    reason=reason[:300],
                    by_user_id=by_user_id,
                )
            )
        await self.db.flush()
        return len(rows)
