"""The gangway: the ONE place a scanned code is judged and written.

`record_scan` serves the gangway page, `POST /api/v1/boarding/scans` and the offline gate's
uploaded batches alike. Every scan is written, accepted or refused (the refusal with its
reason is evidence). A device's scan is idempotent on its id and sequence number: asking
again returns the first answer, even a refusal. An accepted scan takes the passenger's next
movement number in the same transaction as the guarded update of the passenger, and the
unique `(tenant_id, passenger_id, movement_no)` lets only one of two gates scanning the same
pass at once board it; the other is told "already aboard", never an error.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock, events
from app.actor import Actor
from app.db.base import uuid7
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from modules.boarding.domain import (
    PassengerStatus,
    RefusalReason,
    ScanDirection,
    ScanOutcome,
    VoyageStatus,
)
from modules.boarding.repository.passes import PassOnFile
from modules.boarding.repository.scans import (
    CallTimes,
    EarlierScan,
    GangwayFacts,
    NewScan,
    ScanRepository,
)
from modules.boarding.service.passes import PassCheck, judge_pass, signed_claims, verify_code

MAX_CODE_LENGTH = 1000
MAX_DEVICE_ID_LENGTH = 64
MAX_DEVICE_SEQ = 2**63 - 1
# Refusals about where the passenger is, not about the pass: at an offline gate that let the
# passenger through, these are conflicts to sort out, not a "no" said at the gangway.
STATE_REASONS = (RefusalReason.ALREADY_ABOARD, RefusalReason.NOT_ABOARD)


class DeviceSequenceReused(Conflict):
    code = "device_seq_reused"
    message = "This device already sent another scan under this sequence number."


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The gangway's answer to one scan, as the device and the page show it."""

    scan_id: uuid.UUID
    outcome: ScanOutcome
    reason: RefusalReason | None
    direction: ScanDirection
    voyage_id: uuid.UUID | None
    port_call_id: uuid.UUID | None
    passenger_id: uuid.UUID | None
    passenger_name: str
    cabin_number: str
    movement_no: int | None
    device_id: str
    device_seq: int
    scanned_at: datetime
    offline: bool
    aboard: int  # passengers aboard the voyage now
    replayed: bool  # the stored answer to a repeated (device_id, device_seq)

    @property
    def accepted(self) -> bool:
        return self.outcome is ScanOutcome.ACCEPTED


@dataclass(frozen=True, slots=True)
class _Who:
    """The passenger as the answer names them."""

    name: str = ""
    cabin_number: str = ""


@dataclass(frozen=True, slots=True)
class _Verdict:
    passenger: PassOnFile | None  # the pass on file, with its passenger as they stand
    pass_id: uuid.UUID | None
    reason: RefusalReason | None


