"""Shared shapes for Alembic migrations: the columns every tenant table has, the names the
models' naming convention gives (`app.db.base.NAMING`), and the append-only trigger.

STABILITY: released migrations call these functions, and a migration must produce the same
schema forever (a database migrated last year and one migrated today must agree). Changing
what a function here emits therefore silently changes released migrations. Functions may
only be ADDED to this module, never altered; a new shape gets a new function.

Row-level security itself lives in `app.db.rls` (also used by the catalog checks); this
module only calls it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.sql.elements import conv

from app.db.rls import disable_rls, enable_rls


def tenant_columns(table: str) -> list[sa.schema.SchemaItem]:
    """What `TenantScoped` maps: `tenant_id` (FK tenants, RESTRICT), the uuid7 `id` primary
    key and `created_at`, in the column order the models produce."""
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        timestamp_now("created_at"),
        foreign_key(table, "tenant_id", "tenants", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=conv(f"pk_{table}")),
    ]


def timestamp_now(name: str) -> sa.Column[Any]:
    """A `timestamptz NOT NULL DEFAULT now()` column (created_at, updated_at, signed_at...)."""
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def create_tenant_table(table: str, *items: sa.schema.SchemaItem) -> None:
    """Create a tenant table (its own columns and constraints, then `tenant_columns`) and
    force row-level security on it at once, so it is never readable across tenants."""
    op.create_table(table, *items, *tenant_columns(table))
    enable_rls(op, table)


def drop_tenant_table(table: str) -> None:
    """Undo `create_tenant_table` (its indexes go with it)."""
    disable_rls(op, table)
    op.drop_table(table)


def foreign_key(
    table: str, column: str, target: str, *, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    """`column` references `target.id`, named `fk_<table>_<column>_<target>`."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=conv(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def tenant_unique(table: str, *columns: str) -> sa.UniqueConstraint:
    """Unique per tenant: `(tenant_id, *columns)`, named `uq_<table>_tenant_id_<columns>`."""
    name = "_".join(("uq", table, "tenant_id", *columns))
    return sa.UniqueConstraint("tenant_id", *columns, name=conv(name))


def tenant_index(
    table: str, *columns: str, unique: bool = False, where: str | None = None, suffix: str = ""
) -> None:
    """An index leading with `tenant_id`, named `ix_`/`uq_<table>_tenant_id_<columns>` (plus
    `_<suffix>` for a partial one, e.g. `_active`); `where` makes it partial."""
    name = "_".join(("uq" if unique else "ix", table, "tenant_id", *columns))
    op.create_index(
        f"{name}_{suffix}" if suffix else name,
        table,
        ["tenant_id", *columns],
        unique=unique,
        postgresql_where=sa.text(where) if where is not None else None,
    )


def append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on `table` (`zhilv_refuse_change`, migration 0001): rows that
    are evidence (money, signatures, status history) are corrected by new rows only."""
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION zhilv_refuse_change()"
    )


def drop_append_only(table: str) -> None:
    op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


# Tenant-safe foreign keys (migration 0015 onwards) -------------------------------------
#
# A foreign key between two tenant tables includes `tenant_id`: `(tenant_id, x_id)`
# references `(tenant_id, id)`, so PostgreSQL refuses a row pointing at another tenant's
# row even if the application forgot to check. The referenced table needs `tenant_key`.
# Foreign keys to the platform tables (`tenants`, `users`) stay plain `foreign_key`s.


def tenant_key(table: str) -> sa.UniqueConstraint:
    """`UNIQUE (tenant_id, id)` for a new tenant table that other tenant tables reference
    (an item of `create_tenant_table`); the models declare it with `app.db.base.tenant_key`."""
    return tenant_unique(table, "id")


def _tenant_ondelete(column: str, ondelete: str | None) -> str | None:
    # SET NULL on a composite key would empty tenant_id too: name the column (PG 15+).
    if ondelete is not None and ondelete.upper() in ("SET NULL", "SET DEFAULT"):
        return f"{ondelete.upper()} ({column})"
    return ondelete


def tenant_foreign_key(
    table: str, column: str, target: str, *, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    """`(tenant_id, column)` references `target (tenant_id, id)`, named
    `fk_<table>_<column>_<target>` (an item of `create_tenant_table`); `ondelete="SET NULL"`
    empties only `column`. The models declare it with `app.db.base.tenant_foreign_key`."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        name=conv(f"fk_{table}_{column}_{target}"),
        ondelete=_tenant_ondelete(column, ondelete),
    )


