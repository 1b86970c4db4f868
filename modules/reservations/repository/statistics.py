"""SQL behind the hotel's daily figures: what could be sold, no-shows and cancellations of
a day, and the party behind each stay (for guest counts). Hotel rooms only (kind `room`):
cabins, admissions and tables have their own statistics."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, text

from tenants.repository import TenantScopedRepository

_DAY_COUNTS = text(
    """
    SELECT
      (SELECT count(*) FROM units u JOIN unit_types ut ON ut.id = u.unit_type_id
        WHERE u.tenant_id = :t AND ut.tenant_id = :t AND ut.kind = 'room' AND u.active
      ) AS rooms,
      (SELECT coalesce(sum(i.total), 0) FROM inventory_days i
        JOIN unit_types ut ON ut.id = i.unit_type_id
        WHERE i.tenant_id = :t AND ut.tenant_id = :t AND ut.kind = 'room' AND i.day = :day
          AND NOT i.closed
      ) AS available,
      (SELECT coalesce(sum(r.quantity), 0) FROM reservations r
        JOIN unit_types ut ON ut.id = r.unit_type_id
        WHERE r.tenant_id = :t AND ut.tenant_id = :t AND ut.kind = 'room'
          AND r.status = 'no_show' AND r.arrival = :day
      ) AS no_shows,
      (SELECT coalesce(sum(r.quantity), 0) FROM reservations r
        JOIN unit_types ut ON ut.id = r.unit_type_id
        WHERE r.tenant_id = :t AND ut.tenant_id = :t AND ut.kind = 'room'
          AND r.status = 'cancelled' AND (r.cancelled_at AT TIME ZONE :tz)::date = :day
      ) AS cancellations
    """
)

_PARTIES = text(
    """
    SELECT id, adults, children, id_type FROM reservations
    WHERE tenant_id = :t AND id = ANY(CAST(:ids AS uuid[]))
    """
)

_MISSED = text(
    """
    SELECT r.id FROM reservations r JOIN unit_types ut ON ut.id = r.unit_type_id
    WHERE r.tenant_id = :t AND ut.tenant_id = :t AND ut.kind = 'room'
      AND r.status = 'confirmed' AND r.arrival <= :day
    ORDER BY r.arrival, r.id
    """
)


class StatisticsRepository(TenantScopedRepository):
    async def day_counts(self, day: date, tz: str) -> Row[Any]:
        params = {"t": self.tenant_id, "day": day, "tz": tz}
        return (await self.db.execute(_DAY_COUNTS, params)).one()

    async def parties(self, ids: Iterable[uuid.UUID]) -> Sequence[Row[Any]]:
        wanted = list(ids)
        if not wanted:
            return []
        return (await self.db.execute(_PARTIES, {"t": self.tenant_id, "ids": wanted})).all()

    async def missed_arrivals(self, day: date) -> list[uuid.UUID]:
        rows = await self.db.execute(_MISSED, {"t": self.tenant_id, "day": day})
        return list(rows.scalars().all())
