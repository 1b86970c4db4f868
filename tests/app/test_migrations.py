"""Migrations are the only way the schema changes, so they must agree with the models and
every one of them must undo cleanly (a failed deploy is rolled back with `downgrade`).

Each test builds its own scratch database on the test server: an empty one for the round
trip, a copy of the test processes' migrated template (built by the same migrations) for the
checks at head."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.admin import DatabaseUrls, alembic_config, downgrade, init_database, migrate
from app.db.engine import make_engine
from app.db.models import Base
from tests.conftest import APP_ROLE, OWNER_ROLE, drop_database, migrated_database, worker_id

# What the schema consists of, as the catalog reports it (alembic's bookkeeping excluded).
SNAPSHOT_SQL = {
    "columns": """
        SELECT table_name || '.' || column_name || ' ' || data_type || ' '
               || is_nullable || ' ' || coalesce(column_default, '')
        FROM information_schema.columns WHERE table_schema = current_schema()
    """,
    "relations": """
        SELECT format('%s %s rls=%s force=%s', c.relname, c.relkind::text,
                      c.relrowsecurity, c.relforcerowsecurity)
        FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace
    """,
    "constraints": """
        SELECT format('%s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
        FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
    """,
    "indexes": "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()",
    "policies": """
        SELECT tablename || ' ' || policyname || ' ' || cmd || ' ' || coalesce(qual, '')
               || ' ' || coalesce(with_check, '')
        FROM pg_policies WHERE schemaname = current_schema()
    """,
    "triggers": "SELECT format('%s %s', tgrelid::regclass, tgname) FROM pg_trigger WHERE NOT tgisinternal",
    "functions": """
        SELECT p.oid::regprocedure::text FROM pg_proc p
        WHERE p.pronamespace = current_schema()::regnamespace
    """,
    "types": """
        SELECT t.typname FROM pg_type t
        WHERE t.typnamespace = current_schema()::regnamespace AND t.typtype IN ('e', 'c', 'd')
          AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')
    """,
}
BOOKKEEPING = ("alembic_version", "pk_alembic_version")


async def snapshot(owner_url: str) -> dict[str, list[str]]:
    engine = make_engine(owner_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            return await snapshot_over(conn)
    finally:
        await engine.dispose()


async def snapshot_over(conn: AsyncConnection) -> dict[str, list[str]]:
    """The schema as the catalog reports it now (in a transaction of its own, so that a
    connection kept open between migrations sees each one's result)."""
    result = {}
    async with conn.begin():
        for name, sql in SNAPSHOT_SQL.items():
            rows = (await conn.execute(text(sql))).scalars()
            result[name] = sorted(r for r in rows if not any(b in r for b in BOOKKEEPING))
    return result


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """The same filter as migrations/env.py: procrastinate's tables come from its own SQL."""
    return not (type_ == "table" and name and name.startswith("procrastinate_"))


def _compare(connection: Any) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "include_object": include_object,
            "compare_type": True,
            "target_metadata": Base.metadata,
        },
    )
    return list(compare_metadata(context, Base.metadata))


def revisions_in_order(url: str) -> list[tuple[str, str]]:
    """(revision, the revision below it or "base"), from the first migration to head."""
    script = ScriptDirectory.from_config(alembic_config(url))
    steps = [(r.revision, r.down_revision or "base") for r in script.walk_revisions()]
    for _, down in steps:
        assert isinstance(down, str), "merge migrations are not expected here"
    return list(reversed(steps))  # type: ignore[arg-type]


@pytest.fixture
async def scratch(admin: str) -> AsyncIterator[tuple[str, str]]:
    """A scratch database name on the test server (dropped afterwards)."""
    name = f"zhilv_test_{worker_id()}_migrations"
    yield admin, name
    await drop_database(admin, name)


async def _empty_database(admin: str, name: str) -> DatabaseUrls:
    await drop_database(admin, name)
    return await init_database(admin, database=name, owner=OWNER_ROLE, app=APP_ROLE)


class TestModelsAndMigrationsAgree:
    async def test_autogenerate_finds_nothing_to_change_at_head(self, scratch):
        admin, name = scratch
        urls = await migrated_database(admin, name)
        engine = make_engine(urls.owner_url, pool_size=1, max_overflow=0)
        try:
            async with engine.connect() as conn:
                differences = await conn.run_sync(_compare)
        finally:
            await engine.dispose()
        assert differences == [], (
            "models and migrations disagree; write a migration:\n"
            + "\n".join(map(str, differences))
        )


class TestEveryMigrationDowngrades:
    async def test_each_revision_goes_down_and_up_again_to_the_same_schema(self, scratch):
        admin, name = scratch
        urls = await _empty_database(admin, name)
        steps = revisions_in_order(urls.owner_url)
        assert steps, "no migrations found"
        engine = make_engine(urls.owner_url, pool_size=1, max_overflow=0)
        try:
            async with engine.connect() as conn:
                await _round_trips(urls.owner_url, conn, steps)
        finally:
            await engine.dispose()

    async def test_head_goes_all_the_way_down_to_an_empty_schema(self, scratch):
        admin, name = scratch
        urls = await migrated_database(admin, name)
        await asyncio.to_thread(downgrade, urls.owner_url, "base")
        remaining = await snapshot(urls.owner_url)
        assert {k: v for k, v in remaining.items() if v} == {}


async def _round_trips(owner_url: str, conn: AsyncConnection, steps: list[tuple[str, str]]) -> None:
    """Each revision applied, undone (the schema is as before it), applied again (the schema
    is as the first time); the catalog read over one connection kept open between steps."""
    before = await snapshot_over(conn)
    for revision, down in steps:
        await asyncio.to_thread(migrate, owner_url, revision)
        applied = await snapshot_over(conn)
        await asyncio.to_thread(downgrade, owner_url, down)
        assert await snapshot_over(conn) == before, f"downgrade of {revision} left things behind"
        await asyncio.to_thread(migrate, owner_url, revision)
        assert await snapshot_over(conn) == applied, f"{revision} differs when applied again"
        before = applied
