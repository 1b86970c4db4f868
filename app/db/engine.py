"""Engines, and the one place a transaction is bound to a tenant."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NewType

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Created only by `tenants/` after resolving the tenant (and, for staff, the membership).
TenantId = NewType("TenantId", uuid.UUID)

_BIND = text("SELECT set_config('app.tenant_id', :t, true)")


def async_url(url: str) -> str:
    """Accept `postgresql://` URLs (as libpq and the embedded server print them)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """The same server as a libpq URL (for psycopg, pg tools)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20) -> AsyncEngine:
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=False,
        connect_args={"server_settings": {"application_name": "zhilv", "timezone": "UTC"}},
    )


async def bind_tenant(session: AsyncSession | AsyncConnection, tenant_id: uuid.UUID | None) -> None:
    """Bind the current transaction to a tenant (local to the transaction)."""
    await session.execute(_BIND, {"t": str(tenant_id) if tenant_id else ""})


class Database:
    """The application's engine and session factory.

    Tests build one over a single connection inside a rolled-back transaction
    (`Database.over_connection`), so code under test cannot tell the difference.
    """

    def __init__(self, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]):
        self.engine = engine
        self.sessionmaker = sessionmaker

    @classmethod
    def from_url(cls, url: str, **kw: int) -> Database:
        engine = make_engine(url, **kw)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    @classmethod
    def over_connection(cls, connection: AsyncConnection) -> Database:
        maker = async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        return cls(connection.engine, maker)

    @asynccontextmanager
    async def transaction(self, tenant_id: uuid.UUID | None = None) -> AsyncIterator[AsyncSession]:
        """One transaction, committed when the block ends without an exception."""
        async with self.sessionmaker() as session, session.begin():
            await bind_tenant(session, tenant_id)
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
