"""Jobs are enqueued in the caller's transaction: committed together or not at all."""

import uuid
from datetime import timedelta

from sqlalchemy import text

from app.db.engine import TenantId
from app.jobs.queue import enqueue
from app.notifications.service import queue_message
from tests.factories.tenants import make_tenant

_JOB = text(
    "SELECT task_name, queue_name, args, status::text AS status, scheduled_at, priority "
    "FROM procrastinate_jobs WHERE id = :id"
)


class TestEnqueue:
    async def test_job_is_queued_inside_the_transaction(self, db):
        job_id = await enqueue(db, "test.noop", {"tenant_id": None, "x": 1})
        row = (await db.execute(_JOB, {"id": job_id})).one()
        assert row.task_name == "test.noop"
        assert row.args == {"tenant_id": None, "x": 1}
        assert (row.status, row.queue_name) == ("todo", "default")

    async def test_rolled_back_transaction_leaves_no_job(self, database):
        async with database.sessionmaker() as session:
            await session.begin()
            job_id = await enqueue(session, "test.noop", {"x": 2})
            await session.rollback()
        async with database.sessionmaker() as session:
            found = await session.scalar(
                text("SELECT count(*) FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
            )
        assert found == 0

    async def test_ids_in_arguments_are_stored_as_json_strings(self, db):
        tenant = uuid.uuid4()
        job_id = await enqueue(db, "test.noop", {"tenant_id": tenant})
        assert (await db.execute(_JOB, {"id": job_id})).one().args == {"tenant_id": str(tenant)}

    async def test_queue_priority_and_delay_are_honoured(self, db):
        before = await db.scalar(text("SELECT now()"))  # the queue runs on the database's clock
        job_id = await enqueue(
            db, "test.noop", {}, queue="bureau", priority=5, schedule_in=timedelta(minutes=10)
        )
        row = (await db.execute(_JOB, {"id": job_id})).one()
        assert (row.queue_name, row.priority) == ("bureau", 5)
        assert row.scheduled_at >= before + timedelta(minutes=10)


class TestQueueMessage:
    async def test_message_and_its_send_job_are_written_together(self, db):
        owner = await make_tenant(db)
        tenant_id = TenantId(owner.tenant.id)
        message_id = await queue_message(
            db, tenant_id, channel="email", recipient="a@example.test", body="hi", purpose="test"
        )
        row = (
            await db.execute(
                text(
                    "SELECT task_name, queue_name, args FROM procrastinate_jobs "
                    "WHERE args->>'message_id' = :m"
                ),
                {"m": str(message_id)},
            )
        ).one()
        assert row.task_name == "notifications.send"
        assert row.queue_name == "notifications"
        assert row.args == {"tenant_id": str(tenant_id), "message_id": str(message_id)}

    async def test_rolled_back_change_leaves_neither_message_nor_job(self, database):
        async with database.sessionmaker() as session:
            await session.begin()
            owner = await make_tenant(session)
            message_id = await queue_message(
                session,
                TenantId(owner.tenant.id),
                channel="sms",
                recipient="13800138000",
                body="hi",
                purpose="test",
            )
            await session.rollback()
        async with database.sessionmaker() as session:
            jobs = await session.scalar(
                text("SELECT count(*) FROM procrastinate_jobs WHERE args->>'message_id' = :m"),
                {"m": str(message_id)},
            )
        assert jobs == 0
