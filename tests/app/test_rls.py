"""Row-level security, tried with raw SQL as the application role on EVERY tenant table.

The tables come from the catalog (every table with a `tenant_id` column), so a table added
by a future module is covered without touching this file; its rows come from the factory
registry (tests/factories/registry.py), which fails by name when a table has none.

The probes below are plain functions returning what went wrong, so that
tests/app/test_catalog.py can show they DO report leaks once a policy is weakened.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import uuid7
from app.db.engine import bind_tenant
from tests.factories.registry import MissingFactory, make_row
from tests.factories.tenants import make_tenant

TENANT_TABLES_SQL = text(
    """
    SELECT c.relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
    ORDER BY c.relname
    """
)


@dataclass(frozen=True)
class Seeded:
    """Two tenants, each with at least one row in `table`."""

    table: str
    a: uuid.UUID
    b: uuid.UUID
    a_row: uuid.UUID
    b_row: uuid.UUID


async def tenant_tables(db: AsyncSession) -> list[str]:
    return list((await db.execute(TENANT_TABLES_SQL)).scalars())


async def seed_two_tenants(db: AsyncSession, tables: list[str] | None = None) -> list[Seeded]:
    """Tenants A and B with one row each in every tenant table (or in `tables`)."""
    a = (await make_tenant(db)).tenant
    b = (await make_tenant(db)).tenant
    seeded = []
    for table in tables if tables is not None else await tenant_tables(db):
        try:
            a_row = await make_row(db, table, a)
            b_row = await make_row(db, table, b)
        except MissingFactory as exc:
            pytest.fail(str(exc))
        seeded.append(Seeded(table, a.id, b.id, a_row, b_row))
    return seeded


async def _count(db: AsyncSession, sql: str, **params: object) -> int:
    return int((await db.execute(text(sql), params)).scalar_one())


async def _rowcount(db: AsyncSession, sql: str, **params: object) -> int | str:
    """Rows affected, or the error's text (a failing statement is undone by its savepoint)."""
    try:
        async with db.begin_nested():
            return (await db.execute(text(sql), params)).rowcount  # type: ignore[attr-defined]
    except DBAPIError as exc:
        return str(exc.orig)


async def read_violations(db: AsyncSession, s: Seeded) -> list[str]:
    await bind_tenant(db, s.a)
    t = s.table
    problems = []
    if await _count(db, f"SELECT count(*) FROM {t} WHERE tenant_id <> :a", a=s.a):
        problems.append(f"{t}: tenant A reads rows of another tenant")
    if await _count(db, f"SELECT count(*) FROM {t} WHERE id = :b_row", b_row=s.b_row):
        problems.append(f"{t}: tenant A reads tenant B's row by its id")
    if not await _count(db, f"SELECT count(*) FROM {t} WHERE id = :a_row", a_row=s.a_row):
        problems.append(f"{t}: tenant A cannot read its own row (the probe proves nothing)")
    return problems


async def insert_violations(db: AsyncSession, s: Seeded) -> list[str]:
    """A copy of B's row, inserted while A is bound, must fail the policy's WITH CHECK."""
    t = s.table
    await bind_tenant(db, s.b)
    query = text(f"SELECT to_jsonb(x) FROM {t} x WHERE id = :id")
    row = (await db.execute(query, {"id": s.b_row})).scalar_one_or_none()
    if row is None:
        return [f"{t}: tenant B cannot read its own row (the probe proves nothing)"]
    row["id"] = str(uuid7())
    await bind_tenant(db, s.a)
    outcome = await _rowcount(
        db,
        f"INSERT INTO {t} SELECT * FROM jsonb_populate_record(NULL::{t}, CAST(:row AS jsonb))",
        row=json.dumps(row),
    )
    if isinstance(outcome, int):
        return [f"{t}: tenant A inserted a row with tenant B's tenant_id"]
    if "row-level security" not in outcome:
        return [f"{t}: insert for another tenant failed, but not by row-level security: {outcome}"]
    return []


async def update_violations(db: AsyncSession, s: Seeded) -> list[str]:
    t = s.table
    await bind_tenant(db, s.a)
    problems = []
    for where in ("id = :b_row", "tenant_id = :b"):
        outcome = await _rowcount(
            db, f"UPDATE {t} SET tenant_id = tenant_id WHERE {where}", b_row=s.b_row, b=s.b
        )
        if outcome != 0:
            problems.append(f"{t}: tenant A's UPDATE ... WHERE {where} touched B's rows: {outcome}")
    moved = await _rowcount(
        db, f"UPDATE {t} SET tenant_id = :b WHERE id = :a_row", b=s.b, a_row=s.a_row
    )
    if isinstance(moved, int) or not ("row-level security" in moved or "append-only" in moved):
        problems.append(f"{t}: tenant A could hand its row to tenant B: {moved}")
    return problems + await _still_there(db, s)


