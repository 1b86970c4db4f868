"""The sender against a scripted bureau: every protocol outcome, the exact bytes and key
on every retry, backoff and Retry-After, pause and ordering, batches that stop at the
first sign of trouble, and the drain that schedules itself for the next due filing."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from app import clock
from app.db.engine import TenantId
from app.notifications.models import OutboundMessage
from modules.filings.models import BureauRegistration, Filing, FilingAttempt
from tests.factories.filings import make_filing, make_registration, statistics_payload
from tests.factories.tenants import make_tenant
from tests.modules.filings.conftest import FakeBureau, drain, drain_jobs, due_now, send_due, tid


@dataclass(frozen=True)
class Sent:
    outcome: str
    filing: Filing


async def send(db, owner, filing_id, bureau: FakeBureau, settings) -> Sent:  # type: ignore[no-untyped-def]
    """Time passes until the filing is due, and the tenant's next batch sends it."""
    await due_now(db, filing_id)
    before = len(await attempts(db, filing_id))
    await send_due(db, owner, bureau, settings)
    after = await attempts(db, filing_id)
    return Sent(
        after[-1].outcome if len(after) > before else "not_sent", await filing(db, filing_id)
    )


async def filing(db, filing_id) -> Filing:  # type: ignore[no-untyped-def]
    row = await db.scalar(
        select(Filing).where(Filing.id == filing_id).execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def attempts(db, filing_id) -> list[FilingAttempt]:  # type: ignore[no-untyped-def]
    return list(
        (
            await db.execute(
                select(FilingAttempt)
                .where(FilingAttempt.filing_id == filing_id)
                .order_by(FilingAttempt.number)
            )
        ).scalars()
    )


class TestAccepted:
    async def test_201_stores_the_receipt_and_records_the_attempt(
        self, db, registered, bureau, settings
    ):
        filing_id = await make_filing(db, tenant=registered.tenant)
        assert (await send(db, registered, filing_id, bureau, settings)).outcome == "accepted"
        done = await filing(db, filing_id)
        assert (done.state, done.receipt_no, done.attempts) == ("accepted", "CQ20261124000001", 1)
        assert done.received_at is not None and done.accepted_at is not None
        [attempt] = await attempts(db, filing_id)
        assert (attempt.status, attempt.outcome) == (201, "accepted")
        assert attempt.latency_ms >= 0 and "CQ20261124000001" in (attempt.response_body or "")

    async def test_200_replay_is_accepted_with_the_original_receipt(
        self, db, registered, bureau, settings
    ):
        filing_id = await make_filing(db, tenant=registered.tenant)
        bureau.then(200, {"receipt_no": "CQ-ORIGINAL", "received_at": "2026-11-20T09:00:00+08:00"})
        assert (await send(db, registered, filing_id, bureau, settings)).outcome == "replayed"
        assert (await filing(db, filing_id)).receipt_no == "CQ-ORIGINAL"

    async def test_a_settled_filing_is_not_sent_again(self, db, registered, bureau, settings):
        filing_id = await make_filing(db, tenant=registered.tenant)
        await send(db, registered, filing_id, bureau, settings)
        assert (await send_due(db, registered, bureau, settings)).claimed == 0
        assert len(bureau.requests) == 1

    async def test_a_batch_sends_every_due_filing_once_and_records_each(
        self, db, registered, bureau, settings
    ):
        ids = [
            await make_filing(db, tenant=registered.tenant) for _ in range(70)
        ]  # written 32, 32, then 6
        batch = await send_due(db, registered, bureau, settings)
        assert (batch.claimed, batch.outcomes) == (70, ("accepted",) * 70)
        sent = sorted(r.headers["idempotency-key"] for r in bureau.requests)
        assert sent == sorted([(await filing(db, i)).idempotency_key for i in ids])
        assert len({(await filing(db, i)).receipt_no for i in ids}) == 70
        numbers = (await db.execute(select(FilingAttempt.filing_id, FilingAttempt.number))).all()
        assert sorted(numbers) == sorted((i, 1) for i in ids)


class TestRetries:
    async def test_every_retry_sends_the_same_key_and_bytes_with_a_fresh_signature(
        self, db, registered, bureau, settings
    ):
        filing_id = await make_filing(
            db, tenant=registered.tenant, payload=statistics_payload("2026-09")
        )
        bureau.then(503).then_raise(httpx.ReadTimeout).then(500, {"code": "oops"}).then_raise(
            httpx.RemoteProtocolError
        )
        outcomes = [
            (await send(db, registered, filing_id, bureau, settings)).outcome for _ in range(5)
        ]
        assert outcomes == ["busy", "no_answer", "failed", "no_answer", "accepted"]
        stored = await filing(db, filing_id)
        assert {r.content for r in bureau.requests} == {stored.body}
        assert {r.headers["idempotency-key"] for r in bureau.requests} == {stored.idempotency_key}
        assert len({r.headers["x-nonce"] for r in bureau.requests}) == 5
        assert json.loads(stored.body or b"")["district_code"] == "500103"
        assert [a.outcome for a in await attempts(db, filing_id)] == [
            "busy",
            "no_answer",
            "failed",
            "no_answer",
            "accepted",
        ]

    async def test_failure_schedules_the_next_attempt_with_backoff_and_a_drain_for_it(
        self, db, registered, bureau, settings
    ):
        filing_id = await make_filing(db, tenant=registered.tenant)
        bureau.then(502)
        before = clock.now()
        result = await drain(db, registered, bureau, settings)
        after = clock.now()
        assert (result.sent, result.ended) == (1, "drained")
        waiting = await filing(db, filing_id)
        assert waiting.state == "pending" and waiting.last_status == 502 and waiting.attempts == 1
        base = settings.filing_backoff_base_seconds
        assert waiting.next_attempt_at is not None
        assert (
            before + timedelta(seconds=base / 2)
            <= waiting.next_attempt_at
            <= after + timedelta(seconds=base)
        )
        later = [j for j in await drain_jobs(db, registered) if j.kind == "later"]
        assert (
            len(later) == 1
            and abs((later[0].scheduled_at - waiting.next_attempt_at).total_seconds()) < 1.1
        )

    async def test_a_backed_off_filing_is_not_sent_before_its_time(
        self, db, registered, bureau, settings
    ):
        filing_id = await make_filing(db, tenant=registered.tenant)
        bureau.then(503)
        await send_due(db, registered, bureau, settings)
        assert (await send_due(db, registered, bureau, settings)).claimed == 0
        assert len(bureau.requests) == 1 and (await filing(db, filing_id)).state == "pending"

    async def test_429_honours_retry_after(self, db, registered, bureau, settings):
        filing_id = await make_filing(db, tenant=registered.tenant)
        bureau.then(429, {"code": "too_many_requests"}, **{"Retry-After": "120"})
        before = clock.now()
        await send(db, registered, filing_id, bureau, settings)
        after = clock.now()
        waiting = await filing(db, filing_id)
        assert waiting.next_attempt_at is not None
        assert (
            before + timedelta(seconds=120)
            <= waiting.next_attempt_at
            <= after + timedelta(seconds=132)
        )
        [attempt] = await attempts(db, filing_id)
        assert (attempt.status, attempt.retry_after, attempt.outcome) == (429, 120, "busy")


class TestTroubleStopsTheBatch:
    async def test_the_first_sign_of_trouble_stops_the_rest_of_the_batch(
        self, db, registered, bureau, settings
    ):
        for _ in range(10):
            await make_filing(db, tenant=registered.tenant)
        bureau.then(503)
        one_lane = settings.model_copy(update={"filing_send_concurrency": 1})
        batch = await send_due(db, registered, bureau, one_lane)
        assert (batch.claimed, batch.outcomes, batch.trouble) == (10, ("busy",), True)
        assert len(bureau.requests) == 1
        states = (await db.execute(select(Filing.state, Filing.attempts))).all()
        assert sorted(states) == [("pending", 0)] * 9 + [("pending", 1)]  # the rest are still due

    async def test_a_slow_bureau_gets_no_new_send_once_the_batch_took_long_enough(
        self, db, registered, bureau, settings, monkeypatch
    ):
        from modules.filings.service import sending

        for _ in range(10):
            await make_filing(db, tenant=registered.tenant)
        monkeypatch.setattr(sending, "SEND_FOR_SECONDS", 0.0)
        one_lane = settings.model_copy(update={"filing_send_concurrency": 1})
        batch = await send_due(db, registered, bureau, one_lane)
        assert (batch.claimed, batch.outcomes, batch.trouble) == (10, ("accepted",), False)
        assert (
            await send_due(db, registered, bureau, one_lane)
        ).claimed == 9  # the rest, next batch

    async def test_the_drain_starts_with_one_filing_and_grows_while_all_goes_well(
        self, db, registered, bureau, settings
    ):
        for _ in range(10):
            await make_filing(db, tenant=registered.tenant)
        result = await drain(db, registered, bureau, settings)
        assert (result.sent, result.batches, result.ended) == (
            10,
            4,
            "drained",
        )  # 1, 2, 4, then the last 3
        assert "later" not in [
            j.kind for j in await drain_jobs(db, registered)
        ]  # nothing left to send

    async def test_a_bureau_that_is_down_sees_one_request_at_a_time(
        self, db, registered, bureau, settings
    ):
        for _ in range(5):
            await make_filing(db, tenant=registered.tenant)
        for _ in range(5):
            bureau.then(503)
        result = await drain(db, registered, bureau, settings)
        assert (result.sent, result.batches) == (5, 5)  # every filing tried once, one by one
        assert [a for a in (await db.execute(select(FilingAttempt.outcome))).scalars()] == [
            "busy"
        ] * 5


class TestOneBatchPerTenantAtATime:
    async def test_a_drain_finding_another_batch_being_sent_leaves_it_alone(
        self, committed_database, bureau, settings
    ):
        async with committed_database.transaction() as db:
            owner = await make_tenant(db)
            await make_registration(db, tenant=owner.tenant)
            await make_filing(db, tenant=owner.tenant)
        async with committed_database.transaction(owner.tenant.id) as sending:
            from modules.filings.repository import SendingRepository

            assert await SendingRepository(sending, TenantId(owner.tenant.id)).lock_tenant()
            async with committed_database.transaction(owner.tenant.id) as other:
                assert (await send_due(other, owner, bureau, settings)).locked
        assert bureau.requests == []
        async with committed_database.transaction(owner.tenant.id) as db:
            assert (await send_due(db, owner, bureau, settings)).outcomes == ("accepted",)

    async def test_a_filing_committed_just_after_an_empty_claim_is_sent_by_the_same_drain(
        self, db, registered, bureau, settings
    ):
        from modules.filings import service

        opened = 0

        @asynccontextmanager
        async def transaction() -> AsyncIterator[Any]:
            nonlocal opened
            opened += 1
            if opened == 2:  # between the empty claim and the look at what is due
                await make_filing(db, tenant=registered.tenant)
            yield db

        result = await service.drain(transaction, tid(registered), bureau.client(), settings)
        assert (result.sent, result.ended) == (1, "drained") and len(bureau.requests) == 1


class TestFinalAnswers:
    async def test_400_is_rejected_with_the_bureaus_field_errors_and_not_retried(
        self, db, registered, bureau, settings
    ):
        filing_id = await make_filing(db, tenant=registered.tenant)
        errors = [
            {"field": "figures.occupancy_bp", "code": "out_of_range", "message": "入住率超出范围"}
        ]
        bureau.then(400, {"code": "invalid", "message": "备案内容有误", "errors": errors})
        assert (await drain(db, registered, bureau, settings)).sent == 1
        rejected = await filing(db, filing_id)
        assert (rejected.state, rejected.errors) == ("rejected", errors)
        assert "later" not in [j.kind for j in await drain_jobs(db, registered)]  # not retried

    async def test_409_is_conflicted_with_its_code(self, db, registered, bureau, settings):
        filing_id = await make_filing(db, tenant=registered.tenant)
        bureau.then(409, {"code": "duplicate_e_number", "message": "该合同已备案"})
        assert (await send(db, registered, filing_id, bureau, settings)).outcome == "conflicted"
        conflicted = await filing(db, filing_id)
        assert (conflicted.state, conflicted.conflict_code) == ("conflicted", "duplicate_e_number")

    async def test_a_rejection_does_not_stop_the_rest_of_the_batch(
        self, db, registered, bureau, settings
    ):
        for _ in range(3):
            await make_filing(db, tenant=registered.tenant)
        bureau.then(400, {"code": "invalid", "message": "x"})
        one_lane = settings.model_copy(update={"filing_send_concurrency": 1})
        batch = await send_due(db, registered, bureau, one_lane)
        assert sorted(batch.outcomes) == ["accepted", "accepted", "rejected"] and not batch.trouble


class TestOddAnswers:
    async def test_an_answer_with_nul_characters_is_still_recorded(
        self, db, registered, bureau, settings
    ):
        filing_id = await make_filing(db, tenant=registered.tenant)
        errors = [{"field": "figures\u0000", "code": "bad", "message": "坏\u0000"}]
        bureau.then(400, {"code": "invalid", "message": "x\u0000", "errors": errors})
        assert (await send(db, registered, filing_id, bureau, settings)).outcome == "rejected"
        rejected = await filing(db, filing_id)
        assert rejected.errors == [{"field": "figures\ufffd", "code": "bad", "message": "坏\ufffd"}]

    async def test_an_unexpected_error_sending_one_filing_does_not_hold_up_the_others(
        self, db, registered, bureau, settings
    ):
        first = await make_filing(
            db, tenant=registered.tenant, payload=statistics_payload("2020-01")
        )  # most urgent
        others = [
            await make_filing(db, tenant=registered.tenant, payload=statistics_payload("2099-01"))
            for _ in range(3)
        ]
        bureau.then_raise(RuntimeError)  # not a network error: a bug somewhere
        result = await drain(db, registered, bureau, settings)
        assert result.sent == 4
        odd = await filing(db, first)
        assert (odd.state, odd.attempts) == ("pending", 1) and "Error" in (odd.last_error or "")
        assert [a.outcome for a in await attempts(db, first)] == ["no_answer"]
        assert {(await filing(db, i)).state for i in others} == {"accepted"}


class TestRefusedCredentials:
    async def test_401_pauses_the_tenants_filing_and_alerts_its_owner_once(
        self, db, registered, bureau, settings
    ):
        first = await make_filing(db, tenant=registered.tenant)
        second = await make_filing(db, tenant=registered.tenant)
        bureau.then(401, {"code": "bad_signature", "message": "签名错误"})
        result = await drain(db, registered, bureau, settings)
        assert result.sent == 1 and len(bureau.requests) == 1  # no retry storm: one request
        assert (await filing(db, first)).state == "paused"
        assert (await filing(db, second)).state == "paused"
        registration = await db.scalar(
            select(BureauRegistration).where(BureauRegistration.tenant_id == registered.tenant.id)
        )
        assert (registration.status, registration.paused_status) == ("paused", 401)
        assert "签名错误" in (registration.paused_reason or "")
        assert (await send_due(db, registered, bureau, settings)).claimed == 0
        assert len(bureau.requests) == 1
        alerts = (
            (
                await db.execute(
                    select(OutboundMessage).where(OutboundMessage.purpose == "filing_alert")
                )
            )
            .scalars()
            .all()
        )
        assert [a.recipient for a in alerts] == [registered.user.email]
        assert "监管备案已暂停" in alerts[0].subject

    async def test_filings_made_while_paused_wait_and_resume_makes_them_all_due(
        self, db, registered, bureau, settings
    ):
        from modules.filings import service

        first = await make_filing(db, tenant=registered.tenant)
        bureau.then(403, {"code": "suspended"})
        await send(db, registered, first, bureau, settings)
        later = await make_filing(db, tenant=registered.tenant)
        assert (await filing(db, later)).state == "paused"
        assert await service.resume_filing(db, tid(registered)) == 2
        assert [j.kind for j in await drain_jobs(db, registered)] == ["now"]
        assert (await drain(db, registered, bureau, settings)).sent == 2
        assert {(await filing(db, i)).state for i in (first, later)} == {"accepted"}


class TestOrdering:
    async def test_an_amendment_waits_for_its_contracts_acceptance(
        self, db, registered, bureau, settings
    ):
        contract = await make_filing(
            db,
            tenant=registered.tenant,
            kind="contract",
            payload={"e_number": "CQ-E-1", "signed_at": "2026-11-24T09:00:00+08:00"},
        )
        amendment = await make_filing(
            db,
            tenant=registered.tenant,
            kind="amendment",
            payload={
                "e_number": "CQ-E-1",
                "amended_at": "2026-11-24T12:00:00+08:00",
                "reason": "改期",
                "changes": {},
            },
        )
        held = await filing(db, amendment)
        assert (held.state, held.depends_on_id, held.path) == (
            "waiting",
            contract,
            "/v1/contracts/CQ-E-1/amendments",
        )
        bureau.then(503)
        await drain(db, registered, bureau, settings)
        assert (await filing(db, amendment)).state == "waiting"
        await due_now(db, contract)
        assert (
            await drain(db, registered, bureau, settings)
        ).sent == 2  # the contract, then what waited for it
        assert (await filing(db, amendment)).state == "accepted"
        assert [r.url.path for r in bureau.requests] == [
            "/v1/contracts",
            "/v1/contracts",
            "/v1/contracts/CQ-E-1/amendments",
        ]

    async def test_a_dependent_that_finds_its_contract_unaccepted_goes_back_to_waiting(
        self, db, registered, bureau, settings
    ):
        await make_filing(
            db, tenant=registered.tenant, kind="contract", payload={"e_number": "CQ-E-2"}
        )
        cancellation = await make_filing(
            db,
            tenant=registered.tenant,
            kind="cancellation",
            payload={"e_number": "CQ-E-2", "refund_fen": 0},
        )
        row = await filing(db, cancellation)
        row.state = "pending"  # as if released by mistake
        await db.flush()
        bureau.then(503)
        batch = await send_due(db, registered, bureau, settings)
        assert (batch.claimed, batch.waiting, batch.outcomes) == (2, 1, ("busy",))
        assert (await filing(db, cancellation)).state == "waiting"
        assert [r.url.path for r in bureau.requests] == ["/v1/contracts"]


class TestBeforeRegistration:
    async def test_filings_are_held_then_sealed_and_due_when_the_owner_registers(
        self, db, bureau, settings
    ):
        owner = await make_tenant(db)
        filing_id = await make_filing(db, tenant=owner.tenant)
        held = await filing(db, filing_id)
        assert (held.state, held.body) == ("held", None) and await drain_jobs(db, owner) == []
        await make_registration(db, tenant=owner.tenant, district_code="500105")
        sealed = await filing(db, filing_id)
        assert (
            sealed.state == "pending"
            and json.loads(sealed.body or b"")["district_code"] == "500105"
        )
        assert [j.kind for j in await drain_jobs(db, owner)] == ["now"]


class TestTransactionalQueueing:
    async def test_a_rolled_back_change_leaves_no_filing_and_no_job(self, db, registered):
        savepoint = await db.begin_nested()
        filing_id = await make_filing(db, tenant=registered.tenant)
        assert [j.kind for j in await drain_jobs(db, registered)] == ["now"]
        await savepoint.rollback()
        assert await drain_jobs(db, registered) == []
        assert await db.scalar(select(Filing).where(Filing.id == filing_id)) is None
        await make_filing(db, tenant=registered.tenant)  # asks for the drain again
        assert [j.kind for j in await drain_jobs(db, registered)] == ["now"]

    async def test_many_filings_in_one_transaction_ask_for_one_drain(self, db, registered):
        for _ in range(5):
            await make_filing(db, tenant=registered.tenant)
        assert [j.kind for j in await drain_jobs(db, registered)] == ["now"]

    async def test_key_and_bytes_are_fixed_at_creation(self, db, registered):
        a = await make_filing(db, tenant=registered.tenant, payload=statistics_payload("2026-08"))
        b = await make_filing(db, tenant=registered.tenant, payload=statistics_payload("2026-08"))
        fa, fb = await filing(db, a), await filing(db, b)
        assert fa.body == fb.body and fa.idempotency_key != fb.idempotency_key
        uuid.UUID(fa.idempotency_key)
