"""The promise, end to end: every filing arrives at the bureau exactly once (counted by
the bureau stand-in) whatever fails on the way. Real HTTP on loopback to the stand-in
(tests/bureau_fixtures.py), a real `zhilv worker` process, a database that commits.

Timings come from settings (environment of the worker process) so this runs in seconds:
backoff base 0.2 s capped at 1 s, HTTP timeout 2 s.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from app.db.engine import TenantId
from app.jobs.runtime import JobRuntime, use_runtime
from app.notifications.models import OutboundMessage
from app.settings import PROJECT_ROOT
from modules.filings import service, tasks
from modules.filings.models import BureauRegistration, Filing, FilingAttempt
from tests.bureau_fixtures import travelled_seconds
from tests.factories.filings import SECRET, make_registration
from tests.factories.tenants import Staff, make_tenant
from tests.helpers import sign_in


@pytest.fixture(autouse=True)
def _on_the_machine_clock(machine_clock):  # type: ignore[no-untyped-def]
    """ZHILV_TEST_CLOCK moves this process only: the worker is killed and restarted in processes of its own, on the machine's clock."""
    yield


pytestmark = [pytest.mark.realdb]

FAST = {
    "FILING_BACKOFF_BASE_SECONDS": "0.2",
    "FILING_BACKOFF_CAP_SECONDS": "1",
    "FILING_HTTP_TIMEOUT_SECONDS": "2",
}


def voyage(number: str) -> dict[str, Any]:
    """A small, valid statistics filing, unique by its voyage number."""
    return {
        "report_type": "cruise_voyage",
        "period": number,
        "figures": {
            "departure_date": "2026-11-01",
            "arrival_date": "2026-11-04",
            "cabins": 200,
            "cabins_sold": 180,
            "passengers_booked": 350,
            "passengers_boarded": 348,
            "passengers_disembarked": 348,
            "crew": 120,
            "revenue_fen": 123456700,
        },
    }


class Worker:
    """`python -m app.cli worker` against the committed database and the stand-in."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "app.cli",
                    "worker",
                    "--concurrency",
                    "4",
                    "--queue",
                    "filings",
                ],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """SIGKILL: no shutdown, no clean-up, connections cut."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
async def clean_queue(committed_database) -> None:  # type: ignore[no-untyped-def]
    """Earlier tests in this process may have left filing jobs in the shared database."""
    async with committed_database.transaction() as db:
        await db.execute(
            text(
                "DELETE FROM procrastinate_jobs WHERE task_name LIKE 'filings.%' AND task_name <> 'filings.sweep' AND status IN ('todo', 'doing')"
            )
        )


@pytest.fixture
def worker_env(committed_urls, bureau_sim) -> dict[str, str]:  # type: ignore[no-untyped-def]
    bureau_sim.clock(-travelled_seconds())  # the worker process runs on the machine's clock
    return {
        **os.environ,
        "DATABASE_URL": committed_urls.app_url,
        "BUREAU_URL": bureau_sim.url,
        "LOG_JSON": "false",
        "LOG_LEVEL": "WARNING",
        **FAST,
    }


@pytest.fixture
def worker(worker_env, tmp_path, clean_queue) -> Iterator[Worker]:  # type: ignore[no-untyped-def]
    running = Worker(worker_env, tmp_path / "worker.log")
    running.start()
    yield running
    running.stop()


@contextmanager
def second_worker(env: dict[str, str], log: Path) -> Iterator[Worker]:
    w = Worker(env, log)
    w.start()
    try:
        yield w
    finally:
        w.stop()


@pytest.fixture
async def enterprise(committed_database, bureau_sim) -> Staff:  # type: ignore[no-untyped-def]
    async with committed_database.transaction() as db:
        owner = await make_tenant(db)
        registration = await make_registration(db, tenant=owner.tenant)
    bureau_sim.register(registration.enterprise_code, SECRET)
    owner.code = registration.enterprise_code  # type: ignore[attr-defined]
    return owner


async def file_many(database: Any, owner: Staff, n: int, prefix: str) -> list[uuid.UUID]:
    async with database.transaction(owner.tenant.id) as db:
        return [
            await service.file(
                db,
                TenantId(owner.tenant.id),
                "statistics",
                "voyage",
                f"{prefix}{i}",
                voyage(f"{prefix}{i}"),
            )
            for i in range(n)
        ]


