"""Making filings (what other modules call), and the tenant's actions on them: retry,
re-file with corrections, and the console's list, detail and badge."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.base import uuid7
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from modules.filings import domain
from modules.filings.domain import FOLLOWS_CONTRACT, KINDS, STATES, Kind, RegistrationStatus, State
from modules.filings.models import Filing, FilingAttempt
from modules.filings.repository import FilingRepository, RegistrationRepository
from modules.filings.service.queue import drain_soon
from tenants import service as tenants

__all__ = [
    "FilingNotRefilable",
    "FilingNotRetryable",
    "FilingPage",
    "FilingView",
    "attention_count",
    "file",
    "filing_detail",
    "forget_registration",
    "list_filings",
    "parse_payload",
    "refile",
    "retry_filing",
    "seal_held",
]

PAGE_SIZE = 50
RETRYABLE_STATES = (State.REJECTED, State.CONFLICTED, State.PENDING)
REFILABLE_STATES = (State.REJECTED, State.CONFLICTED)


class FilingNotRetryable(Conflict):
    message = "Only a rejected, conflicted or waiting filing can be sent again."


class FilingNotRefilable(Conflict):
    message = "Only a rejected or conflicted filing can be re-filed with corrections."


@dataclass(frozen=True, slots=True)
class FilingPage:
    filings: Sequence[Filing]
    kind: str | None
    state: str | None
    date_from: date | None
    date_to: date | None
    page: int
    has_next: bool
    counts: dict[str, int]
    now: datetime

    def overdue(self, filing: Filing) -> bool:
        """Still not accepted past the bureau's deadline."""
        return (
            filing.state in domain.OPEN_STATES
            and filing.due_at is not None
            and filing.due_at < self.now
        )


@dataclass(frozen=True, slots=True)
class FilingView:
    filing: Filing
    attempts: Sequence[FilingAttempt]
    depends_on: Filing | None
    replaces: Filing | None

    @property
    def payload_text(self) -> str:
        return json.dumps(self.filing.payload, ensure_ascii=False, indent=2, sort_keys=True)

    @property
    def body_text(self) -> str | None:
        return self.filing.body.decode() if self.filing.body is not None else None

    @property
    def can_retry(self) -> bool:
        return self.filing.state in RETRYABLE_STATES

    @property
    def can_refile(self) -> bool:
        return self.filing.state in REFILABLE_STATES


def _kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise Invalid.field("kind", "Unknown kind of filing.") from None


async def _dependency(
    repo: FilingRepository, kind: Kind, ref: str, depends_on: uuid.UUID | None
) -> Filing | None:
    if depends_on is not None:
        found = await repo.filing(depends_on)
        if found is None:
            raise Invalid.field("depends_on", "The filing this one depends on does not exist.")
        return found
    if kind in FOLLOWS_CONTRACT:
        return await repo.contract_filing(ref)
    return None


@dataclass(frozen=True, slots=True)
class _Registered:
    district_code: str
    status: str


_REGISTRATION = "filings.registration"


async def _registration(db: AsyncSession, tenant_id: TenantId) -> _Registered | None:
    """The tenant's district and status, read once per transaction (a module filing a
    hundred things in one transaction reads it once); `forget_registration` after a
    change."""
    cache: dict[TenantId, tuple[Any, _Registered | None]] = db.info.setdefault(_REGISTRATION, {})
    transaction = db.get_transaction()
    cached = cache.get(tenant_id)
    if cached is not None and cached[0] is transaction:
        return cached[1]
    row = await RegistrationRepository(db, tenant_id).current()
    found = _Registered(row.district_code, row.status) if row else None
    cache[tenant_id] = (transaction, found)
    return found


def forget_registration(db: AsyncSession) -> None:
    db.info.pop(_REGISTRATION, None)


