"""All SQL of the job queue outside enqueueing: binding a job's tenant, and the console's
view of procrastinate's tables.

procrastinate's tables have no `tenant_id` column and no row-level security (the worker
must see every job), so tenant isolation here is the code's alone: every statement of
`TenantJobs` filters on `args->>'tenant_id'`, which `enqueue` callers always set.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId

_BIND_TENANT = text(
    "SELECT t.id, t.status, set_config('app.tenant_id', t.id::text, true) AS bound "
    "FROM tenants t WHERE t.id = :id"
)
_TENANT_IDS = text("SELECT id FROM tenants ORDER BY id")

_JOB_COLUMNS = """
    j.id, j.task_name, j.queue_name, j.status::text AS status, j.attempts, j.scheduled_at,
    j.args,
    (SELECT min(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS queued_at,
    (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS changed_at
"""
_LIST = text(
    f"SELECT {_JOB_COLUMNS} FROM procrastinate_jobs j "
    "WHERE j.args->>'tenant_id' = :tenant AND j.status::text = ANY(:statuses) "
    "ORDER BY j.id DESC LIMIT :limit"
).bindparams(bindparam("statuses", type_=ARRAY(TEXT)))
_COUNT = text(
    "SELECT j.status::text AS status, count(*) AS n FROM procrastinate_jobs j "
    "WHERE j.args->>'tenant_id' = :tenant AND j.status::text = ANY(:statuses) "
    "GROUP BY j.status"
).bindparams(bindparam("statuses", type_=ARRAY(TEXT)))
_GET_FOR_UPDATE = text(
    f"SELECT {_JOB_COLUMNS} FROM procrastinate_jobs j "
    "WHERE j.id = :id AND j.args->>'tenant_id' = :tenant FOR UPDATE OF j"
)
# procrastinate 3.10's versioned retry function (what `JobManager.retry_job_by_id` calls):
# back to `todo`, attempts + 1, runnable now.
_RETRY = text(
    "SELECT procrastinate_retry_job_v2(:id, now(), CAST(NULL AS integer), "
    "CAST(NULL AS varchar), CAST(NULL AS varchar))"
)


@dataclass(frozen=True, slots=True)
class JobRow:
    id: int
    task_name: str
    queue_name: str
    status: str
    attempts: int
    scheduled_at: datetime | None
    args: dict[str, Any]
    queued_at: datetime | None
    changed_at: datetime | None


async def bind_job_tenant(db: AsyncSession, tenant_id: uuid.UUID) -> str | None:
    """Bind the transaction to the tenant in one round trip; its status, or None if the
    tenant does not exist."""
    row = (await db.execute(_BIND_TENANT, {"id": tenant_id})).one_or_none()
    return row.status if row else None


async def all_tenant_ids(db: AsyncSession) -> list[uuid.UUID]:
    """Every tenant (the `tenants` table is global), for maintenance jobs that visit each."""
    return list((await db.scalars(_TENANT_IDS)).all())


class TenantJobs:
    """The jobs one tenant's changes enqueued (`args.tenant_id`)."""

    def __init__(self, db: AsyncSession, tenant_id: TenantId) -> None:
        self.db = db
        self.tenant = str(tenant_id)

    async def list(self, statuses: Sequence[str], *, limit: int) -> list[JobRow]:
        params = {"tenant": self.tenant, "statuses": list(statuses), "limit": limit}
        return [JobRow(**row._mapping) for row in await self.db.execute(_LIST, params)]

    async def count(self, statuses: Sequence[str]) -> dict[str, int]:
        params = {"tenant": self.tenant, "statuses": list(statuses)}
        return {row.status: row.n for row in await self.db.execute(_COUNT, params)}

    async def lock(self, job_id: int) -> JobRow | None:
        """The job if this tenant enqueued it, locked until the transaction ends."""
        params = {"id": job_id, "tenant": self.tenant}
        row = (await self.db.execute(_GET_FOR_UPDATE, params)).one_or_none()
        return JobRow(**row._mapping) if row else None

    async def retry(self, job_id: int) -> None:
        await self.db.execute(_RETRY, {"id": job_id})
