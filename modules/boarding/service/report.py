"""The bureau's `cruise_voyage` statistics report (shared/bureau/PROTOCOL.md), filed
automatically after the voyage arrives, its figures computed from the voyage, its cabins
and reservations, the manifest and the gangway scans — never typed.

The figures (one SQL statement, `repository/report.py`):

- `departure_date`: the day the voyage sails (`sails_at`), on the river's clock (China
  Standard Time);
- `arrival_date`: the day it arrived: the actual arrival at its last port call when the
  purser recorded it, else the moment it was marked arrived (China Standard Time);
- `cabins`: the voyage's cabins (its units in the inventory), sold or not;
- `cabins_sold`: cabins of the voyage's *sold* reservations (status confirmed, checked in,
  checked out or no-show: confirmed and not cancelled; a hold, an expired hold and a
  cancelled booking do not count), the sum of their quantities;
- `revenue_fen`: the sum of those same reservations' totals (`total_fen`, the price of the
  cabin for the whole voyage, in fen); cancellation fees of cancelled bookings and on-board
  spending are not in it;
- `passengers_booked`: people on the manifest (not cancelled) whose booking is sold;
- `passengers_boarded`: distinct passengers with at least one accepted embark scan on this
  voyage, at any port, online or offline (a passenger who went ashore at 丰都 and came back
  counts once);
- `passengers_disembarked`: of those, the ones ashore at the end: their last accepted
  movement on the voyage is going ashore — at the final port, or at an earlier one where
  they left the cruise. A passenger whose last scan is a boarding (still aboard by the
  scans: a missed scan at the last gangway) is not counted, so `boarded − disembarked`
  is who the scans cannot account for;
- `crew`: the voyage's crew list.

When: the report is filed once every passenger is ashore by the scans, or `SETTLE` after the
arrival at the latest (so the last gangway's scans are in), and always well within the
bureau's 48 h. Marking a voyage arrived (`voyage_arrived`) queues the job
`boarding.file_voyage_report`; a periodic sweep (`file_due_reports`) catches any voyage the
job missed. Exactly once: the voyage row is locked and remembers its filing's id; the
filings module delivers that filing exactly once. Only for an enterprise registered with the
bureau: an unregistered one gets no filing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.enums import LabelledEnum
from app.jobs.queue import enqueue
from modules.boarding.domain import VoyageStatus
from modules.boarding.repository.report import FigureRow, ReportRepository
from modules.filings import service as filings

__all__ = [
    "REPORT_TASK",
    "ReportOutcome",
    "VoyageFigures",
    "file_due_reports",
    "file_voyage_report",
    "voyage_arrived",
    "voyage_figures",
]

REPORT_TASK = "boarding.file_voyage_report"
REPORT_QUEUE = "default"
REPORT_TYPE = "cruise_voyage"
SUBJECT = "boarding_voyage"
# The latest a report waits after arrival for the last passengers' scans ashore.
SETTLE = timedelta(hours=6)
# How often a waiting report's job looks again.
RECHECK = timedelta(minutes=30)
# How far back the sweep looks for arrived voyages without a report.
LOOK_BACK = timedelta(days=30)
RIVER_TZ = "Asia/Shanghai"


class ReportOutcome(LabelledEnum):
    FILED = "filed", "Filed"
    ALREADY_FILED = "already_filed", "Already filed"
    WAITING = "waiting", "Waiting for the last passengers ashore"
    NOT_ARRIVED = "not_arrived", "Not arrived"
    NOT_REGISTERED = "not_registered", "Not registered with the bureau"
    UNKNOWN = "unknown", "No such voyage"


@dataclass(frozen=True, slots=True)
class VoyageFigures:
    """The report's figures, as filed (`payload`), and who is still aboard by the scans."""

    number: str
    arrived_at: datetime
    figures: dict[str, Any]
    aboard: int

    @property
    def payload(self) -> dict[str, Any]:
        return {"report_type": REPORT_TYPE, "period": self.number, "figures": dict(self.figures)}


def _figures(row: FigureRow) -> VoyageFigures:
    return VoyageFigures(
        number=row.number,
        arrived_at=row.arrived_at,
        aboard=row.passengers_aboard,
        figures={
            "departure_date": clock.local_date(row.sails_at, RIVER_TZ).isoformat(),
            "arrival_date": clock.local_date(row.arrived_at, RIVER_TZ).isoformat(),
            "cabins": row.cabins,
            "cabins_sold": row.cabins_sold,
            "passengers_booked": row.passengers_booked,
            "passengers_boarded": row.passengers_boarded,
            "passengers_disembarked": row.passengers_disembarked,
            "crew": row.crew,
            "revenue_fen": row.revenue_fen,
        },
    )


async def voyage_figures(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> VoyageFigures | None:
    """The report's figures as they stand now (None: no such voyage)."""
    row = await ReportRepository(db, tenant_id).figures(voyage_id)
    return _figures(row) if row is not None else None


async def file_voyage_report(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID, *, force: bool = False
) -> ReportOutcome:
    """File the voyage's report with the bureau, in the caller's transaction, unless it
    is filed already, the voyage has not arrived, or the enterprise is not registered with
    the bureau. Waits (answers WAITING, files nothing) while the scans show passengers
    aboard, until `SETTLE` after the arrival; `force` files at once."""
    repo = ReportRepository(db, tenant_id)
    voyage = await repo.lock_voyage(voyage_id)
    if voyage is None:
        return ReportOutcome.UNKNOWN
    if voyage.report_filing_id is not None:
        return ReportOutcome.ALREADY_FILED
    if voyage.status != VoyageStatus.ARRIVED:
        return ReportOutcome.NOT_ARRIVED
    if (await filings.registration_view(db, tenant_id)).registration is None:
        return ReportOutcome.NOT_REGISTERED
    found = await voyage_figures(db, tenant_id, voyage_id)
    assert found is not None
    now = clock.now()
    if found.aboard and not force and now < found.arrived_at + SETTLE:
        return ReportOutcome.WAITING
    voyage.report_filing_id = await filings.file(
        db, tenant_id, "statistics", SUBJECT, voyage_id, found.payload
    )
    voyage.report_filed_at = now
    await db.flush()
    return ReportOutcome.FILED


async def voyage_arrived(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID, *, delay: timedelta | None = None
) -> int:
    """Queue the report's filing, in the caller's transaction (the one marking the voyage
    arrived). Returns the job id. A job queued twice files once."""
    return await enqueue(
        db,
        REPORT_TASK,
        {"tenant_id": str(tenant_id), "voyage_id": str(voyage_id)},
        queue=REPORT_QUEUE,
        schedule_in=delay,
    )


async def file_due_reports(db: AsyncSession, tenant_id: TenantId) -> int:
    """File every report due in the tenant (the sweep); returns how many were filed."""
    if (await filings.registration_view(db, tenant_id)).registration is None:
        return 0
    repo = ReportRepository(db, tenant_id)
    filed = 0
    for voyage_id in await repo.arrived_without_report(clock.now() - LOOK_BACK):
        if await file_voyage_report(db, tenant_id, voyage_id) == ReportOutcome.FILED:
            filed += 1
    return filed
