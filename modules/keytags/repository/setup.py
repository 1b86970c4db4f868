"""SQL of the resort's set-up: locker sections and lockers, tag stock, outlets and price
lists, the key-tag settings row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select

from modules.keytags.models import Locker, LockerSection
from tenants.repository import TenantScopedRepository


class SetupRepository(TenantScopedRepository):
    # Lockers ------------------------------------------------------------------------------
    async def occupancy(self) -> Sequence[Row[Any]]:
        """Each section with its lockers counted by status, in the desk's order."""
        counts = (
            select(
                Locker.section_id,
                func.count().label("total"),
                func.count().filter(Locker.status == "free").label("free"),
                func.count().filter(Locker.status == "occupied").label("occupied"),
                func.count().filter(Locker.status == "out_of_order").label("out_of_order"),
            )
            .where(Locker.tenant_id == self.tenant_id)
            .group_by(Locker.section_id)
            .subquery()
        )
        stmt = (
            select(
                LockerSection,
                func.coalesce(counts.c.total, 0).label("total"),
                func.coalesce(counts.c.free, 0).label("free"),
                func.coalesce(counts.c.occupied, 0).label("occupied"),
                func.coalesce(counts.c.out_of_order, 0).label("out_of_order"),
            )
            .outerjoin(counts, counts.c.section_id == LockerSection.id)
            .where(LockerSection.tenant_id == self.tenant_id)
            .order_by(LockerSection.sort_order, LockerSection.code)
        )
        return (await self.db.execute(stmt)).all()
