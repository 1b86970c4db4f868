"""Running the real worker against `committed_database` (jobs commit for real)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from procrastinate import Blueprint
from sqlalchemy import select, text

from app.jobs.retry import Backoff
from app.jobs.runtime import tenant_transaction
from app.notifications.models import OutboundMessage
from app.settings import Settings
from workers.runtime import run_worker

# Tasks that exist only in tests, registered next to the real ones.
probe = Blueprint()
SEEN: dict[str, list[str]] = {}
FLAKY = {"fail": True, "runs": 0}


@probe.task(name="test.visible_messages", queue="test-probe")
async def visible_messages(tenant_id: str, key: str) -> None:
    """Records which outbox rows the job can see with its tenant bound, using no filter
    of its own: only row-level security stands between it and other tenants."""
    async with tenant_transaction(tenant_id) as (db, _tid):
        rows = (await db.execute(select(OutboundMessage.id))).scalars().all()
    SEEN[key] = [str(r) for r in rows]


@probe.task(
    name="test.flaky", queue="test-flaky", retry=Backoff(max_attempts=2, exponential_wait=0)
)
async def flaky(tenant_id: str) -> None:
    FLAKY["runs"] += 1
    if FLAKY["fail"]:
        raise RuntimeError("the partner is down")


@pytest.fixture
def worker_settings(settings: Settings, committed_urls: Any) -> Settings:
    return settings.model_copy(update={"database_url": committed_urls.app_url})


@pytest.fixture
def run_jobs(worker_settings: Settings, committed_database: Any):  # type: ignore[no-untyped-def]
    """Run a worker until the given queues are empty, then return."""

    async def run(*queues: str, settings: Settings | None = None) -> None:
        await run_worker(
            settings or worker_settings,
            concurrency=1,
            queues=list(queues),
            wait=False,
            install_signal_handlers=False,
            database=committed_database,
            extra=[probe],
        )

    return run


@pytest.fixture
async def empty_queues(committed_database: Any) -> None:
    """Earlier tests in this process may have left jobs in the shared committed database."""
    async with committed_database.transaction() as db:
        await db.execute(text("DELETE FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"))


@pytest.fixture
async def committed_client(
    settings: Settings, committed_database: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The web app over the committed database (to act on what a real worker did)."""
    from app.main import create_app

    app = create_app(settings, database=committed_database)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


async def job_row(database: Any, job_id: int) -> Any:
    async with database.transaction() as db:
        return (
            await db.execute(
                text(
                    "SELECT status::text AS status, attempts, scheduled_at FROM procrastinate_jobs WHERE id = :id"
                ),
                {"id": job_id},
            )
        ).one()


def new_key() -> str:
    return uuid.uuid4().hex
