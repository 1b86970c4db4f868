"""`Idempotency-Key` on every API write: the same key replays the first answer (same
status, same body); the same key with a different request is refused with 409.

The key is claimed in the write's own transaction, so a failed write leaves no key
behind and a concurrent duplicate waits for the first to finish, then replays it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Conflict, Invalid
from modules.reservations.repository import IdempotencyRepository, StoredAnswer

KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
KEEP_FOR = timedelta(hours=24)


class KeyReused(Conflict):
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was already used for a different request."


class KeyInFlight(Conflict):
    code = "idempotency_key_in_flight"
    message = "A request with this Idempotency-Key is still being processed."


@dataclass(frozen=True, slots=True)
class Claim:
    """Either this request owns the key (`replay` is None: do the work, then
    `store_answer`), or it must answer with the stored `replay` (status, body)."""

    id: uuid.UUID
    replay: tuple[int, Any] | None = None


def request_hash(method: str, path: str, payload: Any) -> str:
    """Method, path and the body with its keys sorted (dataclasses or JSON builtins)."""
    canonical = msgspec.json.encode(payload, order="sorted")
    return hashlib.sha256(f"{method} {path}\n".encode() + canonical).hexdigest()


async def replay_or_claim(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    key: str | None,
    method: str,
    path: str,
    payload: Any,
) -> Claim:
    key = checked_key(key)
    digest = request_hash(method, path, payload)
    stored = await IdempotencyRepository(db, tenant_id).claim(key, method, path, digest)
    if stored.fresh:
        return Claim(id=stored.id)
    return Claim(id=stored.id, replay=_replay(stored, digest))


def checked_key(key: str | None) -> str:
    if key is None or not KEY.match(key):
        raise Invalid.field(
            "Idempotency-Key",
            "Send an Idempotency-Key header (1 to 200 visible characters).",
            "required",
        )
    return key


def _replay(stored: StoredAnswer, digest: str) -> tuple[int, Any]:
    if stored.request_hash != digest:
        raise KeyReused()
    if stored.status_code is None:
        raise KeyInFlight()
    return stored.status_code, stored.response


async def replay_stored(
    db: AsyncSession, tenant_id: TenantId, *, key: str, request_hash: str
) -> tuple[int, Any]:
    """The answer stored under a key another request claimed (it has committed: our
    claim waited for it on the unique index)."""
    stored = await IdempotencyRepository(db, tenant_id).existing(key)
    return _replay(stored, request_hash)


async def store_answer(
    db: AsyncSession, tenant_id: TenantId, claim: Claim, status_code: int, body: Any
) -> None:
    await IdempotencyRepository(db, tenant_id).store(claim.id, status_code, body)


async def purge_answers(db: AsyncSession, tenant_id: TenantId, now: datetime) -> int:
    """Keys are kept a day: long enough for any client's retries."""
    return await IdempotencyRepository(db, tenant_id).purge(now - KEEP_FOR)


async def run_once(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    key: str | None,
    method: str,
    path: str,
    payload: Any,
    status_code: int,
    produce: Callable[[], Awaitable[Any]],
) -> tuple[int, Any]:
    """Do a write once per `Idempotency-Key`: the first time `produce()` runs and its
    answer (as JSON builtins) is stored; later the stored answer is returned untouched."""
    claim = await replay_or_claim(
        db, tenant_id, key=key, method=method, path=path, payload=to_json(payload)
    )
    if claim.replay is not None:
        return claim.replay
    body = to_json(await produce())
    await store_answer(db, tenant_id, claim, status_code, body)
    return status_code, body


def to_json(value: Any) -> Any:
    """Dataclasses, dates and UUIDs as the JSON builtins the API sends."""
    return msgspec.to_builtins(value)
