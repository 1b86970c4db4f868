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


@dataclass(frozen=True, slots=True)
class OutletRow:
    outlet_id: uuid.UUID
    code: str
    name: str
    kind: str
    concession: bool
    concessionaire: str
    commission_bp: int
    charges: int
    gross_fen: int
    voids: int
    voids_fen: int

    @property
    def net_fen(self) -> int:
        return self.gross_fen - self.voids_fen


@dataclass(frozen=True, slots=True)
class ItemRow:
    outlet_id: uuid.UUID
    code: str
    name: str
    qty: float
    gross_fen: int
    void_qty: float
    voids_fen: int

    @property
    def net_fen(self) -> int:
        return self.gross_fen - self.voids_fen


@dataclass(frozen=True, slots=True)
class ChargeRow:
    id: uuid.UUID
    recorded_at: datetime
    occurred_at: datetime
    outlet_id: uuid.UUID | None
    outlet_name: str
    visit_number: str
    kind: str
    description: str
    amount_fen: int
    offline: bool


# A charge's outlet; a void's is the outlet of the charge it reverses. Desk fees (no outlet)
# and their voids are not outlet takings.
_PERIOD_CHARGES = """
    SELECT c.id, c.kind, c.amount_fen, c.lines, c.description, c.recorded_at,
           coalesce(o.outlet_id, c.outlet_id) AS outlet, o.lines AS voided_lines,
           o.description AS voided_description, o.amount_fen AS voided_amount
    FROM spa_charges c
    LEFT JOIN spa_charges o ON o.tenant_id = c.tenant_id AND o.id = c.voids_charge_id
    WHERE c.tenant_id = :tenant AND c.recorded_at >= :start_at AND c.recorded_at < :end_at
      AND c.kind IN ('charge', 'void')
"""

_OUTLETS = text(
    f"""
    WITH pc AS ({_PERIOD_CHARGES})
    SELECT ou.id, ou.code, ou.name, ou.kind, ou.concession, ou.concessionaire,
           ou.commission_bp,
           count(pc.id) FILTER (WHERE pc.kind = 'charge') AS charges,
           coalesce(sum(pc.amount_fen) FILTER (WHERE pc.kind = 'charge'), 0) AS gross,
           count(pc.id) FILTER (WHERE pc.kind = 'void') AS voids,
           coalesce(-sum(pc.amount_fen) FILTER (WHERE pc.kind = 'void'), 0) AS voids_fen
    FROM spa_outlets ou
    LEFT JOIN pc ON pc.outlet = ou.id
    WHERE ou.tenant_id = :tenant
    GROUP BY ou.id
    HAVING ou.active OR count(pc.id) > 0
    ORDER BY ou.sort_order, ou.code
    """
)

_LINE = """
    jsonb_array_elements(CASE WHEN jsonb_typeof({lines}) = 'array'
                               AND jsonb_array_length({lines}) > 0 THEN {lines}
         ELSE jsonb_build_array(jsonb_build_object(
              'code', '', 'name', {description}, 'qty', 1, 'amount_fen', {amount})) END)
"""
_QTY = "CASE WHEN jsonb_typeof(l->'qty') = 'number' THEN (l->>'qty')::numeric ELSE 0 END"
_AMOUNT = (
    "CASE WHEN jsonb_typeof(l->'amount_fen') = 'number' "
    "THEN round((l->>'amount_fen')::numeric)::bigint ELSE 0 END"
)

_CHARGE_LINES = _LINE.format(lines="pc.lines", description="pc.description", amount="pc.amount_fen")
_VOIDED_LINES = _LINE.format(
    lines="pc.voided_lines", description="pc.voided_description", amount="pc.voided_amount"
)

_ITEMS = text(
    f"""
    WITH pc AS ({_PERIOD_CHARGES}),
    lines AS (
        SELECT pc.outlet, coalesce(l->>'code', '') AS code, coalesce(l->>'name', '') AS name,
               {_QTY} AS qty, {_AMOUNT} AS amount, 0::numeric AS void_qty, 0::bigint AS voided
        FROM pc, {_CHARGE_LINES} AS e(l)
        WHERE pc.kind = 'charge' AND pc.outlet IS NOT NULL
        UNION ALL
        SELECT pc.outlet, coalesce(l->>'code', ''), coalesce(l->>'name', ''),
               0, 0, {_QTY}, {_AMOUNT}
        FROM pc, {_VOIDED_LINES} AS e(l)
        WHERE pc.kind = 'void' AND pc.outlet IS NOT NULL
    )
    SELECT outlet, code, name, sum(qty) AS qty, sum(amount) AS gross,
           sum(void_qty) AS void_qty, sum(voided) AS voids_fen
    FROM lines
    GROUP BY outlet, code, name
    ORDER BY outlet, sum(amount) DESC, code, name
    """
)