async def filings_of(database: Any, owner: Staff) -> list[Filing]:
    async with database.transaction(owner.tenant.id) as db:
        return list((await db.execute(select(Filing).order_by(Filing.created_at))).scalars())


async def attempts_of(database: Any, owner: Staff, filing_id: uuid.UUID) -> list[FilingAttempt]:
    async with database.transaction(owner.tenant.id) as db:
        rows = await db.execute(
            select(FilingAttempt)
            .where(FilingAttempt.filing_id == filing_id)
            .order_by(FilingAttempt.number)
        )
        return list(rows.scalars())


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float = 30, what: str = ""
) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or check}")


async def all_accepted(database: Any, owner: Staff, n: int) -> None:
    async def done() -> bool:
        rows = await filings_of(database, owner)
        return len(rows) == n and all(f.state == "accepted" for f in rows)

    await eventually(done, what=f"{n} filings accepted")


def assert_exactly_once(sim: Any, owner: Staff, ours: list[Filing]) -> None:
    """The bureau holds each of our filings once, under our key, with our receipt."""
    stored = sim.filings(enterprise_code=owner.code)  # type: ignore[attr-defined]
    assert sorted(f["key"] for f in stored) == sorted(f.idempotency_key for f in ours)
    by_key = {f["key"]: f for f in stored}
    for filing in ours:
        assert by_key[filing.idempotency_key]["receipt_no"] == filing.receipt_no


class TestExactlyOnce:
    async def test_bureau_down_for_a_while_then_back(
        self, committed_database, bureau_sim, enterprise, worker
    ):
        bureau_sim.down(True)
        await file_many(committed_database, enterprise, 5, "DOWN-")

        async def retried() -> bool:
            rows = await filings_of(committed_database, enterprise)
            return all(f.attempts >= 2 and f.state == "pending" for f in rows)

        await eventually(retried, what="every filing retried while the bureau is down")
        bureau_sim.down(False)
        await all_accepted(committed_database, enterprise, 5)
        ours = await filings_of(committed_database, enterprise)
        assert_exactly_once(bureau_sim, enterprise, ours)
        assert all(
            a.outcome == "busy"
            for a in (await attempts_of(committed_database, enterprise, ours[0].id))[:-1]
        )

    async def test_bureau_down_by_closing_connections(
        self, committed_database, bureau_sim, enterprise, worker
    ):
        bureau_sim.down(True, how="close")
        await file_many(committed_database, enterprise, 3, "CLOSE-")

        async def retried() -> bool:
            return all(f.attempts >= 2 for f in await filings_of(committed_database, enterprise))

        await eventually(retried, what="retries on refused connections")
        bureau_sim.down(False)
        await all_accepted(committed_database, enterprise, 3)
        assert_exactly_once(
            bureau_sim, enterprise, await filings_of(committed_database, enterprise)
        )

    async def test_answers_lost_after_the_bureau_stored_the_filing(
        self, committed_database, bureau_sim, enterprise, worker
    ):
        bureau_sim.drop_next(3)
        await file_many(committed_database, enterprise, 5, "DROP-")
        await all_accepted(committed_database, enterprise, 5)
        ours = await filings_of(committed_database, enterprise)
        assert_exactly_once(bureau_sim, enterprise, ours)
        outcomes = [
            [a.outcome for a in await attempts_of(committed_database, enterprise, f.id)]
            for f in ours
        ]
        assert sum(o == ["no_answer", "replayed"] for o in outcomes) == 3, outcomes
        assert bureau_sim.stats()["replayed"] == 3

    async def test_worker_killed_in_the_middle_of_a_send_and_restarted(
        self, committed_database, bureau_sim, enterprise, worker, worker_env, tmp_path, settings
    ):
        bureau_sim.delay(5)
        [filing_id] = await file_many(committed_database, enterprise, 1, "KILL-")

        async def stored() -> bool:
            return len(bureau_sim.filings(enterprise_code=enterprise.code)) == 1  # type: ignore[attr-defined]

        await eventually(stored, what="the bureau storing the filing")
        worker.kill()  # the answer is on its way back, slowly: lost with the process
        bureau_sim.delay(0)
        [killed] = await filings_of(committed_database, enterprise)
        assert (killed.state, killed.attempts) == ("pending", 0)  # its transaction died with it

        # The periodic sweep finds the filing's job left `doing` by a dead worker and puts
        # it back; the restarted worker sends it again with the same key.
        sweep_settings = settings.model_copy(
            update={"database_url": None, "filing_stalled_after_seconds": 2.0}
        )
        with (
            second_worker(worker_env, tmp_path / "worker2.log"),
            use_runtime(JobRuntime(committed_database, sweep_settings)),
        ):

            async def accepted() -> bool:
                await tasks.sweep(timestamp=0)
                return (await filings_of(committed_database, enterprise))[0].state == "accepted"

            await eventually(accepted, within=40, what="the restarted worker settling the filing")
        ours = await filings_of(committed_database, enterprise)
        assert_exactly_once(bureau_sim, enterprise, ours)
        assert [
            a.outcome for a in await attempts_of(committed_database, enterprise, filing_id)
        ] == ["replayed"]

    async def test_429_with_retry_after_is_honoured(
        self, committed_database, bureau_sim, enterprise, worker
    ):
        bureau_sim.fail_next(2, status=429, retry_after=2)
        [filing_id] = await file_many(committed_database, enterprise, 1, "BUSY-")
        await all_accepted(committed_database, enterprise, 1)
        attempts = await attempts_of(committed_database, enterprise, filing_id)
        assert [(a.status, a.outcome) for a in attempts] == [
            (429, "busy"),
            (429, "busy"),
            (201, "accepted"),
        ]
        gaps = [
            (b.started_at - a.started_at).total_seconds() for a, b in itertools.pairwise(attempts)
        ]
        assert all(gap >= 1.9 for gap in gaps), (
            gaps
        )  # never before Retry-After (2 s), not the 0.2 s backoff
        assert_exactly_once(
            bureau_sim, enterprise, await filings_of(committed_database, enterprise)
        )


