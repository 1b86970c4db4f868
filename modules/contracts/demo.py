"""Demo data of the contracts module for `make run` (never production). Idempotent."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId


async def seed_demo(db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...]) -> None:
    """Nothing yet."""
