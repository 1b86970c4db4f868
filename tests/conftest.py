"""Test databases and app fixtures.

- The server: `TEST_DATABASE_URL` (a superuser URL; `.ci/run` points it at the machine's
  PostgreSQL) or else an embedded PostgreSQL under `.zhilv/test-pg`.
- One database per pytest-xdist worker, built by running the migrations (never
  `create_all`), with the same two roles as production: tests talk as the application
  role, so row-level security is really in force.
- Each test runs inside a transaction that is rolled back (`db`, `database`, `client`).
  Tests that need real commits (races, workers) use `committed_database`.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.metadata
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

os.environ["ZHILV_ENV"] = "test"
os.environ.setdefault("SECRET_KEY", "test-secret-key-test-secret-key-0123456789")
os.environ.setdefault("LOG_JSON", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

# Opt-in: ZHILV_TEST_CLOCK=2026-12-07T23:30:00+08:00 runs the whole session at that instant
# (the clock ticks on from there), so the suite can be tried at any hour without waiting
# for it. Started before the app is imported. PostgreSQL's own now() does not move.
if os.environ.get("ZHILV_TEST_CLOCK"):
    import time_machine

    time_machine.travel(os.environ["ZHILV_TEST_CLOCK"], tick=True).start()

from argon2 import PasswordHasher

from app.db.admin import DatabaseUrls, init_database, migrate
from app.db.engine import Database, make_engine
from app.security import passwords
from app.settings import PROJECT_ROOT, Settings, get_settings

pytest_plugins = ["tests.bureau_fixtures", "tests.stripe_fixtures", "tests.scheduling"]


class RememberingHasher(PasswordHasher):
    """The application's argon2id hasher, same parameters, remembering its answers within the
    test process: a hash of a password it hashed before is that earlier hash (another salt
    would change nothing a test can see), and a (hash, password) pair verified before gets
    the same answer, a refusal included. argon2 is slow on purpose (~0.1 s a call, half of
    many route tests' time: every factory-made user, every sign-in); the stored hashes stay
    real argon2id hashes that production's hasher verifies."""

    def __init__(self, real: PasswordHasher) -> None:
        p = real._parameters
        super().__init__(p.time_cost, p.memory_cost, p.parallelism, p.hash_len, p.salt_len)
        self._hashes: dict[str | bytes, str] = {}
        self._answers: dict[tuple[str | bytes, str | bytes], BaseException | None] = {}

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        if salt is not None:
            return super().hash(password, salt=salt)
        if password not in self._hashes:
            self._hashes[password] = super().hash(password)
        return self._hashes[password]

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        key = (hash, password)
        if key not in self._answers:
            try:
                super().verify(hash, password)
                self._answers[key] = None
            except Exception as exc:  # the same refusal again, as a fresh exception
                self._answers[key] = exc
        refused = self._answers[key]
        if refused is not None:
            raise type(refused)(*refused.args)
        return True


passwords._hasher = RememberingHasher(passwords._hasher)

OWNER_ROLE = "zhilv_test_owner"
APP_ROLE = "zhilv_test_app"


def admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    from devtools.embedded_db import start_embedded

    return start_embedded((PROJECT_ROOT / ".zhilv" / "test-pg").resolve())


def worker_id() -> str:
    """Unique per test process, so parallel runs on one server never share a database."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


async def drop_database(admin: str, name: str) -> None:
    conn = await asyncpg.connect(
        make_url(admin).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def fresh_database(admin: str, name: str) -> DatabaseUrls:
    """A new database with the two roles, migrated to head."""
    await drop_database(admin, name)
    urls = await init_database(admin, database=name, owner=OWNER_ROLE, app=APP_ROLE)
    await asyncio.to_thread(migrate, urls.owner_url)
    return urls


# What decides the migrated schema: the migrations, the kernel's database helpers they
# import, and procrastinate's schema (its version).
SCHEMA_SOURCES = ("alembic.ini", "migrations", "app/db")
TEMPLATE_PREFIX = "zhilv_test_tpl_"
TEMPLATE_LOCK = 727275  # init_database's own lock is 727274
STALE_TEMPLATE_SECONDS = 6 * 3600


def schema_key() -> str:
    digest = hashlib.sha256(importlib.metadata.version("procrastinate").encode())
    for source in SCHEMA_SOURCES:
        root = PROJECT_ROOT / source
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def _server(admin: str, user: str | None = None, database: str | None = None) -> str:
    url = make_url(admin).set(drivername="postgresql")
    if user is not None:
        url = url.set(username=user, password=None)
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


async def migrated_template(admin: str) -> str:
    """A database migrated to head by the migrations, kept as a template on the server for
    every test process (and later runs) with the same migrations: copying it takes a tenth
    of a second, migrating five seconds or more. Built once, under a lock; templates of other
    migrations that are hours old are dropped on the way."""
    name = f"{TEMPLATE_PREFIX}{schema_key()}"
    conn = await asyncpg.connect(_server(admin))
    try:
        await conn.execute(f"SELECT pg_advisory_lock({TEMPLATE_LOCK})")
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await _drop_stale_templates(conn)
                building = f"{name}_building"
                await fresh_database(admin, building)
                await conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
                await conn.execute(
                    f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false'
                )
                await conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{int(time.time())}'")
        finally:
            await conn.execute(f"SELECT pg_advisory_unlock({TEMPLATE_LOCK})")
    finally:
        await conn.close()
    return name


async def _drop_stale_templates(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(
        "SELECT datname, shobj_description(oid, 'pg_database') AS made FROM pg_database"
        " WHERE datname LIKE $1",
        f"{TEMPLATE_PREFIX}%",
    )
    for row in rows:
        made = row["made"] or ""
        if not made.isascii() or not made.isdigit():
            continue
        if time.time() - int(made) > STALE_TEMPLATE_SECONDS:
            await conn.execute(f'ALTER DATABASE "{row["datname"]}" WITH IS_TEMPLATE false')
            await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}"')


async def migrated_database(admin: str, name: str) -> DatabaseUrls:
    """A new database migrated to head, copied from the migrated template: what
    `fresh_database` makes (the same owner, the application role may connect), faster."""
    template = await migrated_template(admin)
    await drop_database(admin, name)
    conn = await asyncpg.connect(_server(admin))
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" OWNER "{OWNER_ROLE}"')
        await conn.execute(f'GRANT CONNECT ON DATABASE "{name}" TO "{APP_ROLE}"')
    finally:
        await conn.close()
    return DatabaseUrls(
        owner_url=_server(admin, OWNER_ROLE, name), app_url=_server(admin, APP_ROLE, name)
    )


@pytest.fixture(scope="session")
def admin() -> str:
    return admin_url()


@pytest.fixture(scope="session")
async def urls(admin: str) -> AsyncIterator[DatabaseUrls]:
    name = f"zhilv_test_{worker_id()}"
    urls = await migrated_database(admin, name)
    os.environ["DATABASE_URL"] = urls.app_url
    os.environ["DATABASE_OWNER_URL"] = urls.owner_url
    get_settings.cache_clear()
    yield urls
    await drop_database(admin, name)


@pytest.fixture(scope="session")
async def engine(urls: DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(urls.app_url, pool_size=2, max_overflow=4)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """An application-role connection inside a transaction that is always rolled back."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
def database(connection: AsyncConnection) -> Database:
    return Database.over_connection(connection)


@pytest.fixture
async def db(database: Database) -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking data (savepoint inside the test transaction)."""
    async with database.sessionmaker() as session:
        yield session


@pytest.fixture
def settings(urls: DatabaseUrls) -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def shared_apps(urls: DatabaseUrls) -> dict[str, Any]:
    """Applications built once per test process and per settings: building one registers ~600
    handlers (a second or more each time), and nothing in it depends on the test but the state
    `app` sets per test. Settings differ once the Stripe emulator is up (its URLs are in the
    policy headers and the pay page), so each set of settings has its own application."""
    return {}


@pytest.fixture
async def app(shared_apps, settings: Settings, database: Database):  # type: ignore[no-untyped-def]
    """The shared application for these settings over this test's rolled-back connection;
    what a test changes in its state is put back afterwards."""
    from app.main import create_app

    key = settings.model_dump_json()
    if key not in shared_apps:
        shared_apps[key] = create_app(settings, database=database)
    shared = shared_apps[key]
    state = shared.state
    saved = {k: state[k] for k in ("settings", "nav", "scopes_in_use", "tenant_gauges")}
    state.database = database
    state.settings = settings  # the test's own object: tests change it with monkeypatch
    try:
        yield shared
    finally:
        for k, value in saved.items():
            state[k] = value


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """The app in this event loop (httpx's ASGI transport), sharing the test transaction."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


@pytest.fixture(scope="session")
async def committed_urls(admin: str) -> AsyncIterator[DatabaseUrls]:
    """A second database per worker where tests commit for real (races, workers)."""
    name = f"zhilv_test_{worker_id()}_real"
    yield await migrated_database(admin, name)
    await drop_database(admin, name)


@pytest.fixture
async def committed_database(committed_urls: DatabaseUrls) -> AsyncIterator[Database]:
    database = Database.from_url(committed_urls.app_url, pool_size=10, max_overflow=20)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = PROJECT_ROOT / "artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def machine_clock():  # type: ignore[no-untyped-def]
    """The machine's real clock for this test, when ZHILV_TEST_CLOCK moved the session's.

    time-machine moves this process only. Tests whose answer depends on another process
    agreeing on the time use it: PostgreSQL's now() against procrastinate's retry stamps,
    Chromium judging cookie expiry and drawing date pickers, a worker or bureau stand-in
    restarted in a process of its own. Production has one clock for all of them."""
    if not os.environ.get("ZHILV_TEST_CLOCK"):
        yield
        return
    import time_machine

    with time_machine.travel(time_machine.escape_hatch.time.time(), tick=True):
        yield
