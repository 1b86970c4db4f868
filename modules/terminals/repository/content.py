"""SQL of what the tenant shows on its terminals: pages, scenic spots and their photos,
videos, announcements and voyage port calls."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, or_, select

from app.db.base import Base
from modules.terminals.models import (
    Announcement,
    InfoPage,
    PortCall,
    ScenicSpot,
    SpotPhoto,
    Video,
)
from tenants.repository import TenantScopedRepository

M = TypeVar("M", bound=Base)


class ContentRepository(TenantScopedRepository):
    async def flush(self) -> None:
        await self.db.flush()

    async def remove(self, obj: Base) -> None:
        await self.db.delete(obj)
        await self.db.flush()

    async def pages(self, *, published_only: bool = False) -> Sequence[InfoPage]:
        stmt = self.scoped(InfoPage).order_by(InfoPage.sort_order, InfoPage.title)
        if published_only:
            stmt = stmt.where(InfoPage.published.is_(True))
        return (await self.db.execute(stmt)).scalars().all()

    async def spots(self, *, published_only: bool = False) -> Sequence[ScenicSpot]:
        stmt = self.scoped(ScenicSpot).order_by(ScenicSpot.sort_order, ScenicSpot.name)
        if published_only:
            stmt = stmt.where(ScenicSpot.published.is_(True))
        return (await self.db.execute(stmt)).scalars().all()

    async def photo_ids(self, spot_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        """Each spot's photo ids, oldest first (the bytes are fetched one by one)."""
        if not spot_ids:
            return {}
        stmt = (
            select(SpotPhoto.spot_id, SpotPhoto.id)
            .where(SpotPhoto.tenant_id == self.tenant_id, SpotPhoto.spot_id.in_(spot_ids))
            .order_by(SpotPhoto.created_at, SpotPhoto.id)
        )
        found: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in spot_ids}
        for spot_id, photo_id in (await self.db.execute(stmt)).all():
            found[spot_id].append(photo_id)
        return found

    async def videos(self, *, published_only: bool = False) -> Sequence[Any]:
        """Videos without their poster bytes (a list page needs only whether there is one)."""
        stmt = (
            select(
                Video.id,
                Video.title,
                Video.description,
                Video.content_type,
                Video.size_bytes,
                Video.sort_order,
                Video.published,
                Video.created_at,
                Video.poster_type.is_not(None).label("has_poster"),
            )
            .where(Video.tenant_id == self.tenant_id)
            .order_by(Video.sort_order, Video.title)
        )
        if published_only:
            stmt = stmt.where(Video.published.is_(True))
        return (await self.db.execute(stmt)).all()

    async def announcements(
        self, *, live_at: datetime | None = None, voyage_id: uuid.UUID | None = None
    ) -> Sequence[Announcement]:
        """All announcements, or (live_at given) those showing then: tenant-wide ones and
        those of the voyage the cabin sails on."""
        stmt = self.scoped(Announcement).order_by(Announcement.starts_at.desc())
        if live_at is not None:
            stmt = stmt.where(Announcement.starts_at <= live_at, Announcement.ends_at > live_at)
            voyages: list[Any] = [Announcement.voyage_id.is_(None)]
            if voyage_id is not None:
                voyages.append(Announcement.voyage_id == voyage_id)
            stmt = stmt.where(or_(*voyages))
        return (await self.db.execute(stmt)).scalars().all()

    async def port_calls(self, voyage_id: uuid.UUID | None = None) -> Sequence[PortCall]:
        stmt = self.scoped(PortCall).order_by(
            PortCall.voyage_id, PortCall.day_no, PortCall.arrive_time.nulls_first(), PortCall.id
        )
        if voyage_id is not None:
            stmt = stmt.where(PortCall.voyage_id == voyage_id)
        return (await self.db.execute(stmt)).scalars().all()

    async def delete_port_calls(self, voyage_id: uuid.UUID) -> None:
        await self.db.execute(
            delete(PortCall).where(
                PortCall.tenant_id == self.tenant_id, PortCall.voyage_id == voyage_id
            )
        )

    async def one(self, model: type[M], id_: uuid.UUID) -> M | None:
        return await self.get(model, id_)
