"""Scheduled jobs: clean-up of dead credentials, stuck messages, stalled and old jobs."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app import clock
from app.db.engine import TenantId
from app.jobs.queue import enqueue
from app.jobs.runtime import JobRuntime, use_runtime
from app.notifications import tasks as notification_tasks
from app.notifications.models import OutboundMessage
from app.notifications.service import STUCK_REASON, queue_message
from tenants import tasks as tenant_tasks
from tenants.models import AccountToken, LoginAttempt, StaffSession
from tests.factories.tenants import make_tenant
from tests.workers.conftest import job_row

pytestmark = [pytest.mark.realdb, pytest.mark.usefixtures("empty_queues")]

NOW = clock.now()


def _session(owner, *, expires: timedelta, revoked: timedelta | None = None) -> StaffSession:  # type: ignore[no-untyped-def]
    return StaffSession(
        tenant_id=owner.tenant.id,
        user_id=owner.user.id,
        token_hash=secrets.token_hex(32),
        expires_at=NOW + expires,
        revoked_at=NOW + revoked if revoked else None,
    )


class TestPurgeExpired:
    async def test_deletes_credentials_dead_for_a_week_and_keeps_the_rest(
        self, committed_database, worker_settings
    ):
        async with committed_database.transaction() as db:
            owner = await make_tenant(db)
            email = f"purge-{secrets.token_hex(4)}@example.test"
            db.add_all(
                [
                    LoginAttempt(
                        email=email, succeeded=False, attempted_at=NOW - timedelta(days=40)
                    ),
                    LoginAttempt(
                        email=email, succeeded=False, attempted_at=NOW - timedelta(days=1)
                    ),
                ]
            )
        tenant_id = TenantId(owner.tenant.id)
        async with committed_database.transaction(tenant_id) as db:
            db.add_all(
                [
                    _session(owner, expires=-timedelta(days=8)),
                    _session(owner, expires=timedelta(hours=8), revoked=-timedelta(days=9)),
                    _session(owner, expires=-timedelta(days=1)),
                    _session(owner, expires=timedelta(hours=8)),
                    AccountToken(
                        tenant_id=tenant_id,
                        user_id=owner.user.id,
                        purpose="password_reset",
                        token_hash=secrets.token_hex(32),
                        expires_at=NOW - timedelta(days=10),
                    ),
                    AccountToken(
                        tenant_id=tenant_id,
                        user_id=owner.user.id,
                        purpose="password_reset",
                        token_hash=secrets.token_hex(32),
                        expires_at=NOW + timedelta(minutes=20),
                    ),
                ]
            )

        with use_runtime(JobRuntime(committed_database, worker_settings)):
            await tenant_tasks.purge_expired(timestamp=0)

        async with committed_database.transaction(tenant_id) as db:
            sessions = await db.scalar(
                select(func.count())
                .select_from(StaffSession)
                .where(StaffSession.tenant_id == tenant_id)
            )
            tokens = await db.scalar(
                select(func.count())
                .select_from(AccountToken)
                .where(AccountToken.tenant_id == tenant_id)
            )
            attempts = await db.scalar(
                select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email)
            )
        assert (sessions, tokens, attempts) == (2, 1, 1)

    async def test_is_registered_to_run_every_hour(self):
        from workers.app import build_app

        app = build_app("postgresql://u@/db?host=/tmp")
        crons = {t.task.name: t.cron for t in app.periodic_registry.periodic_tasks.values()}
        assert crons["tenants.purge_expired"] == "17 * * * *"
        assert crons["notifications.mark_stuck"] == "*/10 * * * *"


class TestMarkStuck:
    async def test_pending_message_that_no_job_will_send_turns_failed(
        self, committed_database, worker_settings
    ):
        async with committed_database.transaction() as db:
            owner = await make_tenant(db)
        tenant_id = TenantId(owner.tenant.id)
        async with committed_database.transaction(tenant_id) as db:
            message_id = await queue_message(
                db, tenant_id, channel="sms", recipient="13800138000", body="x", purpose="test"
            )
            await db.execute(
                text("DELETE FROM procrastinate_jobs WHERE args->>'message_id' = :m"),
                {"m": str(message_id)},
            )
            await db.execute(
                text(
                    "UPDATE outbound_messages SET created_at = CAST(:now AS timestamptz) - interval '1 hour' WHERE id = :id"
                ),
                {"id": message_id, "now": clock.now()},
            )

        with use_runtime(JobRuntime(committed_database, worker_settings)):
            assert await notification_tasks.mark_stuck(timestamp=0) >= 1

        async with committed_database.transaction(tenant_id) as db:
            message = await db.scalar(
                select(OutboundMessage).where(OutboundMessage.id == message_id)
            )
        assert message is not None
        assert (message.status, message.last_error) == ("failed", STUCK_REASON)


class TestQueueHousekeeping:
    async def test_job_left_running_by_a_dead_worker_is_queued_again(
        self, committed_database, run_jobs
    ):
        async with committed_database.transaction() as db:
            stalled = await enqueue(
                db, "bureau.file_contract", {"tenant_id": None}, queue="test-stalled"
            )
            await db.execute(
                text("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = :id"),
                {"id": stalled},
            )
            await enqueue(db, "jobs.retry_stalled", {"timestamp": 0}, queue="test-maintenance")
        await run_jobs("test-maintenance")
        assert (await job_row(committed_database, stalled)).status == "todo"

    async def test_old_finished_jobs_are_removed_and_recent_dead_letters_kept(
        self, committed_database, run_jobs
    ):
        async with committed_database.transaction() as db:
            ids = {}
            for name, status, days in [
                ("old_ok", "succeeded", 8),
                ("new_ok", "succeeded", 1),
                ("old_failed", "failed", 8),
                ("ancient_failed", "failed", 91),
            ]:
                ids[name] = await enqueue(
                    db, "bureau.file_contract", {"tenant_id": None}, queue="test-old"
                )
                await db.execute(
                    text(
                        "UPDATE procrastinate_jobs SET status = CAST(:s AS procrastinate_job_status) WHERE id = :id"
                    ),
                    {"s": status, "id": ids[name]},
                )
                await db.execute(
                    text(
                        "UPDATE procrastinate_events SET at = now() - make_interval(days => :d) WHERE job_id = :id"
                    ),
                    {"d": days, "id": ids[name]},
                )
            await enqueue(db, "jobs.remove_old", {"timestamp": 0}, queue="test-maintenance")
        await run_jobs("test-maintenance")
        async with committed_database.transaction() as db:
            left = set(
                (
                    await db.execute(
                        text("SELECT id FROM procrastinate_jobs WHERE id = ANY(:ids)"),
                        {"ids": list(ids.values())},
                    )
                ).scalars()
            )
        assert left == {ids["new_ok"], ids["old_failed"]}
