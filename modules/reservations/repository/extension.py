"""SQL of a stay's extension (续住): the added nights are appended to the reservation's
nights; the old ones, and the prices they were sold at, are never rewritten."""

from __future__ import annotations

import uuid
from datetime import date

from modules.reservations.models import ReservationNight
from modules.reservations.repository.booking import BookingRepository


class ExtensionRepository(BookingRepository):
    async def add_nights(
        self, reservation_id: uuid.UUID, unit_type_id: uuid.UUID, nights: list[tuple[date, int]]
    ) -> None:
        for day, price in nights:
            self.add(
                ReservationNight(
                    reservation_id=reservation_id,
                    unit_type_id=unit_type_id,
                    day=day,
                    price_fen=price,
                )
            )
        await self.db.flush()