async def _create(
    db: AsyncSession,
    tenant_id: TenantId,
    kind: Kind,
    subject: tuple[str, str],
    payload: Mapping[str, Any],
    *,
    depends_on: uuid.UUID | None,
    replaces: uuid.UUID | None = None,
) -> uuid.UUID:
    try:
        target = domain.route(kind, dict(payload))
    except domain.PayloadProblem as problem:
        raise Invalid.field(problem.field, problem.message) from None
    repo = FilingRepository(db, tenant_id)
    dependency = await _dependency(repo, kind, target.ref, depends_on)
    registration = await _registration(db, tenant_id)
    filing_id = uuid7()
    values: dict[str, Any] = {
        "id": filing_id,
        "kind": kind.value,
        "subject_type": subject[0],
        "subject_id": subject[1],
        "ref": target.ref,
        "path": target.path,
        "idempotency_key": str(uuid7()),
        "payload": dict(payload),
        "depends_on_id": dependency.id if dependency else None,
        "replaces_id": replaces,
        "due_at": domain.due_at(kind, dict(payload)),
        "state": State.HELD,
        "body": None,
    }
    if registration is not None:
        values["body"] = domain.seal_body(target.body, registration.district_code)
        values["state"] = _first_state(registration.status, dependency)
    await repo.insert(values)
    if dependency is not None and not dependency.has_dependents:
        await repo.mark_has_dependents(dependency.id, dependency)
    if values["state"] == State.PENDING:
        await drain_soon(db, tenant_id)
    return filing_id


def _first_state(registration_status: str, dependency: Filing | None) -> State:
    if dependency is not None and dependency.state != State.ACCEPTED:
        return State.WAITING
    return State.PAUSED if registration_status == RegistrationStatus.PAUSED else State.PENDING


async def file(
    db: AsyncSession,
    tenant_id: TenantId,
    kind: str,
    subject_type: str,
    subject_id: str | uuid.UUID,
    payload: Mapping[str, Any],
    *,
    depends_on: uuid.UUID | None = None,
) -> uuid.UUID:
    """File `payload` with the bureau, in the caller's transaction; returns the filing id.

    The filing gets its Idempotency-Key and its exact body bytes now, and its delivery is
    queued in the same transaction: if the caller rolls back, nothing is filed; once it
    commits, the filing is delivered exactly once however often the bureau or our
    workers fail. `kind` is one of KINDS; for "amendment" and "cancellation" the
    payload's `e_number` names the contract (it goes into the path) and the filing waits
    for that contract's filing to be accepted. `depends_on` makes any filing wait for
    another one. The body gets the enterprise's `district_code` unless it has one.
    One INSERT (and, once per transaction, the drain asked for and the registration
    read)."""
    return await _create(
        db,
        tenant_id,
        _kind(kind),
        (subject_type, str(subject_id)),
        payload,
        depends_on=depends_on,
    )


async def seal_held(db: AsyncSession, tenant_id: TenantId, district_code: str) -> int:
    """Filings made before the enterprise registered get their body now (before any
    attempt, so their bytes are still fixed once) and become due."""
    repo = FilingRepository(db, tenant_id)
    held = await repo.held()
    for filing in held:
        target = domain.route(Kind(filing.kind), dict(filing.payload))
        filing.body = domain.seal_body(target.body, district_code)
        filing.state = State.PENDING
        filing.next_attempt_at = clock.now()
    await db.flush()
    if held:
        await drain_soon(db, tenant_id)
    return len(held)


async def retry_filing(
    db: AsyncSession,
    tenant_id: TenantId,
    filing_id: uuid.UUID,
    *,
    actor_user_id: uuid.UUID | None,
    ip: str | None = None,
) -> Filing:
    """Send a filing again now, with its same key and bytes (after the bureau fixed what
    it refused, or to skip the rest of a backoff pause)."""
    repo = FilingRepository(db, tenant_id)
    filing = await repo.lock(filing_id)
    if filing is None:
        raise NotFound()
    if filing.state not in RETRYABLE_STATES:
        raise FilingNotRetryable()
    filing.state = State.PENDING
    filing.next_attempt_at = clock.now()
    await db.flush()
    await drain_soon(db, tenant_id)
    await tenants.record_audit(
        db,
        tenant_id,
        "filings.retried",
        actor_user_id=actor_user_id,
        subject_type="filing",
        subject_id=filing.id,
        data={"kind": filing.kind, "ref": filing.ref},
        ip=ip,
    )
    return filing


