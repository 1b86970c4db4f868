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

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
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
from modules.boarding.models import BoardingVoyage, Passenger, PortCall, Scan
from modules.boarding.repository.scans import (
    DEVICE_SEQ_UNIQUE,
    MOVEMENT_UNIQUE,
    ScanRepository,
    violated,
)
from modules.boarding.service.passes import PassCheck, verify_code

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
    """The passenger as the answer names them (read before any savepoint is rolled back)."""

    name: str = ""
    cabin_number: str = ""


@dataclass(frozen=True, slots=True)
class _Verdict:
    passenger: Passenger | None
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
    device sent another code or direction under the same sequence number."""
    move = _direction(direction)
    code = _code(code)
    _device(device_id, device_seq)
    repo = ScanRepository(db, tid)
    voyage = await repo.voyage(voyage_id)
    if voyage is None:
        raise NotFound()
    now = clock.now()
    at = scanned_at or now
    call = _port_call(await repo.port_calls(voyage.id), port_call_id, at)
    digest = hashlib.sha256(code.encode()).digest()
    earlier = await repo.scan_by_device(device_id, device_seq)
    if earlier is not None:
        return await _replay(repo, earlier, digest=digest, direction=move, voyage_id=voyage.id)
    verdict = await _judge(db, tid, repo, code, voyage, call, move, at if offline else now)
    scan = Scan(
        voyage_id=voyage.id,
        port_call_id=call.id,
        passenger_id=verdict.passenger.id if verdict.passenger else None,
        pass_id=verdict.pass_id,
        direction=move.value,
        device_id=device_id,
        device_seq=device_seq,
        scanned_at=at,
        offline=offline,
        code_digest=digest,
        by_user_id=actor.user_id,
    )
    return await _write(repo, scan, verdict)


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


def _port_call(calls: Sequence[PortCall], port_call_id: uuid.UUID | None, at: datetime) -> PortCall:
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


async def _judge(
    db: AsyncSession,
    tid: TenantId,
    repo: ScanRepository,
    code: str,
    voyage: BoardingVoyage,
    call: PortCall,
    move: ScanDirection,
    at: datetime,
) -> _Verdict:
    check = await verify(db, tid, code, at, voyage.id)
    passenger = await repo.passenger(check.passenger_id) if check.passenger_id else None
    if check.reason is not None:
        return _Verdict(passenger, check.pass_id, check.reason)
    if passenger is None:
        return _Verdict(None, check.pass_id, RefusalReason.UNKNOWN)
    return _Verdict(passenger, check.pass_id, _refusal(passenger, voyage, call, move))


def _refusal(
    passenger: Passenger, voyage: BoardingVoyage, call: PortCall, move: ScanDirection
) -> RefusalReason | None:
    """Why this passenger may not make this move here, or None. The first boarding must be
    at the passenger's boarding port; after a going ashore they come back at any call."""
    if passenger.voyage_id != voyage.id:
        return RefusalReason.WRONG_VOYAGE
    if passenger.status == PassengerStatus.CANCELLED or voyage.status == VoyageStatus.CANCELLED:
        return RefusalReason.CANCELLED
    if move is ScanDirection.EMBARK:
        if passenger.aboard:
            return RefusalReason.ALREADY_ABOARD
        if passenger.movements == 0 and passenger.boarding_call_id != call.id:
            return RefusalReason.WRONG_PORT
        return None
    return None if passenger.aboard else RefusalReason.NOT_ABOARD


class _Overtaken(Exception):
    """Another gate moved the passenger between our read and our update."""


