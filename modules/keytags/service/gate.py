"""The resort's gates: the entry gate starts a visit's billing clock, the exit gate opens only
for a settled visit within the exit window and then ends the visit (the tag back in stock or
retired, the locker free, the binding released).

A refusal is an answer, not an error: the gate shows its reason (unpaid with the amount due,
settle_again once the window has passed, unknown_tag, blocked, no_visit) and nothing is
written. The exit locks the visit row, so two gates reading one tag at once let it out once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.enums import LabelledEnum
from app.errors import Invalid
from modules.keytags.domain import TagStatus, VisitStatus
from modules.keytags.models import Visit
from modules.keytags.repository.exit import ExitRepository
from modules.keytags.service.catalog import rules
from modules.keytags.service.exit import MAX_UID_LENGTH, bill, clean_uid

MAX_DEVICE_ID_LENGTH = 64


class GateDirection(LabelledEnum):
    IN = "in", "Entry"
    OUT = "out", "Exit"


class GateRefusal(LabelledEnum):
    UNKNOWN_TAG = "unknown_tag", "Unknown tag: ask at the desk."
    BLOCKED = "blocked", "This tag is blocked: ask at the desk."
    NO_VISIT = "no_visit", "This tag holds no visit: ask at the desk."
    UNPAID = "unpaid", "Not paid yet: please settle at the exit desk."
    SETTLE_AGAIN = "settle_again", "Time has run on since paying: please see the exit desk."
    SETTLED = "settled", "Already settled: this tag only opens the exit."


@dataclass(frozen=True, slots=True)
class GateResult:
    opened: bool
    direction: GateDirection
    reason: GateRefusal | None = None
    visit_id: uuid.UUID | None = None
    visit_number: str = ""
    guest_name: str = ""
    due_fen: int = 0
    at: datetime | None = None
    device_id: str = ""


def _refused(
    direction: GateDirection,
    reason: GateRefusal,
    device_id: str,
    visit: Visit | None = None,
    due_fen: int = 0,
) -> GateResult:
    return GateResult(
        opened=False,
        direction=direction,
        reason=reason,
        visit_id=visit.id if visit else None,
        visit_number=visit.number if visit else "",
        guest_name=visit.guest_name if visit else "",
        due_fen=due_fen,
        at=clock.now(),
        device_id=device_id,
    )


async def gate(
    db: AsyncSession,
    tid: TenantId,
    *,
    uid: str,
    direction: str,
    device_id: str,
    actor: Actor,
) -> GateResult:
    """One tag read at a gate. 'in': the first pass starts the billing clock (later passes
    change nothing). 'out': opens for a settled visit within the exit window and ends it;
    an open visit is refused as unpaid with what it owes."""
    move = GateDirection.parse(direction)
    if move is None:
        raise Invalid.field("direction", "Say in or out.")
    uid = clean_uid(uid)
    if not uid or len(uid) > MAX_UID_LENGTH:
        raise Invalid.field("uid", "Give the tag's UID as the reader reads it.")
    repo = ExitRepository(db, tid)
    tag = await repo.tag_by_uid(uid)
    if tag is None:
        return _refused(move, GateRefusal.UNKNOWN_TAG, device_id)
    if tag.status == TagStatus.BLOCKED:
        return _refused(move, GateRefusal.BLOCKED, device_id)
    visit_id = await repo.bound_visit_id(tag.id)
    if visit_id is None:
        return _refused(move, GateRefusal.NO_VISIT, device_id)
    if move is GateDirection.IN:
        return await _enter(repo, visit_id, move, device_id)
    return await _leave(db, tid, repo, visit_id, tag.id, move, device_id)


async def _enter(
    repo: ExitRepository, visit_id: uuid.UUID, move: GateDirection, device_id: str
) -> GateResult:
    visit = await repo.visit(visit_id)
    if visit is None or visit.status != VisitStatus.OPEN:
        reason = GateRefusal.SETTLED if visit is not None else GateRefusal.NO_VISIT
        return _refused(move, reason, device_id, visit)
    now = clock.now()
    await repo.start_clock(visit.id, now)
    return GateResult(
        opened=True,
        direction=move,
        visit_id=visit.id,
        visit_number=visit.number,
        guest_name=visit.guest_name,
        at=now,
        device_id=device_id,
    )


async def _leave(
    db: AsyncSession,
    tid: TenantId,
    repo: ExitRepository,
    visit_id: uuid.UUID,
    tag_id: uuid.UUID,
    move: GateDirection,
    device_id: str,
) -> GateResult:
    (visit,) = await repo.lock_visits([visit_id])
    now = clock.now()
    if visit.status == VisitStatus.OPEN:
        owed = await bill(db, tid, visit.id)
        return _refused(move, GateRefusal.UNPAID, device_id, visit, owed.due_fen)
    if visit.status != VisitStatus.SETTLED or visit.settled_at is None:
        return _refused(move, GateRefusal.NO_VISIT, device_id, visit)
    window = (await rules(db, tid)).exit_window_minutes
    if now > visit.settled_at + timedelta(minutes=window):
        owed = await bill(db, tid, visit.id)
        return _refused(move, GateRefusal.SETTLE_AGAIN, device_id, visit, owed.due_fen)
    visit.status = VisitStatus.CLOSED.value
    visit.exit_at = now
    visit.active_tag_id = None
    await repo.release_tag(visit.id, tag_id, at=now)
    await repo.free_locker(visit.id, at=now)
    await db.flush()
    return GateResult(
        opened=True,
        direction=move,
        visit_id=visit.id,
        visit_number=visit.number,
        guest_name=visit.guest_name,
        at=now,
        device_id=device_id,
    )
