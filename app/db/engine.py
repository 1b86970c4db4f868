"""Engines, and the one place a transaction is bound to a tenant."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, NewType, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

# Created only by `tenants/` after resolving the tenant (and, for staff, the membership).
TenantId = NewType("TenantId", uuid.UUID)

_BIND = text("SELECT set_config('app.tenant_id', :t, true)")
_KEPT = "zhilv.kept_on_refusal"
_UNBOUND = "zhilv.unbound"
_DRIVER = "zhilv.driver_connection"
log = logging.getLogger("zhilv.db")
T = TypeVar("T")
KeptWrite = Callable[[AsyncSession], Awaitable[T]]


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
    """Bind the current transaction to a tenant (local to the transaction).

    Unbinding a request's transaction that has bound nothing yet costs no round trip
    (`mark_unbound`): a new transaction starts with no tenant."""
    if tenant_id is None and session.info.get(_UNBOUND):
        return
    await session.execute(_BIND, {"t": str(tenant_id) if tenant_id else ""})
    mark_bound(session)


def _driver_connection(session: Session) -> Any:
    """The session's DBAPI connection (SQLAlchemy's asyncpg adapter), its transaction
    begun on the SQLAlchemy side (checked out of the pool, or the test's connection)."""
    return session.connection().connection.dbapi_connection


async def fetch_row(session: AsyncSession, sql: str, *args: object) -> Mapping[str, Any] | None:
    """The first row of `sql` (asyncpg's `$1, $2` placeholders) or None, run in the
    session's transaction straight on the driver's connection: the request context's
    look-up runs on every request, and SQLAlchemy's execution machinery (an execution
    context, a cursor and a result object per statement) cost it more than the database
    did. The driver's BEGIN is sent first when the transaction has not begun yet, as
    SQLAlchemy's adapter does before any statement; errors are translated the same way.
    Use it for hot, read-only statements only: the ORM does not see what it reads.

    The driver's connection is looked up once per transaction (`session.run_sync` costs a
    greenlet switch and SQLAlchemy's connection-for-bind walk on every call) and kept in
    the session's info with the transaction it belongs to: a new transaction (after a commit
    or a rollback) looks it up again."""
    transaction = session.sync_session.get_transaction()
    kept = session.info.get(_DRIVER)
    if (
        kept is not None
        and transaction is not None
        and kept[0] is transaction
        and transaction.is_active
    ):
        adapted = kept[1]
    else:
        adapted = await session.run_sync(_driver_connection)
        session.info[_DRIVER] = (session.sync_session.get_transaction(), adapted)
    async with adapted._execute_mutex:
        if not adapted._started:
            await adapted._start_transaction()
        try:
            row: Mapping[str, Any] | None = await adapted._connection.fetchrow(sql, *args)
        except Exception as error:
            adapted._handle_exception(error)
            raise
    return row


def mark_unbound(session: AsyncSession | AsyncConnection) -> None:
    """A transaction just begun: no tenant is bound in it yet."""
    session.info[_UNBOUND] = True


def mark_bound(session: AsyncSession | AsyncConnection) -> None:
    """Something may have bound a tenant (any `set_config` of `app.tenant_id`)."""
    session.info.pop(_UNBOUND, None)


async def keep_on_refusal(db: AsyncSession, write: KeptWrite[T]) -> T:
    """Write something that must outlast a refused request: a throttling record, an audit
    of the refusal. A request answered 400 or above is rolled back whole (tenants.context);
    `write(db)` runs now, in the request's transaction (so its locks and counts serve the
    request), and if that transaction is rolled back it runs again, in a transaction of its
    own, after the rollback (`write_kept`). It must therefore build its rows afresh on each
    call and read nothing from ORM objects loaded before (a rollback expires them)."""
    result = await write(db)
    db.info.setdefault(_KEPT, []).append(write)
    return result


def forget_kept(db: AsyncSession) -> None:
    """The request's transaction committed: what was to be kept is written already."""
    db.info.pop(_KEPT, None)


async def write_kept(db: AsyncSession, tenant_id: uuid.UUID | None) -> None:
    """After the request's transaction was rolled back: write again, in one transaction of
    its own bound to the request's tenant, what `keep_on_refusal` asked to keep. A failure
    here is logged, never raised: the refusal is answered either way."""
    writes: list[KeptWrite[object]] = db.info.pop(_KEPT, [])
    if not writes:
        return
    try:
        async with db.begin():
            await bind_tenant(db, tenant_id)
            for write in writes:
                await write(db)
    except Exception:
        log.exception("could not keep %d write(s) of a refused request", len(writes))


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
