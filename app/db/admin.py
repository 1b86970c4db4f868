"""Server set-up: the two roles and the database (`zhilv db init`), and migrations.

- the owner role owns the database and its schema and runs migrations;
- the application role owns nothing, is neither superuser nor BYPASSRLS, and gets
  SELECT/INSERT/UPDATE/DELETE on what the owner creates (default privileges), except
  writing `alembic_version` and reading `users.password_hash`
  (`app.db.migration_helpers.app_role_limits_sql`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from app.db.migration_helpers import app_role_limits_sql
from app.settings import PROJECT_ROOT


@dataclass(frozen=True, slots=True)
class DatabaseUrls:
    owner_url: str
    app_url: str


def _with_user(admin_url: str, user: str, password: str | None, database: str) -> str:
    url = make_url(admin_url).set(
        drivername="postgresql", username=user, password=password, database=database
    )
    return url.render_as_string(hide_password=False)


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe identifier: {name!r}")
    return f'"{name}"'


async def _ensure_role(conn: asyncpg.Connection, role: str, password: str | None) -> None:
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    verb = "ALTER" if exists else "CREATE"
    options = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT"
    if password:
        await conn.execute(f"{verb} ROLE {_ident(role)} {options} PASSWORD $${password}$$")
    else:
        await conn.execute(f"{verb} ROLE {_ident(role)} {options}")


async def init_database(
    admin_url: str,
    *,
    database: str = "zhilv",
    owner: str = "zhilv_owner",
    app: str = "zhilv_app",
    owner_password: str | None = None,
    app_password: str | None = None,
) -> DatabaseUrls:
    """Idempotent: creates or updates the roles and the database, and the grants."""
    admin = make_url(admin_url).set(drivername="postgresql")
    conn = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        # Several processes (test workers) may run this at once.
        await conn.execute("SELECT pg_advisory_lock(727274)")
        await _ensure_role(conn, owner, owner_password)
        await _ensure_role(conn, app, app_password)
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await conn.execute(f"CREATE DATABASE {_ident(database)} OWNER {_ident(owner)}")
        await conn.execute(f"GRANT CONNECT ON DATABASE {_ident(database)} TO {_ident(app)}")
        await conn.execute("SELECT pg_advisory_unlock(727274)")
    finally:
        await conn.close()
    db_conn = await asyncpg.connect(
        admin.set(database=database).render_as_string(hide_password=False)
    )
    try:
        o, a = _ident(owner), _ident(app)
        await db_conn.execute(
            f"""
            ALTER SCHEMA public OWNER TO {o};
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            GRANT USAGE ON SCHEMA public TO {a};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {a};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {a};
            ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public
                GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {a};
            ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public
                GRANT USAGE, SELECT ON SEQUENCES TO {a};
            ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public
                GRANT EXECUTE ON FUNCTIONS TO {a};
            """
        )
        # ...except what migration 0016 took away, which the blanket grant just gave back.
        await db_conn.execute(app_role_limits_sql(app))
    finally:
        await db_conn.close()
    return DatabaseUrls(
        owner_url=_with_user(admin_url, owner, owner_password, database),
        app_url=_with_user(admin_url, app, app_password, database),
    )


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["url"] = url
    return config


def migrate(owner_url: str, revision: str = "head") -> None:
    """Apply migrations as the owner (sync entry point; Alembic runs its own loop)."""
    command.upgrade(alembic_config(owner_url), revision)


def downgrade(owner_url: str, revision: str) -> None:
    command.downgrade(alembic_config(owner_url), revision)


T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)
