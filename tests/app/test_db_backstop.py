"""The database backstops tenancy by itself, whatever the application gets wrong:

- every foreign key between two tenant tables includes `tenant_id`, so PostgreSQL refuses a
  tenant-A row that points at a tenant-B row (the foreign key, not row-level security);
- the application role cannot read password hashes, and sees no user of another tenant;
- the application role cannot rewrite the migration bookkeeping (`alembic_version`).

Tried as the application role (the `db`/`connection` fixtures), and as a superuser where the
point is that row-level security is out of the way."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.db.admin import init_database
from app.db.engine import bind_tenant, make_engine
from tests.app.test_catalog import superuser  # noqa: F401 (a fixture)
from tests.conftest import APP_ROLE, OWNER_ROLE
from tests.factories.registry import make_row
from tests.factories.tenants import make_tenant

# Foreign keys from a tenant table to a tenant table whose columns do not pair the two
# tables' tenant_id (the referencing tenant_id against the referenced one).
UNSAFE_FOREIGN_KEYS_SQL = """
WITH tenant_column AS (
    SELECT a.attrelid AS rel, a.attnum
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE a.attname = 'tenant_id' AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
      AND c.relnamespace = current_schema()::regnamespace
)
SELECT format('%s.%s', con.conrelid::regclass, con.conname)
FROM pg_constraint con
JOIN tenant_column mine ON mine.rel = con.conrelid
JOIN tenant_column theirs ON theirs.rel = con.confrelid
WHERE con.contype = 'f'
  AND NOT EXISTS (
    SELECT 1 FROM generate_subscripts(con.conkey, 1) i
    WHERE con.conkey[i] = mine.attnum AND con.confkey[i] = theirs.attnum
  )
ORDER BY 1
"""

TENANT_FOREIGN_KEYS_SQL = """
SELECT count(*) FROM pg_constraint con
WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace
  AND cardinality(con.conkey) = 2 AND con.confrelid <> 'tenants'::regclass
"""

RATING = """
INSERT INTO guide_ratings (id, tenant_id, guide_id, score, source, rated_on)
VALUES (:id, :tenant, :guide, 5, 'survey', :day)
"""


async def _unsafe(conn: AsyncConnection | AsyncSession) -> list[str]:
    return list((await conn.execute(text(UNSAFE_FOREIGN_KEYS_SQL))).scalars())


async def _refusal(db: AsyncSession | AsyncConnection, sql: str, **params: object) -> str:
    """The database's error for `sql` (undone by a savepoint); fails if it succeeds."""
    try:
        async with db.begin_nested():
            await db.execute(text(sql), params)
    except DBAPIError as exc:
        return str(exc.orig)
    pytest.fail(f"the database accepted: {sql.strip()}")


class TestForeignKeysIncludeTheTenant:
    async def test_every_foreign_key_between_tenant_tables_includes_tenant_id(self, db):
        assert await _unsafe(db) == []
        assert (await db.execute(text(TENANT_FOREIGN_KEYS_SQL))).scalar_one() >= 50

    async def test_the_check_flags_a_foreign_key_without_tenant_id(self, superuser):  # noqa: F811
        await superuser.execute(
            text("CREATE TABLE zz_parent (id uuid PRIMARY KEY, tenant_id uuid NOT NULL)")
        )
        await superuser.execute(
            text(
                "CREATE TABLE zz_child (id uuid PRIMARY KEY, tenant_id uuid NOT NULL,"
                " parent_id uuid REFERENCES zz_parent (id))"
            )
        )
        assert [name for name in await _unsafe(superuser) if "zz_" in name] == [
            "zz_child.zz_child_parent_id_fkey"
        ]

    async def test_the_app_role_cannot_point_a_tenant_a_row_at_a_tenant_b_row(self, db):
        a = (await make_tenant(db)).tenant
        b = (await make_tenant(db)).tenant
        b_guide = await make_row(db, "guides", b)
        await bind_tenant(db, a.id)
        error = await _refusal(
            db, RATING, id=uuid.uuid4(), tenant=a.id, guide=b_guide, day=date(2026, 5, 1)
        )
        assert "fk_guide_ratings_guide_id_guides" in error

    async def test_with_row_level_security_out_of_the_way_the_foreign_key_still_refuses(
        self,
        superuser,  # noqa: F811
    ):
        """A superuser ignores row-level security: only the foreign key can say no."""
        tenants, guides = [], []
        for _ in range(2):
            tenant, guide = uuid.uuid4(), uuid.uuid4()
            await superuser.execute(
                text(
                    "INSERT INTO tenants (id, slug, name, kinds) VALUES (:id, :slug, 'x', '{hotel}')"
                ),
                {"id": tenant, "slug": f"zz-{tenant.hex[:12]}"},
            )
            await superuser.execute(
                text(
                    "INSERT INTO guides (id, tenant_id, licence_no, name, level,"
                    " licence_valid_until) VALUES (:id, :t, :no, 'x', 'junior', '2030-01-01')"
                ),
                {"id": guide, "t": tenant, "no": f"L{guide.hex[:8]}"},
            )
            tenants.append(tenant)
            guides.append(guide)
        day = date(2026, 5, 1)
        await superuser.execute(
            text(RATING), {"id": uuid.uuid4(), "tenant": tenants[0], "guide": guides[0], "day": day}
        )
        error = await _refusal(
            superuser, RATING, id=uuid.uuid4(), tenant=tenants[0], guide=guides[1], day=day
        )
        assert "fk_guide_ratings_guide_id_guides" in error


