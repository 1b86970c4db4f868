"""Race tests make their transactions meet through the database, never through `sleep`.

The usual shape: one transaction takes its locks, then waits with `hold_until_waited_on`
until the other transaction is really queued behind those locks in PostgreSQL (seen in
`pg_blocking_pids`), and only then commits. The other side waits for the first one's
`Event` before it starts. Whatever the machine's speed, the order is the one the test means.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import Database

T = TypeVar("T")

_WAITING_ON = (
    "SELECT count(*) FROM pg_stat_activity WHERE CAST($1 AS int) = ANY(pg_blocking_pids(pid))"
)


async def backend_pid(db: AsyncSession) -> int:
    return int(await db.scalar(text("SELECT pg_backend_pid()")) or 0)


async def hold_until_waited_on(
    database: Database,
    db: AsyncSession,
    *,
    waiters: int = 1,
    unless: Callable[[], bool] = lambda: False,
    within: float = 20.0,
) -> None:
    """Keep `db`'s transaction (and its locks) open until `waiters` other sessions wait on
    them, as PostgreSQL sees it. Returns early when `unless()` turns true (the others
    finished without ever queueing: the test's assertions then tell what went wrong).
    Watches from a connection of its own, outside the pool the racers may have filled."""
    pid = await backend_pid(db)
    url = database.engine.url.set(drivername="postgresql")
    watcher = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while await watcher.fetchval(_WAITING_ON, pid) < waiters:
            if unless():
                return
            if loop.time() > deadline:
                raise AssertionError(f"no {waiters} session(s) queued behind backend {pid}")
            await asyncio.sleep(0.005)  # polling interval only: the order comes from the lock
    finally:
        await watcher.close()


class Race:
    """Transactions racing for the same rows, run together by `run`. A racer that has
    taken its locks calls `hold` with its session: it keeps them until another racer is
    queued behind them in PostgreSQL (or it is the last one still running). A racer meant
    to come second waits for `held` before it starts."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.held = asyncio.Event()
        self.finished = 0
        self.racers = 0

    async def hold(self, db: AsyncSession, *, waiters: int = 1) -> None:
        self.held.set()
        await hold_until_waited_on(
            self.database, db, waiters=waiters, unless=lambda: self.finished >= self.racers - 1
        )

    async def run(self, *racers: Awaitable[T]) -> list[T]:
        self.racers = len(racers)

        async def one(racer: Awaitable[T]) -> T:
            try:
                return await racer
            finally:
                self.finished += 1
                self.held.set()  # a racer that failed before holding frees the others

        return list(await asyncio.gather(*(one(r) for r in racers)))
