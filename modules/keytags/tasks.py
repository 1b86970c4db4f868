"""Background jobs of the keytags module, named "keytags.<verb>"."""

from __future__ import annotations

import logging

from procrastinate import Blueprint

from app.jobs.retry import backoff
from app.jobs.runtime import tenant_ids, tenant_transaction
from modules.keytags.service import report

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
