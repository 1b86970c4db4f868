"""The statements of delivery, in bulk: a drain claims a batch of due filings in one
statement, and writes every attempt and every outcome of the batch in one more.

The rows claimed stay locked (FOR UPDATE) until the batch's outcomes are committed: that
lock, not a flag, is what keeps two senders from sending one filing at once, and it dies
with the connection if the worker does, so a killed sender never leaves a filing stuck.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text

from modules.filings.domain import State
from tenants.repository import TenantScopedRepository

# One batch at a time per tenant, across every worker (transaction-scoped: it is let go
# at commit, and with the connection if the worker dies). 64-bit, so two tenants sharing
# a lock is practically impossible (and would only make them take turns).
_TENANT_LOCK = text(
    "SELECT pg_try_advisory_xact_lock(hashtextextended('zhilv.filings.drain:' || :tenant, 0))"
)

# Due pending filings, the most urgent deadline first, with their dependency's state
# (an amendment is sent only once its contract was accepted). Rows another transaction
# holds (a console action) are skipped, not waited for.
_CLAIM = text(
    """
    SELECT f.id, f.path, f.idempotency_key, f.body, f.attempts, f.has_dependents,
           f.depends_on_id, d.state AS dependency_state
    FROM filings f
    LEFT JOIN filings d ON d.id = f.depends_on_id AND d.tenant_id = f.tenant_id
    WHERE f.tenant_id = :tenant AND f.state = 'pending'
      AND (f.next_attempt_at IS NULL OR f.next_attempt_at <= :now)
    ORDER BY f.due_at
    LIMIT :limit
    FOR UPDATE OF f SKIP LOCKED
    """
)

_SET_STATE = text(
    "UPDATE filings SET state = :state, updated_at = now() "
    "WHERE tenant_id = :tenant AND id = ANY(CAST(:ids AS uuid[]))"
)

# Every attempt of the batch and what it did to its filing, in one statement.
_RECORD = text(
    """
    WITH v AS (
      SELECT *, CAST(:tenant AS uuid) AS tenant FROM unnest(
        CAST(:ids AS uuid[]), CAST(:filing_ids AS uuid[]), CAST(:numbers AS int[]),
        CAST(:started AS timestamptz[]), CAST(:latency AS int[]), CAST(:status AS int[]),
        CAST(:outcome AS text[]), CAST(:answer AS text[]), CAST(:error AS text[]),
        CAST(:retry_after AS int[]), CAST(:state AS text[]), CAST(:last_error AS text[]),
        CAST(:next_at AS timestamptz[]), CAST(:receipt AS text[]),
        CAST(:received AS timestamptz[]), CAST(:errors AS text[]), CAST(:conflict AS text[])
      ) AS v(id, filing_id, number, started_at, latency_ms, status, outcome, answer, error,
             retry_after, state, last_error, next_at, receipt, received, errors, conflict)
    ), changed AS (
      UPDATE filings f SET
        state = v.state,
        attempts = v.number,
        last_attempt_at = v.started_at,
        last_status = v.status,
        last_error = v.last_error,
        next_attempt_at = v.next_at,
        receipt_no = CASE WHEN v.state = 'accepted' THEN v.receipt ELSE f.receipt_no END,
        received_at = CASE WHEN v.state = 'accepted' THEN v.received ELSE f.received_at END,
        accepted_at = CASE WHEN v.state = 'accepted' THEN :now ELSE f.accepted_at END,
        errors = CASE WHEN v.state = 'accepted' THEN NULL
                      WHEN v.state = 'rejected' THEN CAST(v.errors AS jsonb)
                      ELSE f.errors END,
        conflict_code = CASE WHEN v.state = 'conflicted' THEN v.conflict
                             ELSE f.conflict_code END,
        updated_at = :now
      FROM v
      WHERE f.id = v.filing_id AND f.tenant_id = v.tenant
    )
    INSERT INTO filing_attempts (id, tenant_id, filing_id, number, started_at, latency_ms,
                                 status, outcome, response_body, error, retry_after)
    SELECT v.id, :tenant, v.filing_id, v.number, v.started_at, v.latency_ms, v.status,
           v.outcome, v.answer, v.error, v.retry_after
    FROM v
    """
)

_RELEASE = text(
    "UPDATE filings SET state = 'pending', next_attempt_at = :now, updated_at = now() "
    "WHERE tenant_id = :tenant AND depends_on_id = ANY(CAST(:ids AS uuid[])) "
    "AND state = 'waiting' RETURNING id"
)

_NEXT_DUE = text(
    "SELECT min(coalesce(next_attempt_at, CAST(:now AS timestamptz))) FROM filings "
    "WHERE tenant_id = :tenant AND state = 'pending'"
)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A filing locked for sending, with what the request needs."""

    id: uuid.UUID
    path: str
    idempotency_key: str
    body: bytes
    attempts: int
    has_dependents: bool
    depends_on_id: uuid.UUID | None
    dependency_state: str | None

    @property
    def must_wait(self) -> bool:
        """An amendment or cancellation is never sent before its contract was accepted."""
        return self.depends_on_id is not None and self.dependency_state != State.ACCEPTED


