"""Boarding passes: issuing, revoking and checking them.

One live pass per passenger: issuing revokes the passenger's earlier passes, so after a
change of boarding port or of details only the newest code works. A pass is valid from
some hours before its boarding port's window opens until a little after the voyage
arrives: passengers go ashore and re-board at every port call with the same pass.
The code itself is drawn again whenever it is shown (Ed25519 signs the same bytes the
same way), so nothing secret about a pass is stored beside the signing keys.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.base import uuid7
from app.db.engine import TenantId
from app.errors import NotFound
from modules.boarding.domain import (
    PassClaims,
    PassengerStatus,
    RefusalReason,
    VerificationKey,
    VoyageStatus,
    sign_pass,
    validity_refusal,
    verify_offline,
)
from modules.boarding.models import BoardingPass, BoardingVoyage, Passenger, PortCall
from modules.boarding.repository.passes import PassKeyRepository, PassRepository
from modules.boarding.service.keys import key_for, signing_key
from tenants.service import record_audit

__all__ = [
    "PASS_GRACE_AFTER_ARRIVAL",
    "PASS_OPENS_BEFORE_BOARDING",
    "IssuedPass",
    "PassCheck",
    "issue_passes",
    "pass_code",
    "revoke_passes",
    "revoked_pass_ids",
    "verify_code",
]

# A pass works from this long before its port's boarding window opens (passengers queue
# at the pier early) ...
PASS_OPENS_BEFORE_BOARDING = timedelta(hours=6)
# ... until this long after the voyage's scheduled arrival (a late arrival still lets
# everyone ashore through the gangway).
PASS_GRACE_AFTER_ARRIVAL = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class IssuedPass:
    pass_id: uuid.UUID
    passenger_id: uuid.UUID
    voyage_id: uuid.UUID
    port_call_id: uuid.UUID
    kid: str
    code: str
    valid_from: datetime
    valid_until: datetime


@dataclass(frozen=True, slots=True)
class PassCheck:
    """What a scanned code is. `reason` None: a good pass of this enterprise (the gangway
    still judges voyage, port and whether the passenger is aboard). The identifiers are
    filled whenever the code's signature held, so a refusal can still name who it is."""

    reason: RefusalReason | None
    pass_id: uuid.UUID | None = None
    passenger_id: uuid.UUID | None = None
    voyage_id: uuid.UUID | None = None
    port_call_id: uuid.UUID | None = None
    port_code: str = ""
    cabin: str = ""
    passenger_name: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def pass_window(call: PortCall, voyage: BoardingVoyage) -> tuple[datetime, datetime]:
    """When a pass for boarding at `call` works."""
    opens = call.boarding_opens_at or call.arrives_at or voyage.boarding_opens_at
    start = _second(opens - PASS_OPENS_BEFORE_BOARDING)
    end = _second(voyage.arrives_at + PASS_GRACE_AFTER_ARRIVAL)
    return start, max(end, start + timedelta(hours=1))


def _claims(row: BoardingPass, passenger: Passenger, call: PortCall) -> PassClaims:
    return PassClaims(
        kid=row.kid,
        pass_id=row.id,
        voyage_id=row.voyage_id,
        passenger_id=row.passenger_id,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        port_code=call.port_code,
        cabin=passenger.cabin_number,
    )


def _bookable(passenger: Passenger, voyage: BoardingVoyage) -> bool:
    return passenger.status != PassengerStatus.CANCELLED and voyage.status not in (
        VoyageStatus.CANCELLED,
        VoyageStatus.ARRIVED,
    )


async def issue_passes(
    db: AsyncSession, tenant_id: TenantId, passenger_ids: Iterable[uuid.UUID], *, reason: str
) -> list[IssuedPass]:
    """A new pass for each passenger, for the port call they now board at; their earlier
    passes stop working in the same transaction. Cancelled passengers (and those of a
    cancelled or arrived voyage) get none, and lose the ones they had. Another
    enterprise's passenger id is NotFound."""
    ids = list(dict.fromkeys(passenger_ids))
    if not ids:
        return []
    repo = PassRepository(db, tenant_id)
    rows = await repo.boarding_of(ids)
    if len(rows) != len(ids):
        raise NotFound()
    now = clock.now()
    await repo.revoke_live(ids, at=now, reason=reason or "reissued")
    kid, private = await signing_key(db, tenant_id)
    issued: list[IssuedPass] = []
    for passenger, call, voyage in rows:
        if not _bookable(passenger, voyage):
            continue
        start, end = pass_window(call, voyage)
        row = BoardingPass(
            id=uuid7(),
            passenger_id=passenger.id,
            voyage_id=voyage.id,
            port_call_id=call.id,
            kid=kid,
            valid_from=start,
            valid_until=end,
        )
        repo.add(row)
        code = sign_pass(_claims(row, passenger, call), private)
        issued.append(IssuedPass(row.id, passenger.id, voyage.id, call.id, kid, code, start, end))
    await record_audit(
        db,
        tenant_id,
        "boarding.passes_issued",
        subject_type="boarding_voyage",
        subject_id=rows[0][2].id,
        data={"passengers": len(ids), "issued": len(issued), "reason": reason[:300]},
    )
    await db.flush()
    return issued


