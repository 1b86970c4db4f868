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
    OfflineCheck,
    PassClaims,
    PassengerStatus,
    RefusalReason,
    VerificationKey,
    VoyageStatus,
    decode_pass,
    sign_pass,
    validity_refusal,
    verify_offline,
)
from modules.boarding.models import BoardingPass, BoardingVoyage, Passenger, PortCall
from modules.boarding.repository.passes import PassKeyRepository, PassOnFile, PassRepository
from modules.boarding.service.keys import key_for, signing_key
from tenants.service import record_audit

__all__ = [
    "PASS_GRACE_AFTER_ARRIVAL",
    "PASS_OPENS_BEFORE_BOARDING",
    "IssuedPass",
    "PassCheck",
    "issue_passes",
    "judge_pass",
    "pass_code",
    "revoke_passes",
    "revoked_pass_ids",
    "signed_claims",
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


# The enterprises' public keys by kid, in this process. A kid's public key never changes,
# so nothing here goes stale; how long a key verifies (`verify_until`, set when it is
# retired) is read with the pass. A kid not here (a rotation made a new key, or another
# process did) reloads the enterprise's keys.
_PUBLIC_KEYS: dict[TenantId, dict[str, VerificationKey]] = {}
_MAX_CACHED_ENTERPRISES = 1000


async def _public_keys(
    db: AsyncSession, tenant_id: TenantId, *, reload: bool = False
) -> dict[str, VerificationKey]:
    keys = None if reload else _PUBLIC_KEYS.get(tenant_id)
    if keys is None:
        rows = await PassKeyRepository(db, tenant_id).keys()
        keys = {k.kid: VerificationKey(k.kid, bytes(k.public_key)) for k in rows}
        if len(_PUBLIC_KEYS) >= _MAX_CACHED_ENTERPRISES:
            _PUBLIC_KEYS.clear()
        _PUBLIC_KEYS[tenant_id] = keys
    return keys


async def signed_claims(
    db: AsyncSession, tenant_id: TenantId, code: str, *, at: datetime
) -> OfflineCheck:
    """The claims of a code whose signature holds under one of this enterprise's keys, or
    why not (`unknown`: not a pass, or a key this enterprise never made; `forged`). The
    claims come with any reason the code alone gives; `verify_code` judges them again
    against the pass on file."""
    cached = tenant_id in _PUBLIC_KEYS
    offline = verify_offline(code, (await _public_keys(db, tenant_id)).values(), at=at)
    if offline.reason is RefusalReason.UNKNOWN and cached and decode_pass(code) is not None:
        keys = await _public_keys(db, tenant_id, reload=True)  # a key made since
        offline = verify_offline(code, keys.values(), at=at)
    return offline


def judge_pass(
    claims: PassClaims,
    found: PassOnFile | None,
    *,
    at: datetime,
    voyage_id: uuid.UUID | None = None,
) -> PassCheck:
    """A signed code's claims against the pass on file (see `verify_code`)."""
    if found is None:
        return PassCheck(RefusalReason.UNKNOWN)
    if (found.passenger_id, found.voyage_id, found.kid) != (
        claims.passenger_id,
        claims.voyage_id,
        claims.kid,
    ):
        return PassCheck(RefusalReason.FORGED)
    key = VerificationKey(found.kid, b"", found.key_verify_until)
    reason = _refusal(found, voyage_id) or validity_refusal(
        found.valid_from, found.valid_until, key, at
    )
    return PassCheck(
        reason,
        pass_id=found.pass_id,
        passenger_id=found.passenger_id,
        voyage_id=found.voyage_id,
        port_call_id=found.port_call_id,
        port_code=found.port_code,
        cabin=found.cabin_number,
        passenger_name=found.passenger_name,
        valid_from=found.valid_from,
        valid_until=found.valid_until,
    )


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
    offline = await signed_claims(db, tenant_id, code, at=at)
    if offline.claims is None:
        return PassCheck(offline.reason)
    found = await PassRepository(db, tenant_id).on_file(offline.claims.pass_id)
    return judge_pass(offline.claims, found, at=at, voyage_id=voyage_id)


def _refusal(found: PassOnFile, expected_voyage: uuid.UUID | None) -> RefusalReason | None:
    if expected_voyage is not None and found.voyage_id != expected_voyage:
        return RefusalReason.WRONG_VOYAGE
    if found.revoked_at is not None:
        return RefusalReason.REVOKED
    if (
        found.passenger_status == PassengerStatus.CANCELLED
        or found.voyage_status == VoyageStatus.CANCELLED
    ):
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
