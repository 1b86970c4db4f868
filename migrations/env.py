"""Alembic environment (async). Runs as the owner role: DATABASE_OWNER_URL, or the URL
passed as `-x url=...` / `config.attributes["url"]` by `zhilv migrate` and the tests."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from app.db.engine import async_url
from app.db.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        from app.settings import get_settings

        url = get_settings().owner_url
    if not url:
        raise RuntimeError("no database URL: set DATABASE_OWNER_URL or DATABASE_URL")
    return async_url(url)


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # procrastinate's tables are created from its own schema file (migration 0002).
    return not (type_ == "table" and name and name.startswith("procrastinate_"))


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        compare_type=True,
        compare_server_default=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        await connection.run_sync(_run)
        return
    engine = create_async_engine(_url())
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
asyncio.run(_main())
