"""SQL of the night audit: a closed day's room nights, other revenue and guest movements
read from the folio and the stays, and the daily figures rows (one per business day).

Room nights belong to the night they are for (`service_date`); other charges to the day
they were posted, in the hotel's time zone (the caller passes that day's bounds)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select, text
from sqlalchemy.dialects.postgresql import insert

from app.db.base import uuid7
from modules.frontdesk.models import DailyFigures
from tenants.repository import TenantScopedRepository

# Stays whose room charges for the night, net of corrections, are positive: a night
# taken off at an early check-out is not a night sold.
_ROOM_NIGHTS = text(
    """
    WITH nights AS (
        SELECT l.stay_id, sum(l.amount_fen) AS fen
        FROM folio_lines l
        WHERE l.tenant_id = :t AND l.source = 'room' AND l.service_date = :day
        GROUP BY l.stay_id
        HAVING sum(l.amount_fen) > 0
    )
    SELECT count(*) AS sold, coalesce(sum(n.fen), 0)::bigint AS revenue,
           coalesce(array_agg(s.reservation_id) FILTER (WHERE s.id IS NOT NULL), '{}')
             AS reservation_ids
    FROM nights n JOIN stays s ON s.tenant_id = :t AND s.id = n.stay_id
    """
)

_OTHER_REVENUE = text(
    """
    SELECT l.source, sum(l.amount_fen)::bigint AS fen
    FROM folio_lines l
    WHERE l.tenant_id = :t AND l.kind IN ('charge', 'adjustment') AND l.source <> 'room'
      AND l.posted_at >= :start AND l.posted_at < :end
    GROUP BY l.source
    ORDER BY l.source
    """
)

_MOVEMENTS = text(
    """
    SELECT
      coalesce((SELECT array_agg(reservation_id) FROM stays
                WHERE tenant_id = :t AND checked_in_at >= :start AND checked_in_at < :end),
               '{}') AS arrived,
      (SELECT count(*) FROM stays
        WHERE tenant_id = :t AND checked_out_at >= :start AND checked_out_at < :end)
        AS departed
    """
)


@dataclass(frozen=True, slots=True)
class RoomNights:
    sold: int
    revenue_fen: int
    reservation_ids: list[uuid.UUID]


class AuditRepository(TenantScopedRepository):
    async def room_nights(self, day: date) -> RoomNights:
        row = (await self.db.execute(_ROOM_NIGHTS, {"t": self.tenant_id, "day": day})).one()
        return RoomNights(int(row.sold), int(row.revenue), list(row.reservation_ids))

    async def other_revenue(self, start: datetime, end: datetime) -> dict[str, int]:
        params = {"t": self.tenant_id, "start": start, "end": end}
        rows = (await self.db.execute(_OTHER_REVENUE, params)).all()
        return {r.source: int(r.fen) for r in rows if r.fen}

    async def movements(self, start: datetime, end: datetime) -> tuple[list[uuid.UUID], int]:
        params = {"t": self.tenant_id, "start": start, "end": end}
        row = (await self.db.execute(_MOVEMENTS, params)).one()
        return list(row.arrived), int(row.departed)

    async def locked_day(self, day: date) -> DailyFigures:
        """The day's row, created empty if missing, locked: two audits of one day (the
        schedule and a manager's button) queue here instead of both marking no-shows."""
        await self.db.execute(
            insert(DailyFigures)
            .values(id=uuid7(), tenant_id=self.tenant_id, business_date=day)
            .on_conflict_do_nothing(index_elements=["tenant_id", "business_date"])
        )
        stmt = (
            self.scoped(DailyFigures)
            .where(DailyFigures.business_date == day)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.db.execute(stmt)).scalar_one()

    async def day(self, day: date) -> DailyFigures | None:
        stmt = self.scoped(DailyFigures).where(DailyFigures.business_date == day)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def latest_day(self) -> date | None:
        stmt = select(func.max(DailyFigures.business_date)).where(
            DailyFigures.tenant_id == self.tenant_id
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def days(self, start: date, end: date) -> Sequence[DailyFigures]:
        """Audited days in [start, end), oldest first."""
        stmt = (
            self.scoped(DailyFigures)
            .where(DailyFigures.business_date >= start, DailyFigures.business_date < end)
            .order_by(DailyFigures.business_date)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def sums(self, start: date, end: date) -> Row[Any]:
        """Sums over the audited days in [start, end), in SQL (bigint, no rounding)."""
        f = DailyFigures
        cols = [
            func.count().label("days"),
            func.coalesce(func.max(f.rooms), 0).label("rooms"),
            *(func.coalesce(func.sum(getattr(f, name)), 0).label(name) for name in SUMMED),
        ]
        stmt = select(*cols).where(
            f.tenant_id == self.tenant_id, f.business_date >= start, f.business_date < end
        )
        return (await self.db.execute(stmt)).one()

    async def flush(self) -> None:
        await self.db.flush()


SUMMED = (
    "room_nights_available",
    "room_nights_sold",
    "room_revenue_fen",
    "fnb_revenue_fen",
    "other_revenue_fen",
    "arrivals",
    "departures",
    "in_house_guests",
    "guests_domestic",
    "guests_foreign",
    "no_shows",
    "cancellations",
)