class TestRefusedAndRejected:
    async def test_wrong_secret_pauses_without_a_retry_storm(
        self, committed_database, bureau_sim, enterprise, worker
    ):
        bureau_sim.register(enterprise.code, "not-the-secret-we-hold-0123456789abcdef")  # type: ignore[attr-defined]
        await file_many(committed_database, enterprise, 6, "WRONG-")

        async def paused() -> bool:
            rows = await filings_of(committed_database, enterprise)
            return all(f.state == "paused" for f in rows)

        await eventually(paused, what="every filing paused")
        await asyncio.sleep(2)  # ten backoff periods: a storm would show now
        stats = bureau_sim.stats()
        assert stats["requests"] == 1, stats  # one request, then filing paused
        assert bureau_sim.filings(enterprise_code=enterprise.code) == []  # type: ignore[attr-defined]
        async with committed_database.transaction(enterprise.tenant.id) as db:
            registration = await db.scalar(select(BureauRegistration))
            alerts = await db.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.purpose == "filing_alert")
            )
        assert registration is not None and (registration.status, registration.paused_status) == (
            "paused",
            401,
        )
        assert alerts == 1

        bureau_sim.register(enterprise.code, SECRET)  # the owner sorted it out with the bureau
        async with committed_database.transaction(enterprise.tenant.id) as db:
            assert await service.resume_filing(db, TenantId(enterprise.tenant.id)) == 6
        await all_accepted(committed_database, enterprise, 6)
        assert_exactly_once(
            bureau_sim, enterprise, await filings_of(committed_database, enterprise)
        )

    async def test_rejected_filing_shows_the_bureaus_field_errors(
        self, committed_database, bureau_sim, enterprise, worker, settings
    ):
        bad = voyage("REJ-1")
        bad["figures"]["arrival_date"] = "not a date"
        async with committed_database.transaction(enterprise.tenant.id) as db:
            filing_id = await service.file(
                db, TenantId(enterprise.tenant.id), "statistics", "voyage", "REJ-1", bad
            )

        async def rejected() -> bool:
            return (await filings_of(committed_database, enterprise))[0].state == "rejected"

        await eventually(rejected, what="the filing rejected")
        [filing] = await filings_of(committed_database, enterprise)
        assert filing.errors and any("arrival_date" in e["field"] for e in filing.errors), (
            filing.errors
        )
        assert len(await attempts_of(committed_database, enterprise, filing_id)) == 1  # not retried

        from app.main import create_app

        app = create_app(settings, database=committed_database)
        transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local"
        ) as client:
            await sign_in(client, enterprise)
            page = await client.get(f"/console/filings/{filing_id}")
        assert page.status_code == 200 and "arrival_date" in page.text and "被退回" in page.text
