"""SQL of the bureau's `cruise_voyage` report: the voyage's figures in one statement, the
voyage locked while its report is filed, and the arrived voyages still without one.

The figures read the sold voyage's cabins and reservations (`units`, `unit_types`,
`reservations`, `voyages`: the reservations module's tables, which a boarding voyage shares
its id with) beside boarding's own manifest, scans and crew. They are read here, in SQL,
rather than through the reservations service, so the whole report is one consistent
snapshot; nothing is written to those tables.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text

from modules.boarding.domain import PassengerStatus, ScanDirection, ScanOutcome, VoyageStatus
from modules.boarding.models import BoardingVoyage
from tenants.repository import TenantScopedRepository

# Reservations whose cabin counts as sold and whose total counts as revenue: confirmed and
# not cancelled (confirmed, and the later states a confirmed booking may reach).
SOLD_STATUSES = ("confirmed", "checked_in", "checked_out", "no_show")


@dataclass(frozen=True, slots=True)
class FigureRow:
    number: str
    sails_at: datetime
    arrived_at: datetime  # actual arrival at the last port, or when the purser marked it
    cabins: int
    cabins_sold: int
    revenue_fen: int
    passengers_booked: int
    passengers_boarded: int
    passengers_disembarked: int
    passengers_aboard: int
    crew: int


_FIGURES = text(
    """
    WITH sold AS (
        SELECT r.id, r.quantity, r.total_fen
        FROM reservations r
        JOIN unit_types ut ON ut.tenant_id = r.tenant_id AND ut.id = r.unit_type_id
        WHERE r.tenant_id = :tenant AND ut.voyage_id = :voyage
          AND r.status = ANY(:sold_statuses)
    ),
    moves AS (
        SELECT passenger_id,
               bool_or(direction = :embark) AS embarked,
               max(movement_no) AS last_move
        FROM boarding_scans
        WHERE tenant_id = :tenant AND voyage_id = :voyage AND outcome = :accepted
          AND passenger_id IS NOT NULL
        GROUP BY passenger_id
    )
    SELECT
        v.code AS number,
        bv.sails_at,
        coalesce(
            (SELECT pc.arrived_at FROM boarding_port_calls pc
              WHERE pc.tenant_id = :tenant AND pc.voyage_id = :voyage
              ORDER BY pc.seq DESC LIMIT 1),
            bv.status_changed_at
        ) AS arrived_at,
        (SELECT count(*) FROM units u
          WHERE u.tenant_id = :tenant AND u.voyage_id = :voyage) AS cabins,
        (SELECT coalesce(sum(quantity), 0) FROM sold) AS cabins_sold,
        (SELECT coalesce(sum(total_fen), 0) FROM sold) AS revenue_fen,
        (SELECT count(*) FROM passengers p
          WHERE p.tenant_id = :tenant AND p.voyage_id = :voyage
            AND p.status <> :cancelled
            AND p.reservation_id IN (SELECT id FROM sold)) AS passengers_booked,
        (SELECT count(*) FROM moves WHERE embarked) AS passengers_boarded,
        (SELECT count(*) FROM moves WHERE embarked AND last_move % 2 = 0)
            AS passengers_disembarked,
        (SELECT count(*) FROM moves WHERE last_move % 2 = 1) AS passengers_aboard,
        (SELECT count(*) FROM crew_members c
          WHERE c.tenant_id = :tenant AND c.voyage_id = :voyage) AS crew
    FROM boarding_voyages bv
    JOIN voyages v ON v.tenant_id = bv.tenant_id AND v.id = bv.id
    WHERE bv.tenant_id = :tenant AND bv.id = :voyage
    """
)


class ReportRepository(TenantScopedRepository):
    async def figures(self, voyage_id: uuid.UUID) -> FigureRow | None:
        """Every figure of the voyage's report in one statement (one snapshot)."""
        row = (
            await self.db.execute(
                _FIGURES,
                {
                    "tenant": self.tenant_id,
                    "voyage": voyage_id,
                    "sold_statuses": list(SOLD_STATUSES),
                    "embark": ScanDirection.EMBARK.value,
                    "accepted": ScanOutcome.ACCEPTED.value,
                    "cancelled": PassengerStatus.CANCELLED.value,
                },
            )
        ).one_or_none()
        if row is None:
            return None
        return FigureRow(
            number=row.number,
            sails_at=row.sails_at,
            arrived_at=row.arrived_at,
            cabins=int(row.cabins),
            cabins_sold=int(row.cabins_sold),
            revenue_fen=int(row.revenue_fen),
            passengers_booked=int(row.passengers_booked),
            passengers_boarded=int(row.passengers_boarded),
            passengers_disembarked=int(row.passengers_disembarked),
            passengers_aboard=int(row.passengers_aboard),
            crew=int(row.crew),
        )

    async def lock_voyage(self, voyage_id: uuid.UUID) -> BoardingVoyage | None:
        """The voyage, locked until the transaction ends: two jobs filing its report at
        once file it once (the second sees the first's filing id)."""
        stmt = self.scoped(BoardingVoyage).where(BoardingVoyage.id == voyage_id).with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def arrived_without_report(self, since: datetime) -> list[uuid.UUID]:
        """Arrived voyages whose report has not been filed, arrived (status changed)
        since `since`, oldest first."""
        stmt = (
            select(BoardingVoyage.id)
            .where(
                BoardingVoyage.tenant_id == self.tenant_id,
                BoardingVoyage.status == VoyageStatus.ARRIVED.value,
                BoardingVoyage.report_filing_id.is_(None),
                BoardingVoyage.status_changed_at >= since,
            )
            .order_by(BoardingVoyage.status_changed_at)
        )
        return list((await self.db.execute(stmt)).scalars())