async def record_scan(
    db: AsyncSession,
    tid: TenantId,
    *,
    code: str,
    voyage_id: uuid.UUID,
    port_call_id: uuid.UUID | None,
    direction: ScanDirection | str,
    device_id: str,
    device_seq: int,
    scanned_at: datetime | None,
    actor: Actor,
    offline: bool = False,
) -> ScanResult:
    """Judge one scan at a gangway of `voyage_id` and write it, accepted or refused.

    `port_call_id` None means the voyage's current port call. An online scan's pass is
    judged at the server's time, an uploaded offline one at the time the device scanned it.
    At an offline gate a refusal about where the passenger is (already aboard, not aboard)
    is a `conflict`: the gate let them through and the purser must look. Raises NotFound for
    a voyage not of this tenant, Invalid for odd input, DeviceSequenceReused (409) when the
    device sent another code or direction under the same sequence number.

    Two statements in all (the keys that verify signatures are kept by the passes
    service): one reads what the scan is judged on, one writes it."""
    move = _direction(direction)
    code = _code(code)
    _device(device_id, device_seq)
    repo = ScanRepository(db, tid)
    now = clock.now()
    at = scanned_at or now
    judged_at = at if offline else now
    signed = await signed_claims(db, tid, code, at=judged_at)
    claims = signed.claims
    facts = await repo.facts(voyage_id, device_id, device_seq, claims.pass_id if claims else None)
    if facts is None:
        raise NotFound()
    call = _port_call(facts.calls, port_call_id, at)
    digest = hashlib.sha256(code.encode()).digest()
    if facts.earlier is not None:
        return _replay(
            facts.earlier,
            digest=digest,
            direction=move,
            voyage_id=voyage_id,
            device_id=device_id,
            device_seq=device_seq,
            aboard=facts.aboard,
        )
    check = (
        judge_pass(claims, facts.on_file, at=judged_at, voyage_id=voyage_id)
        if claims is not None
        else PassCheck(signed.reason)
    )
    verdict = _judge(check, voyage_id, facts, call, move)
    scan = NewScan(
        id=uuid7(),
        voyage_id=voyage_id,
        port_call_id=call.id,
        passenger_id=verdict.passenger.passenger_id if verdict.passenger else None,
        pass_id=verdict.pass_id,
        direction=move.value,
        device_id=device_id,
        device_seq=device_seq,
        scanned_at=at,
        offline=offline,
        code_digest=digest,
        by_user_id=actor.user_id,
    )
    return await _write(repo, scan, verdict, facts.aboard)


def _direction(value: ScanDirection | str) -> ScanDirection:
    try:
        return ScanDirection(value)
    except ValueError:
        raise Invalid.field("direction", "Choose boarding or going ashore.") from None


def _code(value: str) -> str:
    code = (value or "").strip()
    if not code:
        raise Invalid.field("code", "Scan a boarding pass.")
    if len(code) > MAX_CODE_LENGTH or not code.isprintable():
        raise Invalid.field("code", "This is not a boarding pass code.")
    return code


def _device(device_id: str, device_seq: int) -> None:
    if not device_id or len(device_id) > MAX_DEVICE_ID_LENGTH or not device_id.isprintable():
        raise Invalid.field("device_id", "Name the scanning device (at most 64 characters).")
    if isinstance(device_seq, bool) or not 0 <= device_seq <= MAX_DEVICE_SEQ:
        raise Invalid.field("device_seq", "A device sequence number is a whole number from 0.")


class _Call(Protocol):
    @property
    def arrives_at(self) -> datetime | None: ...
    @property
    def arrived_at(self) -> datetime | None: ...


C = TypeVar("C", bound=_Call)


def current_call(calls: Sequence[C], at: datetime) -> C:
    """The port call the ship is at (or sailing from) at `at`: the last one it has arrived
    at, by the actual arrival when recorded, else the schedule; the first before that."""
    here = calls[0]
    for call in calls[1:]:
        arrived = call.arrived_at or call.arrives_at
        if arrived is not None and arrived <= at:
            here = call
    return here


def _port_call(
    calls: Sequence[CallTimes], port_call_id: uuid.UUID | None, at: datetime
) -> CallTimes:
    if not calls:
        raise Invalid.field("port_call_id", "This voyage has no port calls.")
    if port_call_id is None:
        return current_call(calls, at)
    for call in calls:
        if call.id == port_call_id:
            return call
    raise Invalid.field("port_call_id", "Choose a port call of this voyage.")


async def verify(
    db: AsyncSession, tid: TenantId, code: str, at: datetime, voyage_id: uuid.UUID
) -> PassCheck:
    """The pass behind a code: its signature, whether it is of this voyage, revoked,
    cancelled, within its validity (the passes service)."""
    return await verify_code(db, tid, code, at=at, voyage_id=voyage_id)


def _judge(
    check: PassCheck,
    voyage_id: uuid.UUID,
    facts: GangwayFacts,
    call: CallTimes,
    move: ScanDirection,
) -> _Verdict:
    passenger = facts.on_file if check.passenger_id else None
    if check.reason is not None:
        return _Verdict(passenger, check.pass_id, check.reason)
    if passenger is None:
        return _Verdict(None, check.pass_id, RefusalReason.UNKNOWN)
    return _Verdict(passenger, check.pass_id, _refusal(passenger, voyage_id, facts, call, move))


