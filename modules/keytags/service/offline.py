"""Offline readers: the sales an outlet's reader queued while it had no network, applied when
it is back, exactly once and in the device's order; and the cashier's conflicts.

A queued sale that applied before (or was recorded as a conflict before) is a `duplicate`:
uploading the same batch twice changes nothing. A sale that would break the tab's limit, or
that hit a blocked, closed or unknown tag, is recorded as a `spa_charge_conflicts` row for
the cashier, never dropped: the cashier posts it to the visit (a charge with the device's
sequence number; the tab moves even past the limit, a person decided) or a manager writes it
off with a note."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.base import uuid7
from app.db.engine import TenantId
from app.errors import AppError, Conflict, Invalid, NotFound
from app.i18n import gettext as _
from modules.keytags import domain
from modules.keytags.models import ChargeConflict
from modules.keytags.repository.charges import ChargeRepository, NewCharge
from modules.keytags.service.charges import (
    DeviceSequenceReused,
    ItemQty,
    NoOutlet,
    OverLimit,
    TagBlocked,
    UnknownItem,
    UnknownTag,
    VisitClosed,
    charge,
    describe,
)

_REASONS: dict[type[AppError], domain.ConflictReason] = {
    OverLimit: domain.ConflictReason.LIMIT,
    TagBlocked: domain.ConflictReason.BLOCKED,
    VisitClosed: domain.ConflictReason.CLOSED,
    UnknownTag: domain.ConflictReason.UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class QueuedCharge:
    device_seq: int
    tag_uid: str
    items: list[ItemQty]
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class BatchEntry:
    device_seq: int
    outcome: str  # applied | duplicate | conflict | rejected
    reason: str | None
    charge_id: uuid.UUID | None
    conflict_id: uuid.UUID | None
    amount_fen: int


@dataclass(frozen=True, slots=True)
class BatchResult:
    device_id: str
    results: list[BatchEntry]

    def count(self, outcome: str) -> int:
        return sum(1 for entry in self.results if entry.outcome == outcome)


async def apply_charge_batch(
    db: AsyncSession,
    tid: TenantId,
    *,
    device_id: str,
    charges: Sequence[QueuedCharge],
    actor: Actor,
) -> BatchResult:
    """Apply a reader's queued sales in the order of their sequence numbers (the reader's
    order), each exactly once. Every entry answers applied, duplicate, conflict (recorded)
    or rejected (an item not on the price list, or a sequence number the device used for
    another sale: not recorded, the reader must be fixed). A key linked to no outlet is
    refused whole (403)."""
    repo = ChargeRepository(db, tid)
    outlet = await repo.outlet_for_key(actor.api_key_id) if actor.api_key_id else None
    if outlet is None:
        raise NoOutlet()
    await repo.lock_device(device_id)
    results = []
    for queued in sorted(charges, key=lambda c: c.device_seq):
        results.append(await _one(db, tid, repo, outlet.id, device_id, queued, actor))
    return BatchResult(device_id, results)


async def _one(
    db: AsyncSession,
    tid: TenantId,
    repo: ChargeRepository,
    outlet_id: uuid.UUID,
    device_id: str,
    queued: QueuedCharge,
    actor: Actor,
) -> BatchEntry:
    seq = queued.device_seq
    earlier = await repo.earlier_conflict(device_id, seq)
    if earlier is not None:
        return BatchEntry(seq, "duplicate", earlier.reason, None, earlier.id, earlier.amount_fen)
    try:
        done = await charge(
            db,
            tid,
            tag_uid=queued.tag_uid,
            items=queued.items,
            device_id=device_id,
            device_seq=seq,
            actor=actor,
            occurred_at=queued.occurred_at,
            offline=True,
        )
    except (UnknownItem, DeviceSequenceReused, Invalid) as error:
        return BatchEntry(seq, "rejected", error.code, None, None, 0)
    except (OverLimit, TagBlocked, VisitClosed, UnknownTag) as error:
        return await _conflict(repo, outlet_id, device_id, queued, _REASONS[type(error)])
    outcome = "duplicate" if done.replayed else "applied"
    return BatchEntry(seq, outcome, None, done.charge_id, None, done.amount_fen)


async def _conflict(
    repo: ChargeRepository,
    outlet_id: uuid.UUID,
    device_id: str,
    queued: QueuedCharge,
    reason: domain.ConflictReason,
) -> BatchEntry:
    """Record the sale for the cashier, priced as the outlet's list says now."""
    facts = await repo.facts(
        api_key_id=None,
        outlet_id=outlet_id,
        device_id=device_id,
        device_seq=queued.device_seq,
        tag_uid=queued.tag_uid.strip().upper()[:32],
        codes=[item.code for item in queued.items],
    )
    assert facts is not None
    lines = _lines(facts.items, queued.items)
    amount = sum(int(line["amount_fen"]) for line in lines)
    visit_id = facts.visit_id or facts.last_visit_id
    id_ = uuid7()
    written = await repo.record_conflict(
        id_=id_,
        device_id=device_id,
        device_seq=queued.device_seq,
        outlet_id=facts.outlet_id,
        tag_uid=queued.tag_uid.strip().upper()[:32],
        visit_id=visit_id,
        lines=lines,
        amount_fen=amount,
        occurred_at=queued.occurred_at,
        reason=reason.value,
    )
    if not written:  # the same upload raced this one and recorded it first
        earlier = await repo.earlier_conflict(device_id, queued.device_seq)
        assert earlier is not None
        return BatchEntry(
            queued.device_seq, "duplicate", earlier.reason, None, earlier.id, earlier.amount_fen
        )
    return BatchEntry(queued.device_seq, "conflict", reason.value, None, id_, amount)


