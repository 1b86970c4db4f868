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
import json
import os
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from app.db.admin import DatabaseUrls, init_database, migrate  # noqa: E402
from app.db.engine import Database, libpq_url  # noqa: E402
from bench.harness import (  # noqa: E402
    APP,
    OWNER,
    KeepAliveClient,
    admin_url,
    drop_database,
    load,
    served,
    tenant_with_key,
)

CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
MAX_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20000"))
MAX_SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
CLIENT = os.environ.get("BENCH_CLIENT", "raw")
WARMUP = 300


def log(message: str) -> None:
    print(f"bench/request: {message}", file=sys.stderr, flush=True)


async def seed(urls: DatabaseUrls) -> tuple[uuid.UUID, str]:
    """One tenant and one API key allowed every scope."""
    database = Database.from_url(urls.app_url, pool_size=1, max_overflow=0)
    try:
        async with database.transaction() as db:
            return await tenant_with_key(db, api_scopes())
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
    guards = [h.opt.get("guard") for h in handlers]
    typed = {str(s) for g in guards for s in getattr(g, "scopes", ())}
    return typed | {s for h in handlers for s in h.opt.get("scopes", ())}


async def _measure(call: Callable[[int], Awaitable[bool]]) -> float:
    await load(call, concurrency=CONCURRENCY, requests=WARMUP, seconds=MAX_SECONDS)
    rate, _ = await load(call, concurrency=CONCURRENCY, requests=MAX_REQUESTS, seconds=MAX_SECONDS)
    return rate


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
            return (await raw.send(slot, "GET", path))[0] == 200

        try:
            return path, await _measure(call)
        finally:
            await raw.close()


async def measure_baseline(app_url: str, tenant_id: uuid.UUID) -> float:
    pool = await asyncpg.create_pool(libpq_url(app_url), min_size=CONCURRENCY, max_size=CONCURRENCY)
    try:

        async def call(slot: int) -> bool:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
                return bool(await conn.fetchval("SELECT 1") == 1)

        return await _measure(call)
    finally:
        await pool.close()


async def main() -> dict[str, object]:
    admin = await admin_url()
    name = f"zhilv_bench_{os.getpid()}"
    try:
        urls = await init_database(admin, database=name, owner=OWNER, app=APP)
        await asyncio.to_thread(migrate, urls.owner_url)
        tenant_id, token = await seed(urls)
        # As many connections per worker as it has clients, like the baseline's pool: with
        # fewer, SQLAlchemy opens and closes overflow connections on every burst.
        pool = str(max(10, CONCURRENCY // WORKERS + 2))
        async with served(urls, workers=WORKERS, env={"DATABASE_POOL_SIZE": pool}) as port:
            log(f"server up on 127.0.0.1:{port}; {CONCURRENCY} clients")
            log(f"each measurement ≤{MAX_REQUESTS} requests or {MAX_SECONDS:g} s")
            path, rate = await measure_requests(port, token)
        log(f"GET {path}: {rate:.0f} req/s")
        baseline = await measure_baseline(urls.app_url, tenant_id)
        log(f"BEGIN; set_config; SELECT 1; COMMIT: {baseline:.0f} /s")
    finally:
        await drop_database(admin, name)
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
