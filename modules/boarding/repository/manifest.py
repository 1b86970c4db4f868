"""SQL of the manifest: a voyage's passengers and port calls, the change log (append-only),
counts per boarding port, and the moves of a low-water change of boarding port."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.orm import aliased

from modules.boarding.domain import PassengerStatus
from modules.boarding.models import (
    BoardingPass,
    BoardingVoyage,
    ManifestChange,
    Passenger,
    PortCall,
    Ship,
)
from tenants.models import User
from tenants.repository import TenantScopedRepository

CallCounts = tuple[uuid.UUID, int, int, int]
LIVE = (PassengerStatus.BOOKED, PassengerStatus.CHECKED_IN)
# Seats a port call while the calls after it are renumbered (seq is unique per voyage).
_SEQ_SHIFT = 1000


class ManifestRepository(TenantScopedRepository):
    # Voyage and calls -------------------------------------------------------------------

    async def voyage(self, voyage_id: uuid.UUID, *, lock: bool = False) -> BoardingVoyage | None:
        stmt = self.scoped(BoardingVoyage).where(BoardingVoyage.id == voyage_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def ship_name(self, ship_id: uuid.UUID) -> str:
        stmt = select(Ship.name).where(Ship.tenant_id == self.tenant_id, Ship.id == ship_id)
        return (await self.db.execute(stmt)).scalar_one_or_none() or ""

    async def calls(self, voyage_id: uuid.UUID) -> Sequence[PortCall]:
        stmt = self.scoped(PortCall).where(PortCall.voyage_id == voyage_id).order_by(PortCall.seq)
        return (await self.db.execute(stmt)).scalars().all()

    async def make_room_after(self, voyage_id: uuid.UUID, seq: int) -> None:
        """Renumber the calls after `seq` one up, in two steps (seq is unique per voyage)."""
        later = and_(
            PortCall.tenant_id == self.tenant_id,
            PortCall.voyage_id == voyage_id,
            PortCall.seq > seq,
        )
        await self.db.execute(update(PortCall).where(later).values(seq=PortCall.seq + _SEQ_SHIFT))
        shifted = and_(
            PortCall.tenant_id == self.tenant_id,
            PortCall.voyage_id == voyage_id,
            PortCall.seq > seq + _SEQ_SHIFT,
        )
        await self.db.execute(
            update(PortCall).where(shifted).values(seq=PortCall.seq - _SEQ_SHIFT + 1)
        )

    async def add_call(self, call: PortCall) -> PortCall:
        self.add(call)
        await self.db.flush()
        return call

    # Passengers -------------------------------------------------------------------------

    async def passengers(
        self,
        voyage_id: uuid.UUID,
        *,
        call_id: uuid.UUID | None = None,
        cabin: str = "",
        not_aboard: bool = False,
        q: str = "",
        live_only: bool = False,
    ) -> Sequence[Passenger]:
        """By cabin, the lead first. `q` finds a name, phone or the end of an ID number."""
        stmt = self.scoped(Passenger).where(Passenger.voyage_id == voyage_id)
        if call_id is not None:
            stmt = stmt.where(Passenger.boarding_call_id == call_id)
        if cabin:
            stmt = stmt.where(Passenger.cabin_number == cabin)
        if not_aboard:
            stmt = stmt.where(Passenger.aboard.is_(False), Passenger.status.in_(LIVE))
        if live_only:
            stmt = stmt.where(Passenger.status.in_(LIVE))
        if q:
            like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            stmt = stmt.where(
                or_(
                    Passenger.name.ilike(like),
                    Passenger.phone.like(like),
                    Passenger.id_number.ilike(like),
                    Passenger.cabin_number.ilike(like),
                )
            )
        stmt = stmt.order_by(
            Passenger.cabin_number, Passenger.is_lead.desc(), Passenger.birth_date, Passenger.id
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def passenger(self, passenger_id: uuid.UUID, *, lock: bool = False) -> Passenger | None:
        stmt = self.scoped(Passenger).where(Passenger.id == passenger_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def lock_passengers(
        self, voyage_id: uuid.UUID, ids: Sequence[uuid.UUID] | None
    ) -> Sequence[Passenger]:
        """The voyage's live passengers (or those of `ids`), locked, in id order."""
        stmt = self.scoped(Passenger).where(
            Passenger.voyage_id == voyage_id, Passenger.status.in_(LIVE)
        )
        if ids is not None:
            stmt = stmt.where(Passenger.id.in_(ids))
        stmt = stmt.order_by(Passenger.id).with_for_update()
        return (await self.db.execute(stmt)).scalars().all()

    async def leads(self, reservation_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The lead passenger's phone of each booking: where a child's message goes."""
        stmt = select(Passenger.reservation_id, Passenger.phone).where(
            Passenger.tenant_id == self.tenant_id,
            Passenger.reservation_id.in_(reservation_ids),
            Passenger.is_lead.is_(True),
            Passenger.phone != "",
        )
        return {r.reservation_id: r.phone for r in (await self.db.execute(stmt)).all()}

    async def id_taken(
        self, voyage_id: uuid.UUID, id_type: str, id_number: str, *, other_than: uuid.UUID
    ) -> bool:
        stmt = select(func.count()).where(
            Passenger.tenant_id == self.tenant_id,
            Passenger.voyage_id == voyage_id,
            Passenger.id_type == id_type,
            Passenger.id_number == id_number,
            Passenger.status.in_(LIVE),
            Passenger.id != other_than,
        )
        return bool((await self.db.execute(stmt)).scalar_one())

    async def cabin_occupancy(self, voyage_id: uuid.UUID) -> dict[uuid.UUID, int]:
        stmt = (
            select(Passenger.unit_id, func.count())
            .where(
                Passenger.tenant_id == self.tenant_id,
                Passenger.voyage_id == voyage_id,
                Passenger.status.in_(LIVE),
                Passenger.unit_id.is_not(None),
            )
            .group_by(Passenger.unit_id)
        )
        return {r[0]: int(r[1]) for r in (await self.db.execute(stmt)).all()}

    async def counts_by_call(
        self, voyage_id: uuid.UUID
    ) -> Sequence[Row[tuple[uuid.UUID, int, int, int]]]:
        """Per boarding call: live passengers, those pre-checked-in, those aboard."""
        stmt = (
            select(
                Passenger.boarding_call_id,
                func.count(),
                func.count().filter(Passenger.status == PassengerStatus.CHECKED_IN),
                func.count().filter(Passenger.aboard.is_(True)),
            )
            .where(
                Passenger.tenant_id == self.tenant_id,
                Passenger.voyage_id == voyage_id,
                Passenger.status.in_(LIVE),
            )
            .group_by(Passenger.boarding_call_id)
        )
        return (await self.db.execute(stmt)).all()

    async def total(self, voyage_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(
            Passenger.tenant_id == self.tenant_id, Passenger.voyage_id == voyage_id
        )
        return int((await self.db.execute(stmt)).scalar_one())

    async def move_to_call(
        self, ids: Sequence[uuid.UUID], call_id: uuid.UUID, *, now: datetime
    ) -> None:
        await self.db.execute(
            update(Passenger)
            .where(Passenger.tenant_id == self.tenant_id, Passenger.id.in_(ids))
            .values(boarding_call_id=call_id, updated_at=now)
        )

    async def boards_at(self, voyage_id: uuid.UUID, call_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(
            Passenger.tenant_id == self.tenant_id,
            Passenger.voyage_id == voyage_id,
            Passenger.boarding_call_id == call_id,
            Passenger.status.in_(LIVE),
        )
        return int((await self.db.execute(stmt)).scalar_one())

    # Passes -----------------------------------------------------------------------------

    async def live_pass_holders(self, ids: Sequence[uuid.UUID], *, at: datetime) -> set[uuid.UUID]:
        """Passengers among `ids` holding a pass that still works."""
        stmt = select(BoardingPass.passenger_id).where(
            BoardingPass.tenant_id == self.tenant_id,
            BoardingPass.passenger_id.in_(ids),
            BoardingPass.revoked_at.is_(None),
            BoardingPass.valid_until > at,
        )
        return set((await self.db.execute(stmt)).scalars().all())

    # Change log -------------------------------------------------------------------------

    def add_change(self, change: ManifestChange) -> None:
        self.add(change)

    async def changes(
        self, voyage_id: uuid.UUID, *, passenger_id: uuid.UUID | None = None, limit: int = 500
    ) -> Sequence[Row[tuple[ManifestChange, str | None, str | None]]]:
        """Newest first, with the passenger's name and who made the change."""
        person = aliased(Passenger)
        stmt = (
            select(ManifestChange, person.name, User.display_name)
            .outerjoin(
                person,
                and_(
                    person.tenant_id == ManifestChange.tenant_id,
                    person.id == ManifestChange.passenger_id,
                ),
            )
            .outerjoin(User, User.id == ManifestChange.by_user_id)
            .where(
                ManifestChange.tenant_id == self.tenant_id,
                ManifestChange.voyage_id == voyage_id,
            )
            .order_by(ManifestChange.created_at.desc(), ManifestChange.id.desc())
            .limit(limit)
        )
        if passenger_id is not None:
            stmt = stmt.where(ManifestChange.passenger_id == passenger_id)
        return (await self.db.execute(stmt)).all()  # type: ignore[return-value]


__all__ = ["LIVE", "ManifestRepository"]
