"""Settlement: at the end of each cycle, a statement per agreement computed from the ledger.

A period is `[start, end)` in the supplier's local dates: a calendar month, or Monday to
Sunday. Once a period's statement is issued the ledger refuses postings dated inside it (the
postings trigger), and `ledger.accounting_date_for` dates later movements (a cancellation
after settlement) in the next open period, so an issued figure never changes. Both sides
confirm the statement; confirmed by both it is closed, and a closed statement is immutable:
a wrong line is corrected by an adjustment in a later period (disputes.py).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.base import uuid7
from app.db.engine import TenantId
from app.errors import Conflict, NotFound
from app.jobs import service as jobs
from app.jobs.queue import enqueue
from modules.distribution.models import Agreement, Statement
from modules.distribution.repository.settlement import (
    AgreementCursor,
    DuePeriod,
    SettlementRepository,
)
from modules.distribution.schemas.settlement import SettlementProgress
from tenants.service import tenant_settings

SETTLE_TASK = "distribution.settle"
log = logging.getLogger("zhilv.distribution")
# A supplier back after a long pause catches up at most this many periods per agreement in
# one run (the next run goes on).
MAX_ROUNDS = 60


class StatementNotConfirmable(Conflict):
    message = "Only an issued statement can be confirmed, once by each side."


class StatementHasOpenDisputes(Conflict):
    message = "This statement has open disputes: resolve or reject them first."


# Periods ---------------------------------------------------------------------------------


def period_of(day: date, cycle: str) -> tuple[date, date]:
    """The period of `cycle` holding `day`: its calendar month, or its Monday-to-Sunday
    week, as `[start, end)`."""
    if cycle == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    start = day.replace(day=1)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, following


def due_periods(cursor: AgreementCursor, today: date, tz: str) -> list[tuple[date, date]]:
    """The periods of an agreement that have ended (end <= today) and are not settled yet,
    oldest first. An ended agreement gets statements up to the period it ended in."""
    start = cursor.settled_until or period_of(cursor.valid_from, cursor.cycle)[0]
    last_day = clock.local_date(cursor.ended_at, tz) if cursor.ended_at else None
    periods: list[tuple[date, date]] = []
    while len(periods) < MAX_ROUNDS:
        begin, end = period_of(start, cursor.cycle)
        if end > today or (last_day is not None and begin > last_day):
            break
        periods.append((begin, end))
        start = end
    return periods


# Settling --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SettlementRun:
    issued: int
    statement_ids: tuple[uuid.UUID, ...]


def _numbered(
    rounds: list[list[tuple[uuid.UUID, date, date]]], last: dict[str, int]
) -> list[list[DuePeriod]]:
    """Statement numbers JS-YYYY-MM-NNNN, counted per month of the period's start."""
    numbered = []
    for round_ in rounds:
        batch = []
        for agreement_id, start, end in round_:
            prefix = f"JS-{start:%Y-%m}"
            last[prefix] = last.get(prefix, 0) + 1
            number = f"{prefix}-{last[prefix]:04d}"
            batch.append(DuePeriod(uuid7(), number, agreement_id, start, end))
        numbered.append(batch)
    return numbered


async def settle_period(
    db: AsyncSession, tenant_id: TenantId, *, today: date | None = None
) -> SettlementRun:
    """Issue the statement of every agreement whose period has ended, computed in SQL from
    the ledger in one pass per round (a round = the next due period of each agreement; one
    round unless the supplier is catching up). Safe to run twice: a settled period is not
    settled again. Runs one at a time per supplier, and locks the distributor accounts so
    that no posting slips into a period while it is being closed."""
    repo = SettlementRepository(db, tenant_id)
    tz = clock.tz_of(await tenant_settings(db, tenant_id))
    today = today or clock.today(tz)
    await repo.lock()
    per_agreement = [
        [(c.agreement_id, s, e) for s, e in due_periods(c, today, tz)]
        for c in await repo.cursors(today)
    ]
    rounds = [
        [periods[i] for periods in per_agreement if len(periods) > i]
        for i in range(max((len(p) for p in per_agreement), default=0))
    ]
    if not rounds:
        return SettlementRun(0, ())
    accounts = await repo.lock_accounts([p[0][0] for p in per_agreement if p])
    issued: list[uuid.UUID] = []
    for batch in _numbered(rounds, await repo.last_numbers()):
        issued += await repo.issue(batch, accounts, clock.now())
    return SettlementRun(len(issued), tuple(issued))


