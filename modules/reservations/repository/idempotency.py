"""Stored answers to API writes, keyed by the client's `Idempotency-Key`.

A key is claimed by inserting it at the start of the write, in the write's own
transaction: a second request with the same key waits on the unique index until the
first commits (then replays its answer) or rolls back (then proceeds itself). Only
successful answers are kept; a refused write leaves no key behind, so it can be retried.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, text

from app.db.base import uuid7
from modules.reservations.models import IdempotencyKey
from tenants.repository import TenantScopedRepository

_CLAIM = text(
    """
    WITH ins AS (
        INSERT INTO idempotency_keys (id, tenant_id, key, method, path, request_hash,
                                      created_at)
        VALUES (:id, :t, :key, :method, :path, :hash, now())
        ON CONFLICT (tenant_id, key) DO NOTHING
        RETURNING id
    )
    SELECT id, true AS fresh, CAST(NULL AS text) AS method, CAST(NULL AS text) AS path,
           CAST(NULL AS text) AS request_hash, CAST(NULL AS smallint) AS status_code,
           CAST(NULL AS jsonb) AS response
    FROM ins
    """
)
_EXISTING = text(
    "SELECT id, false AS fresh, method, path, request_hash, status_code, response "
    "FROM idempotency_keys WHERE tenant_id = :t AND key = :key"
)
_STORE = text(
    "UPDATE idempotency_keys SET status_code = :status, response = CAST(:response AS jsonb) "
    "WHERE tenant_id = :t AND id = :id"
)


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    id: uuid.UUID
    fresh: bool  # True: this request claimed the key and must answer it
    method: str | None = None
    path: str | None = None
    request_hash: str | None = None
    status_code: int | None = None
    response: Any = None


class IdempotencyRepository(TenantScopedRepository):
    async def claim(self, key: str, method: str, path: str, request_hash: str) -> StoredAnswer:
        """Claim the key, or return the answer stored under it."""
        params = {"t": self.tenant_id, "key": key}
        claim = {**params, "id": uuid7(), "method": method, "path": path, "hash": request_hash}
        row = (await self.db.execute(_CLAIM, claim)).one_or_none()
        if row is None:
            # Taken (perhaps by a transaction that committed while we waited on the index).
            return await self.existing(key)
        return StoredAnswer(**row._asdict())

    async def existing(self, key: str) -> StoredAnswer:
        row = (await self.db.execute(_EXISTING, {"t": self.tenant_id, "key": key})).one()
        return StoredAnswer(**row._asdict())

    async def store(self, answer_id: uuid.UUID, status_code: int, response: Any) -> None:
        await self.db.execute(
            _STORE,
            {
                "t": self.tenant_id,
                "id": answer_id,
                "status": status_code,
                "response": json.dumps(response, ensure_ascii=False, default=str),
            },
        )

    async def purge(self, before: datetime) -> int:
        result = await self.db.execute(
            delete(IdempotencyKey)
            .where(IdempotencyKey.tenant_id == self.tenant_id, IdempotencyKey.created_at < before)
            .returning(IdempotencyKey.id)
        )
        return len(result.all())
