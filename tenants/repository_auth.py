"""SQL of sign-in, throttling and one-time account tokens.

`login_attempts` is global (an attempt may name no tenant, or one that does not exist);
`account_tokens` is tenant-owned and reached through a tenant-scoped repository.

Users with their password hash come only through the security-definer functions of
migration 0016: the application role can neither read `users.password_hash` nor see the
rows of users outside its tenant.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from tenants.models import AccountToken, LoginAttempt, User
from tenants.repository import TenantScopedRepository

_USER_BY_EMAIL = text("SELECT * FROM zhilv_user_by_email(:email)")
_USER_BY_ID = text("SELECT * FROM zhilv_user(:id)")


async def _load_user(db: AsyncSession, statement: Any, **params: object) -> User | None:
    stmt = (
        select(User)
        .from_statement(statement.bindparams(**params))
        .options(undefer(User.password_hash))
        .execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def user_by_email(db: AsyncSession, email: str) -> User | None:
    """The person signing in, being invited or asking for a reset, with their password
    hash, whichever tenant is bound. From here on the transaction may see their row."""
    return await _load_user(db, _USER_BY_EMAIL, email=email.strip())


async def user_with_password(db: AsyncSession, user_id: uuid.UUID) -> User | None:
    """A user this transaction may already see (a member of the bound tenant, or one it
    named), with their password hash; None for anyone else."""
    return await _load_user(db, _USER_BY_ID, id=user_id)


class LoginAttemptRepository:
    """Global: throttling must work before (and without) a tenant being known."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def record(self, email: str, ip: str | None, *, succeeded: bool) -> None:
        # clock_timestamp, not now(): attempts in one transaction must still be ordered.
        await self.db.execute(
            insert(LoginAttempt).values(
                email=email, ip=ip, succeeded=succeeded, attempted_at=func.clock_timestamp()
            )
        )

    async def blocking_failure(
        self, *, email: str | None = None, ip: str | None = None, limit: int, window: timedelta
    ) -> datetime | None:
        """The `limit`-th most recent failure inside the window, if there are that many.

        Throttling lasts until that attempt leaves the window. For an e-mail, failures
        before its last successful sign-in do not count (a user who mistyped and then got
        in starts afresh); for an address they always do, or one valid account would let
        an attacker reset the count for guessing others."""
        since = func.clock_timestamp() - literal(window)
        conditions: list[ColumnElement[bool]] = [
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at > since,
        ]
        if email is not None:
            last_success = (
                select(func.max(LoginAttempt.attempted_at))
                .where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(True))
                .scalar_subquery()
            )
            conditions += [
                LoginAttempt.email == email,
                LoginAttempt.attempted_at > func.coalesce(last_success, since),
            ]
        else:
            conditions.append(LoginAttempt.ip == ip)
        stmt = (
            select(LoginAttempt.attempted_at)
            .where(and_(*conditions))
            .order_by(LoginAttempt.attempted_at.desc())
            .offset(limit - 1)
            .limit(1)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def now(self) -> datetime:
        """The database's clock, the one attempts are stamped and windowed with."""
        return (await self.db.execute(select(func.clock_timestamp()))).scalar_one()

    async def prune(self, older_than: timedelta) -> int:
        """Forget attempts too old to matter for throttling or investigation."""
        result = await self.db.execute(
            delete(LoginAttempt).where(
                LoginAttempt.attempted_at < func.clock_timestamp() - literal(older_than)
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class AccountTokenRepository(TenantScopedRepository):
    async def find(self, token_hash: str, purpose: str) -> AccountToken | None:
        stmt = self.scoped(AccountToken).where(
            AccountToken.token_hash == token_hash, AccountToken.purpose == purpose
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def claim(self, token_id: uuid.UUID, now: datetime) -> bool:
        """Mark the token used, atomically: of two concurrent uses only one succeeds."""
        stmt = (
            update(AccountToken)
            .where(
                AccountToken.tenant_id == self.tenant_id,
                AccountToken.id == token_id,
                AccountToken.used_at.is_(None),
                AccountToken.expires_at > now,
            )
            .values(used_at=now)
            .returning(AccountToken.id)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none() is not None

    async def invalidate(self, user_id: uuid.UUID, purpose: str, now: datetime) -> None:
        """Spend every outstanding token of this purpose, so only a newer link works."""
        await self.db.execute(
            update(AccountToken)
            .where(
                AccountToken.tenant_id == self.tenant_id,
                AccountToken.user_id == user_id,
                AccountToken.purpose == purpose,
                AccountToken.used_at.is_(None),
            )
            .values(used_at=now)
        )

    async def count_issued_since(self, user_id: uuid.UUID, purpose: str, since: datetime) -> int:
        stmt = select(func.count()).where(
            AccountToken.tenant_id == self.tenant_id,
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose,
            AccountToken.created_at > since,
        )
        return int((await self.db.execute(stmt)).scalar_one())
