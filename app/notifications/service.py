"""The notification outbox: callers write a message in their own transaction; the worker
sends it (`notifications.send`) and records the outcome; staff read the outbox in the
console.

Delivery is at-least-once: a message is marked sent in the transaction that sent it, so
it is never sent again once that commits; a crash between the hand-over to the server and
the commit can repeat it (the backends pass our message id along for de-duplication).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, NotFound
from app.jobs.queue import enqueue
from app.notifications.backends import Backends, DeliveryError, PermanentDeliveryError
from app.notifications.models import OutboundMessage
from app.notifications.repository import OutboxRepository

__all__ = [
    "CHANNELS",
    "SENSITIVE_PURPOSES",
    "STATUSES",
    "STUCK_AFTER",
    "STUCK_REASON",
    "Delivery",
    "MessageNotResendable",
    "MessagePage",
    "deliver_message",
    "get_message",
    "is_sensitive",
    "list_messages",
    "mark_stuck_messages",
    "queue_message",
    "resend_message",
]

CHANNELS = ("email", "sms")
STATUSES = ("pending", "sent", "failed")
# Messages whose body is a credential (a one-time sign-in or reset link, a tourist's
# signing link or one-time signing code): the console shows that they were sent, never
# what they said, so a manager cannot take over the account of a colleague who asked for
# a password reset, nor sign a contract in a tourist's place.
SENSITIVE_PURPOSES = frozenset({"password_reset", "invitation", "contract_signing", "signing_code"})
STUCK_AFTER = timedelta(minutes=30)
# Stored in `last_error` in English and translated when shown (a msgid in jobs.po).
STUCK_REASON = "Not sent in time and no send job is waiting; use Send again."
PAGE_SIZE = 50
SEND_TASK = "notifications.send"
SEND_QUEUE = "notifications"


class MessageNotResendable(Conflict):
    message = "Only a message that failed can be sent again."


@dataclass(frozen=True, slots=True)
class Delivery:
    outcome: Literal["sent", "already_sent", "missing", "failed"]
    error: DeliveryError | None = None


@dataclass(frozen=True, slots=True)
class MessagePage:
    messages: Sequence[OutboundMessage]
    channel: str | None
    status: str | None
    page: int
    has_next: bool
    counts: dict[str, int]


def is_sensitive(purpose: str) -> bool:
    return purpose in SENSITIVE_PURPOSES


async def queue_message(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    channel: Literal["email", "sms"],
    recipient: str,
    body: str,
    purpose: str,
    subject: str = "",
) -> uuid.UUID:
    """Record an e-mail or SMS and queue its sending, atomically with the caller's change.

    `purpose` names why it is sent ("password_reset", "booking_confirmation" …); messages
    whose purpose is in SENSITIVE_PURPOSES have their body hidden in the console."""
    message = OutboundMessage(
        tenant_id=tenant_id,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        purpose=purpose,
    )
    db.add(message)
    await db.flush()
    await _enqueue_send(db, tenant_id, message.id)
    return message.id


async def _enqueue_send(db: AsyncSession, tenant_id: TenantId, message_id: uuid.UUID) -> None:
    args = {"tenant_id": str(tenant_id), "message_id": str(message_id)}
    await enqueue(db, SEND_TASK, args, queue=SEND_QUEUE)


async def deliver_message(
    db: AsyncSession,
    tenant_id: TenantId,
    message_id: uuid.UUID,
    backends: Backends,
    *,
    final_attempt: bool,
) -> Delivery:
    """Send one message and record the outcome; a message already sent is left alone, so
    the job is safe to run twice. A failure is recorded (attempts, last error) and
    returned: the caller commits the record, then raises to have the job retried. The
    message turns `failed` when this was the last attempt or the failure is permanent."""
    message = await OutboxRepository(db, tenant_id).lock(message_id)
    if message is None:
        return Delivery("missing")
    if message.status == "sent":
        return Delivery("already_sent")
    message.attempts += 1
    try:
        message.backend = await _send(message, backends)
    except DeliveryError as exc:
        message.last_error = str(exc)[:2000]
        permanent = isinstance(exc, PermanentDeliveryError)
        message.status = "failed" if final_attempt or permanent else "pending"
        return Delivery("failed", exc)
    message.status = "sent"
    message.sent_at = clock.now()
    message.last_error = None
    return Delivery("sent")


async def _send(message: OutboundMessage, backends: Backends) -> str:
    """Hand the message to its channel's backend; the backend's name, for the record."""
    if message.channel == "sms":
        await backends.sms.send_sms(
            message_id=str(message.id), to=message.recipient, body=message.body
        )
        return backends.sms.name
    await backends.mail.send_mail(
        message_id=str(message.id),
        to=message.recipient,
        subject=message.subject,
        body=message.body,
    )
    return backends.mail.name


async def list_messages(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    channel: str | None = None,
    status: str | None = None,
    page: int = 1,
) -> MessagePage:
    """The tenant's outbox, newest first; unknown filter values mean "any"."""
    channel = channel if channel in CHANNELS else None
    status = status if status in STATUSES else None
    page = max(page, 1)
    repo = OutboxRepository(db, tenant_id)
    rows = await repo.page(
        channel=channel, status=status, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return MessagePage(
        messages=rows[:PAGE_SIZE],
        channel=channel,
        status=status,
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        counts=await repo.counts_by_status(),
    )


async def get_message(
    db: AsyncSession, tenant_id: TenantId, message_id: uuid.UUID
) -> OutboundMessage:
    message = await OutboxRepository(db, tenant_id).get(message_id)
    if message is None:
        raise NotFound()
    return message


async def resend_message(
    db: AsyncSession, tenant_id: TenantId, message_id: uuid.UUID
) -> OutboundMessage:
    """Queue a failed message again (after the mail server or gateway is fixed, or when
    it was found stuck). Only failed messages: a pending one is still on its way."""
    message = await OutboxRepository(db, tenant_id).lock(message_id)
    if message is None:
        raise NotFound()
    if message.status != "failed":
        raise MessageNotResendable()
    message.status = "pending"
    await _enqueue_send(db, tenant_id, message.id)
    return message


async def mark_stuck_messages(
    db: AsyncSession, tenant_id: TenantId, *, now: datetime | None = None
) -> list[uuid.UUID]:
    """Messages pending for longer than STUCK_AFTER with no send job waiting turn
    `failed`, so they show up in the console instead of waiting forever unnoticed."""
    created_before = (now or clock.now()) - STUCK_AFTER
    return await OutboxRepository(db, tenant_id).mark_stuck(
        created_before=created_before, reason=STUCK_REASON
    )