def parse_payload(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise Invalid.field("payload", "This is not valid JSON.") from None
    if not isinstance(value, dict):
        raise Invalid.field("payload", "The payload must be a JSON object.")
    return value


async def refile(
    db: AsyncSession,
    tenant_id: TenantId,
    filing_id: uuid.UUID,
    payload_text: str,
    *,
    actor_user_id: uuid.UUID | None,
    ip: str | None = None,
) -> Filing:
    """File a corrected payload under a new key in place of a rejected (or conflicted)
    filing; the old one is kept, marked superseded, and whatever waited for it now waits
    for the new one."""
    repo = FilingRepository(db, tenant_id)
    old = await repo.lock(filing_id)
    if old is None:
        raise NotFound()
    if old.state not in REFILABLE_STATES:
        raise FilingNotRefilable()
    payload = parse_payload(payload_text)
    old.state = State.SUPERSEDED
    await db.flush()
    new_id = await _create(
        db,
        tenant_id,
        Kind(old.kind),
        (old.subject_type, old.subject_id),
        payload,
        depends_on=old.depends_on_id,
        replaces=old.id,
    )
    if await repo.repoint_dependents(old.id, new_id):
        await repo.mark_has_dependents(new_id)
    new = await repo.filing(new_id)
    assert new is not None
    await tenants.record_audit(
        db,
        tenant_id,
        "filings.refiled",
        actor_user_id=actor_user_id,
        subject_type="filing",
        subject_id=new.id,
        data={"kind": new.kind, "ref": new.ref, "replaces": str(old.id)},
        ip=ip,
    )
    return new


def _day_range(
    date_from: date | None, date_to: date | None, tz: str
) -> tuple[datetime | None, datetime | None]:
    zone = clock.zone(tz)
    since = datetime.combine(date_from, time.min, zone) if date_from else None
    until = datetime.combine(date_to + timedelta(days=1), time.min, zone) if date_to else None
    return since, until


async def list_filings(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    kind: str | None = None,
    state: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    timezone: str = clock.DEFAULT_TZ,
    page: int = 1,
) -> FilingPage:
    """The tenant's filings, newest first; unknown filter values mean "any", and dates
    are whole days in the enterprise's time zone."""
    kind = kind if kind in KINDS else None
    state = state if state in STATES else None
    page = max(page, 1)
    since, until = _day_range(date_from, date_to, timezone)
    repo = FilingRepository(db, tenant_id)
    rows = await repo.page(
        kind=kind,
        state=state,
        since=since,
        until=until,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    return FilingPage(
        filings=rows[:PAGE_SIZE],
        kind=kind,
        state=state,
        date_from=date_from,
        date_to=date_to,
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        counts=await repo.counts_by_state(),
        now=clock.now(),
    )


async def filing_detail(db: AsyncSession, tenant_id: TenantId, filing_id: uuid.UUID) -> FilingView:
    repo = FilingRepository(db, tenant_id)
    filing = await repo.filing(filing_id)
    if filing is None:
        raise NotFound()
    depends_on = await repo.filing(filing.depends_on_id) if filing.depends_on_id else None
    replaces = await repo.filing(filing.replaces_id) if filing.replaces_id else None
    return FilingView(
        filing=filing,
        attempts=await repo.attempts(filing.id),
        depends_on=depends_on,
        replaces=replaces,
    )


async def attention_count(db: AsyncSession, tenant_id: TenantId) -> int:
    """Filings that need someone: rejected, conflicted, paused, or past the bureau's
    deadline and still not accepted."""
    return await FilingRepository(db, tenant_id).attention_count()
