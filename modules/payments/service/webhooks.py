"""Provider webhooks: verified, stored once, handled by a job.

The route stores each verified event in the global inbox (unique on the provider's event
id) and queues `payments.handle_event` in the same transaction, then answers 200. A
replayed delivery finds the event already stored and queues nothing; the handler itself
also does nothing for an event it already handled. Either way a replay changes nothing.

Connected accounts. Guests' payments are direct charges on each enterprise's connected
account, so their events (and `account.updated`) carry `account`. The event is routed to the
tenant named by the metadata we wrote on the account or the intent (the inbox is global, the
tenant's account row is behind row-level security), and the job, bound to that tenant,
applies it only when `account` IS that tenant's account (and, for a payment, the account the
payment was charged on): an event naming another account, or an intent of one account
claiming another tenant, is marked `foreign_account` and changes nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import AppError
from app.jobs.queue import enqueue
from app.payments.connect import account_from_event
from app.payments.gateway import Intent, InvalidSignature, ProviderEvent, current_gateway
from modules.payments.repository import AccountRepository, EventInbox, PaymentRepository
from modules.payments.service.accounts import apply_account
from modules.payments.service.common import apply_intent, now

__all__ = ["HANDLE_EVENT_TASK", "QUEUE", "BadSignature", "handle_event", "receive_webhook"]

HANDLE_EVENT_TASK = "payments.handle_event"
QUEUE = "payments"
HANDLED_TYPES = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "account.updated",
)


class BadSignature(AppError):
    status_code = 400
    code = "invalid_signature"
    message = "The webhook signature does not verify."


async def receive_webhook(db: AsyncSession, payload: bytes, signature: str | None) -> str:
    """Verify, store, queue. Returns "stored", "replayed" or "ignored" (for the log)."""
    gateway = current_gateway()
    try:
        event = gateway.parse_webhook(payload, signature)
    except InvalidSignature as exc:
        raise BadSignature() from exc
    inbox = EventInbox(db)
    row_id = await inbox.store(
        provider=gateway.provider, event_id=event.id, type=event.type, payload=event.payload
    )
    if row_id is None:
        return "replayed"
    tenant_id = _tenant_of(event)
    if event.type not in HANDLED_TYPES or tenant_id is None:
        await inbox.mark(row_id, "ignored", now())
        return "ignored"
    args = {"tenant_id": str(tenant_id), "event_row_id": str(row_id)}
    await enqueue(db, HANDLE_EVENT_TASK, args, queue=QUEUE)
    return "stored"


def _tenant_of(event: ProviderEvent) -> uuid.UUID | None:
    metadata = event.object.get("metadata") or {}
    try:
        return uuid.UUID(str(metadata.get("tenant_id")))
    except ValueError:
        return None


async def handle_event(db: AsyncSession, tenant_id: TenantId, event_row_id: uuid.UUID) -> str:
    """The job's work for one stored event, in a transaction bound to the tenant named by
    the intent's metadata (which we wrote). The inbox row is locked and marked in the same
    transaction as the payment's change, so the event is applied exactly once."""
    inbox = EventInbox(db)
    row = await inbox.get(event_row_id, lock=True)
    if row is None:
        return "missing"
    if row.processed_at is not None:
        return "already_processed"
    outcome = await _apply(db, tenant_id, row.payload)
    await inbox.mark(row.id, outcome, now())
    return outcome


async def _apply(db: AsyncSession, tenant_id: TenantId, payload: dict[str, object]) -> str:
    data = payload.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    account = payload.get("account") or None
    if not isinstance(obj, dict):
        return "ignored"
    if account is not None and not await _owns(db, tenant_id, str(account)):
        return "foreign_account"
    if obj.get("object") == "account" and payload.get("type") == "account.updated":
        return await apply_account(db, tenant_id, account_from_event(obj))
    if obj.get("object") != "payment_intent":
        return "ignored"
    payment = await PaymentRepository(db, tenant_id).by_intent(str(obj.get("id")), lock=True)
    if payment is None:
        return "unknown_payment"
    if payment.provider_account_id != account:
        return "foreign_account"
    error = obj.get("last_payment_error") or {}
    intent = Intent(
        id=str(obj["id"]),
        status=str(obj.get("status")),
        amount_fen=int(obj.get("amount") or 0),
        currency=str(obj.get("currency") or "").upper(),
        client_secret=None,
        failure_message=error.get("message") if isinstance(error, dict) else None,
    )
    return "applied" if await apply_intent(db, tenant_id, payment, intent) else "unchanged"


async def _owns(db: AsyncSession, tenant_id: TenantId, account: str) -> bool:
    row = await AccountRepository(db, tenant_id).current()
    return row is not None and row.provider_account_id == account
