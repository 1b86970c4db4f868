"""The resort's set-up: changing rooms and their lockers, the stock of key tags, outlets with
their price lists and API keys, the key-tag rules."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from modules.keytags.repository.setup import SetupRepository
from modules.keytags.schemas.setup import SectionOccupancy


async def locker_occupancy(db: AsyncSession, tenant_id: TenantId) -> list[SectionOccupancy]:
    """Per changing room: how many lockers are free, occupied and out of order, so the desk
    sees at a glance where the next guest can go."""
    rows = await SetupRepository(db, tenant_id).occupancy()
    return [
        SectionOccupancy(
            section_id=row.LockerSection.id,
            code=row.LockerSection.code,
            name=row.LockerSection.name,
            kind=row.LockerSection.kind,
            total=row.total,
            free=row.free,
            occupied=row.occupied,
            out_of_order=row.out_of_order,
        )
        for row in rows
    ]