def _refusal(
    passenger: PassOnFile,
    voyage_id: uuid.UUID,
    facts: GangwayFacts,
    call: CallTimes,
    move: ScanDirection,
) -> RefusalReason | None:
    """Why this passenger may not make this move here, or None. The first boarding must be
    at the passenger's boarding port; after a going ashore they come back at any call."""
    if passenger.passenger_voyage_id != voyage_id:
        return RefusalReason.WRONG_VOYAGE
    if (
        passenger.passenger_status == PassengerStatus.CANCELLED
        or facts.voyage_status == VoyageStatus.CANCELLED
    ):
        return RefusalReason.CANCELLED
    if move is ScanDirection.EMBARK:
        if passenger.aboard:
            return RefusalReason.ALREADY_ABOARD
        if passenger.movements == 0 and passenger.boarding_call_id != call.id:
            return RefusalReason.WRONG_PORT
        return None
    return None if passenger.aboard else RefusalReason.NOT_ABOARD


async def _write(repo: ScanRepository, scan: NewScan, verdict: _Verdict, aboard: int) -> ScanResult:
    """Write the scan; `aboard` is the count read with the facts, before this scan."""
    passenger = verdict.passenger
    who = _Who(passenger.passenger_name, passenger.cabin_number) if passenger else _Who()
    reason = verdict.reason
    if reason is None and passenger is not None:
        movement_no = passenger.movements + 1
        done = await repo.board(scan, movement_no)
        if done.written:
            if not done.moved:  # pragma: no cover - the passenger's row was locked for it
                raise RuntimeError("an accepted scan did not move its passenger")
            if movement_no == 1:  # the first boarding redeems the booking
                await _boarded(repo, passenger.passenger_id, done.reservation_id)
            step = 1 if scan.direction == ScanDirection.EMBARK else -1
            return _result(scan, who, ScanOutcome.ACCEPTED, None, movement_no, aboard + step)
        if done.free:  # a unique key refused the scan: the device's number, or the movement's
            raced = await _replay_raced(repo, scan)
            if raced is not None:
                return raced
        # Another gate moved the passenger between our read and our write.
        reason = (
            RefusalReason.ALREADY_ABOARD
            if scan.direction == ScanDirection.EMBARK
            else RefusalReason.NOT_ABOARD
        )
        return await _refuse(repo, scan, who, reason, aboard=None)
    return await _refuse(repo, scan, who, reason or RefusalReason.UNKNOWN, aboard=aboard)


async def _boarded(
    repo: ScanRepository, passenger_id: uuid.UUID, reservation_id: uuid.UUID | None
) -> None:
    """Tell who listens (distribution: the order behind the booking is redeemed). The
    reservation id comes back from the boarding statement, not from a second read."""
    assert reservation_id is not None
    await events.publish(
        repo.db,
        repo.tenant_id,
        "boarding.boarded",
        reservation_id=reservation_id,
        passenger_id=passenger_id,
    )


async def _refuse(
    repo: ScanRepository, scan: NewScan, who: _Who, reason: RefusalReason, *, aboard: int | None
) -> ScanResult:
    """Write a refusal. `aboard` None: count again (another gate just moved someone)."""
    conflict = scan.offline and reason in STATE_REASONS
    outcome = ScanOutcome.CONFLICT if conflict else ScanOutcome.REFUSED
    if not await repo.refuse(scan, outcome.value, reason.value):
        raced = await _replay_raced(repo, scan)
        if raced is None:  # pragma: no cover - only the device's number can refuse it
            raise DeviceSequenceReused()
        return raced
    if aboard is None:
        aboard = await repo.aboard_count(scan.voyage_id)
    return _result(scan, who, outcome, reason, None, aboard)


