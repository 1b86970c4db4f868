"""A tenant's view of its background jobs: what is waiting, what gave up (the dead-letter
state), and retrying a job that gave up once the cause is fixed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Conflict, NotFound
from app.jobs.repository import JobRow, TenantJobs

__all__ = [
    "DEAD",
    "PENDING",
    "JobNotRetryable",
    "TenantJobsOverview",
    "job_overview",
    "retry_tenant_job",
]

PENDING = ("todo", "doing")
DEAD = ("failed",)
LIST_LIMIT = 100


class JobNotRetryable(Conflict):
    message = "Only a job that has given up can be retried."


@dataclass(frozen=True, slots=True)
class TenantJobsOverview:
    failed: list[JobRow]
    pending: list[JobRow]
    counts: dict[str, int]

    @property
    def failed_total(self) -> int:
        return self.counts.get("failed", 0)

    @property
    def pending_total(self) -> int:
        return sum(self.counts.get(s, 0) for s in PENDING)


async def job_overview(
    db: AsyncSession, tenant_id: TenantId, *, limit: int = LIST_LIMIT
) -> TenantJobsOverview:
    """The tenant's dead-lettered and waiting jobs, newest first (at most `limit` each)."""
    jobs = TenantJobs(db, tenant_id)
    return TenantJobsOverview(
        failed=await jobs.list(DEAD, limit=limit),
        pending=await jobs.list(PENDING, limit=limit),
        counts=await jobs.count(PENDING + DEAD),
    )


async def retry_tenant_job(db: AsyncSession, tenant_id: TenantId, job_id: int) -> JobRow:
    """Put a dead-lettered job back in the queue, runnable now.

    procrastinate's job table has no `tenant_id` column and no row-level security, so a
    route cannot declare `owns` for it; this function is the ownership check: a job that
    this tenant did not enqueue answers `NotFound`, exactly like a job that does not exist
    (no existence oracle). The job gets one more run (procrastinate counts the manual retry
    as an attempt); if that fails too it returns to the dead-letter state."""
    jobs = TenantJobs(db, tenant_id)
    job = await jobs.lock(job_id)
    if job is None:
        raise NotFound()
    if job.status != "failed":
        raise JobNotRetryable()
    await jobs.retry(job_id)
    return job