@dataclass(frozen=True, slots=True)
class Attempt:
    """One attempt and the filing as it leaves it (what `record` writes)."""

    id: uuid.UUID
    filing_id: uuid.UUID
    number: int
    started_at: datetime
    latency_ms: int
    status: int | None
    outcome: str
    answer: str | None
    error: str | None
    retry_after: int | None
    state: str
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    receipt_no: str | None = None
    received_at: datetime | None = None
    errors: list[dict[str, str]] | None = None
    conflict_code: str | None = None


def _columns(attempts: Sequence[Attempt]) -> dict[str, list[Any]]:
    return {
        "ids": [a.id for a in attempts],
        "filing_ids": [a.filing_id for a in attempts],
        "numbers": [a.number for a in attempts],
        "started": [a.started_at for a in attempts],
        "latency": [a.latency_ms for a in attempts],
        "status": [a.status for a in attempts],
        "outcome": [a.outcome for a in attempts],
        "answer": [a.answer for a in attempts],
        "error": [a.error for a in attempts],
        "retry_after": [a.retry_after for a in attempts],
        "state": [a.state for a in attempts],
        "last_error": [a.last_error for a in attempts],
        "next_at": [a.next_attempt_at for a in attempts],
        "receipt": [a.receipt_no for a in attempts],
        "received": [a.received_at for a in attempts],
        "errors": [
            None if a.errors is None else json.dumps(a.errors, ensure_ascii=False) for a in attempts
        ],
        "conflict": [a.conflict_code for a in attempts],
    }


class SendingRepository(TenantScopedRepository):
    async def lock_tenant(self) -> bool:
        """True when this transaction may send the tenant's filings (no other batch of
        the tenant is being sent right now)."""
        return bool(await self.db.scalar(_TENANT_LOCK, {"tenant": str(self.tenant_id)}))

    async def claim(self, now: datetime, limit: int) -> list[Claimed]:
        rows = await self.db.execute(_CLAIM, {"tenant": self.tenant_id, "now": now, "limit": limit})
        return [Claimed(*row) for row in rows]

    async def set_state(self, ids: Sequence[uuid.UUID], state: State) -> None:
        if ids:
            params = {"tenant": self.tenant_id, "ids": list(ids), "state": state.value}
            await self.db.execute(_SET_STATE, params)

    async def record(self, attempts: Sequence[Attempt], now: datetime) -> None:
        if attempts:
            params = {"tenant": self.tenant_id, "now": now, **_columns(attempts)}
            await self.db.execute(_RECORD, params)

    async def release_dependents(
        self, accepted: Sequence[uuid.UUID], now: datetime
    ) -> list[uuid.UUID]:
        """Filings waiting for these (now accepted) become due."""
        if not accepted:
            return []
        params = {"tenant": self.tenant_id, "ids": list(accepted), "now": now}
        return list((await self.db.execute(_RELEASE, params)).scalars())

    async def next_due(self, now: datetime) -> datetime | None:
        """When the tenant's next pending filing is due (None: nothing pending); one with
        no time set is due `now`, as `claim` sees it."""
        return await self.db.scalar(_NEXT_DUE, {"tenant": self.tenant_id, "now": now})
