"""SQL of periodic clean-up: sessions and one-time tokens that can no longer be used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.models import AccountToken, OperatorSession, StaffSession
from tenants.repository import TenantScopedRepository


class ExpiredCredentials(TenantScopedRepository):
    async def delete_staff_sessions(self, before: datetime) -> int:
        """Sessions that expired or were revoked before `before`."""
        result = await self.db.execute(
            delete(StaffSession).where(
                StaffSession.tenant_id == self.tenant_id,
                or_(StaffSession.expires_at < before, StaffSession.revoked_at < before),
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def delete_account_tokens(self, before: datetime) -> int:
        """Reset and invitation tokens that expired or were used before `before`."""
        result = await self.db.execute(
            delete(AccountToken).where(
                AccountToken.tenant_id == self.tenant_id,
                or_(AccountToken.expires_at < before, AccountToken.used_at < before),
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def delete_operator_sessions(db: AsyncSession, before: datetime) -> int:
    """Global: operator sessions that expired or were revoked before `before`."""
    result = await db.execute(
        delete(OperatorSession).where(
            or_(OperatorSession.expires_at < before, OperatorSession.revoked_at < before)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
