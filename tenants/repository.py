"""All SQL of tenants and staff.

Global tables (tenants, users, login attempts, operator sessions) are reached through
`GlobalRepository`; tenant tables through `TenantRepository`, which needs a `TenantId`
and filters every statement by it (row-level security is the second lock).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import Base, uuid7
from app.db.engine import TenantId
from tenants.models import Membership, StaffSession, Tenant, User


@event.listens_for(User, "before_insert")
def _name_new_user(_mapper: Any, connection: Connection, user: User) -> None:
    """A user created by this transaction stays visible to it (row-level security on
    `users`), so its INSERT ... RETURNING and later changes see the row."""
    if user.id is None:
        user.id = uuid7()
    connection.execute(select(func.zhilv_name_user(user.id)))


M = TypeVar("M", bound=Base)


class TenantScopedRepository:
    """Base for every tenant-table repository, in every module."""

    def __init__(self, db: AsyncSession, tenant_id: TenantId) -> None:
        self.db = db
        self.tenant_id = tenant_id

    def scoped(self, model: type[M]) -> Select[tuple[M]]:
        return select(model).where(model.tenant_id == self.tenant_id)  # type: ignore[attr-defined]

    async def get(self, model: type[M], id_: uuid.UUID) -> M | None:
        stmt = self.scoped(model).where(model.id == id_)  # type: ignore[attr-defined]
        return (await self.db.execute(stmt)).scalar_one_or_none()

    def add(self, obj: Base) -> None:
        obj.tenant_id = self.tenant_id  # type: ignore[attr-defined]
        self.db.add(obj)


class GlobalRepository:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def tenant_by_slug(self, slug: str) -> Tenant | None:
        return (
            await self.db.execute(select(Tenant).where(Tenant.slug == slug))
        ).scalar_one_or_none()

    async def tenant(self, tenant_id: uuid.UUID) -> Tenant | None:
        return await self.db.get(Tenant, tenant_id)

    async def user_by_email(self, email: str) -> User | None:
        """Whoever holds this e-mail, with their password hash (`repository_auth`)."""
        from tenants.repository_auth import user_by_email

        return await user_by_email(self.db, email)

    async def user(self, user_id: uuid.UUID) -> User | None:
        """A member of the bound tenant (or a user this transaction named), with their
        password hash; None for anyone else."""
        from tenants.repository_auth import user_with_password

        return await user_with_password(self.db, user_id)

    async def list_tenants(self) -> Sequence[Any]:
        stmt = (
            select(Tenant, func.count(Membership.id).label("staff"))
            .outerjoin(Membership, Membership.tenant_id == Tenant.id)
            .group_by(Tenant.id)
            .order_by(Tenant.created_at)
        )
        return (await self.db.execute(stmt)).all()

    def add(self, obj: Base) -> None:
        self.db.add(obj)


class StaffRepository(TenantScopedRepository):
    async def membership_for_user(self, user_id: uuid.UUID) -> Membership | None:
        stmt = self.scoped(Membership).where(Membership.user_id == user_id)
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def revoke_sessions(
        self, user_id: uuid.UUID, now: datetime, *, except_id: uuid.UUID | None = None
    ) -> None:
        stmt = (
            update(StaffSession)
            .where(
                StaffSession.tenant_id == self.tenant_id,
                StaffSession.user_id == user_id,
                StaffSession.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        if except_id is not None:
            stmt = stmt.where(StaffSession.id != except_id)
        await self.db.execute(stmt)

    async def revoke_session(self, session_id: uuid.UUID, now: datetime) -> None:
        await self.db.execute(
            update(StaffSession)
            .where(StaffSession.tenant_id == self.tenant_id, StaffSession.id == session_id)
            .values(revoked_at=now)
        )