async def delete_violations(db: AsyncSession, s: Seeded) -> list[str]:
    t = s.table
    await bind_tenant(db, s.a)
    problems = []
    for where in ("id = :b_row", "tenant_id = :b"):
        outcome = await _rowcount(db, f"DELETE FROM {t} WHERE {where}", b_row=s.b_row, b=s.b)
        if outcome != 0:
            problems.append(f"{t}: tenant A's DELETE ... WHERE {where} touched B's row: {outcome}")
    return problems + await _still_there(db, s)


async def _still_there(db: AsyncSession, s: Seeded) -> list[str]:
    await bind_tenant(db, s.b)
    row = await _count(
        db,
        f"SELECT count(*) FROM {s.table} WHERE id = :b_row AND tenant_id = :b",
        b_row=s.b_row,
        b=s.b,
    )
    return [] if row == 1 else [f"{s.table}: tenant B's row was changed or removed by tenant A"]


async def unbound_violations(db: AsyncSession, s: Seeded) -> list[str]:
    """No tenant bound, whether the setting was never set (NULL) or reset (empty string)."""
    problems = []
    for value in (None, ""):
        await db.execute(text("SELECT set_config('app.tenant_id', :v, true)"), {"v": value or ""})
        if value is None:
            await db.execute(text("RESET app.tenant_id"))
        visible = await _count(db, f"SELECT count(*) FROM {s.table}")
        if visible:
            problems.append(f"{s.table}: {visible} rows visible with no tenant bound ({value!r})")
    return problems


async def isolation_violations(db: AsyncSession, seeded: list[Seeded]) -> list[str]:
    problems: list[str] = []
    for s in seeded:
        for probe in (
            read_violations,
            insert_violations,
            update_violations,
            delete_violations,
            unbound_violations,
        ):
            problems += await probe(db, s)
    return problems


@pytest.fixture
async def seeded(db: AsyncSession) -> list[Seeded]:
    result = await seed_two_tenants(db)
    assert result, "the catalog lists no tenant tables: the migrations did not run?"
    return result


class TestCatalogCoverage:
    async def test_every_foundation_tenant_table_is_probed(self, seeded):
        tables = {s.table for s in seeded}
        assert {
            "memberships",
            "api_keys",
            "staff_sessions",
            "audit_events",
            "outbound_messages",
        } <= tables


class TestReading:
    async def test_a_tenant_reads_only_its_own_rows_in_every_tenant_table(self, db, seeded):
        problems = [p for s in seeded for p in await read_violations(db, s)]
        assert not problems, "\n".join(problems)


class TestInserting:
    async def test_a_row_for_another_tenant_is_refused_by_the_policy(self, db, seeded):
        problems = [p for s in seeded for p in await insert_violations(db, s)]
        assert not problems, "\n".join(problems)


class TestUpdating:
    async def test_another_tenants_rows_are_untouched_and_rows_cannot_change_tenant(
        self, db, seeded
    ):
        problems = [p for s in seeded for p in await update_violations(db, s)]
        assert not problems, "\n".join(problems)


class TestDeleting:
    async def test_another_tenants_rows_cannot_be_deleted(self, db, seeded):
        problems = [p for s in seeded for p in await delete_violations(db, s)]
        assert not problems, "\n".join(problems)


class TestNoTenantBound:
    async def test_nothing_is_visible_without_a_tenant(self, db, seeded):
        problems = [p for s in seeded for p in await unbound_violations(db, s)]
        assert not problems, "\n".join(problems)


class TestApplicationRole:
    async def test_is_neither_superuser_nor_bypassrls(self, connection):
        row = (
            await connection.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            )
        ).one()
        assert (row.rolsuper, row.rolbypassrls) == (False, False)

    async def test_owns_nothing_and_cannot_become_an_owner(self, connection):
        owned = (
            (
                await connection.execute(
                    text(
                        """
                    SELECT c.relname FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = current_schema()
                      AND (c.relowner = current_user::regrole
                           OR pg_has_role(current_user, c.relowner, 'MEMBER'))
                    UNION ALL
                    SELECT 'schema ' || nspname FROM pg_namespace
                    WHERE nspowner = current_user::regrole
                    UNION ALL
                    SELECT 'database ' || datname FROM pg_database
                    WHERE datdba = current_user::regrole
                    """
                    )
                )
            )
            .scalars()
            .all()
        )
        assert owned == []