def _lines(prices: dict[str, Any], items: Sequence[ItemQty]) -> list[dict[str, Any]]:
    merged: dict[str, int] = {}
    for item in items:
        merged[item.code] = merged.get(item.code, 0) + item.qty
    lines = []
    for code, qty in merged.items():
        found = prices[code]
        lines.append(
            {
                "item_id": str(found.id),
                "code": found.code,
                "name": found.name,
                "unit": found.unit,
                "qty": qty,
                "unit_price_fen": found.price_fen,
                "amount_fen": found.price_fen * qty,
            }
        )
    return lines


# ---- the cashier's conflicts page ----


class ConflictResolved(Conflict):
    code = "conflict_resolved"
    message = "This conflict is already settled."


@dataclass(frozen=True, slots=True)
class ConflictRow:
    conflict: ChargeConflict
    outlet_name: str
    visit_number: str | None
    guest_name: str | None
    visit_status: str | None


async def charge_conflicts(
    db: AsyncSession, tid: TenantId, *, status: str | None = "open"
) -> list[ConflictRow]:
    """Offline sales that could not apply, newest first (open ones by default)."""
    rows = await ChargeRepository(db, tid).conflicts(status=status)
    return [
        ConflictRow(c, outlet, number, name, vstatus) for c, outlet, number, name, vstatus in rows
    ]


async def post_conflict(
    db: AsyncSession,
    tid: TenantId,
    conflict_id: uuid.UUID,
    *,
    actor: Actor,
    visit_number: str = "",
    note: str = "",
) -> uuid.UUID:
    """Post an offline conflict to its visit (or to the open visit `visit_number` when the
    tag was unknown): a charge row with the device's sequence number, the tab moved even
    past the limit (the cashier decided). The visit must still be open. Returns the
    charge's id."""
    repo = ChargeRepository(db, tid)
    conflict = await _open_conflict(repo, conflict_id)
    visit_id = conflict.visit_id
    if visit_number.strip():
        visit = await repo.visit_by_number(visit_number.strip())
        if visit is None:
            raise Invalid.field("visit_number", "No visit has this number.")
        visit_id = visit.id
    if visit_id is None:
        raise Invalid.field("visit_number", "Name the visit to post this charge to.")
    outlet = await repo.outlet(conflict.outlet_id)
    now = clock.now()
    row = NewCharge(
        id=uuid7(),
        visit_id=visit_id,
        tag_id=None,
        outlet_id=conflict.outlet_id,
        kind=domain.ChargeKind.CHARGE.value,
        description=describe(outlet.name if outlet else "", conflict.lines),
        lines=conflict.lines,
        amount_fen=conflict.amount_fen,
        device_id=conflict.device_id,
        device_seq=conflict.device_seq,
        occurred_at=conflict.occurred_at,
        recorded_at=now,
        offline=True,
        user_id=actor.user_id,
        approved_by=actor.user_id,
        reason=note[:200],
    )
    done = await repo.apply(row, by_person=True)
    if not done.written:
        if done.free:
            raise ConflictResolved()
        raise Conflict(_("This visit is no longer open: write the charge off instead."))
    await repo.resolve_conflict(
        conflict.id,
        status=domain.ConflictStatus.POSTED.value,
        charge_id=row.id,
        by=actor.user_id,
        at=now,
        note=note,
    )
    return row.id


async def write_off_conflict(
    db: AsyncSession, tid: TenantId, conflict_id: uuid.UUID, *, actor: Actor, note: str
) -> None:
    """A manager writes an offline conflict off with a note (the sale is not charged)."""
    if not note.strip():
        raise Invalid.field("note", "Say why this charge is written off.")
    repo = ChargeRepository(db, tid)
    conflict = await _open_conflict(repo, conflict_id)
    resolved = await repo.resolve_conflict(
        conflict.id,
        status=domain.ConflictStatus.WRITTEN_OFF.value,
        charge_id=None,
        by=actor.user_id,
        at=clock.now(),
        note=note,
    )
    if not resolved:
        raise ConflictResolved()


async def _open_conflict(repo: ChargeRepository, conflict_id: uuid.UUID) -> ChargeConflict:
    conflict = await repo.conflict(conflict_id)
    if conflict is None:
        raise NotFound()
    if conflict.status != domain.ConflictStatus.OPEN:
        raise ConflictResolved()
    return conflict
