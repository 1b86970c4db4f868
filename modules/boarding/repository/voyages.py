"""SQL of ships and their cabin plans, voyages as the purser runs them, port calls and crew."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update

from modules.boarding.models import BoardingVoyage, CrewMember, PortCall, Ship, ShipCabin
from tenants.repository import TenantScopedRepository


class VoyagesRepository(TenantScopedRepository):
    # Ships ------------------------------------------------------------------------------
    async def ships(self) -> Sequence[Row[Any]]:
        """Ships with their cabin and berth counts, by name."""
        cabins = (
            select(
                ShipCabin.ship_id,
                func.count().label("cabins"),
                func.coalesce(func.sum(ShipCabin.berths), 0).label("berths"),
            )
            .where(ShipCabin.tenant_id == self.tenant_id)
            .group_by(ShipCabin.ship_id)
            .subquery()
        )
        stmt = (
            select(
                Ship,
                func.coalesce(cabins.c.cabins, 0).label("cabins"),
                func.coalesce(cabins.c.berths, 0).label("berths"),
            )
            .outerjoin(cabins, cabins.c.ship_id == Ship.id)
            .where(Ship.tenant_id == self.tenant_id)
            .order_by(Ship.name, Ship.code)
        )
        return (await self.db.execute(stmt)).all()

    async def ship(self, ship_id: uuid.UUID) -> Ship | None:
        return await self.get(Ship, ship_id)

    async def ship_by_code(self, code: str) -> Ship | None:
        stmt = self.scoped(Ship).where(Ship.code == code)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def cabins(self, ship_id: uuid.UUID) -> Sequence[ShipCabin]:
        stmt = (
            self.scoped(ShipCabin)
            .where(ShipCabin.ship_id == ship_id)
            .order_by(ShipCabin.deck, ShipCabin.number)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def cabin_numbers(self, ship_id: uuid.UUID) -> set[str]:
        stmt = select(ShipCabin.number).where(
            ShipCabin.tenant_id == self.tenant_id, ShipCabin.ship_id == ship_id
        )
        return set((await self.db.execute(stmt)).scalars().all())

    # Voyages ----------------------------------------------------------------------------
    def _voyages(self) -> Any:
        return (
            select(BoardingVoyage, Ship.code.label("ship_code"), Ship.name.label("ship_name"))
            .join(Ship, (Ship.id == BoardingVoyage.ship_id)
                  & (Ship.tenant_id == BoardingVoyage.tenant_id))
            .where(BoardingVoyage.tenant_id == self.tenant_id)
        )  # fmt: skip

    async def voyage(self, voyage_id: uuid.UUID, *, lock: bool = False) -> Row[Any] | None:
        stmt = self._voyages().where(BoardingVoyage.id == voyage_id)
        if lock:
            stmt = stmt.with_for_update(of=BoardingVoyage)
        return (await self.db.execute(stmt)).one_or_none()

    async def voyages(
        self,
        *,
        sails_from: datetime | None = None,
        sails_until: datetime | None = None,
        statuses: Sequence[str] = (),
        ship_id: uuid.UUID | None = None,
        limit: int = 200,
    ) -> Sequence[Row[Any]]:
        stmt = self._voyages()
        if sails_from is not None:
            stmt = stmt.where(BoardingVoyage.sails_at >= sails_from)
        if sails_until is not None:
            stmt = stmt.where(BoardingVoyage.sails_at < sails_until)
        if statuses:
            stmt = stmt.where(BoardingVoyage.status.in_(list(statuses)))
        if ship_id is not None:
            stmt = stmt.where(BoardingVoyage.ship_id == ship_id)
        stmt = stmt.order_by(BoardingVoyage.sails_at, BoardingVoyage.number).limit(limit)
        return (await self.db.execute(stmt)).all()

    async def ship_busy(self, ship_id: uuid.UUID, starts: datetime, ends: datetime) -> bool:
        """Whether the ship already has a voyage (not cancelled) overlapping these times."""
        stmt = select(func.count()).where(
            BoardingVoyage.tenant_id == self.tenant_id,
            BoardingVoyage.ship_id == ship_id,
            BoardingVoyage.status != "cancelled",
            BoardingVoyage.boarding_opens_at < ends,
            BoardingVoyage.arrives_at > starts,
        )
        return bool((await self.db.execute(stmt)).scalar_one())

    async def numbers_like(self, stem: str) -> set[str]:
        stmt = select(BoardingVoyage.number).where(
            BoardingVoyage.tenant_id == self.tenant_id, BoardingVoyage.number.startswith(stem)
        )
        return set((await self.db.execute(stmt)).scalars().all())

    async def set_status(
        self, voyage_id: uuid.UUID, status: str, at: datetime, reason: str | None
    ) -> None:
        await self.db.execute(
            update(BoardingVoyage)
            .where(BoardingVoyage.tenant_id == self.tenant_id, BoardingVoyage.id == voyage_id)
            .values(status=status, status_changed_at=at, cancel_reason=reason)
        )

    # Port calls -------------------------------------------------------------------------
    async def port_calls(self, voyage_ids: Sequence[uuid.UUID]) -> Sequence[PortCall]:
        if not voyage_ids:
            return []
        stmt = (
            self.scoped(PortCall)
            .where(PortCall.voyage_id.in_(list(voyage_ids)))
            .order_by(PortCall.voyage_id, PortCall.seq)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def port_call(self, voyage_id: uuid.UUID, call_id: uuid.UUID) -> PortCall | None:
        stmt = self.scoped(PortCall).where(PortCall.voyage_id == voyage_id, PortCall.id == call_id)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def set_port_times(
        self, call_id: uuid.UUID, *, arrived_at: datetime | None, departed_at: datetime | None
    ) -> None:
        values: dict[str, Any] = {}
        if arrived_at is not None:
            values["arrived_at"] = arrived_at
        if departed_at is not None:
            values["departed_at"] = departed_at
        if values:
            await self.db.execute(
                update(PortCall)
                .where(PortCall.tenant_id == self.tenant_id, PortCall.id == call_id)
                .values(**values)
            )

    # Crew -------------------------------------------------------------------------------
    async def crew(self, voyage_id: uuid.UUID) -> Sequence[CrewMember]:
        stmt = (
            self.scoped(CrewMember)
            .where(CrewMember.voyage_id == voyage_id)
            .order_by(CrewMember.role, CrewMember.name)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def crew_member(self, voyage_id: uuid.UUID, member_id: uuid.UUID) -> CrewMember | None:
        stmt = self.scoped(CrewMember).where(
            CrewMember.voyage_id == voyage_id, CrewMember.id == member_id
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def crew_id_taken(self, voyage_id: uuid.UUID, id_number: str) -> bool:
        stmt = select(func.count()).where(
            CrewMember.tenant_id == self.tenant_id,
            CrewMember.voyage_id == voyage_id,
            CrewMember.id_number == id_number,
        )
        return bool((await self.db.execute(stmt)).scalar_one())

    async def delete(self, row: Any) -> None:
        await self.db.delete(row)

    async def flush(self) -> None:
        await self.db.flush()
