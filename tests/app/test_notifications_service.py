"""Sending an outbox message and recording the outcome; stuck messages; Send again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.errors import NotFound
from app.notifications import service
from app.notifications.backends import Backends, DeliveryError, PermanentDeliveryError
from app.notifications.models import OutboundMessage
from tests.factories.tenants import make_tenant


class Recorder:
    """A backend that records what it was asked to send, or fails with `error`."""

    name = "recorder"

    def __init__(self, error: Exception | None = None) -> None:
        self.sent: list[dict[str, str]] = []
        self.error = error

    async def send_mail(self, **kw: str) -> None:
        if self.error:
            raise self.error
        self.sent.append(kw)

    async def send_sms(self, **kw: str) -> None:
        await self.send_mail(**kw)


def backends(recorder: Recorder) -> Backends:
    return Backends(mail=recorder, sms=recorder)


async def _queued(db, channel="email", purpose="test"):  # type: ignore[no-untyped-def]
    owner = await make_tenant(db)
    tenant_id = TenantId(owner.tenant.id)
    message_id = await service.queue_message(
        db,
        tenant_id,
        channel=channel,
        recipient="guest@example.test",
        subject="主题",
        body="正文",
        purpose=purpose,
    )
    return tenant_id, message_id


class TestDeliver:
    async def test_sent_message_records_backend_time_and_attempt(self, db):
        tenant_id, message_id = await _queued(db)
        recorder = Recorder()
        delivery = await service.deliver_message(
            db, tenant_id, message_id, backends(recorder), final_attempt=False
        )
        message = await service.get_message(db, tenant_id, message_id)
        assert delivery.outcome == "sent"
        assert (message.status, message.attempts, message.backend) == ("sent", 1, "recorder")
        assert message.sent_at is not None
        assert recorder.sent == [
            {
                "message_id": str(message_id),
                "to": "guest@example.test",
                "subject": "主题",
                "body": "正文",
            }
        ]

    async def test_message_already_sent_is_not_sent_again(self, db):
        tenant_id, message_id = await _queued(db)
        recorder = Recorder()
        await service.deliver_message(
            db, tenant_id, message_id, backends(recorder), final_attempt=False
        )
        again = await service.deliver_message(
            db, tenant_id, message_id, backends(recorder), final_attempt=False
        )
        assert again.outcome == "already_sent"
        assert len(recorder.sent) == 1

    async def test_sms_goes_through_the_sms_gateway_without_a_subject(self, db):
        tenant_id, message_id = await _queued(db, channel="sms")
        recorder = Recorder()
        await service.deliver_message(
            db, tenant_id, message_id, backends(recorder), final_attempt=False
        )
        assert recorder.sent == [
            {"message_id": str(message_id), "to": "guest@example.test", "body": "正文"}
        ]

    async def test_failure_is_recorded_and_the_message_stays_pending_while_retries_remain(self, db):
        tenant_id, message_id = await _queued(db)
        delivery = await service.deliver_message(
            db,
            tenant_id,
            message_id,
            backends(Recorder(DeliveryError("SMTP 421 busy"))),
            final_attempt=False,
        )
        message = await service.get_message(db, tenant_id, message_id)
        assert delivery.outcome == "failed" and isinstance(delivery.error, DeliveryError)
        assert (message.status, message.attempts, message.last_error) == (
            "pending",
            1,
            "SMTP 421 busy",
        )

    async def test_failure_on_the_last_attempt_marks_the_message_failed(self, db):
        tenant_id, message_id = await _queued(db)
        await service.deliver_message(
            db, tenant_id, message_id, backends(Recorder(DeliveryError("down"))), final_attempt=True
        )
        assert (await service.get_message(db, tenant_id, message_id)).status == "failed"

    async def test_permanent_failure_marks_the_message_failed_at_once(self, db):
        tenant_id, message_id = await _queued(db)
        await service.deliver_message(
            db,
            tenant_id,
            message_id,
            backends(Recorder(PermanentDeliveryError("550 no such user"))),
            final_attempt=False,
        )
        assert (await service.get_message(db, tenant_id, message_id)).status == "failed"

    async def test_another_tenants_message_is_not_found_and_not_sent(self, db):
        _a, message_id = await _queued(db)
        b = TenantId((await make_tenant(db)).tenant.id)
        recorder = Recorder()
        delivery = await service.deliver_message(
            db, b, message_id, backends(recorder), final_attempt=False
        )
        assert delivery.outcome == "missing" and recorder.sent == []


async def _age(db, tenant_id, message_id, minutes: int) -> None:  # type: ignore[no-untyped-def]
    await bind_tenant(db, tenant_id)
    await db.execute(
        text(
            "UPDATE outbound_messages SET created_at = CAST(:now AS timestamptz) - make_interval(mins => :m) WHERE id = :id"
        ),
        {"m": minutes, "id": message_id, "now": clock.now()},
    )


class TestStuck:
    async def test_old_pending_message_without_a_waiting_job_is_marked_failed(self, db):
        tenant_id, message_id = await _queued(db)
        await db.execute(
            text("DELETE FROM procrastinate_jobs WHERE args->>'message_id' = :m"),
            {"m": str(message_id)},
        )
        await _age(db, tenant_id, message_id, 45)
        assert await service.mark_stuck_messages(db, tenant_id) == [message_id]
        message = await db.get(OutboundMessage, message_id, populate_existing=True)
        assert message is not None
        assert (message.status, message.last_error) == ("failed", service.STUCK_REASON)

    async def test_message_whose_job_is_still_waiting_is_left_alone(self, db):
        tenant_id, message_id = await _queued(db)
        await _age(db, tenant_id, message_id, 45)
        assert await service.mark_stuck_messages(db, tenant_id) == []

    async def test_recent_message_is_left_alone(self, db):
        tenant_id, message_id = await _queued(db)
        await db.execute(
            text("DELETE FROM procrastinate_jobs WHERE args->>'message_id' = :m"),
            {"m": str(message_id)},
        )
        assert (
            await service.mark_stuck_messages(db, tenant_id, now=clock.now() + timedelta(minutes=5))
            == []
        )


class TestResend:
    async def test_failed_message_is_queued_again(self, db):
        tenant_id, message_id = await _queued(db)
        await service.deliver_message(
            db,
            tenant_id,
            message_id,
            backends(Recorder(PermanentDeliveryError("x"))),
            final_attempt=False,
        )
        await service.resend_message(db, tenant_id, message_id)
        jobs = await db.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE args->>'message_id' = :m AND status = 'todo'"
            ),
            {"m": str(message_id)},
        )
        assert (await service.get_message(db, tenant_id, message_id)).status == "pending"
        assert jobs == 2  # the original job (still queued here) and the new one

    async def test_pending_or_sent_message_is_not_resent(self, db):
        tenant_id, message_id = await _queued(db)
        with pytest.raises(service.MessageNotResendable):
            await service.resend_message(db, tenant_id, message_id)

    async def test_another_tenants_message_is_not_found(self, db):
        _a, message_id = await _queued(db)
        b = TenantId((await make_tenant(db)).tenant.id)
        with pytest.raises(NotFound):
            await service.resend_message(db, b, message_id)
