"""credentials out of the application role's reach: it cannot read password hashes, sees
only the users it has a reason to see, and cannot write alembic_version

- `users.password_hash` is not readable by the application role (column privileges). Two
  SECURITY DEFINER functions, owned by the owner, return whole `users` rows with the hash:
  `zhilv_user_by_email(email)` for the person signing in (or being invited, or asking for a
  reset), and `zhilv_user(id)` only for a user the transaction may already see.
- Row-level security on `users` (ENABLE, not FORCE: the owner and its functions are not
  bound): a row is visible to the application role when the user is a member (of any
  status) of the bound tenant, is a platform operator, or is one of the users this
  transaction named in `app.user_ids` (the one signing in or being invited, found by
  `zhilv_user_by_email`, or one it creates). With no tenant bound it sees operators only.
- `alembic_version` is read-only for the application role.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.migration_helpers import (
    APP_ROLES_SQL,
    app_role_limits_sql,
    app_role_limits_undo_sql,
)

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The users this transaction named (sign-in, invitation, creation) or its tenant's members.
NAMED_OR_MEMBER = """(
    users.id = ANY (string_to_array(NULLIF(current_setting('app.user_ids', true), ''), ',')::uuid[])
    OR EXISTS (
        SELECT 1 FROM memberships m
        WHERE m.user_id = users.id
          AND m.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
    )
)"""

POLICIES = {
    "users_read": f"FOR SELECT USING (is_operator OR {NAMED_OR_MEMBER})",
    "users_create": "FOR INSERT WITH CHECK (true)",
    "users_change": f"FOR UPDATE USING (is_operator OR {NAMED_OR_MEMBER}) WITH CHECK (true)",
    "users_remove": f"FOR DELETE USING ({NAMED_OR_MEMBER})",
}

NAME_USER = """
CREATE FUNCTION zhilv_name_user(p_user uuid) RETURNS void
LANGUAGE sql VOLATILE AS $$
    SELECT set_config(
        'app.user_ids',
        concat_ws(',', NULLIF(current_setting('app.user_ids', true), ''), p_user::text),
        true
    )
$$
"""

USER_BY_EMAIL = """
CREATE FUNCTION zhilv_user_by_email(p_email text) RETURNS SETOF users
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    person users;
BEGIN
    SELECT * INTO person FROM users WHERE lower(email) = lower(btrim(p_email));
    IF FOUND THEN
        PERFORM zhilv_name_user(person.id);
        RETURN NEXT person;
    END IF;
END $$
"""

USER_BY_ID = f"""
CREATE FUNCTION zhilv_user(p_user uuid) RETURNS SETOF users
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT * FROM users WHERE users.id = p_user AND {NAMED_OR_MEMBER}
$$
"""

DEFINER_FUNCTIONS = ("zhilv_user_by_email(text)", "zhilv_user(uuid)")


def _app_roles() -> list[str]:
    return list(op.get_bind().execute(sa.text(APP_ROLES_SQL)).scalars())


def upgrade() -> None:
    op.execute(NAME_USER)
    op.execute(USER_BY_EMAIL)
    op.execute(USER_BY_ID)
    for function in DEFINER_FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute("ALTER TABLE users ENABLE ROW LEVEL SECURITY")
    for name, rule in POLICIES.items():
        op.execute(f"CREATE POLICY {name} ON users {rule}")
    for role in _app_roles():
        for function in DEFINER_FUNCTIONS:
            op.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{role}"')
        op.execute(app_role_limits_sql(role))


def downgrade() -> None:
    for role in _app_roles():
        op.execute(app_role_limits_undo_sql(role))
    for name in reversed(POLICIES):
        op.execute(f"DROP POLICY {name} ON users")
    op.execute("ALTER TABLE users DISABLE ROW LEVEL SECURITY")
    for function in reversed(DEFINER_FUNCTIONS):
        op.execute(f"DROP FUNCTION {function}")
    op.execute("DROP FUNCTION zhilv_name_user(uuid)")
