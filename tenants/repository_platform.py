"""SQL of the platform level: the tenants table itself, operators and their sessions,
and the attempt counters that throttle operator sign-in and public sign-up.

These are global tables (no row-level security); tenant tables are reached only after
binding the one tenant concerned."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import bind_tenant
from tenants.models import LoginAttempt, Membership, MembershipStatus, OperatorSession, Tenant, User
from tenants.repository_auth import user_by_email

# Sign-ups are counted in `login_attempts` under this marker instead of an e-mail, so
# that they never add to (or clear) an account's sign-in failures.
SIGNUP_MARKER = "signup:"


class PlatformRepository:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    # tenants -------------------------------------------------------------------------
    async def tenants(self, *, limit: int, offset: int, status: str | None = None) -> list[Tenant]:
        stmt = select(Tenant).order_by(Tenant.created_at.desc(), Tenant.id).limit(limit)
        if status:
            stmt = stmt.where(Tenant.status == status)
        return list((await self.db.execute(stmt.offset(offset))).scalars())

    async def tenant(self, tenant_id: uuid.UUID) -> Tenant | None:
        return await self.db.get(Tenant, tenant_id)

    async def tenant_by_slug(self, slug: str) -> Tenant | None:
        stmt = select(Tenant).where(Tenant.slug == slug)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def find_tenants(
        self, words: str, *, kind: str, exclude: uuid.UUID | None, limit: int
    ) -> list[Tenant]:
        """Active tenants of a kind whose slug starts with, or name contains, `words`
        (LIKE wildcards in `words` are taken literally)."""
        pattern = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = (
            select(Tenant)
            .where(
                Tenant.status == "active",
                Tenant.kinds.any_() == kind,
                (Tenant.slug.like(pattern.lower() + "%", escape="\\"))
                | (Tenant.name.like("%" + pattern + "%", escape="\\")),
            )
            .order_by(Tenant.name)
            .limit(limit)
        )
        if exclude is not None:
            stmt = stmt.where(Tenant.id != exclude)
        return list((await self.db.execute(stmt)).scalars())

    async def tenant_names(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not ids:
            return {}
        rows = await self.db.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(ids)))
        return {row.id: row.name for row in rows}

    async def enterprise_code_owner(self, code: str) -> uuid.UUID | None:
        """The tenant registered with this credit code, if any (codes are unique)."""
        return await self.db.scalar(select(Tenant.id).where(Tenant.enterprise_code == code))

    async def staff_counts(self, tenant_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Active memberships per tenant. Memberships are under forced row-level security,
        so each tenant is bound in turn; the binding is cleared afterwards."""
        counts: dict[uuid.UUID, int] = {}
        try:
            for tenant_id in tenant_ids:
                await bind_tenant(self.db, tenant_id)
                counts[tenant_id] = (
                    await self.db.scalar(
                        select(func.count())
                        .select_from(Membership)
                        .where(
                            Membership.tenant_id == tenant_id,
                            Membership.status == MembershipStatus.ACTIVE,
                        )
                    )
                    or 0
                )
        finally:
            await bind_tenant(self.db, None)
        return counts

    async def set_status(
        self, tenant_id: uuid.UUID, status: str, *, at: datetime | None, reason: str | None
    ) -> None:
        await self.db.execute(
            update(Tenant)
            .where(Tenant.id == tenant_id)
            .values(status=status, suspended_at=at, suspended_reason=reason)
        )

    # operators -----------------------------------------------------------------------
    async def user_by_email(self, email: str) -> User | None:
        return await user_by_email(self.db, email)

    async def operators(self) -> list[User]:
        stmt = select(User).where(User.is_operator.is_(True)).order_by(User.created_at)
        return list((await self.db.execute(stmt)).scalars())

    def add(self, obj: object) -> None:
        self.db.add(obj)

    async def revoke_operator_session(self, session_id: uuid.UUID, now: datetime) -> None:
        await self.db.execute(
            update(OperatorSession)
            .where(OperatorSession.id == session_id, OperatorSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    # attempts ------------------------------------------------------------------------
    def record_attempt(self, email: str, ip: str | None, *, succeeded: bool) -> None:
        self.db.add(LoginAttempt(email=email.strip().lower()[:254], ip=ip, succeeded=succeeded))

    async def failures_for_email(self, email: str, since: datetime) -> int:
        stmt = select(func.count()).where(
            LoginAttempt.email == email.strip().lower(),
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at >= since,
        )
        return await self.db.scalar(stmt) or 0

    async def failures_from_ip(self, ip: str, since: datetime) -> int:
        stmt = select(func.count()).where(
            LoginAttempt.ip == ip,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at >= since,
            LoginAttempt.email.not_like(f"{SIGNUP_MARKER}%"),
        )
        return await self.db.scalar(stmt) or 0

    async def signups_from_ip(self, ip: str, since: datetime) -> int:
        stmt = select(func.count()).where(
            LoginAttempt.ip == ip,
            LoginAttempt.email.like(f"{SIGNUP_MARKER}%"),
            LoginAttempt.attempted_at >= since,
        )
        return await self.db.scalar(stmt) or 0
