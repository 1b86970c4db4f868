"""All SQL of the front desk, filtered by the tenant it was built for (row-level security
is the second lock)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select

from modules.frontdesk.domain import StayStatus
from modules.frontdesk.models import FolioLine, RoomMove, Stay
from tenants.repository import TenantScopedRepository


class FrontDeskRepository(TenantScopedRepository):
    async def stay(self, stay_id: uuid.UUID, *, for_update: bool = False) -> Stay | None:
        """`for_update` serialises whatever changes the stay's money or room: a charge
        posted by a terminal while the clerk checks the guest out waits, then sees the
        stay closed, so no charge lands on a settled bill."""
        stmt = self.scoped(Stay).where(Stay.id == stay_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def any_stay(self) -> bool:
        stmt = select(Stay.id).where(Stay.tenant_id == self.tenant_id).limit(1)
        return (await self.db.execute(stmt)).first() is not None

    async def stay_for_reservation(self, reservation_id: uuid.UUID) -> Stay | None:
        stmt = self.scoped(Stay).where(Stay.reservation_id == reservation_id)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def stays_for_reservations(self, ids: Iterable[uuid.UUID]) -> Sequence[Stay]:
        wanted = list(ids)
        if not wanted:
            return []
        stmt = self.scoped(Stay).where(Stay.reservation_id.in_(wanted))
        return (await self.db.execute(stmt)).scalars().all()

    async def in_house(self) -> Sequence[Stay]:
        stmt = (
            self.scoped(Stay).where(Stay.status == StayStatus.IN_HOUSE).order_by(Stay.unit_number)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def in_house_in_unit(self, unit_id: uuid.UUID) -> Stay | None:
        stmt = self.scoped(Stay).where(Stay.unit_id == unit_id, Stay.status == StayStatus.IN_HOUSE)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def occupied_unit_ids(self) -> set[uuid.UUID]:
        stmt = select(Stay.unit_id).where(
            Stay.tenant_id == self.tenant_id, Stay.status == StayStatus.IN_HOUSE
        )
        return set((await self.db.execute(stmt)).scalars().all())

    async def lines(self, stay_id: uuid.UUID) -> Sequence[FolioLine]:
        stmt = (
            self.scoped(FolioLine)
            .where(FolioLine.stay_id == stay_id)
            .order_by(FolioLine.posted_at, FolioLine.id)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def balances(self, stay_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Each stay's balance summed in SQL (the day view shows many at once)."""
        wanted = list(stay_ids)
        if not wanted:
            return {}
        stmt = (
            select(FolioLine.stay_id, func.coalesce(func.sum(FolioLine.amount_fen), 0))
            .where(FolioLine.tenant_id == self.tenant_id, FolioLine.stay_id.in_(wanted))
            .group_by(FolioLine.stay_id)
        )
        found = {row[0]: int(row[1]) for row in (await self.db.execute(stmt)).all()}
        return {stay_id: found.get(stay_id, 0) for stay_id in wanted}

    async def moves(self, stay_id: uuid.UUID) -> Sequence[RoomMove]:
        stmt = (
            self.scoped(RoomMove)
            .where(RoomMove.stay_id == stay_id)
            .order_by(RoomMove.created_at, RoomMove.id)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def save(self, *objects: Stay | FolioLine | RoomMove) -> None:
        """Insert new rows (tenant from this repository) and flush changed ones."""
        for obj in objects:
            if obj.tenant_id is None:
                self.add(obj)
        await self.db.flush()
