"""What a running job needs: the database and settings, and a transaction bound to the
job's tenant.

The worker (`workers.runtime.run_worker`) installs one `JobRuntime` per process before it
starts taking jobs; tests install theirs with `use_runtime`. Tasks never build engines or
read the environment themselves, so nothing is built at import time.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import Database, TenantId, bind_tenant
from app.jobs.repository import all_tenant_ids, bind_job_tenant
from app.jobs.retry import PermanentError
from app.settings import Settings


class TenantGone(PermanentError):
    """The job names a tenant that does not exist: retrying cannot help."""


@dataclass(frozen=True, slots=True)
class JobRuntime:
    database: Database
    settings: Settings


_runtime: JobRuntime | None = None


def install_runtime(runtime: JobRuntime | None) -> None:
    global _runtime
    _runtime = runtime


@contextmanager
def use_runtime(runtime: JobRuntime) -> Iterator[JobRuntime]:
    previous = _runtime
    install_runtime(runtime)
    try:
        yield runtime
    finally:
        install_runtime(previous)


def current_runtime() -> JobRuntime:
    if _runtime is None:
        raise RuntimeError("no job runtime installed: run jobs through `zhilv worker`")
    return _runtime


@asynccontextmanager
async def tenant_transaction(
    tenant_id: str | uuid.UUID,
) -> AsyncIterator[tuple[AsyncSession, TenantId]]:
    """One transaction bound to the job's tenant, committed when the block ends cleanly.

    The tenant comes from the job's own arguments (written by `enqueue` in the transaction
    of the change that caused the job), and is bound with `set_config(..., true)` exactly
    as a request binds it, so row-level security confines the job to that tenant's rows
    whatever the task's code does. A suspended tenant's jobs still run: suspension stops
    its staff and keys, not work its earlier changes committed to."""
    wanted = uuid.UUID(str(tenant_id))
    async with current_runtime().database.sessionmaker() as db, db.begin():
        if await bind_job_tenant(db, wanted) is None:
            raise TenantGone(f"tenant {wanted} does not exist")
        yield db, TenantId(wanted)


@asynccontextmanager
async def global_transaction() -> AsyncIterator[AsyncSession]:
    """A transaction with no tenant bound: only global tables (tenants, users, login
    attempts, operator sessions) are visible; tenant tables show no rows."""
    async with current_runtime().database.sessionmaker() as db, db.begin():
        await bind_tenant(db, None)
        yield db


async def tenant_ids() -> list[uuid.UUID]:
    """Every tenant, for maintenance jobs that visit each one in its own transaction."""
    async with global_transaction() as db:
        return await all_tenant_ids(db)
