"""Row-level security: the one policy shape, for use in migrations and checks."""

from __future__ import annotations

POLICY_NAME = "tenant_isolation"
POLICY_EXPR = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def enable_rls_sql(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {POLICY_NAME} ON {table} USING ({POLICY_EXPR}) WITH CHECK ({POLICY_EXPR})",
    ]


def disable_rls_sql(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


# Where two tenants meet (distribution agreements), the other side may READ the rows that name
# it: a second, SELECT-only policy beside the one tenant policy. Writes stay the owner's.
PARTNER_POLICY_NAME = "partner_read"
PARTNER_POLICY_EXPR = (
    "NULLIF(current_setting('app.tenant_id', true), '')::uuid "
    "IN (partner_tenant_id, upline_tenant_id)"
)


def enable_partner_read_sql(table: str) -> list[str]:
    """For a table with `partner_tenant_id` and `upline_tenant_id`, after `enable_rls_sql`."""
    return [
        f"CREATE POLICY {PARTNER_POLICY_NAME} ON {table} FOR SELECT USING ({PARTNER_POLICY_EXPR})"
    ]


def enable_partner_read(op: object, table: str) -> None:
    for statement in enable_partner_read_sql(table):
        op.execute(statement)  # type: ignore[attr-defined]


def disable_partner_read(op: object, table: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS {PARTNER_POLICY_NAME} ON {table}")  # type: ignore[attr-defined]


def enable_rls(op: object, table: str) -> None:
    """Call from an Alembic migration right after `op.create_table(table, ...)`."""
    for statement in enable_rls_sql(table):
        op.execute(statement)  # type: ignore[attr-defined]


def disable_rls(op: object, table: str) -> None:
    for statement in disable_rls_sql(table):
        op.execute(statement)  # type: ignore[attr-defined]


# Tables lacking forced RLS while having a tenant_id column (the catalog check).
UNPROTECTED_TENANT_TABLES_SQL = """
SELECT c.relname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
  AND NOT (
    c.relrowsecurity AND c.relforcerowsecurity
    AND EXISTS (
      SELECT 1 FROM pg_policy p
      WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation' AND p.polcmd = '*'
        AND pg_get_expr(p.polqual, p.polrelid) = pg_get_expr(p.polwithcheck, p.polrelid)
        AND pg_get_expr(p.polqual, p.polrelid) LIKE '%app.tenant_id%'
    )
  )
ORDER BY c.relname
"""
