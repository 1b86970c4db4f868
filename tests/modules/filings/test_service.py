"""Filing actions and the safety net: retry, re-file with corrections, the sweep, alerts."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app import clock
from app.errors import Conflict, Invalid
from app.notifications.models import OutboundMessage
from modules.filings import service
from modules.filings.models import Filing
from tests.factories.filings import make_filing, statistics_payload
from tests.modules.filings.conftest import as_tenant, drain_jobs, send_due, tid
from tests.modules.filings.test_sending import filing, send


class TestFile:
    async def test_unknown_kind_and_missing_business_key_are_refused(self, db, registered):
        with pytest.raises(Invalid):
            await service.file(db, tid(registered), "visa", "x", "1", {})
        with pytest.raises(Invalid) as problem:
            await service.file(db, tid(registered), "group", "x", "1", {"days": []})
        assert problem.value.errors and problem.value.errors[0]["field"] == "group_no"

    async def test_filings_of_two_enterprises_in_one_transaction_are_each_stored(
        self, db, registered
    ):
        from tests.factories.filings import make_registration
        from tests.factories.tenants import make_tenant

        other = await make_tenant(db)
        await make_registration(db, tenant=other.tenant)
        first = await make_filing(db, tenant=registered.tenant)
        second = await make_filing(db, tenant=other.tenant)  # binds the other tenant
        assert (await db.execute(select(Filing.id))).scalars().all() == [second]  # what it sees now
        await as_tenant(db, registered)
        assert (await db.execute(select(Filing.id))).scalars().all() == [first]


class TestRetry:
    async def test_a_rejected_filing_is_sent_again_with_the_same_key(
        self, db, registered, bureau, settings
    ):
        filing_id = await make_filing(db, tenant=registered.tenant)
        bureau.then(
            400,
            {
                "code": "invalid",
                "message": "x",
                "errors": [{"field": "period", "code": "bad", "message": "坏"}],
            },
        )
        await send(db, registered, filing_id, bureau, settings)
        await service.retry_filing(db, tid(registered), filing_id, actor_user_id=registered.user.id)
        assert (await send(db, registered, filing_id, bureau, settings)).outcome == "accepted"
        assert len({r.headers["idempotency-key"] for r in bureau.requests}) == 1

    async def test_send_now_brings_a_backed_off_attempt_forward(
        self, db, registered, bureau, settings
    ):
        filing_id = await make_filing(db, tenant=registered.tenant)
        bureau.then(503, {}, **{"Retry-After": "3600"})
        await send(db, registered, filing_id, bureau, settings)
        assert (await send_due(db, registered, bureau, settings)).claimed == 0  # an hour to wait
        await service.retry_filing(db, tid(registered), filing_id, actor_user_id=registered.user.id)
        assert "now" in [j.kind for j in await drain_jobs(db, registered)]
        assert (await send_due(db, registered, bureau, settings)).outcomes == ("accepted",)

    async def test_an_accepted_filing_cannot_be_retried(self, db, registered, bureau, settings):
        filing_id = await make_filing(db, tenant=registered.tenant)
        await send(db, registered, filing_id, bureau, settings)
        with pytest.raises(Conflict):
            await service.retry_filing(db, tid(registered), filing_id, actor_user_id=None)


class TestRefile:
    async def test_correction_goes_under_a_new_key_and_dependents_follow_it(
        self, db, registered, bureau, settings
    ):
        contract = await make_filing(
            db,
            tenant=registered.tenant,
            kind="contract",
            payload={"e_number": "E-9", "tourist_count": 3},
        )
        amendment = await make_filing(
            db,
            tenant=registered.tenant,
            kind="amendment",
            payload={"e_number": "E-9", "reason": "x"},
        )
        bureau.then(
            400,
            {
                "code": "invalid",
                "message": "x",
                "errors": [{"field": "tourist_count", "code": "mismatch", "message": "人数不符"}],
            },
        )
        await send(db, registered, contract, bureau, settings)
        new = await service.refile(
            db,
            tid(registered),
            contract,
            '{"e_number": "E-9", "tourist_count": 2}',
            actor_user_id=registered.user.id,
        )
        old = await filing(db, contract)
        assert old.state == "superseded" and new.replaces_id == contract
        assert new.idempotency_key != old.idempotency_key and b'"tourist_count":2' in (
            new.body or b""
        )
        assert (await filing(db, amendment)).depends_on_id == new.id
        assert (await send_due(db, registered, bureau, settings)).outcomes == (
            "accepted",
        )  # the new one
        assert (await filing(db, amendment)).state == "pending"

    async def test_bad_json_is_a_field_error_and_nothing_changes(
        self, db, registered, bureau, settings
    ):
        filing_id = await make_filing(db, tenant=registered.tenant)
        bureau.then(400, {"code": "invalid", "message": "x"})
        await send(db, registered, filing_id, bureau, settings)
        for text_ in ("{not json", "[1, 2]"):
            with pytest.raises(Invalid) as problem:
                await service.refile(db, tid(registered), filing_id, text_, actor_user_id=None)
            assert problem.value.errors and problem.value.errors[0]["field"] == "payload"
        assert (await filing(db, filing_id)).state == "rejected"

    async def test_a_pending_filing_cannot_be_refiled(self, db, registered):
        filing_id = await make_filing(db, tenant=registered.tenant)
        with pytest.raises(Conflict):
            await service.refile(db, tid(registered), filing_id, "{}", actor_user_id=None)


class TestSweep:
    async def test_overdue_filings_without_a_drain_get_one(self, db, registered, settings):
        filing_id = await make_filing(db, tenant=registered.tenant)
        await db.execute(text("DELETE FROM procrastinate_jobs WHERE task_name = 'filings.drain'"))
        await db.execute(
            text(
                "UPDATE filings SET next_attempt_at = CAST(:now AS timestamptz) - interval '1 hour' WHERE id = :id"
            ),
            {"id": filing_id, "now": clock.now()},
        )
        assert (await service.sweep(db, tid(registered), settings)).restarted
        assert [j.kind for j in await drain_jobs(db, registered)] == ["now"]
        await service.sweep(db, tid(registered), settings)
        assert [j.kind for j in await drain_jobs(db, registered)] == ["now"]  # still one waiting

    async def test_a_drain_left_running_by_a_dead_worker_does_not_block_a_new_one(
        self, db, registered, settings
    ):
        filing_id = await make_filing(db, tenant=registered.tenant)
        # the drain started (and let go of its queueing lock), then its worker died
        await db.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = NULL, queueing_lock = NULL "
                "WHERE task_name = 'filings.drain'"
            )
        )
        await db.execute(
            text(
                "UPDATE filings SET next_attempt_at = CAST(:now AS timestamptz) - interval '1 hour' WHERE id = :id"
            ),
            {"id": filing_id, "now": clock.now()},
        )
        assert (await service.sweep(db, tid(registered), settings)).restarted
        assert [j.kind for j in await drain_jobs(db, registered)] == ["now"]

    async def test_filings_due_recently_are_left_to_the_running_drain(
        self, db, registered, settings
    ):
        await make_filing(db, tenant=registered.tenant)
        await db.execute(text("DELETE FROM procrastinate_jobs WHERE task_name = 'filings.drain'"))
        assert not (await service.sweep(db, tid(registered), settings)).restarted
        assert await drain_jobs(db, registered) == []

    async def test_owners_are_alerted_once_about_filings_nearing_30_days(
        self, db, registered, settings
    ):
        filing_id = await make_filing(db, tenant=registered.tenant)
        await db.execute(
            text(
                "UPDATE filings SET created_at = CAST(:now AS timestamptz) - interval '26 days' WHERE id = :id"
            ),
            {"id": filing_id, "now": clock.now()},
        )
        assert (await service.sweep(db, tid(registered), settings)).alerted == 1
        assert (await service.sweep(db, tid(registered), settings)).alerted == 0
        alerts = (
            (
                await db.execute(
                    select(OutboundMessage).where(OutboundMessage.purpose == "filing_alert")
                )
            )
            .scalars()
            .all()
        )
        assert len(alerts) == 1 and "30" in alerts[0].body


class TestAttention:
    async def test_counts_rejected_and_overdue_but_not_accepted_or_on_time(
        self, db, registered, bureau, settings
    ):
        rejected = await make_filing(
            db, tenant=registered.tenant, payload=statistics_payload("2099-02")
        )
        bureau.then(400, {"code": "invalid", "message": "x"})
        await send(db, registered, rejected, bureau, settings)
        accepted_late = await make_filing(
            db, tenant=registered.tenant, payload=statistics_payload("2020-02")
        )
        await send(db, registered, accepted_late, bureau, settings)
        on_time = await make_filing(
            db, tenant=registered.tenant, payload=statistics_payload("2099-01")
        )
        overdue = await make_filing(
            db, tenant=registered.tenant, payload=statistics_payload("2020-01")
        )
        assert await service.attention_count(db, tid(registered)) == 2
        assert {on_time, overdue} <= set((await db.execute(select(Filing.id))).scalars())