async def _replay_raced(repo: ScanRepository, scan: NewScan) -> ScanResult | None:
    """The same device sequence number arrived twice at once: the one written first is
    the answer to both (or a conflict when they differ). None: no scan holds the number."""
    facts = await repo.facts(scan.voyage_id, scan.device_id, scan.device_seq, None)
    if facts is None or facts.earlier is None:
        return None
    return _replay(
        facts.earlier,
        digest=scan.code_digest,
        direction=ScanDirection(scan.direction),
        voyage_id=scan.voyage_id,
        device_id=scan.device_id,
        device_seq=scan.device_seq,
        aboard=facts.aboard,
    )


def _replay(
    earlier: EarlierScan,
    *,
    digest: bytes | None,
    direction: ScanDirection,
    voyage_id: uuid.UUID | None,
    device_id: str,
    device_seq: int,
    aboard: int,
) -> ScanResult:
    same = (
        earlier.code_digest == digest
        and earlier.direction == direction.value
        and earlier.voyage_id == voyage_id
    )
    if not same:
        raise DeviceSequenceReused()
    return ScanResult(
        scan_id=earlier.id,
        outcome=ScanOutcome(earlier.outcome),
        reason=RefusalReason(earlier.reason) if earlier.reason else None,
        direction=ScanDirection(earlier.direction),
        voyage_id=earlier.voyage_id,
        port_call_id=earlier.port_call_id,
        passenger_id=earlier.passenger_id,
        passenger_name=earlier.name,
        cabin_number=earlier.cabin_number,
        movement_no=earlier.movement_no,
        device_id=device_id,
        device_seq=device_seq,
        scanned_at=earlier.scanned_at,
        offline=earlier.offline,
        aboard=aboard,
        replayed=True,
    )


def _result(
    scan: NewScan,
    who: _Who,
    outcome: ScanOutcome,
    reason: RefusalReason | None,
    movement_no: int | None,
    aboard: int,
) -> ScanResult:
    return ScanResult(
        scan_id=scan.id,
        outcome=outcome,
        reason=reason,
        direction=ScanDirection(scan.direction),
        voyage_id=scan.voyage_id,
        port_call_id=scan.port_call_id,
        passenger_id=scan.passenger_id,
        passenger_name=who.name,
        cabin_number=who.cabin_number,
        movement_no=movement_no,
        device_id=scan.device_id,
        device_seq=scan.device_seq,
        scanned_at=scan.scanned_at,
        offline=scan.offline,
        aboard=aboard,
        replayed=False,
    )


def refusal_message(reason: RefusalReason | None) -> str:
    """The reason as the gangway shows it in red (short: read at arm's length)."""
    messages = {
        RefusalReason.ALREADY_ABOARD: _("Already aboard"),
        RefusalReason.NOT_ABOARD: _("Not aboard"),
        RefusalReason.WRONG_VOYAGE: _("Not this voyage"),
        RefusalReason.WRONG_PORT: _("Boards at another pier"),
        RefusalReason.NOT_YET_VALID: _("Pass not yet valid"),
        RefusalReason.EXPIRED: _("Pass expired"),
        RefusalReason.REVOKED: _("Pass revoked"),
        RefusalReason.FORGED: _("Forged pass"),
        RefusalReason.UNKNOWN: _("Code not recognised"),
        RefusalReason.CANCELLED: _("Booking cancelled"),
    }
    return messages.get(reason, _("Code not recognised")) if reason else ""


def scan_message(
    outcome: ScanOutcome, direction: ScanDirection, reason: RefusalReason | None
) -> str:
    """The headline of an answer: 允许登船 / 允许下船, or the reason."""
    if outcome is ScanOutcome.ACCEPTED:
        if direction is ScanDirection.EMBARK:
            return _("Allowed to board")
        return _("Allowed ashore")
    if outcome is ScanOutcome.CONFLICT:
        return _("Conflict: %(reason)s", reason=refusal_message(reason))
    return refusal_message(reason)
