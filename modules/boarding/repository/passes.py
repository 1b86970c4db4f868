"""SQL of pass signing keys and boarding passes.

Signing and rotating meet on one advisory lock per enterprise: issuing passes holds it
shared, rotating holds it exclusively, so a rotation sees every pass the old key signed
before it fixes how long that key verifies.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update

from modules.boarding.models import BoardingPass, BoardingVoyage, Passenger, PassKey, PortCall
from tenants.repository import TenantScopedRepository

_KEYS_SHARED = text("SELECT pg_advisory_xact_lock_shared(hashtext('boarding_pass_keys:' || :t))")
_KEYS_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(hashtext('boarding_pass_keys:' || :t))")


@dataclass(frozen=True, slots=True)
class PassOnFile:
    """What the gangway checks a signed code against: the pass as issued, its passenger,
    boarding port and voyage as they stand, and how long its key verifies."""

    pass_id: uuid.UUID
    passenger_id: uuid.UUID
    voyage_id: uuid.UUID
    port_call_id: uuid.UUID
    kid: str
    valid_from: datetime
    valid_until: datetime
    revoked_at: datetime | None
    port_code: str
    passenger_voyage_id: uuid.UUID
    passenger_status: str
    passenger_name: str
    cabin_number: str
    aboard: bool
    movements: int
    boarding_call_id: uuid.UUID
    voyage_status: str
    key_verify_until: datetime | None


# The columns of a `PassOnFile`, in its order, from `boarding_passes b` joined with its
# passenger `p`, port call `bc`, voyage `bv` and key `k` (the gangway reads them in its
# one statement too: repository/scans.py).
ON_FILE_COLUMNS = """
    b.id AS pass_id, b.passenger_id, b.voyage_id, b.port_call_id, b.kid, b.valid_from,
    b.valid_until, b.revoked_at, bc.port_code, p.voyage_id AS passenger_voyage_id,
    p.status AS passenger_status, p.name AS passenger_name, p.cabin_number, p.aboard,
    p.movements, p.boarding_call_id, bv.status AS voyage_status,
    k.verify_until AS key_verify_until"""
ON_FILE_JOINS = """
    JOIN passengers p ON p.tenant_id = b.tenant_id AND p.id = b.passenger_id
    JOIN boarding_port_calls bc ON bc.tenant_id = b.tenant_id AND bc.id = b.port_call_id
    JOIN boarding_voyages bv ON bv.tenant_id = b.tenant_id AND bv.id = b.voyage_id
    LEFT JOIN boarding_pass_keys k ON k.tenant_id = b.tenant_id AND k.kid = b.kid"""
_ON_FILE = text(
    f"SELECT {ON_FILE_COLUMNS} FROM boarding_passes b {ON_FILE_JOINS}"
    " WHERE b.tenant_id = :t AND b.id = :pass_id"
)


def pass_on_file(row: Any) -> PassOnFile | None:
    """A `PassOnFile` from a row holding its columns (None when the pass was not found)."""
    if row["pass_id"] is None:
        return None
    return PassOnFile(*(row[name] for name in PassOnFile.__slots__))


class PassKeyRepository(TenantScopedRepository):
    async def lock_shared(self) -> None:
        await self.db.execute(_KEYS_SHARED, {"t": str(self.tenant_id)})

    async def lock_exclusive(self) -> None:
        await self.db.execute(_KEYS_EXCLUSIVE, {"t": str(self.tenant_id)})

    async def keys(self) -> Sequence[PassKey]:
        """Newest first."""
        stmt = self.scoped(PassKey).order_by(PassKey.created_at.desc(), PassKey.id.desc())
        return (await self.db.execute(stmt)).scalars().all()

    async def signing_key(self) -> PassKey | None:
        """The newest key not retired: the one that signs new passes."""
        stmt = (
            self.scoped(PassKey)
            .where(PassKey.retired_at.is_(None))
            .order_by(PassKey.created_at.desc(), PassKey.id.desc())
            .limit(1)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def by_kid(self, kid: str) -> PassKey | None:
        stmt = self.scoped(PassKey).where(PassKey.kid == kid)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def live_keys(self, at: datetime) -> Sequence[PassKey]:
        """Keys that still verify at `at` (the signing key, and retired keys until their
        passes have expired)."""
        stmt = (
            self.scoped(PassKey)
            .where((PassKey.verify_until.is_(None)) | (PassKey.verify_until > at))
            .order_by(PassKey.created_at.desc(), PassKey.id.desc())
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def last_expiry(self, kid: str) -> datetime | None:
        """When the last pass signed by `kid` expires (revoked ones included: a gate
        must still be able to say "revoked" rather than "forged")."""
        stmt = select(func.max(BoardingPass.valid_until)).where(
            BoardingPass.tenant_id == self.tenant_id, BoardingPass.kid == kid
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def passes_signed(self, kids: Iterable[str]) -> dict[str, int]:
        stmt = (
            select(BoardingPass.kid, func.count())
            .where(BoardingPass.tenant_id == self.tenant_id, BoardingPass.kid.in_(list(kids)))
            .group_by(BoardingPass.kid)
        )
        return {kid: n for kid, n in (await self.db.execute(stmt)).all()}


class PassRepository(TenantScopedRepository):
    async def boarding_of(
        self, passenger_ids: Iterable[uuid.UUID]
    ) -> Sequence[tuple[Passenger, PortCall, BoardingVoyage]]:
        """Each passenger with the port call they board at and their voyage, locked: a
        pass is issued from the passenger's row as it stands when it is signed."""
        stmt = (
            select(Passenger, PortCall, BoardingVoyage)
            .join(
                PortCall,
                (PortCall.tenant_id == Passenger.tenant_id)
                & (PortCall.id == Passenger.boarding_call_id),
            )
            .join(
                BoardingVoyage,
                (BoardingVoyage.tenant_id == Passenger.tenant_id)
                & (BoardingVoyage.id == Passenger.voyage_id),
            )
            .where(Passenger.tenant_id == self.tenant_id, Passenger.id.in_(list(passenger_ids)))
            .order_by(Passenger.id)
            .with_for_update(of=Passenger)
        )
        return [tuple(row) for row in (await self.db.execute(stmt)).all()]

    async def revoke_live(
        self, passenger_ids: Iterable[uuid.UUID], *, at: datetime, reason: str
    ) -> list[uuid.UUID]:
        """Revoke every live pass of these passengers; the ids of the passes revoked."""
        stmt = (
            update(BoardingPass)
            .where(
                BoardingPass.tenant_id == self.tenant_id,
                BoardingPass.passenger_id.in_(list(passenger_ids)),
                BoardingPass.revoked_at.is_(None),
            )
            .values(revoked_at=at, revoke_reason=reason[:300])
            .returning(BoardingPass.id)
        )
        return list((await self.db.execute(stmt)).scalars().all())

    async def pass_with_passenger(
        self, pass_id: uuid.UUID
    ) -> tuple[BoardingPass, Passenger, PortCall, BoardingVoyage] | None:
        stmt = (
            select(BoardingPass, Passenger, PortCall, BoardingVoyage)
            .join(
                Passenger,
                (Passenger.tenant_id == BoardingPass.tenant_id)
                & (Passenger.id == BoardingPass.passenger_id),
            )
            .join(
                PortCall,
                (PortCall.tenant_id == BoardingPass.tenant_id)
                & (PortCall.id == BoardingPass.port_call_id),
            )
            .join(
                BoardingVoyage,
                (BoardingVoyage.tenant_id == BoardingPass.tenant_id)
                & (BoardingVoyage.id == BoardingPass.voyage_id),
            )
            .where(BoardingPass.tenant_id == self.tenant_id, BoardingPass.id == pass_id)
        )
        row = (await self.db.execute(stmt)).one_or_none()
        return tuple(row) if row is not None else None

    async def on_file(self, pass_id: uuid.UUID) -> PassOnFile | None:
        """The pass with what a scan checks it against, in one statement."""
        found = await self.db.execute(_ON_FILE, {"t": self.tenant_id, "pass_id": pass_id})
        row = found.mappings().first()
        return pass_on_file(row) if row is not None else None

    async def live_passes(
        self, passenger_ids: Iterable[uuid.UUID]
    ) -> Sequence[tuple[BoardingPass, Passenger, PortCall]]:
        """The passes that work (not revoked) of these passengers, in the passengers' order
        on the booking (lead first)."""
        stmt = (
            select(BoardingPass, Passenger, PortCall)
            .join(
                Passenger,
                (Passenger.tenant_id == BoardingPass.tenant_id)
                & (Passenger.id == BoardingPass.passenger_id),
            )
            .join(
                PortCall,
                (PortCall.tenant_id == BoardingPass.tenant_id)
                & (PortCall.id == BoardingPass.port_call_id),
            )
            .where(
                BoardingPass.tenant_id == self.tenant_id,
                BoardingPass.passenger_id.in_(list(passenger_ids)),
                BoardingPass.revoked_at.is_(None),
            )
            .order_by(Passenger.is_lead.desc(), Passenger.created_at, Passenger.id)
        )
        return [tuple(row) for row in (await self.db.execute(stmt)).all()]

    async def passengers_of_reservation(self, reservation_id: uuid.UUID) -> Sequence[Passenger]:
        stmt = (
            self.scoped(Passenger)
            .where(Passenger.reservation_id == reservation_id)
            .order_by(Passenger.is_lead.desc(), Passenger.created_at, Passenger.id)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def passengers_of_cabin(self, unit_id: uuid.UUID) -> Sequence[Passenger]:
        """The passengers booked in a cabin (a voyage's unit), not cancelled."""
        stmt = (
            self.scoped(Passenger)
            .where(Passenger.unit_id == unit_id, Passenger.status != "cancelled")
            .order_by(Passenger.is_lead.desc(), Passenger.created_at, Passenger.id)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def voyage(self, voyage_id: uuid.UUID) -> BoardingVoyage | None:
        return await self.get(BoardingVoyage, voyage_id)

    async def revoked_pass_ids(self, voyage_id: uuid.UUID) -> Sequence[uuid.UUID]:
        stmt = select(BoardingPass.id).where(
            BoardingPass.tenant_id == self.tenant_id,
            BoardingPass.voyage_id == voyage_id,
            BoardingPass.revoked_at.is_not(None),
        )
        return (await self.db.execute(stmt)).scalars().all()
