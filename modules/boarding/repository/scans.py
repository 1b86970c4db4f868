"""SQL of the gangway: scans (append-only), the passenger's movement counter, and the counts
the purser watches (aboard now, per port call, the all-aboard list, the muster)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.exc import IntegrityError

from modules.boarding.models import BoardingVoyage, Passenger, PortCall, Scan, Ship, ShipCabin
from tenants.repository import TenantScopedRepository

DEVICE_SEQ_UNIQUE = "uq_boarding_scans_tenant_id_device_id_device_seq"
MOVEMENT_UNIQUE = "uq_boarding_scans_tenant_id_passenger_id_movement_no"
CANCELLED = "cancelled"
ACCEPTED = "accepted"


def violated(exc: IntegrityError) -> str | None:
    """The name of the constraint an INSERT or UPDATE broke (asyncpg reports it)."""
    cause = getattr(exc.orig, "__cause__", None)
    return getattr(cause, "constraint_name", None) or getattr(exc.orig, "constraint_name", None)


class ScanRepository(TenantScopedRepository):
    async def voyage(self, voyage_id: uuid.UUID) -> BoardingVoyage | None:
        return await self.get(BoardingVoyage, voyage_id)

    async def ship(self, ship_id: uuid.UUID) -> Ship | None:
        return await self.get(Ship, ship_id)

    async def port_calls(self, voyage_id: uuid.UUID) -> Sequence[PortCall]:
        stmt = self.scoped(PortCall).where(PortCall.voyage_id == voyage_id).order_by(PortCall.seq)
        return (await self.db.execute(stmt)).scalars().all()

    async def passenger(self, passenger_id: uuid.UUID) -> Passenger | None:
        """Read afresh: a batch of scans in one transaction moves the same passenger
        several times, and the identity map must not answer with an earlier state."""
        stmt = (
            self.scoped(Passenger)
            .where(Passenger.id == passenger_id)
            .execution_options(populate_existing=True)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def scan_by_device(self, device_id: str, device_seq: int) -> Scan | None:
        stmt = self.scoped(Scan).where(Scan.device_id == device_id, Scan.device_seq == device_seq)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def insert(self, scan: Scan) -> Scan:
        """Write one scan (the caller holds a savepoint: a broken unique key is an answer)."""
        self.add(scan)
        await self.db.flush()
        return scan

    async def move_passenger(self, passenger_id: uuid.UUID, movement_no: int, at: datetime) -> bool:
        """Take the passenger's next movement, only if nobody took it meanwhile and the place
        is not cancelled: false means another gate moved them first."""
        stmt = (
            update(Passenger)
            .where(
                Passenger.tenant_id == self.tenant_id,
                Passenger.id == passenger_id,
                Passenger.movements == movement_no - 1,
                Passenger.status != CANCELLED,
            )
            .values(movements=movement_no, aboard=movement_no % 2 == 1, last_moved_at=at)
            .returning(Passenger.id)
            .execution_options(synchronize_session=False)
        )
        return (await self.db.execute(stmt)).first() is not None

    async def aboard_count(self, voyage_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(
            Passenger.tenant_id == self.tenant_id,
            Passenger.voyage_id == voyage_id,
            Passenger.aboard.is_(True),
        )
        return int(await self.db.scalar(stmt) or 0)

    async def moves_per_call(self, voyage_id: uuid.UUID) -> dict[uuid.UUID, tuple[int, int]]:
        """Accepted boardings and goings ashore at each port call of the voyage."""
        embark = func.count().filter(Scan.direction == "embark")
        disembark = func.count().filter(Scan.direction == "disembark")
        stmt = (
            select(Scan.port_call_id, embark, disembark)
            .where(
                Scan.tenant_id == self.tenant_id,
                Scan.voyage_id == voyage_id,
                Scan.outcome == ACCEPTED,
            )
            .group_by(Scan.port_call_id)
        )
        return {row[0]: (int(row[1]), int(row[2])) for row in await self.db.execute(stmt)}

    async def expected_per_call(self, voyage_id: uuid.UUID) -> dict[uuid.UUID, tuple[int, int]]:
        """Per boarding port call: live passengers booked to board there, and how many of
        them have never boarded yet."""
        never = func.count().filter(Passenger.movements == 0)
        stmt = (
            select(Passenger.boarding_call_id, func.count(), never)
            .where(
                Passenger.tenant_id == self.tenant_id,
                Passenger.voyage_id == voyage_id,
                Passenger.status != CANCELLED,
            )
            .group_by(Passenger.boarding_call_id)
        )
        return {row[0]: (int(row[1]), int(row[2])) for row in await self.db.execute(stmt)}

    async def ashore_from(self, voyage_id: uuid.UUID, port_call_id: uuid.UUID) -> Sequence[Any]:
        """Passengers whose last move was going ashore at this port call: the ones the ship
        must not leave without. Each row: the passenger and the time they went ashore."""
        last_move = and_(
            Scan.tenant_id == Passenger.tenant_id,
            Scan.passenger_id == Passenger.id,
            Scan.movement_no == Passenger.movements,
        )
        stmt = (
            select(Passenger, Scan.scanned_at)
            .join(Scan, last_move)
            .where(
                Passenger.tenant_id == self.tenant_id,
                Passenger.voyage_id == voyage_id,
                Passenger.aboard.is_(False),
                Passenger.movements > 0,
                Passenger.status != CANCELLED,
                Scan.port_call_id == port_call_id,
            )
            .order_by(Passenger.cabin_number, Passenger.name)
        )
        return (await self.db.execute(stmt)).all()

    async def not_yet_boarded(self, voyage_id: uuid.UUID, port_call_id: uuid.UUID) -> Sequence[Any]:
        """Live passengers booked to board at this port call who have not come aboard."""
        stmt = (
            self.scoped(Passenger)
            .where(
                Passenger.voyage_id == voyage_id,
                Passenger.boarding_call_id == port_call_id,
                Passenger.movements == 0,
                Passenger.status != CANCELLED,
            )
            .order_by(Passenger.cabin_number, Passenger.name)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def aboard_by_cabin(self, voyage_id: uuid.UUID, ship_id: uuid.UUID) -> Sequence[Any]:
        """Everyone aboard now with their cabin's deck (from the ship's plan, when the cabin
        is on it): rows of (passenger, deck or None)."""
        cabin = and_(
            ShipCabin.tenant_id == Passenger.tenant_id,
            ShipCabin.ship_id == ship_id,
            ShipCabin.number == Passenger.cabin_number,
        )
        unplanned = case((ShipCabin.deck.is_(None), 1), else_=0)
        stmt = (
            select(Passenger, ShipCabin.deck)
            .outerjoin(ShipCabin, cabin)
            .where(
                Passenger.tenant_id == self.tenant_id,
                Passenger.voyage_id == voyage_id,
                Passenger.aboard.is_(True),
            )
            .order_by(unplanned, ShipCabin.deck, Passenger.cabin_number, Passenger.name)
        )
        return (await self.db.execute(stmt)).all()

    async def recent(self, voyage_id: uuid.UUID, *, limit: int = 20) -> Sequence[Any]:
        """The latest scans at the voyage's gangways, with the passenger's name if known."""
        stmt = (
            select(Scan, Passenger.name, Passenger.cabin_number)
            .outerjoin(
                Passenger,
                and_(Passenger.tenant_id == Scan.tenant_id, Passenger.id == Scan.passenger_id),
            )
            .where(Scan.tenant_id == self.tenant_id, Scan.voyage_id == voyage_id)
            .order_by(Scan.created_at.desc(), Scan.scanned_at.desc())
            .limit(limit)
        )
        return (await self.db.execute(stmt)).all()
