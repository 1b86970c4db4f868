"""Demo data of the boarding module, through its own services (filled in by the voyages work)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId


async def seed_demo(db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...]) -> None:
    """A cruise line's ship, voyages, manifest and passes."""
    if "cruise" not in kinds:
        return
