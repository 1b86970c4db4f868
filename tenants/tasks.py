"""Background jobs of the tenants package: hourly clean-up of dead credentials."""

from __future__ import annotations

import logging

from procrastinate import Blueprint

from app.jobs.retry import backoff
from app.jobs.runtime import global_transaction, tenant_ids, tenant_transaction
from tenants import service

log = logging.getLogger("zhilv.tenants")

blueprint = Blueprint()


@blueprint.periodic(cron="17 * * * *")
@blueprint.task(name="tenants.purge_expired", queue="maintenance", retry=backoff(3))
async def purge_expired(timestamp: int) -> int:
    """Hourly: delete sessions and reset/invitation tokens that stopped working a week
    ago (each tenant in its own bound transaction), old sign-in attempts and operator
    sessions. Safe to run twice: it only deletes what is already unusable."""
    removed = 0
    async with global_transaction() as db:
        removed += await service.purge_global_credentials(db)
    for tenant in await tenant_ids():
        async with tenant_transaction(tenant) as (db, tid):
            removed += await service.purge_expired_credentials(db, tid)
    log.info("purged %d expired credential row(s)", removed, extra={"fields": {"n": removed}})
    return removed