async def _forget_named_users(db: AsyncSession) -> None:
    """The factories' users were created in this transaction, which may therefore see them;
    forget that, as a fresh request would know nothing."""
    await db.execute(text("SELECT set_config('app.user_ids', '', true)"))


class TestUsersAreOutOfReach:
    async def test_the_app_role_cannot_select_password_hashes(self, db):
        await make_tenant(db)
        error = await _refusal(db, "SELECT password_hash FROM users")
        assert "permission denied" in error
        error = await _refusal(db, "SELECT * FROM users")
        assert "permission denied" in error

    async def test_with_no_tenant_bound_the_app_role_sees_no_staff(self, db):
        await make_tenant(db)
        await make_tenant(db)
        await bind_tenant(db, None)
        await _forget_named_users(db)
        seen = await db.execute(text("SELECT email FROM users WHERE NOT is_operator"))
        assert seen.all() == []

    async def test_bound_to_a_tenant_it_sees_only_that_tenants_staff(self, db):
        a = await make_tenant(db)
        b = await make_tenant(db)
        await bind_tenant(db, a.tenant.id)
        await _forget_named_users(db)
        emails = set((await db.execute(text("SELECT email FROM users"))).scalars())
        assert a.user.email in emails
        assert b.user.email not in emails
        assert (
            await db.scalar(
                text("UPDATE users SET display_name = 'x' WHERE id = :id RETURNING id"),
                {"id": b.user.id},
            )
            is None
        )

    async def test_a_password_hash_comes_only_for_a_user_the_transaction_may_see(self, db):
        a = await make_tenant(db)
        b = await make_tenant(db)
        await bind_tenant(db, a.tenant.id)
        await _forget_named_users(db)
        by_id = text("SELECT password_hash FROM zhilv_user(:id)")
        assert (await db.scalar(by_id, {"id": a.user.id})).startswith("$argon2")
        assert await db.scalar(by_id, {"id": b.user.id}) is None

    async def test_signing_in_by_e_mail_names_that_user_alone(self, db):
        a = await make_tenant(db)
        b = await make_tenant(db)
        await bind_tenant(db, None)
        await _forget_named_users(db)
        row = (
            await db.execute(
                text("SELECT id, password_hash FROM zhilv_user_by_email(:e)"),
                {"e": f"  {b.user.email.upper()} "},
            )
        ).one()
        assert row.id == b.user.id and row.password_hash.startswith("$argon2")
        visible = set((await db.execute(text("SELECT id FROM users"))).scalars())
        assert b.user.id in visible and a.user.id not in visible


class TestMigrationBookkeeping:
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE alembic_version SET version_num = '0001'",
            "DELETE FROM alembic_version",
            "INSERT INTO alembic_version VALUES ('9999')",
            "TRUNCATE alembic_version",
        ],
    )
    async def test_the_app_role_cannot_change_alembic_version(self, db, sql):
        assert "permission denied" in await _refusal(db, sql)

    async def test_setting_the_database_up_again_keeps_the_limits(self, admin, urls):
        """`zhilv db init` grants everything on every table; it must take these back."""
        name = make_url(urls.owner_url).database
        assert name is not None
        await init_database(admin, database=name, owner=OWNER_ROLE, app=APP_ROLE)
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url, pool_size=1, max_overflow=0)
        try:
            async with engine.connect() as conn:
                checks = (
                    await conn.execute(
                        text(
                            "SELECT has_column_privilege(:r, 'users', 'password_hash', 'SELECT'),"
                            " has_table_privilege(:r, 'users', 'SELECT'),"
                            " has_column_privilege(:r, 'users', 'email', 'SELECT'),"
                            " has_table_privilege(:r, 'alembic_version', 'UPDATE'),"
                            " has_table_privilege(:r, 'alembic_version', 'SELECT')"
                        ),
                        {"r": APP_ROLE},
                    )
                ).one()
        finally:
            await engine.dispose()
        assert tuple(checks) == (False, False, True, False, True)
