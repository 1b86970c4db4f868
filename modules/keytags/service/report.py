"""The bureau's `hot_spring_monthly` statistics report (shared/bureau/PROTOCOL.md), computed
in SQL from the resort's visits, tag bindings and charges (`repository/reports.py`) and
filed automatically by the 10th of the following month — never typed.

The figures of a month (definitions in docs/statistics.md, "Hot-spring monthly"):

- `visits`: visits whose business date is in the month, cancelled ones excluded;
- `key_tags_issued`: tag bindings made in the month (`spa_visit_tags.bound_at` in the
  resort's time zone), replacements of lost or swapped tags included;
- `admission_revenue_fen`: the admission price of those visits (prepaid online tickets and
  hotel packages at their recorded price included);
- `consumption_revenue_fen`: those visits' outlet charges net of their voids, plus their
  time (overage) fees; desk fees (a lost tag's fee) are not consumption and are excluded;
- `average_stay_minutes`: of those visits that left through the exit gate (closed), the mean
  of exit − gate-in (or admission when the entry gate was not used), to the nearest minute;
  0 when none closed.

When: the daily job `keytags.monthly_reports` files the previous month from the 2nd of the
month (a day for the last night's visits to settle and leave), well before the bureau's 10th,
and keeps trying daily if it could not. Exactly once: the month's `spa_report_filings` row is
unique per period and inserted in the same transaction as the filing; the filings module
delivers that filing exactly once. Only for an enterprise registered with the bureau that runs
the key-tag module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.enums import LabelledEnum
from app.errors import Invalid
from modules.filings import service as filings
from modules.keytags.models import ReportFiling
from modules.keytags.repository.reports import MonthlyReportRepository
from tenants.service import tenant_settings

__all__ = [
    "MONTHLY_REPORT_TASK",
    "MonthlyFigures",
    "MonthlyOutcome",
    "file_due_monthly_report",
    "file_monthly_report",
    "monthly_figures",
    "monthly_filings",
    "parse_period",
    "previous_period",
]

MONTHLY_REPORT_TASK = "keytags.monthly_reports"
REPORT_TYPE = "hot_spring_monthly"
SUBJECT = "keytags_month"
MODULE = "keytags"
# The day of the following month from which the sweep files a month (the bureau's deadline
# is the 10th): the 1st's night visits have settled and left by the 2nd.
FILE_FROM_DAY = 2


class MonthlyOutcome(LabelledEnum):
    FILED = "filed", "Filed"
    ALREADY_FILED = "already_filed", "Already filed"
    NOT_OVER = "not_over", "The month is not over"
    NOT_DUE = "not_due", "Not due yet"
    NOT_REGISTERED = "not_registered", "Not registered with the bureau"
    NOT_RUNNING = "not_running", "Key tags not switched on"


@dataclass(frozen=True, slots=True)
class MonthlyFigures:
    """A month's figures as filed (`payload`), and how many of its visits are still open
    (their time fees and charges may still change)."""

    period: str
    figures: dict[str, int]
    open_visits: int

    @property
    def payload(self) -> dict[str, Any]:
        return {"report_type": REPORT_TYPE, "period": self.period, "figures": dict(self.figures)}


_PERIOD = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


def parse_period(period: str) -> tuple[date, date]:
    """The month `YYYY-MM` as [its first day, the next month's first day)."""
    found = _PERIOD.fullmatch(period or "")
    if found is None or not 1 <= int(found[2]) <= 12 or not 2000 <= int(found[1]) <= 2100:
        raise Invalid.field("period", "A month is written YYYY-MM.")
    year, month = int(found[1]), int(found[2])
    return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)


def previous_period(today: date) -> str:
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


async def _tz(db: AsyncSession, tenant_id: TenantId) -> str:
    return clock.tz_of(await tenant_settings(db, tenant_id))


async def monthly_figures(db: AsyncSession, tenant_id: TenantId, period: str) -> MonthlyFigures:
    """The month's figures as they stand now (one SQL statement, the resort's time zone)."""
    first, following = parse_period(period)
    tz = await _tz(db, tenant_id)
    row = await MonthlyReportRepository(db, tenant_id).figures(first, following, tz)
    return MonthlyFigures(
        period=f"{first.year:04d}-{first.month:02d}",
        open_visits=row.open_visits,
        figures={
            "visits": row.visits,
            "key_tags_issued": row.key_tags_issued,
            "admission_revenue_fen": row.admission_revenue_fen,
            "consumption_revenue_fen": row.outlet_net_fen + row.overage_fen,
            "average_stay_minutes": row.average_stay_minutes,
        },
    )


async def file_monthly_report(db: AsyncSession, tenant_id: TenantId, period: str) -> MonthlyOutcome:
    """File the month's report with the bureau, in the caller's transaction, unless it is
    filed already, the month is not over in the resort's time zone, or the enterprise is
    not registered with the bureau. Exactly once per month (the filing row is unique)."""
    _first, following = parse_period(period)
    settings = await tenant_settings(db, tenant_id)
    if clock.today(clock.tz_of(settings)) < following:
        return MonthlyOutcome.NOT_OVER
    repo = MonthlyReportRepository(db, tenant_id)
    if await repo.filing(period) is not None:
        return MonthlyOutcome.ALREADY_FILED
    if (await filings.registration_view(db, tenant_id)).registration is None:
        return MonthlyOutcome.NOT_REGISTERED
    found = await monthly_figures(db, tenant_id, period)
    row_id = await repo.claim(found.period, found.figures, clock.now())
    if row_id is None:
        return MonthlyOutcome.ALREADY_FILED
    filing_id = await filings.file(
        db, tenant_id, "statistics", SUBJECT, found.period, found.payload
    )
    await repo.set_filing(row_id, filing_id)
    return MonthlyOutcome.FILED


async def file_due_monthly_report(db: AsyncSession, tenant_id: TenantId) -> MonthlyOutcome:
    """The daily sweep for one tenant: file the previous month once it is due (from the
    2nd), for an enterprise running key tags and registered with the bureau."""
    settings = await tenant_settings(db, tenant_id)
    if MODULE not in settings.modules:
        return MonthlyOutcome.NOT_RUNNING
    today = clock.today(clock.tz_of(settings))
    if today.day < FILE_FROM_DAY:
        return MonthlyOutcome.NOT_DUE
    return await file_monthly_report(db, tenant_id, previous_period(today))


async def monthly_filings(db: AsyncSession, tenant_id: TenantId) -> list[ReportFiling]:
    """The months filed, newest first (the last two years)."""
    return await MonthlyReportRepository(db, tenant_id).filings()
