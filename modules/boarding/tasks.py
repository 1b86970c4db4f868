"""Background jobs of the boarding module, named "boarding.<verb>"."""

from __future__ import annotations

import logging
import uuid

from procrastinate import Blueprint

from app.jobs.retry import backoff
from app.jobs.runtime import tenant_ids, tenant_transaction
from modules.boarding.service import invitations, report

log = logging.getLogger("zhilv.boarding")

blueprint = Blueprint()


@blueprint.task(name=report.REPORT_TASK, queue=report.REPORT_QUEUE, retry=backoff(6))
async def file_voyage_report(tenant_id: str, voyage_id: str) -> str:
    """File the arrived voyage's `cruise_voyage` report with the bureau (once). While the
    scans show passengers still aboard, look again in a while (until the settle time after
    arrival, when it is filed whatever the scans say)."""
    async with tenant_transaction(tenant_id) as (db, tid):
        outcome = await report.file_voyage_report(db, tid, uuid.UUID(voyage_id))
        if outcome == report.ReportOutcome.WAITING:
            await report.voyage_arrived(db, tid, uuid.UUID(voyage_id), delay=report.RECHECK)
    return outcome.value


@blueprint.periodic(cron="*/10 * * * *")
@blueprint.task(name="boarding.voyage_reports", queue="maintenance", retry=backoff(3))
async def voyage_reports(timestamp: int) -> int:
    """Every ten minutes, in each tenant registered with the bureau: file the report of
    every arrived voyage that is due and has none (a voyage whose job was lost, or one
    that arrived before the enterprise registered). One tenant failing does not stop the
    others."""
    filed = 0
    for tenant in await tenant_ids():
        try:
            async with tenant_transaction(tenant) as (db, tid):
                filed += await report.file_due_reports(db, tid)
        except Exception:
            log.exception("voyage reports failed", extra={"fields": {"tenant_id": str(tenant)}})
    return filed


@blueprint.periodic(cron="*/10 * * * *")
@blueprint.task(name="boarding.checkin_invitations", queue="maintenance", retry=backoff(3))
async def checkin_invitations(timestamp: int) -> int:
    """Every ten minutes, in each tenant: send the pre-check-in link to the lead passenger
    of every confirmed cabin booking whose voyage sails within 72 hours (once each). One
    tenant failing does not stop the others."""
    sent = 0
    for tenant in await tenant_ids():
        try:
            async with tenant_transaction(tenant) as (db, tid):
                sent += await invitations.send_checkin_invitations(db, tid)
        except Exception:
            log.exception(
                "pre-check-in invitations failed", extra={"fields": {"tenant_id": str(tenant)}}
            )
    return sent
