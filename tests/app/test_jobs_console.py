"""The console's Background jobs page: the tenant's dead-lettered and waiting jobs, and
Retry, which only ever touches the tenant's own jobs."""

from __future__ import annotations

from sqlalchemy import select, text

from app.db.engine import bind_tenant
from app.jobs.queue import enqueue
from tenants.models import AuditEvent
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in


async def _job(db, staff, marker: str, *, failed: bool = False) -> int:  # type: ignore[no-untyped-def]
    job_id = await enqueue(
        db, "bureau.file_contract", {"tenant_id": str(staff.tenant.id), "contract": marker}
    )
    if failed:
        await db.execute(
            text("UPDATE procrastinate_jobs SET status = 'failed', attempts = 7 WHERE id = :id"),
            {"id": job_id},
        )
    return job_id


async def _status(db, job_id: int) -> str:  # type: ignore[no-untyped-def]
    return await db.scalar(
        text("SELECT status::text FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
    )


class TestJobList:
    async def test_lists_own_failed_and_waiting_jobs_only(self, client, db):
        a = await make_tenant(db)
        b = await make_tenant(db)
        failed = await _job(db, a, "HT-A-FAILED", failed=True)
        await _job(db, a, "HT-A-WAITING")
        await _job(db, b, "HT-B-FAILED", failed=True)
        await _job(db, b, "HT-B-WAITING")
        manager = await make_staff(db, tenant=a.tenant, role="manager")
        await sign_in(client, manager)
        page = await client.get("/console/system/jobs")
        assert page.status_code == 200
        assert "HT-A-FAILED" in page.text and "HT-A-WAITING" in page.text
        assert "HT-B" not in page.text
        assert f'name="job_id" value="{failed}"' in page.text
        assert "后台任务" in page.text

    async def test_send_jobs_link_to_their_message(self, client, db):
        owner = await make_tenant(db)
        job_id = await enqueue(
            db,
            "notifications.send",
            {
                "tenant_id": str(owner.tenant.id),
                "message_id": "0193a000-0000-7000-8000-000000000001",
            },
        )
        assert job_id
        await sign_in(client, owner)
        page = await client.get("/console/system/jobs")
        assert "/console/system/messages/0193a000-0000-7000-8000-000000000001" in page.text
        assert "发送消息" in page.text

    async def test_front_desk_may_not_open_it(self, client, db):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant, role="cashier")
        await sign_in(client, clerk)
        assert (await client.get("/console/system/jobs")).status_code == 403


class TestRetry:
    async def test_retrying_a_dead_lettered_job_queues_it_now_and_is_audited(self, client, db):
        owner = await make_tenant(db)
        job_id = await _job(db, owner, "HT-1", failed=True)
        await sign_in(client, owner)
        response = await form_post(
            client, "/console/system/jobs/retry", {"job_id": job_id}, follow_redirects=False
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/console/system/jobs?retried={job_id}"
        assert await _status(db, job_id) == "todo"
        await bind_tenant(db, owner.tenant.id)
        actions = (
            await db.execute(
                select(AuditEvent.action).where(AuditEvent.tenant_id == owner.tenant.id)
            )
        ).scalars()
        assert "jobs.retried" in list(actions)

    async def test_another_tenants_job_answers_404_and_is_untouched(self, client, db):
        a = await make_tenant(db)
        b = await make_tenant(db)
        job_id = await _job(db, a, "HT-A", failed=True)
        await sign_in(client, b)
        response = await form_post(client, "/console/system/jobs/retry", {"job_id": job_id})
        assert response.status_code == 404
        assert await _status(db, job_id) == "failed"

    async def test_unknown_job_answers_404(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await form_post(client, "/console/system/jobs/retry", {"job_id": 999999999})
        assert response.status_code == 404

    async def test_job_that_has_not_given_up_cannot_be_retried(self, client, db):
        owner = await make_tenant(db)
        job_id = await _job(db, owner, "HT-2")
        await sign_in(client, owner)
        response = await form_post(client, "/console/system/jobs/retry", {"job_id": job_id})
        assert response.status_code == 409
        assert await _status(db, job_id) == "todo"

    async def test_front_desk_may_not_retry(self, client, db):
        owner = await make_tenant(db)
        job_id = await _job(db, owner, "HT-3", failed=True)
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        response = await form_post(client, "/console/system/jobs/retry", {"job_id": job_id})
        assert response.status_code == 403
        assert await _status(db, job_id) == "failed"