_DAY = text(
    """
    SELECT c.id, c.recorded_at, c.occurred_at, coalesce(o.outlet_id, c.outlet_id) AS outlet,
           coalesce(ou.name, '') AS outlet_name, v.number AS visit_number, c.kind,
           c.description, c.amount_fen, c.offline
    FROM spa_charges c
    JOIN spa_visits v ON v.tenant_id = c.tenant_id AND v.id = c.visit_id
    LEFT JOIN spa_charges o ON o.tenant_id = c.tenant_id AND o.id = c.voids_charge_id
    LEFT JOIN spa_outlets ou
           ON ou.tenant_id = c.tenant_id AND ou.id = coalesce(o.outlet_id, c.outlet_id)
    WHERE c.tenant_id = :tenant AND c.recorded_at >= :start_at AND c.recorded_at < :end_at
    ORDER BY ou.sort_order NULLS LAST, ou.code NULLS LAST, c.recorded_at, c.id
    LIMIT :limit
    """
)


class OutletReportRepository(TenantScopedRepository):
    def _params(self, start_at: datetime, end_at: datetime) -> dict[str, Any]:
        return {"tenant": self.tenant_id, "start_at": start_at, "end_at": end_at}

    async def outlets(self, start_at: datetime, end_at: datetime) -> list[OutletRow]:
        """Per outlet, the charges recorded in [start_at, end_at) and the voids recorded
        then (of charges of any time)."""
        rows = await self.db.execute(_OUTLETS, self._params(start_at, end_at))
        return [
            OutletRow(
                outlet_id=r.id, code=r.code, name=r.name, kind=r.kind, concession=r.concession,
                concessionaire=r.concessionaire, commission_bp=int(r.commission_bp),
                charges=int(r.charges), gross_fen=int(r.gross), voids=int(r.voids),
                voids_fen=int(r.voids_fen),
            )
            for r in rows
        ]  # fmt: skip

    async def items(self, start_at: datetime, end_at: datetime) -> list[ItemRow]:
        rows = await self.db.execute(_ITEMS, self._params(start_at, end_at))
        return [
            ItemRow(
                outlet_id=r.outlet, code=r.code, name=r.name, qty=float(r.qty),
                gross_fen=int(r.gross), void_qty=float(r.void_qty), voids_fen=int(r.voids_fen),
            )
            for r in rows
        ]  # fmt: skip

    async def charges(
        self, start_at: datetime, end_at: datetime, *, limit: int = 5000
    ) -> list[ChargeRow]:
        params = {**self._params(start_at, end_at), "limit": limit}
        rows = await self.db.execute(_DAY, params)
        return [
            ChargeRow(
                id=r.id, recorded_at=r.recorded_at, occurred_at=r.occurred_at,
                outlet_id=r.outlet, outlet_name=r.outlet_name, visit_number=r.visit_number,
                kind=r.kind, description=r.description, amount_fen=int(r.amount_fen),
                offline=bool(r.offline),
            )
            for r in rows
        ]  # fmt: skip

    async def outlet_choices(self) -> list[tuple[uuid.UUID, str]]:
        """Active outlets (id, name), in their order: where a shift may be opened."""
        rows = await self.db.execute(
            text(
                """
                SELECT id, name FROM spa_outlets
                WHERE tenant_id = :tenant AND active
                ORDER BY sort_order, code
                """
            ),
            {"tenant": self.tenant_id},
        )
        return [(r.id, r.name) for r in rows]

    async def outlet_takings(
        self, outlet_id: uuid.UUID, start_at: datetime, end_at: datetime
    ) -> OutletRow | None:
        """One outlet's charges and voids recorded in [start_at, end_at) (an outlet shift)."""
        for row in await self.outlets(start_at, end_at):
            if row.outlet_id == outlet_id:
                return row
        return None
