"""Callbacks to distributors: what happened to their orders, told as signed webhooks.

A callback is written in the SAME transaction as its cause (an order confirmed, changed,
cancelled, redeemed) together with the job that delivers it, so a rolled-back cause sends
nothing and a committed one is never lost. The message follows Standard Webhooks
(https://www.standardwebhooks.com): headers `webhook-id` (the callback's `msg_…` id, stable
across retries so the receiver can drop a replay), `webhook-timestamp` (seconds) and
`webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, where the key
is the base64 part of the distributor's `whsec_…` secret.

The body carries the order's state as it is now and a `sequence` that grows by one with each
callback of the order, so a receiver that gets two callbacks out of order keeps the later
state (it ignores a sequence lower than the one it applied).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.base import uuid7
from app.db.engine import TenantId
from app.errors import NotFound
from app.jobs.queue import enqueue
from app.security.crypto import SecretBox
from app.settings import Settings
from modules.distribution.models import Callback, CallbackAttempt
from modules.distribution.repository.callbacks import CallbacksRepository

DELIVER_TASK = "distribution.deliver_callback"
QUEUE = "distribution"
SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix, not a secret)

# The events a distributor is told about.
ORDER_CONFIRMED = "order.confirmed"
ORDER_CHANGED = "order.changed"
ORDER_CANCELLED = "order.cancelled"
ORDER_REDEEMED = "order.redeemed"
EVENT_TYPES = (ORDER_CONFIRMED, ORDER_CHANGED, ORDER_CANCELLED, ORDER_REDEEMED)


# Secrets -------------------------------------------------------------------------------------
def new_secret() -> str:
    """A fresh signing secret, `whsec_<base64 of 32 random bytes>`, shown to the partner once."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _box(settings: Settings) -> SecretBox:
    """The box callback signing secrets are sealed in (we sign with them, so we keep them);
    the distributor's page (service/distributors.py) seals through `seal_secret`."""
    return SecretBox(
        f"distribution-callbacks:{settings.filing_encryption_key or settings.secret_key}"
    )


def _owner(tenant_id: uuid.UUID, distributor_id: uuid.UUID) -> str:
    return f"distributor:{tenant_id}:{distributor_id}"


def seal_secret(
    settings: Settings, tenant_id: uuid.UUID, distributor_id: uuid.UUID, secret: str
) -> str:
    """What `distributors.callback_secret_sealed` stores: the secret encrypted at rest and
    bound to this distributor (a value copied to another row does not open)."""
    return _box(settings).seal(secret, owner=_owner(tenant_id, distributor_id))


def open_secret(
    settings: Settings, tenant_id: uuid.UUID, distributor_id: uuid.UUID, sealed: str
) -> str:
    return _box(settings).open(sealed, owner=_owner(tenant_id, distributor_id))


# Signing -------------------------------------------------------------------------------------
def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_…` secret: its base64 part, decoded."""
    raw = secret.removeprefix(SECRET_PREFIX)
    return base64.b64decode(raw)


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{body}` (Standard Webhooks)."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def body_of(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys in order, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


# Enqueueing ----------------------------------------------------------------------------------
async def enqueue_callback(
    db: AsyncSession,
    tid: TenantId,
    *,
    distributor_id: uuid.UUID,
    order_id: uuid.UUID,
    event_type: str,
    data: Mapping[str, Any],
) -> None:
    """Tell the distributor about its order: stores the callback (payload with the order's
    number, current state and next `sequence`) and queues its delivery, in the caller's
    transaction. A distributor without a callback URL is told nothing (no row)."""
    repo = CallbacksRepository(db, tid)
    distributor = await repo.distributor(distributor_id)
    if distributor is None or not distributor.callback_url:
        return
    order = await repo.order(order_id, lock=True)
    if order is None:
        raise LookupError(f"no order {order_id} for a callback")
    sequence = await repo.last_sequence(order.id) + 1
    payload = {
        "type": event_type,
        "timestamp": clock.now().isoformat().replace("+00:00", "Z"),
        "data": {
            **data,
            "order_number": order.number,
            "state": order.status,
            "sequence": sequence,
        },
    }
    callback = Callback(
        distributor_id=distributor.id,
        order_id=order.id,
        message_id=f"msg_{uuid7().hex}",
        event_type=event_type,
        payload=payload,
        next_attempt_at=clock.now(),
    )
    repo.add(callback)
    await repo.flush()
    await enqueue(
        db,
        DELIVER_TASK,
        {"tenant_id": str(tid), "callback_id": str(callback.id), "manual": False},
        queue=QUEUE,
    )


# The console's list and detail -----------------------------------------------------------------
PAGE_SIZE = 50
STATUSES = ("pending", "delivered", "failed")


@dataclass(frozen=True, slots=True)
class CallbackRow:
    callback: Callback
    distributor_name: str
    order_number: str


@dataclass(frozen=True, slots=True)
class CallbackPage:
    rows: list[CallbackRow]
    page: int
    has_next: bool
    status: str


@dataclass(frozen=True, slots=True)
class CallbackDetail:
    row: CallbackRow
    attempts: list[CallbackAttempt]
    body: str  # the payload as sent, indented for reading


async def callback_page(db: AsyncSession, tid: TenantId, *, status: str, page: int) -> CallbackPage:
    """Callbacks newest first, optionally of one status (an unknown one shows all)."""
    wanted = status if status in STATUSES else None
    page = max(1, min(page, 10_000))
    rows = await CallbacksRepository(db, tid).callbacks(
        status=wanted, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    items = [CallbackRow(cb, name, number) for cb, name, number in rows]
    return CallbackPage(items[:PAGE_SIZE], page, len(items) > PAGE_SIZE, wanted or "")


async def callback_detail(
    db: AsyncSession, tid: TenantId, callback_id: uuid.UUID
) -> CallbackDetail:
    """One callback with every attempt at delivering it, oldest first."""
    repo = CallbacksRepository(db, tid)
    found = await repo.callback_row(callback_id)
    if found is None:
        raise NotFound()
    callback, name, number = found
    body = json.dumps(callback.payload, ensure_ascii=False, indent=2, sort_keys=True)
    return CallbackDetail(
        CallbackRow(callback, name, number), list(await repo.attempts(callback.id)), body
    )
