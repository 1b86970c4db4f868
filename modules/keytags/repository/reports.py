"""SQL of the keytags reports: the bureau's `hot_spring_monthly` figures in one statement
(one snapshot), and the month's filing row that makes it filed exactly once; the cashier,
outlet and concession reports (service/reports.py).

Every figure is read from the module's own rows (visits, tag bindings, charges), never typed.
Dates are the resort's: a visit's month is its business date's, a binding's is the calendar
month of `bound_at` in the resort's time zone (the bounds are computed in SQL with
`AT TIME ZONE`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert

from modules.keytags.models import ReportFiling
from tenants.repository import TenantScopedRepository


@dataclass(frozen=True, slots=True)
class MonthlyRow:
    visits: int
    key_tags_issued: int
    admission_revenue_fen: int
    outlet_net_fen: int
    overage_fen: int
    average_stay_minutes: int
    open_visits: int


_MONTHLY = text(
    """
    WITH month_visits AS (
        SELECT v.id, v.admission_fen, v.overage_fen, v.status, v.exit_at,
               coalesce(v.gate_in_at, v.opened_at) AS in_at
        FROM spa_visits v
        WHERE v.tenant_id = :tenant
          AND v.business_date >= :first AND v.business_date < :next
          AND v.status <> 'cancelled'
    )
    SELECT
        (SELECT count(*) FROM month_visits) AS visits,
        (SELECT count(*) FROM spa_visit_tags vt
          WHERE vt.tenant_id = :tenant
            AND vt.bound_at >= (CAST(:first AS timestamp) AT TIME ZONE :tz)
            AND vt.bound_at < (CAST(:next AS timestamp) AT TIME ZONE :tz)) AS key_tags_issued,
        (SELECT coalesce(sum(admission_fen), 0) FROM month_visits) AS admission_revenue_fen,
        (SELECT coalesce(sum(c.amount_fen), 0)
           FROM spa_charges c
           LEFT JOIN spa_charges o ON o.tenant_id = c.tenant_id AND o.id = c.voids_charge_id
          WHERE c.tenant_id = :tenant
            AND c.visit_id IN (SELECT id FROM month_visits)
            AND ((c.kind = 'charge' AND c.outlet_id IS NOT NULL)
                 OR (c.kind = 'void' AND o.kind = 'charge' AND o.outlet_id IS NOT NULL))
        ) AS outlet_net_fen,
        (SELECT coalesce(sum(overage_fen), 0) FROM month_visits) AS overage_fen,
        (SELECT coalesce(round(avg(extract(epoch FROM exit_at - in_at))::numeric / 60), 0)
           FROM month_visits
          WHERE status = 'closed' AND exit_at IS NOT NULL) AS average_stay_minutes,
        (SELECT count(*) FROM month_visits WHERE status = 'open') AS open_visits
    """
)


class MonthlyReportRepository(TenantScopedRepository):
    async def figures(self, first: date, following: date, tz: str) -> MonthlyRow:
        """The month [first, following) in one statement."""
        row = (
            await self.db.execute(
                _MONTHLY, {"tenant": self.tenant_id, "first": first, "next": following, "tz": tz}
            )
        ).one()
        return MonthlyRow(
            visits=int(row.visits),
            key_tags_issued=int(row.key_tags_issued),
            admission_revenue_fen=int(row.admission_revenue_fen),
            outlet_net_fen=int(row.outlet_net_fen),
            overage_fen=int(row.overage_fen),
            average_stay_minutes=int(row.average_stay_minutes),
            open_visits=int(row.open_visits),
        )

    async def claim(self, period: str, figures: dict[str, Any], at: datetime) -> uuid.UUID | None:
        """The month's filing row, inserted unless one exists (then None): of two jobs filing
        the same month at once, the second waits on the unique (tenant, period) and gets
        None once the first commits."""
        stmt = (
            insert(ReportFiling)
            .values(tenant_id=self.tenant_id, period=period, figures=figures, filed_at=at)
            .on_conflict_do_nothing(index_elements=["tenant_id", "period"])
            .returning(ReportFiling.id)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def set_filing(self, row_id: uuid.UUID, filing_id: uuid.UUID) -> None:
        await self.db.execute(
            update(ReportFiling)
            .where(ReportFiling.tenant_id == self.tenant_id, ReportFiling.id == row_id)
            .values(filing_id=filing_id)
        )

    async def filing(self, period: str) -> ReportFiling | None:
        stmt = self.scoped(ReportFiling).where(ReportFiling.period == period)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def filings(self, limit: int = 24) -> list[ReportFiling]:
        stmt = self.scoped(ReportFiling).order_by(ReportFiling.period.desc()).limit(limit)
        return list((await self.db.execute(stmt)).scalars())
