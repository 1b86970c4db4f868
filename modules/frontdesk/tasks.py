"""Background jobs of the front desk: the scheduled night audit (夜审)."""

from __future__ import annotations

import logging
from datetime import datetime

from procrastinate import Blueprint

from app import clock
from app.jobs.retry import backoff
from app.jobs.runtime import tenant_ids, tenant_transaction
from modules.frontdesk import service
from tenants.service import tenant_settings

log = logging.getLogger("zhilv.frontdesk")

blueprint = Blueprint()


@blueprint.periodic(cron="7 * * * *")
@blueprint.task(name="frontdesk.night_audit", queue="maintenance", retry=backoff(3))
async def night_audit(timestamp: int) -> int:
    """Hourly: every hotel whose business day has ended (04:00 in its own time zone) and
    whose day is not closed yet gets its night audit: no-shows marked, the daily figures
    written. Hourly rather than at one fixed time, so each tenant's time zone is honoured
    and a worker that was down catches up (up to a week). Safe to run twice: a closed
    day is skipped, and an audit of the same day recomputes the same row. One tenant
    failing does not stop the others; it is retried at the next hour."""
    closed = 0
    now = clock.now()
    for tenant in await tenant_ids():
        try:
            closed += await _audit_tenant(tenant, now)
        except Exception:
            log.exception("night audit failed", extra={"fields": {"tenant_id": str(tenant)}})
    return closed


async def _audit_tenant(tenant: object, now: datetime) -> int:
    async with tenant_transaction(str(tenant)) as (db, tid):
        settings = await tenant_settings(db, tid)
        if "frontdesk" not in settings.modules:
            return 0
        days = await service.audit_days_due(db, tid, tz=settings.timezone, now=now)
        for day in days:
            result = await service.run_night_audit(
                db, tid, day, actor=service.SYSTEM, tz=settings.timezone, now=now
            )
            log.info(
                "night audit closed %s",
                day,
                extra={"fields": {"tenant_id": str(tid), "no_shows": len(result.no_shows_marked)}},
            )
    return len(days)
