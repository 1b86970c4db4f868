"""Assigning guides to a draft group, through the guides module, which keeps the
assignments and refuses a guide already leading a group on overlapping dates (its
message is what the agent sees)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import NotFound
from modules.groups.models import TourGroup
from modules.groups.service import links
from modules.groups.service.editing import Actor, _audit, _draft

__all__ = ["assign_guide", "release_guide"]


async def assign_guide(
    db: AsyncSession, tenant_id: TenantId, group_id: uuid.UUID, guide_id: uuid.UUID, *, actor: Actor
) -> TourGroup:
    """Refused (the guides module's Conflict) when the guide leads another group on any
    of these dates; adjacent tours (one ends the day before the other starts) are fine."""
    group = await _draft(db, tenant_id, group_id)
    if not await links.guides_by_ids(db, tenant_id, [guide_id]):
        raise NotFound()
    await links.assign(
        db,
        tenant_id,
        guide_id,
        group_id=group.id,
        group_no=group.group_no,
        from_date=group.start_date,
        to_date=group.end_date,
    )
    await _audit(db, tenant_id, "groups.guide_assigned", group, actor)
    return group


async def release_guide(
    db: AsyncSession, tenant_id: TenantId, group_id: uuid.UUID, guide_id: uuid.UUID, *, actor: Actor
) -> TourGroup:
    group = await _draft(db, tenant_id, group_id)
    await links.release(db, tenant_id, guide_id, group.id)
    await _audit(db, tenant_id, "groups.guide_released", group, actor)
    return group