async def revoke_passes(
    db: AsyncSession, tenant_id: TenantId, passenger_ids: Iterable[uuid.UUID], *, reason: str
) -> int:
    """Stop every live pass of these passengers (a cancelled booking, a passenger taken
    off the manifest); how many were revoked."""
    ids = list(dict.fromkeys(passenger_ids))
    if not ids:
        return 0
    revoked = await PassRepository(db, tenant_id).revoke_live(
        ids, at=clock.now(), reason=reason or "revoked"
    )
    await db.flush()
    return len(revoked)


async def verify_code(
    db: AsyncSession,
    tenant_id: TenantId,
    code: str,
    *,
    at: datetime,
    voyage_id: uuid.UUID | None = None,
) -> PassCheck:
    """Judge a scanned code against this enterprise's keys and passes.

    Refuses, in order: `unknown` (not a pass, or a key or pass this enterprise never
    issued: another enterprise's pass), `forged` (the signature does not hold, or the
    code disagrees with the pass on file), `wrong_voyage` (only when `voyage_id` is
    given), `revoked`, `cancelled` (the booking or the voyage), `not_yet_valid`,
    `expired`. The identifiers are returned with every refusal after the signature held."""
    keys = await PassKeyRepository(db, tenant_id).keys()
    listed = [VerificationKey(k.kid, bytes(k.public_key), k.verify_until) for k in keys]
    offline = verify_offline(code, listed, at=at)
    if offline.claims is None:
        return PassCheck(offline.reason)
    claims = offline.claims
    found = await PassRepository(db, tenant_id).pass_with_passenger(claims.pass_id)
    if found is None:
        return PassCheck(RefusalReason.UNKNOWN)
    row, passenger, call, voyage = found
    if (row.passenger_id, row.voyage_id, row.kid) != (
        claims.passenger_id,
        claims.voyage_id,
        claims.kid,
    ):
        return PassCheck(RefusalReason.FORGED)
    key = next(k for k in listed if k.kid == row.kid)
    reason = _refusal(row, passenger, voyage, voyage_id) or validity_refusal(
        row.valid_from, row.valid_until, key, at
    )
    return PassCheck(
        reason,
        pass_id=row.id,
        passenger_id=passenger.id,
        voyage_id=row.voyage_id,
        port_call_id=row.port_call_id,
        port_code=call.port_code,
        cabin=passenger.cabin_number,
        passenger_name=passenger.name,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
    )


def _refusal(
    row: BoardingPass,
    passenger: Passenger,
    voyage: BoardingVoyage,
    expected_voyage: uuid.UUID | None,
) -> RefusalReason | None:
    if expected_voyage is not None and row.voyage_id != expected_voyage:
        return RefusalReason.WRONG_VOYAGE
    if row.revoked_at is not None:
        return RefusalReason.REVOKED
    if passenger.status == PassengerStatus.CANCELLED or voyage.status == VoyageStatus.CANCELLED:
        return RefusalReason.CANCELLED
    return None


async def pass_code(db: AsyncSession, tenant_id: TenantId, pass_id: uuid.UUID) -> str:
    """The code of an issued pass, drawn again with the key that signed it."""
    found = await PassRepository(db, tenant_id).pass_with_passenger(pass_id)
    if found is None:
        raise NotFound()
    row, passenger, call, _voyage = found
    private = await key_for(db, tenant_id, row.kid)
    if private is None:
        raise NotFound()
    return sign_pass(_claims(row, passenger, call), private)


async def revoked_pass_ids(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> list[uuid.UUID]:
    """Every revoked pass of a voyage (for a gate's offline pack)."""
    return list(await PassRepository(db, tenant_id).revoked_pass_ids(voyage_id))