async def request_settlement(db: AsyncSession, tenant_id: TenantId) -> int:
    """Queue a settlement run now (the console's 立即结算); the job id, to follow it. Pressed
    twice, the second run waits for the first (one run per supplier at a time) and then
    finds nothing left to settle."""
    return await enqueue(db, SETTLE_TASK, {"tenant_id": str(tenant_id)}, queue="maintenance")


async def settlement_progress(
    db: AsyncSession, tenant_id: TenantId, job_id: int | None
) -> SettlementProgress:
    """Where the settlement run the console asked for stands, read from the job queue the
    way the kernel's jobs page reads it (waiting, running, gave up; gone from the queue's
    pending and failed lists = done), and how many agreements still have a period due."""
    repo = SettlementRepository(db, tenant_id)
    tz = clock.tz_of(await tenant_settings(db, tenant_id))
    today = clock.today(tz)
    due = sum(1 for c in await repo.cursors(today) if due_periods(c, today, tz))
    if job_id is None:
        return SettlementProgress(None, "none", due=due)
    overview = await jobs.job_overview(db, tenant_id)
    state, queued = "done", None
    for row in overview.pending:
        if row.id == job_id:
            state, queued = ("running" if row.status == "doing" else "waiting"), row.queued_at
    for row in overview.failed:
        if row.id == job_id:
            state, queued = "failed", row.queued_at
    return SettlementProgress(job_id, state, queued_at=queued, due=due)


# Reading and confirming ------------------------------------------------------------------


async def list_statements(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    agreement_id: uuid.UUID | None = None,
    status: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> list[tuple[Statement, Agreement, str]]:
    """The supplier's statements, newest period first, with their agreements."""
    return await SettlementRepository(db, tenant_id).statements(
        agreement_id=agreement_id,
        status=status,
        limit=per_page,
        offset=max(0, page - 1) * per_page,
    )


async def get_statement(
    db: AsyncSession, tenant_id: TenantId, statement_id: uuid.UUID
) -> Statement:
    found = await SettlementRepository(db, tenant_id).statement(statement_id)
    if found is None:
        raise NotFound()
    return found


async def confirm_statement(
    db: AsyncSession,
    tenant_id: TenantId,
    statement_id: uuid.UUID,
    *,
    side: str,
    by: str,
    open_disputes: int,
) -> Statement:
    """One side confirms an issued statement; confirmed by both it is closed (immutable).
    A side confirms once; a statement with an open dispute waits for its resolution."""
    repo = SettlementRepository(db, tenant_id)
    statement = await repo.statement_for_update(statement_id)
    if statement is None:
        raise NotFound()
    stamps = {
        "supplier": statement.supplier_confirmed_at,
        "distributor": statement.distributor_confirmed_at,
    }
    if statement.status not in ("issued", "confirmed") or stamps.get(side, 1) is not None:
        raise StatementNotConfirmable()
    if open_disputes:
        raise StatementHasOpenDisputes()
    now = clock.now()
    other = stamps["distributor" if side == "supplier" else "supplier"]
    values: dict[str, object] = {
        f"{side}_confirmed_at": now,
        f"{side}_confirmed_by": by[:100],
        "status": "closed" if other is not None else "confirmed",
        "closed_at": now if other is not None else None,
    }
    await repo.set_statement(statement_id, **values)
    refreshed = await repo.statement_for_update(statement_id)
    assert refreshed is not None
    return refreshed
