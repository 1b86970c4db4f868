"""The catalog check: every table with a `tenant_id` column has FORCED row-level security
with the one policy shape. And proof that the check, and the raw-SQL probes of
tests/app/test_rls.py, fail when a policy is weakened (inside transactions that are
rolled back, as a superuser on this test process's database)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.engine import Database, make_engine
from app.db.rls import UNPROTECTED_TENANT_TABLES_SQL, enable_rls_sql
from tests.app.test_rls import isolation_violations, seed_two_tenants
from tests.conftest import APP_ROLE


async def unprotected(conn: AsyncConnection) -> list[str]:
    return list((await conn.execute(text(UNPROTECTED_TENANT_TABLES_SQL))).scalars())


@pytest.fixture
async def superuser(admin, urls) -> AsyncIterator[AsyncConnection]:
    """A superuser connection to this process's test database, in a transaction that is
    always rolled back: what a test does to the schema here never survives it."""
    database = make_url(urls.owner_url).database
    url = make_url(admin).set(database=database).render_as_string(hide_password=False)
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            transaction = await conn.begin()
            await conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            try:
                yield conn
            finally:
                await transaction.rollback()
    finally:
        await engine.dispose()


async def _execute(conn: AsyncConnection, *statements: str) -> None:
    for statement in statements:
        await conn.execute(text(statement))


class TestMigratedSchema:
    async def test_every_tenant_table_has_forced_rls_with_the_tenant_policy(self, connection):
        assert await unprotected(connection) == []


class TestCheckCatchesUnprotectedTables:
    async def test_a_new_table_with_tenant_id_and_no_rls_is_flagged(self, superuser):
        await _execute(
            superuser, "CREATE TABLE zz_forgotten (id uuid PRIMARY KEY, tenant_id uuid NOT NULL)"
        )
        assert "zz_forgotten" in await unprotected(superuser)

    async def test_rls_enabled_but_not_forced_is_flagged(self, superuser):
        await _execute(
            superuser,
            "CREATE TABLE zz_not_forced (LIKE memberships)",
            *enable_rls_sql("zz_not_forced"),
            "ALTER TABLE zz_not_forced NO FORCE ROW LEVEL SECURITY",
        )
        assert "zz_not_forced" in await unprotected(superuser)

    async def test_a_dropped_policy_is_flagged(self, superuser):
        await _execute(superuser, "DROP POLICY tenant_isolation ON memberships")
        assert "memberships" in await unprotected(superuser)

    async def test_a_policy_of_another_shape_is_flagged(self, superuser):
        await _execute(
            superuser,
            "CREATE TABLE zz_open (LIKE memberships)",
            "ALTER TABLE zz_open ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE zz_open FORCE ROW LEVEL SECURITY",
            "CREATE POLICY tenant_isolation ON zz_open USING (true)",
        )
        assert "zz_open" in await unprotected(superuser)

    async def test_a_table_protected_the_standard_way_passes(self, superuser):
        await _execute(
            superuser, "CREATE TABLE zz_guarded (LIKE memberships)", *enable_rls_sql("zz_guarded")
        )
        assert "zz_guarded" not in await unprotected(superuser)


WEAKENINGS = {
    "rls disabled": ["ALTER TABLE memberships DISABLE ROW LEVEL SECURITY"],
    "policy dropped": ["DROP POLICY tenant_isolation ON memberships"],
    "policy opened": [
        "DROP POLICY tenant_isolation ON memberships",
        "CREATE POLICY tenant_isolation ON memberships USING (true) WITH CHECK (true)",
    ],
}


class TestRawSqlProbesCatchWeakenedPolicies:
    """The same probes that pass in test_rls.py report the table once it is weakened."""

    @pytest.mark.parametrize("weakening", WEAKENINGS)
    async def test_probes_report_memberships(self, superuser, weakening):
        await superuser.execute(text(f'SET LOCAL ROLE "{APP_ROLE}"'))
        async with Database.over_connection(superuser).sessionmaker() as db:
            seeded = await seed_two_tenants(db, ["memberships"])
            await superuser.execute(text("RESET ROLE"))
            await _execute(superuser, *WEAKENINGS[weakening])
            await superuser.execute(text(f'SET LOCAL ROLE "{APP_ROLE}"'))
            problems = await isolation_violations(db, seeded)
            flagged = await unprotected(superuser)
        assert problems, f"the probes missed a weakened policy ({weakening})"
        assert all(p.startswith("memberships:") for p in problems)
        assert "memberships" in flagged

    async def test_probes_find_nothing_on_the_intact_table(self, superuser):
        await superuser.execute(text(f'SET LOCAL ROLE "{APP_ROLE}"'))
        async with Database.over_connection(superuser).sessionmaker() as db:
            seeded = await seed_two_tenants(db, ["memberships"])
            assert await isolation_violations(db, seeded) == []
