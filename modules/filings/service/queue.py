"""Asking for a drain of the tenant's filings, in the caller's transaction.

Filings are not queued one job each: a filing is a row in state `pending` with the time
it is due (`next_attempt_at`), and the tenant's drain job (`filings.drain`) sends every
due filing in batches. Making a filing due only has to make sure a drain will run after
the transaction commits: `drain_soon` writes a waiting drain job unless one is waiting
already (repository.queue.DrainQueue), once per transaction. If the transaction rolls
back, the filing and the job go together; once it commits, both are there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from modules.filings.repository import DrainQueue

DRAIN_TASK = "filings.drain"
DRAIN_QUEUE = "filings"
_ASKED = "filings.drain_asked"


def drain_queue(db: AsyncSession, tenant_id: TenantId) -> DrainQueue:
    return DrainQueue(db, tenant_id, task=DRAIN_TASK, queue=DRAIN_QUEUE)


def _transaction(db: AsyncSession) -> Any:
    """The innermost transaction: a drain asked for inside a savepoint that is rolled
    back is asked for again by the next filing."""
    return db.get_nested_transaction() or db.get_transaction()


async def drain_soon(db: AsyncSession, tenant_id: TenantId) -> None:
    """Make sure the tenant's filings are drained as soon as this transaction commits
    (one statement the first time in a transaction, none after)."""
    transaction = _transaction(db)
    asked: dict[TenantId, Any] = db.info.setdefault(_ASKED, {})
    if transaction is not None and asked.get(tenant_id) is transaction:
        return
    await drain_queue(db, tenant_id).now()
    asked[tenant_id] = transaction


async def drain_at(db: AsyncSession, tenant_id: TenantId, when: datetime) -> None:
    """Make sure a drain runs by `when` (the next backed-off filing is due then)."""
    await drain_queue(db, tenant_id).at(when)
