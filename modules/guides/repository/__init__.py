"""All SQL of the guide archive. Tenant tables through `GuidesRepository` (filtered by the
tenant it was built for; row-level security is the second lock); the global
`guide_registry` through `RegistryRepository`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import any_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from app import clock
from app.db.base import Base
from modules.guides.domain import AssignmentStatus, GuideStatus
from modules.guides.models import (
    Guide,
    GuideAssignment,
    GuideCertificate,
    GuideComplaint,
    GuideRating,
    GuideRegistry,
)
from tenants.repository import TenantScopedRepository


class GuidesRepository(TenantScopedRepository):
    async def guide(self, guide_id: uuid.UUID, *, for_update: bool = False) -> Guide | None:
        """`for_update` serialises assignments of one guide: two groups claiming the same
        guide at once are checked one after the other, so only one of them gets the dates."""
        stmt = self.scoped(Guide).where(Guide.id == guide_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def guide_by_licence(self, licence_no: str, *, with_photo: bool = False) -> Guide | None:
        stmt = self.scoped(Guide).where(Guide.licence_no == licence_no)
        if with_photo:
            stmt = stmt.options(undefer(Guide.photo))
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def guide_photo(self, guide_id: uuid.UUID) -> Guide | None:
        stmt = self.scoped(Guide).where(Guide.id == guide_id).options(undefer(Guide.photo))
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def guides(
        self,
        *,
        status: str | None = None,
        level: str | None = None,
        language: str | None = None,
        valid_until_before: date | None = None,
        valid_until_from: date | None = None,
        ids: Iterable[uuid.UUID] | None = None,
    ) -> Sequence[Guide]:
        stmt = self.scoped(Guide)
        if status:
            stmt = stmt.where(Guide.status == status)
        if level:
            stmt = stmt.where(Guide.level == level)
        if language:
            stmt = stmt.where(any_(Guide.languages) == language)
        if valid_until_before is not None:
            stmt = stmt.where(Guide.licence_valid_until < valid_until_before)
        if valid_until_from is not None:
            stmt = stmt.where(Guide.licence_valid_until >= valid_until_from)
        if ids is not None:
            stmt = stmt.where(Guide.id.in_(list(ids)))
        stmt = stmt.order_by(Guide.status, Guide.name, Guide.licence_no)
        return (await self.db.execute(stmt)).scalars().all()

    async def count_licences_due(self, before: date) -> int:
        """Active guides whose licence ends before `before` (expired or expiring)."""
        stmt = select(func.count(Guide.id)).where(
            Guide.tenant_id == self.tenant_id,
            Guide.status == GuideStatus.ACTIVE,
            Guide.licence_valid_until < before,
        )
        return int((await self.db.execute(stmt)).scalar_one())

    async def overlapping_assignment(
        self, guide_id: uuid.UUID, from_date: date, to_date: date, *, except_group: uuid.UUID
    ) -> GuideAssignment | None:
        """Another group this guide leads on any of these days (inclusive ranges)."""
        stmt = (
            self.scoped(GuideAssignment)
            .where(
                GuideAssignment.guide_id == guide_id,
                GuideAssignment.status == AssignmentStatus.ACTIVE,
                GuideAssignment.group_id != except_group,
                GuideAssignment.from_date <= to_date,
                GuideAssignment.to_date >= from_date,
            )
            .order_by(GuideAssignment.from_date)
            .limit(1)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def active_assignment(
        self, guide_id: uuid.UUID, group_id: uuid.UUID
    ) -> GuideAssignment | None:
        stmt = self.scoped(GuideAssignment).where(
            GuideAssignment.guide_id == guide_id,
            GuideAssignment.group_id == group_id,
            GuideAssignment.status == AssignmentStatus.ACTIVE,
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def assignments(
        self,
        *,
        guide_id: uuid.UUID | None = None,
        group_id: uuid.UUID | None = None,
        active_only: bool = False,
    ) -> Sequence[tuple[GuideAssignment, Guide]]:
        stmt = (
            select(GuideAssignment, Guide)
            .join(Guide, Guide.id == GuideAssignment.guide_id)
            .where(GuideAssignment.tenant_id == self.tenant_id, Guide.tenant_id == self.tenant_id)
        )
        if guide_id is not None:
            stmt = stmt.where(GuideAssignment.guide_id == guide_id)
        if group_id is not None:
            stmt = stmt.where(GuideAssignment.group_id == group_id)
        if active_only:
            stmt = stmt.where(GuideAssignment.status == AssignmentStatus.ACTIVE)
        stmt = stmt.order_by(GuideAssignment.from_date.desc(), GuideAssignment.created_at)
        return [(a, g) for a, g in (await self.db.execute(stmt)).all()]

    async def certificates(self, guide_id: uuid.UUID) -> Sequence[GuideCertificate]:
        stmt = (
            self.scoped(GuideCertificate)
            .where(GuideCertificate.guide_id == guide_id)
            .order_by(GuideCertificate.created_at.desc())
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def certificate(
        self, certificate_id: uuid.UUID, *, with_data: bool = False
    ) -> GuideCertificate | None:
        stmt = self.scoped(GuideCertificate).where(GuideCertificate.id == certificate_id)
        if with_data:
            stmt = stmt.options(undefer(GuideCertificate.data))
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def delete_certificate(self, certificate: GuideCertificate) -> None:
        await self.db.execute(
            delete(GuideCertificate).where(
                GuideCertificate.tenant_id == self.tenant_id,
                GuideCertificate.id == certificate.id,
            )
        )

    async def ratings(self, guide_id: uuid.UUID) -> Sequence[GuideRating]:
        stmt = (
            self.scoped(GuideRating)
            .where(GuideRating.guide_id == guide_id)
            .order_by(GuideRating.rated_on.desc(), GuideRating.created_at.desc())
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def average_scores(self, guide_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, float]:
        """Each guide's average rating, computed in SQL (the list shows many at once)."""
        wanted = list(guide_ids)
        if not wanted:
            return {}
        stmt = (
            select(GuideRating.guide_id, func.avg(GuideRating.score))
            .where(GuideRating.tenant_id == self.tenant_id, GuideRating.guide_id.in_(wanted))
            .group_by(GuideRating.guide_id)
        )
        return {row[0]: float(row[1]) for row in (await self.db.execute(stmt)).all()}

    async def complaints(self, guide_id: uuid.UUID) -> Sequence[GuideComplaint]:
        stmt = (
            self.scoped(GuideComplaint)
            .where(GuideComplaint.guide_id == guide_id)
            .order_by(GuideComplaint.received_on.desc(), GuideComplaint.created_at.desc())
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def complaint(
        self, guide_id: uuid.UUID, complaint_id: uuid.UUID, *, for_update: bool = False
    ) -> GuideComplaint | None:
        stmt = self.scoped(GuideComplaint).where(
            GuideComplaint.id == complaint_id, GuideComplaint.guide_id == guide_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def save(self, *objects: Base) -> None:
        """Insert new rows (tenant from this repository) and flush changed ones."""
        for obj in objects:
            if getattr(obj, "tenant_id", None) is None:
                self.add(obj)
        await self.db.flush()


class RegistryRepository:
    """The global licence registry: which enterprise archives a licence number."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def claim(self, licence_no: str, publisher_id: uuid.UUID) -> uuid.UUID:
        """Register the licence for `publisher_id` unless someone holds it; answer the
        holder. Two enterprises claiming one licence at once: the second insert waits for
        the first to commit and then finds it taken."""
        await self.db.execute(
            insert(GuideRegistry)
            .values(licence_no=licence_no, publisher_id=publisher_id)
            .on_conflict_do_nothing(index_elements=["licence_no"])
        )
        holder = await self.db.execute(
            select(GuideRegistry.publisher_id).where(GuideRegistry.licence_no == licence_no)
        )
        found: uuid.UUID = holder.scalar_one()
        if found == publisher_id:
            await self.db.execute(
                update(GuideRegistry)
                .where(GuideRegistry.licence_no == licence_no)
                .values(updated_at=clock.now())
            )
        return found

    async def release(self, licence_no: str, publisher_id: uuid.UUID) -> None:
        await self.db.execute(
            delete(GuideRegistry).where(
                GuideRegistry.licence_no == licence_no,
                GuideRegistry.publisher_id == publisher_id,
            )
        )

    async def publisher(self, licence_no: str) -> uuid.UUID | None:
        stmt = select(GuideRegistry.publisher_id).where(GuideRegistry.licence_no == licence_no)
        return (await self.db.execute(stmt)).scalar_one_or_none()
