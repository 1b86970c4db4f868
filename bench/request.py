"""Requests per second of one tenant-bound API request, against the bare database cost.

Starts the real server (granian, `zhilv serve`) on a free loopback port against a scratch
database on the local PostgreSQL (the two roles, migrations, one tenant, one API key),
then drives `GET /api/v1/me` with an API key (or `GET /healthz` while that route does not
exist) with N concurrent keep-alive clients. The baseline, measured in the same run with the
same concurrency, is the least any tenant-bound request costs the database: `BEGIN;
SELECT set_config('app.tenant_id', …, true); SELECT 1; COMMIT` through an asyncpg pool.

Bounded: at most BENCH_REQUESTS requests or BENCH_SECONDS seconds per measurement, on
127.0.0.1 only; it stops the server and drops its database when done. The last line
printed is one JSON object: {"bench", "value", "unit", "baseline", "ratio", ...}.

Environment: BENCH_PATH (the path to GET instead), BENCH_CLIENT (raw keep-alive
connections, or httpx), BENCH_CONCURRENCY (16), BENCH_REQUESTS (20000), BENCH_SECONDS (10),
BENCH_WORKERS (granian workers, 1), BENCH_ADMIN_URL or TEST_DATABASE_URL (a superuser
URL; default the local server at 127.0.0.1:5432, else an embedded PostgreSQL).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from app.db.admin import DatabaseUrls, init_database, migrate  # noqa: E402
from app.db.engine import Database, TenantId, libpq_url  # noqa: E402
from app.security.tokens import digest, new_secret, scoped_token  # noqa: E402

CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
MAX_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20000"))
MAX_SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
CLIENT = os.environ.get("BENCH_CLIENT", "raw")
WARMUP = 300
OWNER, APP = "zhilv_bench_owner", "zhilv_bench_app"


def log(message: str) -> None:
    print(f"bench/request: {message}", file=sys.stderr, flush=True)


async def admin_url() -> str:
    url = os.environ.get("BENCH_ADMIN_URL") or os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        conn = await asyncpg.connect(local, timeout=3)
        await conn.close()
        return local
    except (OSError, asyncpg.PostgresError, TimeoutError):
        from app.db.embedded import start_embedded

        return start_embedded((ROOT / ".zhilv" / "bench-pg").resolve())


async def drop_database(admin: str, name: str) -> None:
    conn = await asyncpg.connect(libpq_url(admin))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def seed(urls: DatabaseUrls) -> tuple[uuid.UUID, str]:
    """One tenant and one API key (as the application role, like the product does)."""
    from tenants.models import ApiKey
    from tenants.service.provisioning import NewTenant, create_tenant

    database = Database.from_url(urls.app_url, pool_size=1, max_overflow=0)
    try:
        async with database.transaction() as db:
            tenant, _ = await create_tenant(
                db,
                NewTenant(
                    name="基准测试酒店",
                    slug=f"bench-{secrets.token_hex(4)}",
                    kinds=("hotel",),
                    owner_email=f"bench-{secrets.token_hex(4)}@bench.test",
                    owner_password="Bench-password-123",
                ),
            )
            secret = new_secret()
            key = ApiKey(
                tenant_id=TenantId(tenant.id),
                name="bench",
                scopes=sorted(api_scopes()),
                secret_hash=digest(secret),
                hint=secret[:8],
            )
            db.add(key)
            await db.flush()
            return tenant.id, scoped_token("zk", tenant.id, key.id, secret=secret)
    finally:
        await database.dispose()


def api_scopes() -> set[str]:
    """Every scope any route asks for, so the key can call `/api/v1/me` whatever it needs."""
    from litestar.routes import HTTPRoute

    from app.main import create_app
    from app.settings import Settings

    settings = Settings(ZHILV_ENV="test", SECRET_KEY="x" * 40, LOG_LEVEL="WARNING")
    app = create_app(settings, database=Database.from_url("postgresql://bench@127.0.0.1/none"))
    handlers = [h for r in app.routes if isinstance(r, HTTPRoute) for h in r.route_handlers]
    return {s for h in handlers for s in h.opt.get("scopes", ())}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(urls: DatabaseUrls, port: int, logfile: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ZHILV_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": urls.app_url,
        "DATABASE_OWNER_URL": urls.owner_url,
        "LOG_LEVEL": "WARNING",
        "FILING_ENCRYPTION_KEY": secrets.token_urlsafe(32),
        "STRIPE_SECRET_KEY": "sk_test_bench_" + secrets.token_hex(8),
        "STRIPE_WEBHOOK_SECRET": "whsec_bench_" + secrets.token_hex(8),
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(WORKERS)]
    with logfile.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _tail(logfile: Path) -> str:
    return logfile.read_text(errors="replace")[-3000:]


def _remove(logfile: Path) -> None:
    logfile.unlink(missing_ok=True)


async def wait_until_up(base: str, server: subprocess.Popen[bytes], logfile: Path) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            if server.poll() is not None:
                raise RuntimeError("the server exited:\n" + _tail(logfile))
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the server did not answer /healthz within 30 s")


async def load(call: Callable[[int], Awaitable[bool]], requests: int, seconds: float) -> float:
    """Completed calls per second with CONCURRENCY callers (each passes its own number),
    bounded by count and time."""
    tickets = itertools.count()
    deadline = time.perf_counter() + seconds
    done = failed = 0

    async def caller(slot: int) -> None:
        nonlocal done, failed
        while next(tickets) < requests and time.perf_counter() < deadline:
            if await call(slot):
                done += 1
            else:
                failed += 1

    started = time.perf_counter()
    await asyncio.gather(*(caller(slot) for slot in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    if failed:
        raise RuntimeError(f"{failed} of {done + failed} calls failed")
    return done / elapsed


class KeepAliveClient:
    """One HTTP/1.1 keep-alive connection per caller, GET only. httpx's connection pool
    tops out near 800–950 req/s on 2 cores whatever the server does, so with it the
    bench would measure the client; BENCH_CLIENT=httpx uses it anyway."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in {"host": "127.0.0.1", **headers}.items())
        self.streams: dict[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}

    async def get(self, slot: int, path: str) -> int:
        if slot not in self.streams:
            self.streams[slot] = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.streams[slot]
        writer.write(f"GET {path} HTTP/1.1\r\n{self.head}\r\n".encode())
        await writer.drain()
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        if "content-length" not in fields:
            raise RuntimeError(f"GET {path}: a response without content-length ({lines[0]})")
        await reader.readexactly(int(fields["content-length"]))
        return int(lines[0].split()[1])

    async def close(self) -> None:
        for _, writer in self.streams.values():
            writer.close()