def add_tenant_key(table: str) -> None:
    """Give an existing tenant table its `UNIQUE (tenant_id, id)`."""
    op.create_unique_constraint(conv(f"uq_{table}_tenant_id_id"), table, ["tenant_id", "id"])


def drop_tenant_key(table: str) -> None:
    op.drop_constraint(conv(f"uq_{table}_tenant_id_id"), table, type_="unique")


def make_foreign_key_tenant_safe(
    table: str, column: str, target: str, *, ondelete: str | None = None
) -> None:
    """Replace the plain `foreign_key(table, column, target)` by its `tenant_foreign_key`
    (same name, same ON DELETE). `target` must already have its `tenant_key`."""
    name = conv(f"fk_{table}_{column}_{target}")
    op.drop_constraint(name, table, type_="foreignkey")
    op.create_foreign_key(
        name,
        table,
        target,
        ["tenant_id", column],
        ["tenant_id", "id"],
        ondelete=_tenant_ondelete(column, ondelete),
    )


def make_foreign_key_plain(
    table: str, column: str, target: str, *, ondelete: str | None = None
) -> None:
    """Undo `make_foreign_key_tenant_safe`: back to `column` references `target.id`."""
    name = conv(f"fk_{table}_{column}_{target}")
    op.drop_constraint(name, table, type_="foreignkey")
    op.create_foreign_key(name, table, target, [column], ["id"], ondelete=ondelete)


# What the application role may not do (migration 0016 onwards) --------------------------
#
# `zhilv db init` grants the application role everything on every table; these exceptions
# are applied by the migration that introduced them AND again by every `init_database`, so
# re-running the set-up never hands the privileges back. They keep the schema's
# bookkeeping and the password hashes out of a compromised or buggy application's reach.

# The application roles: whoever the owner's default privileges on tables are for.
APP_ROLES_SQL = """
SELECT a.grantee::regrole::text
FROM pg_default_acl d, aclexplode(d.defaclacl) a
WHERE d.defaclrole = current_user::regrole AND d.defaclobjtype = 'r'
  AND d.defaclnamespace = current_schema()::regnamespace
ORDER BY 1
"""


def app_role_limits_sql(role: str) -> str:
    """A statement taking from `role`: writing `alembic_version`, and reading
    `users.password_hash` (every other column of `users` stays readable). Tables not yet
    created are skipped, so it may run before the first migration."""
    return f"""
DO $limits$
DECLARE
    app text := {_literal(role)};
    readable text;
BEGIN
    IF to_regclass('alembic_version') IS NOT NULL THEN
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM %I', app);
    END IF;
    IF to_regclass('users') IS NOT NULL THEN
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO readable
        FROM pg_attribute
        WHERE attrelid = to_regclass('users') AND attnum > 0 AND NOT attisdropped
          AND attname <> 'password_hash';
        EXECUTE format('REVOKE SELECT ON users FROM %I', app);
        EXECUTE format('GRANT SELECT (%s) ON users TO %I', readable, app);
    END IF;
END $limits$
"""


def app_role_limits_undo_sql(role: str) -> str:
    """Give back what `app_role_limits_sql` took (a downgrade)."""
    return f"""
DO $limits$
DECLARE
    app text := {_literal(role)};
BEGIN
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON alembic_version TO %I', app);
    EXECUTE format('REVOKE SELECT ON users FROM %I', app);
    EXECUTE format('GRANT SELECT ON users TO %I', app);
END $limits$
"""


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