async def _write(repo: ScanRepository, scan: Scan, verdict: _Verdict) -> ScanResult:
    passenger = verdict.passenger
    who = _Who(passenger.name, passenger.cabin_number) if passenger else _Who()
    reason = verdict.reason
    if reason is None and passenger is not None:
        movement_no = passenger.movements + 1
        try:
            async with repo.db.begin_nested():
                scan.outcome, scan.movement_no = ScanOutcome.ACCEPTED.value, movement_no
                await repo.insert(scan)
                if not await repo.move_passenger(passenger.id, movement_no, scan.scanned_at):
                    raise _Overtaken()
            return await _result(repo, scan, who)
        except IntegrityError as exc:
            broken = violated(exc)
            if broken == DEVICE_SEQ_UNIQUE:
                return await _replay_raced(repo, scan)
            if broken != MOVEMENT_UNIQUE:
                raise
        except _Overtaken:
            pass
        reason = (
            RefusalReason.ALREADY_ABOARD
            if scan.direction == ScanDirection.EMBARK
            else RefusalReason.NOT_ABOARD
        )
    return await _refuse(repo, scan, who, reason or RefusalReason.UNKNOWN)


async def _refuse(repo: ScanRepository, scan: Scan, who: _Who, reason: RefusalReason) -> ScanResult:
    conflict = scan.offline and reason in STATE_REASONS
    refused = Scan(
        voyage_id=scan.voyage_id,
        port_call_id=scan.port_call_id,
        passenger_id=scan.passenger_id,
        pass_id=scan.pass_id,
        direction=scan.direction,
        device_id=scan.device_id,
        device_seq=scan.device_seq,
        scanned_at=scan.scanned_at,
        offline=scan.offline,
        code_digest=scan.code_digest,
        by_user_id=scan.by_user_id,
        outcome=(ScanOutcome.CONFLICT if conflict else ScanOutcome.REFUSED).value,
        reason=reason.value,
        movement_no=None,
    )
    try:
        async with repo.db.begin_nested():
            await repo.insert(refused)
    except IntegrityError as exc:
        if violated(exc) != DEVICE_SEQ_UNIQUE:
            raise
        return await _replay_raced(repo, refused)
    return await _result(repo, refused, who)


async def _replay_raced(repo: ScanRepository, scan: Scan) -> ScanResult:
    """The same device sequence number arrived twice at once: the one written first is
    the answer to both (or a conflict when they differ)."""
    earlier = await repo.scan_by_device(scan.device_id, scan.device_seq)
    if earlier is None:  # pragma: no cover - the unique key named it
        raise DeviceSequenceReused()
    return await _replay(
        repo,
        earlier,
        digest=scan.code_digest,
        direction=ScanDirection(scan.direction),
        voyage_id=scan.voyage_id,
    )


async def _replay(
    repo: ScanRepository,
    earlier: Scan,
    *,
    digest: bytes | None,
    direction: ScanDirection,
    voyage_id: uuid.UUID | None,
) -> ScanResult:
    same = (
        earlier.code_digest == digest
        and earlier.direction == direction.value
        and earlier.voyage_id == voyage_id
    )
    if not same:
        raise DeviceSequenceReused()
    passenger = await repo.passenger(earlier.passenger_id) if earlier.passenger_id else None
    who = _Who(passenger.name, passenger.cabin_number) if passenger else _Who()
    return await _result(repo, earlier, who, replayed=True)


async def _result(
    repo: ScanRepository, scan: Scan, who: _Who, *, replayed: bool = False
) -> ScanResult:
    aboard = await repo.aboard_count(scan.voyage_id) if scan.voyage_id else 0
    return ScanResult(
        scan_id=scan.id,
        outcome=ScanOutcome(scan.outcome),
        reason=RefusalReason(scan.reason) if scan.reason else None,
        direction=ScanDirection(scan.direction),
        voyage_id=scan.voyage_id,
        port_call_id=scan.port_call_id,
        passenger_id=scan.passenger_id,
        passenger_name=who.name,
        cabin_number=who.cabin_number,
        movement_no=scan.movement_no,
        device_id=scan.device_id,
        device_seq=scan.device_seq,
        scanned_at=scan.scanned_at,
        offline=scan.offline,
        aboard=aboard,
        replayed=replayed,
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
