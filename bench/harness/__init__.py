"""What the HTTP benchmarks share: a scratch database on a PostgreSQL server, the real
server (granian, `zhilv serve`) on a free loopback port, a bounded load driver and a raw
keep-alive client. A package (not a `bench/*.py` file) so `make bench` does not run it."""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.admin import DatabaseUrls
from app.db.engine import TenantId, bind_tenant, libpq_url
from app.security.tokens import digest, new_secret, scoped_token

ROOT = Path(__file__).resolve().parent.parent.parent
OWNER, APP = "zhilv_bench_owner", "zhilv_bench_app"
# How long the server may take to start (a loaded machine imports slowly).
START_SECONDS = float(os.environ.get("BENCH_START_SECONDS", "90"))


async def admin_url() -> str:
    """A superuser URL: BENCH_ADMIN_URL or TEST_DATABASE_URL, else the local server at
    127.0.0.1:5432, else an embedded PostgreSQL under .zhilv/bench-pg."""
    url = os.environ.get("BENCH_ADMIN_URL") or os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        conn = await asyncpg.connect(local, timeout=3)
        await conn.close()
        return local
    except (OSError, asyncpg.PostgresError, TimeoutError):
        from devtools.embedded_db import start_embedded

        return start_embedded((ROOT / ".zhilv" / "bench-pg").resolve())


async def admin_execute(admin: str, sql: str) -> None:
    conn = await asyncpg.connect(libpq_url(admin))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def drop_database(admin: str, name: str) -> None:
    await admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_env(urls: DatabaseUrls, port: int, extra: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "ZHILV_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        # Production refuses to start without real secrets; the bench makes throwaway ones.
        "FILING_ENCRYPTION_KEY": secrets.token_urlsafe(32),
        "STRIPE_SECRET_KEY": "sk_test_bench_" + secrets.token_hex(8),
        "STRIPE_WEBHOOK_SECRET": "whsec_bench_" + secrets.token_hex(8),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": urls.app_url,
        "DATABASE_OWNER_URL": urls.owner_url,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


async def _wait_until_up(base: str, server: subprocess.Popen[bytes], logfile: Path) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(int(START_SECONDS * 10)):
            if server.poll() is not None:
                raise RuntimeError("the server exited:\n" + _tail(logfile))
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the server did not answer /healthz within {START_SECONDS:g} s")


def _tail(logfile: Path) -> str:
    return logfile.read_text(errors="replace")[-3000:]


def _start(
    urls: DatabaseUrls, port: int, workers: int, env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], Path]:
    logfile = Path(tempfile.mkstemp(prefix="zhilv-bench-", suffix=".log")[1])
    command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with logfile.open("wb") as out:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=_server_env(urls, port, env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return server, logfile


def stop(server: subprocess.Popen[bytes], logfile: Path) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    logfile.unlink(missing_ok=True)


@asynccontextmanager
async def served(
    urls: DatabaseUrls, *, workers: int = 1, env: dict[str, str] | None = None
) -> AsyncIterator[int]:
    """The app served against `urls` on a free port (yielded) until the block ends."""
    port = free_port()
    server, logfile = _start(urls, port, workers, env or {})
    try:
        await _wait_until_up(f"http://127.0.0.1:{port}", server, logfile)
        yield port
    finally:
        stop(server, logfile)


async def load(
    call: Callable[[int], Awaitable[bool]], *, concurrency: int, requests: int, seconds: float
) -> tuple[float, int]:
    """Completed calls per second with `concurrency` callers (each passes its own slot
    number), bounded by count and time, and how many completed. A call that answers False
    or raises RuntimeError is a failure; any failure fails the measurement."""
    tickets = itertools.count()
    deadline = time.perf_counter() + seconds
    done = 0
    failures: list[str] = []

    async def caller(slot: int) -> None:
        nonlocal done
        while next(tickets) < requests and time.perf_counter() < deadline:
            try:
                ok = await call(slot)
            except RuntimeError as exc:
                failures.append(str(exc))
                continue
            if ok:
                done += 1
            else:
                failures.append("the call answered False")

    started = time.perf_counter()
    await asyncio.gather(*(caller(slot) for slot in range(concurrency)))
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} of {done + len(failures)} failed: {failures[0]}")
    return done / elapsed, done


class KeepAliveClient:
    """One HTTP/1.1 keep-alive connection per caller with pre-built heads: httpx's pool
    tops out near 800–950 req/s on 2 cores whatever the server does, so with it the bench
    would measure the client."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in {"host": "127.0.0.1", **headers}.items())
        self.streams: dict[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}

    async def send(
        self, slot: int, method: str, path: str, body: bytes = b"", **headers: str
    ) -> tuple[int, bytes]:
        if slot not in self.streams:
            self.streams[slot] = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.streams[slot]
        extra = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
        length = f"content-length: {len(body)}\r\n" if body else ""
        writer.write(f"{method} {path} HTTP/1.1\r\n{self.head}{extra}{length}\r\n".encode() + body)
        await writer.drain()
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        if "content-length" not in fields:
            raise RuntimeError(f"{method} {path}: a response without content-length ({lines[0]})")
        payload = await reader.readexactly(int(fields["content-length"]))
        return int(lines[0].split()[1]), payload

    async def close(self) -> None:
        for _, writer in self.streams.values():
            writer.close()


async def tenant_with_key(
    db: AsyncSession, scopes: set[str] | list[str], *, kinds: tuple[str, ...] = ("hotel",)
) -> tuple[TenantId, str]:
    """A fresh tenant of `kinds` (a hotel unless told; bound on `db`) and an API key of it
    with `scopes`, made as the application role like the product does; returns the tenant
    and the key's bearer token."""
    from tenants.models import ApiKey
    from tenants.service.provisioning import NewTenant, create_tenant

    tenant, _ = await create_tenant(
        db,
        NewTenant(
            name="基准测试酒店",
            slug=f"bench-{secrets.token_hex(4)}",
            kinds=kinds,
            owner_email=f"bench-{secrets.token_hex(4)}@bench.test",
            owner_password="Bench-password-123",
        ),
    )
    tid = TenantId(tenant.id)
    await bind_tenant(db, tid)
    secret = new_secret()
    key = ApiKey(
        tenant_id=tid,
        name="bench",
        scopes=sorted(scopes),
        secret_hash=digest(secret),
        hint=secret[:8],
    )
    db.add(key)
    await db.flush()
    return tid, scoped_token("zk", tenant.id, key.id, secret=secret)
