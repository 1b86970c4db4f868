"""Background jobs of bureau filing: draining a tenant's due filings, and the per-minute
sweep."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from procrastinate import Blueprint, JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from app.jobs.retry import backoff
from app.jobs.runtime import current_runtime, tenant_ids, tenant_transaction
from app.settings import Settings
from modules.filings import service
from modules.filings.service.client import BureauClient

log = logging.getLogger("zhilv.filings")

blueprint = Blueprint()

# Only for unexpected errors (the database went away): what the bureau answers is
# handled by the service, which schedules the next attempt itself, without limit in
# time. A drain that gives up anyway is started again by the sweep.
DRAIN_RETRY = backoff(max_attempts=8, base=3)

_clients: dict[tuple[int, str, float], BureauClient] = {}


def bureau_client(settings: Settings) -> BureauClient:
    """One client per process (and event loop), so connections to the bureau are reused
    from one filing to the next."""
    key = (
        id(asyncio.get_running_loop()),
        settings.bureau_url,
        settings.filing_http_timeout_seconds,
    )
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = BureauClient(
            settings.bureau_url, timeout=settings.filing_http_timeout_seconds
        )
    return client


@asynccontextmanager
async def _bound(tenant_id: str) -> AsyncIterator[AsyncSession]:
    async with tenant_transaction(tenant_id) as (db, _):
        yield db


async def _drain(job_id: int, tenant_id: str) -> str:
    settings = current_runtime().settings
    async with tenant_transaction(tenant_id) as (db, tid):
        await service.let_go_of_queueing_lock(db, tid, job_id)
    result = await service.drain(lambda: _bound(tenant_id), tid, bureau_client(settings), settings)
    return f"{result.ended}: {result.sent} sent in {result.batches} batches"


@blueprint.task(
    name=service.DRAIN_TASK, queue=service.DRAIN_QUEUE, retry=DRAIN_RETRY, pass_context=True
)
async def drain(context: JobContext, tenant_id: str) -> str:
    """Send the tenant's due filings in batches until none is due, then schedule itself
    for the next backed-off one. Safe to run twice, or two at once: one batch of a
    tenant is sent at a time, and a filing being sent is locked until its outcome is."""
    assert context.job.id is not None
    return await _drain(context.job.id, tenant_id)


@blueprint.task(
    name="filings.send", queue=service.DRAIN_QUEUE, retry=DRAIN_RETRY, pass_context=True
)
async def send(context: JobContext, tenant_id: str, filing_id: str) -> str:
    """A job queued before drains (one per filing): drains the filing's tenant."""
    assert context.job.id is not None
    return await _drain(context.job.id, tenant_id)


@blueprint.periodic(cron="* * * * *")
@blueprint.task(name="filings.sweep", queue="maintenance", retry=backoff(3))
async def sweep(timestamp: int) -> int:
    """Every minute, in each tenant: restart a drain that died, release filings whose
    contract was accepted, alert owners about filings nearing 30 days."""
    settings = current_runtime().settings
    total = 0
    for tenant in await tenant_ids():
        async with tenant_transaction(tenant) as (db, tid):
            result = await service.sweep(db, tid, settings)
        total += result.restarted + result.released
        if result.restarted or result.alerted:
            log.warning(
                "filings sweep: drain restarted %s, %d released, %d alerted",
                result.restarted,
                result.released,
                result.alerted,
                extra={"fields": {"tenant_id": str(tenant), "restarted": result.restarted}},
            )
    return total
