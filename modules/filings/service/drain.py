"""Draining a tenant's due filings: batch after batch, each in its own transaction, until
nothing is due; then a drain is scheduled for when the next backed-off filing is.

The batch size starts at one and doubles after each batch without trouble, up to
`filing_batch_size`; any trouble brings it back to one (per tenant, per worker process).
So a healthy bureau gets full batches sent `filing_send_concurrency` at a time, while a
bureau that is down, busy or refusing gets one request at a time — never a burst.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.settings import Settings
from modules.filings.repository import SendingRepository
from modules.filings.service.client import BureauClient
from modules.filings.service.queue import drain_at, drain_queue, drain_soon
from modules.filings.service.sending import Batch, send_due

__all__ = ["DrainResult", "drain", "let_go_of_queueing_lock"]

# A drain hands over to a fresh job after this long, so that a worker shutting down
# (30 s of grace) finds it between batches, and other tenants' jobs get their turn.
DRAIN_SECONDS = 10.0
# When the only due filings are held by someone else (a console action), look again
# this much later rather than at once.
RECHECK = timedelta(seconds=1)

_windows: dict[TenantId, int] = {}

Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@dataclass(frozen=True, slots=True)
class DrainResult:
    batches: int
    sent: int
    ended: str  # drained | handed_over | another_drain


async def let_go_of_queueing_lock(db: AsyncSession, tenant_id: TenantId, job_id: int) -> None:
    """So that procrastinate can put this job back to waiting (a retry, or its worker
    died) while another drain of the tenant already waits (see repository.queue)."""
    await drain_queue(db, tenant_id).let_go(job_id)


async def drain(
    transaction: Transaction,
    tenant_id: TenantId,
    client: BureauClient,
    settings: Settings,
    *,
    seconds: float = DRAIN_SECONDS,
) -> DrainResult:
    """Send the tenant's due filings until none is due (or `seconds` passed, then a
    fresh drain is queued). `transaction()` opens a transaction bound to the tenant."""
    deadline = time.monotonic() + seconds
    batches = sent = 0
    rechecked = False
    while True:
        window = _windows.get(tenant_id, 1)
        async with transaction() as db:
            batch = await send_due(db, tenant_id, client, settings, limit=window)
            if batch.locked:  # its holder looks again once it lets go: see below
                return DrainResult(batches, sent, "another_drain")
            if batch.claimed:
                batches, sent = batches + 1, sent + len(batch.outcomes)
                _windows[tenant_id] = _next_window(window, batch, settings)
                if time.monotonic() > deadline:
                    await drain_soon(db, tenant_id)
                    return DrainResult(batches, sent, "handed_over")
        if batch.claimed:
            rechecked = False
            continue
        # Nothing was claimed, and the tenant's lock is let go. A filing due now was
        # committed after that claim (its own drain found the lock taken and left it
        # to us), or is held by someone else (a console action): look once more.
        async with transaction() as db:
            if await _schedule_next(db, tenant_id, recheck=not rechecked):
                return DrainResult(batches, sent, "drained")
        rechecked = True


def _next_window(window: int, batch: Batch, settings: Settings) -> int:
    if batch.trouble:
        return 1
    return min(window * 2, max(settings.filing_batch_size, 1))


async def _schedule_next(db: AsyncSession, tenant_id: TenantId, *, recheck: bool) -> bool:
    """Nothing to claim: schedule a drain for when the next pending filing is due and
    return True, or return False to claim again at once (`recheck`, and one is due)."""
    now = clock.now()
    next_due = await SendingRepository(db, tenant_id).next_due(now)
    if next_due is None:
        return True
    if next_due <= now and recheck:
        return False
    await drain_at(db, tenant_id, max(next_due, now + RECHECK))
    return True
