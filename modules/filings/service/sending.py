"""Delivering a batch of due filings: each sent once, every answer recorded, and what it
means for its filing (PROTOCOL "Answers"). Called by the tenant's drain job
(service.drain), one transaction per batch.

Exactly once, even when everything fails:
- the batch's rows are locked from the claim until its outcomes are committed (SKIP
  LOCKED: nothing waits), and only one batch per tenant is being sent at a time (an
  advisory lock); both die with the connection if the worker dies;
- every attempt sends the filing's own Idempotency-Key and stored bytes, so an attempt
  whose answer was lost (timeout, dropped connection, killed worker) is answered by the
  bureau with a replay of the original receipt, never stored twice;
- the outcomes, the attempt rows and the release of what waited for them are committed
  together.

Gently: the first sign of trouble (busy, failing, silent or refusing bureau) stops the
rest of the batch from being sent; the drain then goes on one filing at a time
(service.drain), so a bureau that is down sees each filing's retries on its own backoff,
and one that refuses our credentials sees one request before filing pauses.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.base import uuid7
from app.db.engine import TenantId
from app.security.crypto import SecretUnreadable
from app.settings import Settings
from modules.filings import domain
from modules.filings.domain import Outcome, RegistrationStatus, State
from modules.filings.models import BureauRegistration
from modules.filings.repository import (
    Attempt,
    Claimed,
    RegistrationRepository,
    SendingRepository,
)
from modules.filings.service.client import Answer, BureauClient, Credentials, no_answer
from modules.filings.service.registration import box_for, credentials_for, pause_filing

__all__ = ["Batch", "send_due"]

log = logging.getLogger("zhilv.filings")

UNREADABLE_SECRET = "The stored filing secret cannot be decrypted; enter it again."  # noqa: S105
# What stops the rest of a batch: a problem of the bureau or of our credentials, not of
# one filing (a 400 or 409 is that filing's own answer).
TROUBLE = (Outcome.BUSY, Outcome.FAILED, Outcome.NO_ANSWER, Outcome.REFUSED)
# A batch starts no new send after this long, so that a slow bureau never keeps a
# batch's filings locked (from the console's retry, say) for long.
SEND_FOR_SECONDS = 5.0
# Answers are written as they come, this many to a statement (the last ones when all
# are back): few statements, and most of the writing done while others are in flight.
WRITE_EVERY = 32


@dataclass(frozen=True, slots=True)
class Batch:
    """What one batch did. `locked`: another batch of the tenant was being sent, so this
    one did nothing (that drain carries on with what is due)."""

    claimed: int = 0
    outcomes: tuple[str, ...] = ()
    waiting: int = 0
    paused: bool = False
    locked: bool = False

    @property
    def trouble(self) -> bool:
        return self.paused or any(Outcome(o) in TROUBLE for o in self.outcomes)


@dataclass(frozen=True, slots=True)
class _Sent:
    filing: Claimed
    started_at: datetime
    answer: Answer


async def send_due(
    db: AsyncSession,
    tenant_id: TenantId,
    client: BureauClient,
    settings: Settings,
    *,
    limit: int,
) -> Batch:
    """Claim up to `limit` due filings, send them (at most `filing_send_concurrency` at
    once) and record what came back, in this transaction."""
    sending = SendingRepository(db, tenant_id)
    if not await sending.lock_tenant():
        return Batch(locked=True)
    registration = await RegistrationRepository(db, tenant_id).current()
    claimed = await sending.claim(clock.now(), limit)
    if not claimed:
        return Batch()
    if registration is None or registration.status == RegistrationStatus.PAUSED:
        await sending.set_state([c.id for c in claimed], State.PAUSED)
        return Batch(claimed=len(claimed), paused=True)
    waiting = [c.id for c in claimed if c.must_wait]
    await sending.set_state(waiting, State.WAITING)
    ready = [c for c in claimed if not c.must_wait]
    credentials = await _credentials(db, tenant_id, registration, settings)
    if credentials is None:
        await sending.set_state([c.id for c in ready], State.PAUSED)
        return Batch(claimed=len(claimed), waiting=len(waiting), paused=True)
    sent = await _send_and_record(sending, client, credentials, ready, settings)
    await _pause_if_refused(db, tenant_id, sent)
    return Batch(
        claimed=len(claimed),
        outcomes=tuple(domain.classify(s.answer.status).value for s in sent),
        waiting=len(waiting),
    )


async def _credentials(
    db: AsyncSession, tenant_id: TenantId, registration: BureauRegistration, settings: Settings
) -> Credentials | None:
    try:
        return credentials_for(registration, box_for(settings))
    except SecretUnreadable:
        await pause_filing(db, tenant_id, status=None, reason=UNREADABLE_SECRET)
        return None


async def _send_and_record(
    sending: SendingRepository,
    client: BureauClient,
    credentials: Credentials,
    filings: list[Claimed],
    settings: Settings,
) -> list[_Sent]:
    """Send each filing once, `filing_send_concurrency` at a time over the shared client,
    and write what came back while the rest are still on their way (the writes overlap
    the network, not each other: one writer, this transaction). No more is started
    after the first sign of trouble, or after SEND_FOR_SECONDS: those left are sent by
    a later batch."""
    sent: list[_Sent] = []
    unwritten: list[_Sent] = []
    arrived = asyncio.Event()
    queue = iter(filings)
    stop = finished = False
    until = time.monotonic() + SEND_FOR_SECONDS

    async def lane() -> None:
        nonlocal stop
        while not stop and (filing := next(queue, None)) is not None:
            started = clock.now()
            answer = await _post(client, credentials, filing)
            sent.append(_Sent(filing, started, answer))
            unwritten.append(sent[-1])
            if len(unwritten) >= WRITE_EVERY:
                arrived.set()
            trouble = domain.classify(answer.status) in TROUBLE
            stop = stop or trouble or time.monotonic() > until

    async def writer() -> None:
        while True:
            await arrived.wait()
            arrived.clear()
            while len(unwritten) >= WRITE_EVERY or (finished and unwritten):
                chunk = unwritten[:]
                unwritten.clear()
                await _record(sending, chunk, settings)
            if finished:
                return

    async with asyncio.TaskGroup() as group:
        group.create_task(writer())
        async with asyncio.TaskGroup() as lanes:
            for _ in range(max(1, min(settings.filing_send_concurrency, len(filings)))):
                lanes.create_task(lane())
        finished = True
        arrived.set()
    return sent


async def _post(client: BureauClient, credentials: Credentials, filing: Claimed) -> Answer:
    """One attempt. An unexpected error (a bug, not the network: those are answers
    already) counts as no answer, so one odd filing goes on its backoff instead of
    stopping every other filing of the tenant; it is logged with its traceback."""
    started = time.perf_counter()
    try:
        return await client.post(
            filing.path, filing.body, credentials, idempotency_key=filing.idempotency_key
        )
    except Exception as exc:
        log.exception("sending filing %s failed unexpectedly", filing.id)
        return no_answer(started, f"{type(exc).__name__}: {exc}")


async def _record(sending: SendingRepository, sent: list[_Sent], settings: Settings) -> None:
    """These attempts and their filings' new states in one statement; what waited for
    an accepted filing becomes due."""
    now = clock.now()
    attempts = [_attempt(s, settings, now) for s in sent]
    await sending.record(attempts, now)
    accepted = [
        attempt.filing_id
        for attempt, s in zip(attempts, sent, strict=True)
        if attempt.state == State.ACCEPTED and s.filing.has_dependents
    ]
    await sending.release_dependents(accepted, now)


async def _pause_if_refused(db: AsyncSession, tenant_id: TenantId, sent: list[_Sent]) -> None:
    """A refusal is about our credentials, not one filing: the tenant's filing pauses."""
    refusals = [s.answer for s in sent if domain.classify(s.answer.status) is Outcome.REFUSED]
    if refusals:
        refused = refusals[0]
        await pause_filing(db, tenant_id, status=refused.status, reason=_reason(refused))


