"""Background jobs of the keytags module, named "keytags.<verb>"."""

from __future__ import annotations

import logging

from procrastinate import Blueprint

from app.jobs.retry import backoff
from app.jobs.runtime import tenant_ids, tenant_transaction
from modules.keytags.service import online, report

log = logging.getLogger("zhilv.keytags")

blueprint = Blueprint()


@blueprint.periodic(cron="0 20 * * *")
@blueprint.task(name=report.MONTHLY_REPORT_TASK, queue="maintenance", retry=backoff(3))
async def monthly_reports(timestamp: int) -> int:
    """Daily (04:00 in China), in each tenant running key tags and registered with the
    bureau: file the previous month's `hot_spring_monthly` report once it is due (from the
    2nd; the bureau wants it by the 10th). A month already filed is not filed again; one
    tenant failing does not stop the others, and tomorrow's run tries it again."""
    filed = 0
    for tenant in await tenant_ids():
        try:
            async with tenant_transaction(tenant) as (db, tid):
                outcome = await report.file_due_monthly_report(db, tid)
                filed += outcome == report.MonthlyOutcome.FILED
        except Exception:
            log.exception(
                "hot-spring monthly report failed", extra={"fields": {"tenant_id": str(tenant)}}
            )
    return filed


@blueprint.periodic(cron="30 19 * * *")
@blueprint.task(name="keytags.extend_online_tickets", queue="maintenance", retry=backoff(3))
async def extend_online_tickets(timestamp: int) -> int:
    """Daily (03:30 in China): carry every resort's online day tickets forward so a guest can
    always buy up to the full horizon (180 days, priced by each date's kind); dates already on
    sale keep their totals, sold counts and closures. Returns the resorts done."""
    done = 0
    for tenant in await tenant_ids():
        try:
            async with tenant_transaction(tenant) as (db, tid):
                await online.sync_all_online_tickets(db, tid)
                done += 1
        except Exception:
            log.exception(
                "extending online day tickets failed",
                extra={"fields": {"tenant_id": str(tenant)}},
            )
    return done
