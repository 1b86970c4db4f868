"""Background jobs of payments: handle a stored webhook event, send a recorded refund.

Both are safe to run twice: the event is marked handled in the same transaction as the
payment's change, and a refund is sent only while pending, keyed by its own id."""

from __future__ import annotations

import uuid

from procrastinate import Blueprint

from app.jobs.retry import backoff
from app.jobs.runtime import tenant_transaction
from modules.payments import service

blueprint = Blueprint()


@blueprint.task(name=service.HANDLE_EVENT_TASK, queue=service.QUEUE, retry=backoff(8))
async def handle_event(tenant_id: str, event_row_id: str) -> str:
    """Apply one verified provider event (a payment succeeded, failed, was cancelled)."""
    async with tenant_transaction(tenant_id) as (db, tid):
        return await service.handle_event(db, tid, uuid.UUID(event_row_id))


@blueprint.task(name=service.SEND_REFUND_TASK, queue=service.QUEUE, retry=backoff(8))
async def send_refund(tenant_id: str, refund_id: str) -> str:
    """Ask the provider for one refund recorded by a cancellation or by staff."""
    async with tenant_transaction(tenant_id) as (db, tid):
        return await service.send_refund(db, tid, uuid.UUID(refund_id))