def _attempt(sent: _Sent, settings: Settings, now: datetime) -> Attempt:
    answer, filing = sent.answer, sent.filing
    outcome = domain.classify(answer.status)
    number = filing.attempts + 1
    settled = outcome in (Outcome.ACCEPTED, Outcome.REPLAYED)
    return Attempt(
        id=uuid7(),
        filing_id=filing.id,
        number=number,
        started_at=sent.started_at,
        latency_ms=answer.latency_ms,
        status=answer.status,
        outcome=outcome.value,
        answer=answer.body or None,
        error=answer.error,
        retry_after=answer.retry_after,
        last_error=None if settled else (answer.error or answer.body[:2000] or None),
        **_after(number, outcome, answer, settings, now),
    )


def _after(
    number: int, outcome: Outcome, answer: Answer, settings: Settings, now: datetime
) -> dict[str, Any]:
    """The filing after this answer (PROTOCOL "Answers")."""
    if outcome in domain.RETRYABLE:
        # Busy, failing or silent: the same filing goes again later, without limit in
        # time, its state and next attempt visible in the console.
        delay = domain.retry_delay(
            number,
            base=settings.filing_backoff_base_seconds,
            cap=settings.filing_backoff_cap_seconds,
            retry_after=answer.retry_after if outcome is Outcome.BUSY else None,
        )
        return {"state": State.PENDING, "next_attempt_at": now + timedelta(seconds=delay)}
    body = answer.json()
    body = body if isinstance(body, dict) else {}
    if outcome in (Outcome.ACCEPTED, Outcome.REPLAYED):
        receipt = str(body.get("receipt_no") or "")[:64] or None
        return {
            "state": State.ACCEPTED,
            "receipt_no": receipt,
            "received_at": _instant(body.get("received_at")),
        }
    if outcome is Outcome.REJECTED:
        return {"state": State.REJECTED, "errors": domain.field_errors(body)}
    if outcome is Outcome.CONFLICTED:
        return {"state": State.CONFLICTED, "conflict_code": str(body.get("code", ""))[:64]}
    return {"state": State.PAUSED}  # refused: the credentials, not this filing


def _reason(answer: Answer) -> str:
    """The bureau's own words: "code: message" from its JSON error, else the raw body."""
    body = answer.json()
    if isinstance(body, dict) and body.get("message"):
        return f"{body.get('code', '')}: {body['message']}"
    return answer.body or answer.error or ""


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
