"""The real worker, against a database where every transaction commits."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, text

from app.db.engine import TenantId
from app.jobs.queue import enqueue
from app.notifications.models import OutboundMessage
from app.notifications.service import queue_message
from tests.factories.tenants import make_tenant
from tests.helpers import form_post, sign_in
from tests.workers.conftest import FLAKY, SEEN, job_row, new_key

pytestmark = [pytest.mark.realdb, pytest.mark.usefixtures("empty_queues")]


async def _tenant_with_message(database, body: str = "您好"):  # type: ignore[no-untyped-def]
    async with database.transaction() as db:
        owner = await make_tenant(db)
    tenant_id = TenantId(owner.tenant.id)
    async with database.transaction(tenant_id) as db:
        message_id = await queue_message(
            db, tenant_id, channel="sms", recipient="13800138000", body=body, purpose="test"
        )
    return owner, message_id


async def _message(database, tenant_id, message_id) -> OutboundMessage:  # type: ignore[no-untyped-def]
    async with database.transaction(tenant_id) as db:
        found = await db.scalar(select(OutboundMessage).where(OutboundMessage.id == message_id))
    assert found is not None
    return found


class TestTenantBinding:
    async def test_job_sees_only_the_rows_of_the_tenant_named_in_its_arguments(
        self, committed_database, run_jobs
    ):
        a, a_message = await _tenant_with_message(committed_database)
        _b, _b_message = await _tenant_with_message(committed_database)
        key = new_key()
        async with committed_database.transaction(a.tenant.id) as db:
            await enqueue(
                db,
                "test.visible_messages",
                {"tenant_id": str(a.tenant.id), "key": key},
                queue="test-probe",
            )
        await run_jobs("test-probe")
        assert SEEN[key] == [str(a_message)]

    async def test_job_for_a_tenant_that_does_not_exist_fails_without_retrying(
        self, committed_database, run_jobs
    ):
        async with committed_database.transaction() as db:
            job_id = await enqueue(
                db,
                "test.visible_messages",
                {"tenant_id": "00000000-0000-7000-8000-000000000000", "key": new_key()},
                queue="test-probe",
            )
        await run_jobs("test-probe")
        row = await job_row(committed_database, job_id)
        assert (row.status, row.attempts) == ("failed", 1)  # one run, no retry


class TestRetriesAndDeadLetter:
    async def test_failing_job_is_retried_then_dead_lettered_then_retried_from_the_console(
        self, committed_database, committed_client, run_jobs, machine_clock
    ):
        owner, _ = await _tenant_with_message(committed_database)
        FLAKY.update(fail=True, runs=0)
        async with committed_database.transaction(owner.tenant.id) as db:
            job_id = await enqueue(
                db, "test.flaky", {"tenant_id": str(owner.tenant.id)}, queue="test-flaky"
            )

        await run_jobs("test-flaky")
        row = await job_row(committed_database, job_id)
        assert FLAKY["runs"] == 3  # the first run and two retries
        assert (row.status, row.attempts) == ("failed", 3)

        await sign_in(committed_client, owner)
        page = await committed_client.get("/console/system/jobs")
        assert f'name="job_id" value="{job_id}"' in page.text
        response = await form_post(
            committed_client,
            "/console/system/jobs/retry",
            {"job_id": job_id},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert (await job_row(committed_database, job_id)).status == "todo"

        FLAKY["fail"] = False
        await run_jobs("test-flaky")
        assert (await job_row(committed_database, job_id)).status == "succeeded"
        assert FLAKY["runs"] == 4


class TestSendThroughTheWorker:
    async def test_log_backend_marks_the_message_sent_and_a_second_run_does_not_resend(
        self, committed_database, run_jobs, caplog
    ):
        owner, message_id = await _tenant_with_message(committed_database, body="验证码 123456")
        caplog.set_level(logging.INFO, logger="zhilv.notifications")

        await run_jobs("notifications")
        sent = await _message(committed_database, owner.tenant.id, message_id)
        assert (sent.status, sent.attempts, sent.backend) == ("sent", 1, "log")
        assert sent.sent_at is not None and sent.last_error is None
        assert sum("验证码 123456" in r.getMessage() for r in caplog.records) == 1

        async with committed_database.transaction(owner.tenant.id) as db:
            await enqueue(
                db,
                "notifications.send",
                {"tenant_id": str(owner.tenant.id), "message_id": str(message_id)},
                queue="notifications",
            )
        await run_jobs("notifications")
        again = await _message(committed_database, owner.tenant.id, message_id)
        assert (again.attempts, again.sent_at) == (1, sent.sent_at)
        assert sum("验证码 123456" in r.getMessage() for r in caplog.records) == 1

    async def test_unreachable_gateway_leaves_the_message_pending_with_the_error_and_a_retry_scheduled(
        self, committed_database, run_jobs, worker_settings, machine_clock
    ):
        owner, message_id = await _tenant_with_message(committed_database)
        down = worker_settings.model_copy(
            update={"sms_backend": "http", "sms_gateway_url": "http://127.0.0.1:9/sms"}
        )
        await run_jobs("notifications", settings=down)
        message = await _message(committed_database, owner.tenant.id, message_id)
        assert (message.status, message.attempts, message.backend) == ("pending", 1, None)
        assert "SMS gateway" in (message.last_error or "")
        async with committed_database.transaction() as db:
            job = (
                await db.execute(
                    text(
                        "SELECT status::text AS status, scheduled_at > now() AS later FROM procrastinate_jobs "
                        "WHERE args->>'message_id' = :m"
                    ),
                    {"m": str(message_id)},
                )
            ).one()
        assert (job.status, job.later) == ("todo", True)


class TestLogs:
    async def test_worker_writes_json_lines_naming_the_job_task_and_tenant(
        self, committed_database, run_jobs
    ):
        import io
        import json

        from app.web.logging import JsonFormatter
        from workers.runtime import ProcrastinateFields

        owner, message_id = await _tenant_with_message(committed_database)
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(ProcrastinateFields())
        root = logging.getLogger()
        level = root.level
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        try:
            await run_jobs("notifications")
        finally:
            root.removeHandler(handler)
            root.setLevel(level)
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        sent = [x for x in lines if x.get("message_id") == str(message_id)]
        assert sent and sent[0]["request_id"].startswith("job-")
        done = [
            x
            for x in lines
            if x.get("action") == "job_success" and x.get("tenant_id") == str(owner.tenant.id)
        ]
        assert done and done[0]["task"] == "notifications.send"
        assert done[0]["job_id"] == int(sent[0]["request_id"].removeprefix("job-"))
