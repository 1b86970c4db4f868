"""SQL of API keys and of reading the audit log (both tenant tables, under RLS)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update

from tenants.models import ApiKey, AuditEvent, User
from tenants.repository import TenantScopedRepository


def _like(term: str) -> str:
    """A case-insensitive substring pattern with the user's wildcards taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ApiKeyRepository(TenantScopedRepository):
    async def list_keys(self) -> Sequence[Any]:
        """Keys with the name of who created them; active keys first, newest first."""
        stmt = (
            select(ApiKey, User.display_name.label("created_by_name"))
            .outerjoin(User, User.id == ApiKey.created_by)
            .where(ApiKey.tenant_id == self.tenant_id)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc())
        )
        return (await self.db.execute(stmt)).all()

    async def key(self, key_id: uuid.UUID) -> ApiKey | None:
        return await self.get(ApiKey, key_id)

    async def revoke(self, key_id: uuid.UUID, by: uuid.UUID | None, now: datetime) -> bool:
        """Revoke once; False when the key was already revoked (nothing changes)."""
        result = await self.db.execute(
            update(ApiKey)
            .where(
                ApiKey.tenant_id == self.tenant_id,
                ApiKey.id == key_id,
                ApiKey.revoked_at.is_(None),
            )
            .values(revoked_at=now, revoked_by=by)
            .returning(ApiKey.id)
        )
        return result.first() is not None


class AuditRepository(TenantScopedRepository):
    async def events(
        self,
        *,
        action_prefix: str = "",
        actor: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Sequence[Any]:
        """Newest first, with the acting user's or key's name (the log stores ids only)."""
        stmt = (
            select(
                AuditEvent,
                User.display_name.label("user_name"),
                User.email.label("user_email"),
                ApiKey.name.label("key_name"),
            )
            .outerjoin(User, User.id == AuditEvent.actor_user_id)
            .outerjoin(ApiKey, ApiKey.id == AuditEvent.actor_api_key_id)
            .where(AuditEvent.tenant_id == self.tenant_id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
            .offset(offset)
        )
        if action_prefix:
            stmt = stmt.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
        if actor:
            pattern = _like(actor)
            stmt = stmt.where(
                or_(
                    User.email.ilike(pattern, escape="\\"),
                    User.display_name.ilike(pattern, escape="\\"),
                    ApiKey.name.ilike(pattern, escape="\\"),
                )
            )
        if since is not None:
            stmt = stmt.where(AuditEvent.created_at >= since)
        if until is not None:
            stmt = stmt.where(AuditEvent.created_at < until)
        return (await self.db.execute(stmt)).all()
