"""The drain jobs in procrastinate's table, written in the caller's transaction like
`app.jobs.queue.enqueue` (procrastinate's insert triggers — events, the NOTIFY that wakes
a worker — fire as for its own `defer`), but so that asking for a drain that is already
waiting costs one cheap statement, never an error (which would abort the caller's
transaction) and never a wait:

- drain now (new filings, a resume, a retry, a hand-over): a job is written unless one
  is already waiting for the tenant (found through the tenant index of migration 0003).
  No unique index is involved, so transactions filing for one tenant at the same time
  never wait for each other; if two both write one, the tenant gets two drains, and
  the second finds nothing left or takes turns with the first (one batch at a time).
- drain later, when the next backed-off filing is due: at most one waiting per tenant
  (queueing lock `filings-later:<tenant>`); asking for an earlier time moves it. Only
  drains and the sweep ask, in short transactions.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId

_NOW = text(
    "INSERT INTO procrastinate_jobs (queue_name, task_name, args) "
    "SELECT CAST(:queue AS varchar), CAST(:task AS varchar), CAST(:args AS jsonb) "
    "WHERE NOT EXISTS (SELECT 1 FROM procrastinate_jobs "
    "  WHERE args->>'tenant_id' = CAST(:tenant AS text) AND status = 'todo'"
    "  AND task_name = CAST(:task AS varchar) AND scheduled_at IS NULL)"
)
_COLUMNS = "(queue_name, task_name, queueing_lock, args, scheduled_at)"
_AT = text(
    f"INSERT INTO procrastinate_jobs {_COLUMNS} "
    "VALUES (:queue, :task, :lock, CAST(:args AS jsonb), :at) "
    "ON CONFLICT (queueing_lock) WHERE status = 'todo' DO UPDATE "
    "SET scheduled_at = EXCLUDED.scheduled_at "
    "WHERE procrastinate_jobs.scheduled_at > EXCLUDED.scheduled_at"
)
# A running drain lets go of its queueing lock (if it has one), so that procrastinate can
# put it back to `todo` (a retry after an error, or `jobs.retry_stalled` after its
# worker died) while another drain of the tenant is already waiting.
_LET_GO = text(
    "UPDATE procrastinate_jobs SET queueing_lock = NULL "
    "WHERE id = :id AND status = 'doing' AND queueing_lock IS NOT NULL"
)
LATER_PREFIX = "filings-later:"


class DrainQueue:
    def __init__(self, db: AsyncSession, tenant_id: TenantId, *, task: str, queue: str):
        self.db = db
        self.tenant_id = tenant_id
        self.task = task
        self.queue = queue

    def _job(self) -> dict[str, str]:
        args = json.dumps({"tenant_id": str(self.tenant_id)})
        return {"queue": self.queue, "task": self.task, "args": args}

    async def now(self) -> None:
        await self.db.execute(_NOW, {**self._job(), "tenant": str(self.tenant_id)})

    async def at(self, when: datetime) -> None:
        lock = f"{LATER_PREFIX}{self.tenant_id}"
        await self.db.execute(_AT, {**self._job(), "lock": lock, "at": when})

    async def let_go(self, job_id: int) -> None:
        await self.db.execute(_LET_GO, {"id": job_id})