async def measure_requests(port: int, token: str) -> tuple[str, float]:
    base = f"http://127.0.0.1:{port}"
    headers = {"authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, headers=headers) as client:
        path = os.environ.get("BENCH_PATH") or (
            "/api/v1/me" if (await client.get("/api/v1/me")).status_code == 200 else "/healthz"
        )
        raw = KeepAliveClient(port, headers)

        async def call(slot: int) -> bool:
            if CLIENT == "httpx":
                return (await client.get(path)).status_code == 200
            return await raw.get(slot, path) == 200

        try:
            await load(call, WARMUP, MAX_SECONDS)
            return path, await load(call, MAX_REQUESTS, MAX_SECONDS)
        finally:
            await raw.close()


async def measure_baseline(app_url: str, tenant_id: uuid.UUID) -> float:
    pool = await asyncpg.create_pool(libpq_url(app_url), min_size=CONCURRENCY, max_size=CONCURRENCY)
    try:

        async def call(slot: int) -> bool:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
                return bool(await conn.fetchval("SELECT 1") == 1)

        await load(call, WARMUP, MAX_SECONDS)
        return await load(call, MAX_REQUESTS, MAX_SECONDS)
    finally:
        await pool.close()


async def main() -> dict[str, object]:
    admin = await admin_url()
    name = f"zhilv_bench_{os.getpid()}"
    server: subprocess.Popen[bytes] | None = None
    logfile = Path(tempfile.mkstemp(prefix="zhilv-bench-", suffix=".log")[1])
    try:
        urls = await init_database(admin, database=name, owner=OWNER, app=APP)
        await asyncio.to_thread(migrate, urls.owner_url)
        tenant_id, token = await seed(urls)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(urls, port, logfile)
        await wait_until_up(base, server, logfile)
        log(f"server up on {base}; {CONCURRENCY} clients")
        log(f"each measurement ≤{MAX_REQUESTS} requests or {MAX_SECONDS:g} s")
        path, rate = await measure_requests(port, token)
        log(f"GET {path}: {rate:.0f} req/s")
        baseline = await measure_baseline(urls.app_url, tenant_id)
        log(f"BEGIN; set_config; SELECT 1; COMMIT: {baseline:.0f} /s")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        await drop_database(admin, name)
        _remove(logfile)
    return {
        "bench": "request",
        "value": round(rate, 1),
        "unit": "req/s",
        "baseline": round(baseline, 1),
        "ratio": round(rate / baseline, 3),
        "path": path,
        "concurrency": CONCURRENCY,
        "server_workers": WORKERS,
        "client": CLIENT,
    }


if __name__ == "__main__":
    result = asyncio.run(asyncio.wait_for(main(), timeout=180))
    print(json.dumps(result))
