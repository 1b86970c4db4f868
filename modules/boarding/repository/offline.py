"""SQL of the offline gate: what goes into a voyage's offline pack, and the lock that makes
one device's batches apply one after the other."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from modules.boarding.models import BoardingPass, BoardingVoyage, Passenger, PortCall, Ship
from tenants.repository import TenantScopedRepository

CANCELLED = "cancelled"


class OfflineRepository(TenantScopedRepository):
    async def voyage(self, voyage_id: uuid.UUID) -> BoardingVoyage | None:
        return await self.get(BoardingVoyage, voyage_id)

    async def ship_name(self, ship_id: uuid.UUID) -> str:
        ship = await self.get(Ship, ship_id)
        return ship.name if ship else ""

    async def port_calls(self, voyage_id: uuid.UUID) -> Sequence[PortCall]:
        stmt = self.scoped(PortCall).where(PortCall.voyage_id == voyage_id).order_by(PortCall.seq)
        return (await self.db.execute(stmt)).scalars().all()

    async def live_passes(self, voyage_id: uuid.UUID, at: datetime) -> Sequence[Any]:
        """The voyage's passes a gate may still let through: not revoked, not expired, of a
        passenger whose place is not cancelled. Rows of (pass, passenger)."""
        stmt = (
            select(BoardingPass, Passenger)
            .join(
                Passenger,
                (Passenger.tenant_id == BoardingPass.tenant_id)
                & (Passenger.id == BoardingPass.passenger_id),
            )
            .where(
                BoardingPass.tenant_id == self.tenant_id,
                BoardingPass.voyage_id == voyage_id,
                BoardingPass.revoked_at.is_(None),
                BoardingPass.valid_until > at,
                Passenger.status != CANCELLED,
            )
            .order_by(Passenger.cabin_number, Passenger.name, BoardingPass.id)
        )
        return (await self.db.execute(stmt)).all()

    async def revoked_passes(self, voyage_id: uuid.UUID, at: datetime) -> Sequence[Any]:
        """Revoked passes of the voyage that would otherwise still be valid (an expired one
        is refused by its own dates), and passes of cancelled places. Rows of (id, when)."""
        stmt = (
            select(BoardingPass.id, func.coalesce(BoardingPass.revoked_at, Passenger.updated_at))
            .join(
                Passenger,
                (Passenger.tenant_id == BoardingPass.tenant_id)
                & (Passenger.id == BoardingPass.passenger_id),
            )
            .where(
                BoardingPass.tenant_id == self.tenant_id,
                BoardingPass.voyage_id == voyage_id,
                BoardingPass.valid_until > at,
                BoardingPass.revoked_at.is_not(None) | (Passenger.status == CANCELLED),
            )
            .order_by(BoardingPass.id)
        )
        return (await self.db.execute(stmt)).all()

    async def aboard_count(self, voyage_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(
            Passenger.tenant_id == self.tenant_id,
            Passenger.voyage_id == voyage_id,
            Passenger.aboard.is_(True),
        )
        return int(await self.db.scalar(stmt) or 0)

    async def lock_device(self, device_id: str) -> None:
        """Hold the device's lock until the transaction ends: two uploads of one device's
        queue (a retry while the first is still running) apply one after the other, so its
        scans are judged in the device's order and each once."""
        key = func.hashtextextended(f"boarding-device:{self.tenant_id}:{device_id}", 0)
        await self.db.execute(select(func.pg_advisory_xact_lock(key)))
