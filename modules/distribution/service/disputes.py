"""Disputes: either side says a line of an issued statement is wrong (why, and what it should
be); the supplier answers with an adjustment or a rejection. Nothing is edited: an adjustment
is a reversal of the disputed entry and a new entry at the agreed amount, both dated in the
next open period (the statement's own period is settled), so the statement keeps the figures
both sides saw and the correction shows on the next one. A statement with an open dispute
cannot be confirmed, and a closed one takes no dispute."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext
from app.web.input import parse_fen
from modules.distribution.domain import Line
from modules.distribution.models import Dispute, Statement
from modules.distribution.repository.disputes import DisputesRepository, EntryLine
from modules.distribution.repository.ledger import LedgerRepository
from modules.distribution.repository.settlement import DISTRIBUTOR_ACCOUNTS, SettlementRepository
from modules.distribution.service import ledger
from modules.distribution.service import statements as statement_reads

MAX_REASON = 500


class StatementNotDisputable(Conflict):
    message = "Only an issued statement not yet closed can be disputed."


class DisputeAnswered(Conflict):
    message = "This dispute has already been answered."


def _reason(text: str, field: str) -> str:
    if not text.strip():
        raise Invalid.field(field, gettext("Say why."))
    return text.strip()[:MAX_REASON]


async def raise_dispute(
    db: AsyncSession,
    tid: TenantId,
    statement: Statement,
    *,
    side: str,
    by: str,
    entry_id: str,
    reason: str,
    amount: str,
) -> Dispute:
    """Bound to the supplier: one side disputes a line of `statement` with its reason and
    the amount (yuan) it says the line should be."""
    if statement.status not in ("issued", "confirmed"):
        raise StatementNotDisputable()
    try:
        wanted = uuid.UUID(entry_id)
    except ValueError:
        raise Invalid.field("entry_id", gettext("Choose a line of this statement.")) from None
    repo = DisputesRepository(db, tid)
    line = await repo.line(statement, wanted)
    if line is None:
        raise Invalid.field("entry_id", gettext("Choose a line of this statement."))
    claimed = parse_fen(amount, "amount")
    dispute = Dispute(
        statement_id=statement.id,
        order_id=line.order_id,
        entry_id=line.entry_id,
        raised_by=side,
        raised_by_name=by[:100],
        reason=_reason(reason, "reason"),
        claimed_fen=claimed,
    )
    repo.add(dispute)
    await db.flush()
    return dispute


async def dispute_as_supplier(
    db: AsyncSession, tid: TenantId, statement_id: uuid.UUID, *, by: str, **form: str
) -> Dispute:
    repo = SettlementRepository(db, tid)
    statement = await repo.statement_for_update(statement_id)
    if statement is None:
        raise NotFound()
    return await raise_dispute(db, tid, statement, side="supplier", by=by, **form)


async def dispute_as_partner(
    db: AsyncSession, own: TenantId, agreement_id: uuid.UUID, number: str, *, by: str, **form: str
) -> Dispute:
    """The distributor disputes a line of its statement (written as the supplier's row)."""
    async with statement_reads.as_partner(db, own, agreement_id) as (supplier, agreement):
        repo = SettlementRepository(db, supplier)
        found = await repo.statement_by_number(agreement.id, number[:24])
        statement = await repo.statement_for_update(found.id) if found else None
        if statement is None or statement.status == "open":
            raise NotFound()
        return await raise_dispute(db, supplier, statement, side="distributor", by=by, **form)


def corrected_lines(original: list[EntryLine], amount_fen: int) -> list[Line]:
    """The disputed entry's lines again, its distributor line at `amount_fen` (same side of
    the account) and the difference taken by the supplier's receivable (or, without one, by
    the entry's other line)."""
    lines = [Line(x.kind, x.agreement_id, x.amount_fen) for x in original]
    facing = next(i for i, x in enumerate(lines) if x.kind in DISTRIBUTOR_ACCOUNTS)
    sign = 1 if lines[facing].amount_fen > 0 else -1
    difference = sign * amount_fen - lines[facing].amount_fen
    counter = next(
        (i for i, x in enumerate(lines) if x.kind == "supplier_receivable"),
        next(i for i in range(len(lines)) if i != facing),
    )
    lines[facing] = lines[facing]._replace(amount_fen=sign * amount_fen)
    lines[counter] = lines[counter]._replace(amount_fen=lines[counter].amount_fen - difference)
    return lines


async def resolve_dispute(
    db: AsyncSession,
    tid: TenantId,
    dispute_id: uuid.UUID,
    *,
    amount: str,
    note: str,
    created_by: uuid.UUID | None = None,
) -> Dispute:
    """The supplier agrees: the disputed entry is reversed and posted again at `amount`
    (yuan; blank = what was claimed; 0 = reversed only), both in the next open period."""
    repo = DisputesRepository(db, tid)
    dispute = await repo.locked(dispute_id)
    if dispute is None:
        raise NotFound()
    if dispute.status != "open" or dispute.entry_id is None:
        raise DisputeAnswered()
    fen = dispute.claimed_fen if not amount.strip() else parse_fen(amount, "amount")
    original = await repo.entry_lines(dispute.entry_id)
    memo = gettext("Dispute: %(reason)s", reason=dispute.reason)[:200]
    entry_id = await ledger.post_reversal(
        db, tid, dispute.entry_id, memo=memo, created_by=created_by
    )
    if fen:
        entry = await LedgerRepository(db, tid).entry(dispute.entry_id)
        assert entry is not None
        entry_id = await ledger.post(
            db,
            tid,
            kind="adjustment",
            agreement_id=entry.agreement_id,
            order_id=entry.order_id,
            lines=corrected_lines(original, fen),
            memo=memo,
            created_by=created_by,
        )
    await repo.set(
        dispute.id,
        status="resolved",
        resolution=note.strip()[:MAX_REASON],
        resolution_entry_id=entry_id,
        resolved_at=clock.now(),
    )
    return await _reloaded(repo, dispute.id)


async def reject_dispute(
    db: AsyncSession, tid: TenantId, dispute_id: uuid.UUID, *, note: str
) -> Dispute:
    """The supplier disagrees, saying why; the statement stands as issued."""
    repo = DisputesRepository(db, tid)
    dispute = await repo.locked(dispute_id)
    if dispute is None:
        raise NotFound()
    if dispute.status != "open":
        raise DisputeAnswered()
    await repo.set(
        dispute.id, status="rejected", resolution=_reason(note, "note"), resolved_at=clock.now()
    )
    return await _reloaded(repo, dispute.id)


async def _reloaded(repo: DisputesRepository, dispute_id: uuid.UUID) -> Dispute:
    found = await repo.locked(dispute_id)
    assert found is not None
    return found


async def open_disputes(db: AsyncSession, tid: TenantId, statement_id: uuid.UUID) -> int:
    return await DisputesRepository(db, tid).open_count(statement_id)
