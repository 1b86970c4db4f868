"""SQL of the packages an agency sells across enterprises (`dist_packages`,
`dist_package_parts`): both owned by the agency. A part names its supplier's agreement and
order by id only; those rows are read in the supplier's tenant, through the agreement."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, text

from modules.distribution.models import Package, PackagePart
from tenants.repository import TenantScopedRepository

_NUMBER_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:t || ':dist_package:' || :d))")


class PackageRepository(TenantScopedRepository):
    async def package(self, package_id: uuid.UUID, *, lock: bool = False) -> Package | None:
        """The agency's package; locked, it serialises the saga's steps (a job and its resume,
        or a clerk cancelling, never act on one package at once)."""
        stmt = self.scoped(Package).where(Package.id == package_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def by_key(self, key: str) -> Package | None:
        stmt = self.scoped(Package).where(Package.idempotency_key == key)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def parts(self, package_id: uuid.UUID) -> Sequence[PackagePart]:
        stmt = (
            self.scoped(PackagePart)
            .where(PackagePart.package_id == package_id)
            .order_by(PackagePart.seq)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def recent(self, *, status: str | None = None, limit: int = 50) -> Sequence[Package]:
        stmt = self.scoped(Package).order_by(Package.created_at.desc()).limit(limit)
        if status:
            stmt = stmt.where(Package.status == status)
        return (await self.db.execute(stmt)).scalars().all()

    async def stuck(self, before: datetime, *, limit: int = 100) -> Sequence[uuid.UUID]:
        """Packages still `booking` since before `before`: their saga stopped half-way (a
        worker died, a job gave up) and the resume job finishes or compensates them."""
        stmt = (
            select(Package.id)
            .where(
                Package.tenant_id == self.tenant_id,
                Package.status == "booking",
                Package.created_at < before,
            )
            .order_by(Package.created_at)
            .limit(limit)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def next_number(self, day: date) -> str:
        """TC20261208-0001: per agency and day, under a transaction lock so two sales at
        once never take the same number."""
        await self.db.execute(_NUMBER_LOCK, {"t": str(self.tenant_id), "d": day.isoformat()})
        prefix = f"TC{day:%Y%m%d}-"
        stmt = select(func.count()).where(
            Package.tenant_id == self.tenant_id, Package.number.startswith(prefix)
        )
        count = int((await self.db.execute(stmt)).scalar_one())
        return f"{prefix}{count + 1:04d}"

    async def add_all(self, rows: Sequence[Package | PackagePart]) -> None:
        for row in rows:
            self.add(row)
        await self.db.flush()

    async def flush(self) -> None:
        await self.db.flush()
