"""Confirmed bookings per second through the HTTP API, against pgbench's TPC-B on the
same database server, in the same run, with the same number of clients.

Starts the real server (granian, `zhilv serve`) on a free loopback port against a
scratch database on the local PostgreSQL (the two roles, migrations, one hotel with
BENCH_TYPES room types on sale for BENCH_DAYS dates, the rack plan, one API key), then
BENCH_CONCURRENCY (32) keep-alive clients each POST /api/v1/reservations with its own
Idempotency-Key: a random type, arrival and 1–3 nights, as partners book. Every answer
must be 201 (a 409 or any other status fails the run). Then it checks, in SQL, that no
night of any type was sold beyond its total and that `sold` equals the reservations
holding it, and prints that line. The baseline is `pgbench -b tpcb-like` with the same
client count on a scratch database initialised with `pgbench -i` on the same server.

Bounded: at most BENCH_REQUESTS bookings or BENCH_SECONDS seconds per measurement, on
127.0.0.1 only; it stops the server and drops both databases when done. The last line
printed is one JSON object: {"bench", "value", "unit", "baseline", "ratio", ...}.

Environment: BENCH_CONCURRENCY (32), BENCH_SECONDS (10), BENCH_REQUESTS (100000),
BENCH_WORKERS (granian workers, 1), BENCH_TYPES (40), BENCH_DAYS (120), BENCH_SCALE
(pgbench scale, 10), BENCH_ADMIN_URL or TEST_DATABASE_URL (a superuser URL; default the
local server at 127.0.0.1:5432, else an embedded PostgreSQL).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.db.admin import DatabaseUrls, init_database, migrate  # noqa: E402
from app.db.engine import Database, TenantId, libpq_url  # noqa: E402
from app.security.tokens import digest, new_secret, scoped_token  # noqa: E402

CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
MAX_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100000"))
MAX_SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
TYPES = int(os.environ.get("BENCH_TYPES", "40"))
DAYS = int(os.environ.get("BENCH_DAYS", "120"))
SCALE = int(os.environ.get("BENCH_SCALE", "10"))
UNITS_PER_DAY = 1000
WARMUP = 300
OWNER, APP = "zhilv_bench_owner", "zhilv_bench_app"


def log(message: str) -> None:
    print(f"bench/booking: {message}", file=sys.stderr, flush=True)


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


async def admin_execute(admin: str, sql: str) -> None:
    conn = await asyncpg.connect(libpq_url(admin))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def drop_database(admin: str, name: str) -> None:
    await admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Seeding ---------------------------------------------------------------------------------


async def seed(urls: DatabaseUrls) -> tuple[uuid.UUID, str, list[str], str, date]:
    """One hotel with TYPES room types on sale for DAYS dates (UNITS_PER_DAY each, so the
    run never sells out), the rack plan and an API key allowed to book."""
    from modules.reservations import service
    from tenants.models import ApiKey
    from tenants.service.provisioning import NewTenant, create_tenant

    start = date.today() + timedelta(days=7)
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
            tid = TenantId(tenant.id)
            await db.execute(_BIND, {"t": str(tid)})
            plan = await service.create_rate_plan(
                db, tid, service.RatePlanInput(code="rack", name="门市价")
            )
            types = []
            for i in range(TYPES):
                ut = await service.create_unit_type(
                    db, tid, code=f"R{i:03d}", name=f"高级大床房 {i}", base_price_fen=68800
                )
                await service.set_calendar(
                    db,
                    tid,
                    unit_type_id=ut.id,
                    start=start,
                    end=start + timedelta(days=DAYS - 1),
                    total=UNITS_PER_DAY,
                )
                types.append(str(ut.id))
            secret = new_secret()
            key = ApiKey(
                tenant_id=tid,
                name="bench",
                scopes=["reservations:read", "reservations:write"],
                secret_hash=digest(secret),
                hint=secret[:8],
            )
            db.add(key)
            await db.flush()
            token = scoped_token("zk", tenant.id, key.id, secret=secret)
            return tenant.id, token, types, str(plan.id), start
    finally:
        await database.dispose()


_BIND = text("SELECT set_config('app.tenant_id', :t, true)")


# The server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(urls: DatabaseUrls, port: int, logfile: Path) -> subprocess.Popen[bytes]:
    env = {
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
        "DATABASE_POOL_SIZE": str(max(10, CONCURRENCY // WORKERS + 2)),
        "LOG_LEVEL": "WARNING",
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


# Load ------------------------------------------------------------------------------------


async def load(
    call: Callable[[int], Awaitable[bool]], requests: int, seconds: float
) -> tuple[float, int]:
    """Completed calls per second with CONCURRENCY callers, bounded by count and time."""
    tickets = itertools.count()
    deadline = time.perf_counter() + seconds
    done = 0
    failures: list[str] = []

    async def caller(slot: int) -> None:
        nonlocal done
        while next(tickets) < requests and time.perf_counter() < deadline:
            try:
                if await call(slot):
                    done += 1
            except RuntimeError as exc:
                failures.append(str(exc))

    started = time.perf_counter()
    await asyncio.gather(*(caller(slot) for slot in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} bookings failed, first: {failures[0]}")
    return done / elapsed, done


class KeepAliveClient:
    """One HTTP/1.1 keep-alive connection per caller with pre-built requests: httpx's
    pool tops out below the server's rate on 2 cores, so with it we would measure it."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.head = (
            f"host: 127.0.0.1\r\nauthorization: Bearer {token}\r\n"
            "content-type: application/json\r\n"
        )
        self.streams: dict[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}

    async def post(self, slot: int, path: str, body: bytes, key: str) -> tuple[int, bytes]:
        if slot not in self.streams:
            self.streams[slot] = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.streams[slot]
        writer.write(
            f"POST {path} HTTP/1.1\r\n{self.head}idempotency-key: {key}\r\n"
            f"content-length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        payload = await reader.readexactly(int(fields.get("content-length", "0")))
        return int(lines[0].split()[1]), payload

    async def close(self) -> None:
        for _, writer in self.streams.values():
            writer.close()


def booking_bodies(types: list[str], plan: str, start: date) -> Callable[[], bytes]:
    rng = random.Random(11643)
    guests = [("张伟", "13800138000"), ("李娜", "13912345678"), ("王芳", "13698765432")]

    def next_body() -> bytes:
        arrival = start + timedelta(days=rng.randrange(DAYS - 3))
        name, phone = rng.choice(guests)
        return json.dumps(
            {
                "unit_type_id": rng.choice(types),
                "rate_plan_id": plan,
                "arrival": arrival.isoformat(),
                "departure": (arrival + timedelta(days=rng.randint(1, 3))).isoformat(),
                "adults": 2,
                "guest": {"name": name, "phone": phone},
            },
            ensure_ascii=False,
        ).encode()

    return next_body


async def measure_bookings(
    port: int, token: str, types: list[str], plan: str, start: date
) -> tuple[float, int]:
    client = KeepAliveClient(port, token)
    next_body = booking_bodies(types, plan, start)

    async def call(slot: int) -> bool:
        status, payload = await client.post(
            slot, "/api/v1/reservations", next_body(), uuid.uuid4().hex
        )
        if status != 201:
            raise RuntimeError(f"{status} {payload[:200]!r}")
        return True

    try:
        await load(call, WARMUP, MAX_SECONDS)
        return await load(call, MAX_REQUESTS, MAX_SECONDS)
    finally:
        await client.close()


# The check and the baseline -------------------------------------------------------------

_CHECK = """
SELECT count(*) AS nights,
       count(*) FILTER (WHERE i.sold > i.total) AS over,
       count(*) FILTER (WHERE i.sold <> coalesce(b.booked, 0)) AS mismatched,
       coalesce(sum(i.sold), 0) AS sold
FROM inventory_days i
LEFT JOIN (
    SELECT n.unit_type_id, n.day, sum(r.quantity) AS booked
    FROM reservation_nights n JOIN reservations r ON r.id = n.reservation_id
    WHERE r.status IN ('held', 'confirmed', 'checked_in')
    GROUP BY n.unit_type_id, n.day
) b ON b.unit_type_id = i.unit_type_id AND b.day = i.day
"""


async def check_inventory(owner_url: str) -> tuple[int, int]:
    """(unit-nights sold, confirmed reservations); raises if anything was overbooked."""
    conn = await asyncpg.connect(libpq_url(owner_url))
    try:
        # The owner is bound by RLS too (FORCE): read as a superuser-free session per tenant.
        tenants = await conn.fetch("SELECT id FROM tenants")
        sold = over = mismatched = confirmed = 0
        for t in tenants:
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(t["id"]))
                row = await conn.fetchrow(_CHECK)
                confirmed += await conn.fetchval(
                    "SELECT count(*) FROM reservations WHERE status = 'confirmed'"
                )
            sold += row["sold"]
            over += row["over"]
            mismatched += row["mismatched"]
    finally:
        await conn.close()
    if over or mismatched:
        raise RuntimeError(f"OVERBOOKED: {over} nights above total, {mismatched} not matching")
    return int(sold), int(confirmed)


def pgbench_args(admin: str, database: str) -> list[str]:
    url = make_url(admin)
    args = ["-U", url.username or "postgres"]
    host = url.host or (url.query.get("host") if url.query else None)
    if isinstance(host, tuple):
        host = host[0]
    if host:
        args += ["-h", str(host)]
    if url.port:
        args += ["-p", str(url.port)]
    return [*args, database]


def measure_pgbench(admin: str, database: str) -> float:
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        raise RuntimeError("pgbench is not installed (Debian: postgresql-client)")
    env = {**os.environ}
    url = make_url(admin)
    if url.password:
        env["PGPASSWORD"] = url.password
    conn = pgbench_args(admin, database)
    subprocess.run(
        [pgbench, "-i", "-q", "-s", str(SCALE), *conn], check=True, env=env, capture_output=True
    )
    threads = min(CONCURRENCY, os.cpu_count() or 2)
    seconds = max(1, int(MAX_SECONDS))
    out = subprocess.run(
        [
            pgbench,
            "-b",
            "tpcb-like",
            "-c",
            str(CONCURRENCY),
            "-j",
            str(threads),
            "-T",
            str(seconds),
            "-n",
            *conn,
        ],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"tps = ([0-9.]+)", out)
    if not match:
        raise RuntimeError("pgbench printed no tps:\n" + out)
    return float(match.group(1))


async def main() -> dict[str, object]:
    admin = await admin_url()
    name = f"zhilv_bench_booking_{os.getpid()}"
    scratch = f"zhilv_bench_pgbench_{os.getpid()}"
    server: subprocess.Popen[bytes] | None = None
    logfile = Path(tempfile.mkstemp(prefix="zhilv-bench-", suffix=".log")[1])
    try:
        urls = await init_database(admin, database=name, owner=OWNER, app=APP)
        await asyncio.to_thread(migrate, urls.owner_url)
        _tenant_id, token, types, plan, start = await seed(urls)
        port = free_port()
        server = start_server(urls, port, logfile)
        await wait_until_up(f"http://127.0.0.1:{port}", server, logfile)
        log(
            f"server up on 127.0.0.1:{port} ({WORKERS} workers); {CONCURRENCY} clients; "
            f"{TYPES} room types × {DAYS} dates"
        )
        rate, booked = await measure_bookings(port, token, types, plan, start)
        log(f"POST /api/v1/reservations: {rate:.0f} confirmed bookings/s ({booked} in the run)")
        server.terminate()
        server.wait(timeout=15)
        server = None
        sold, confirmed = await check_inventory(urls.owner_url)
        print(
            f"no unit was overbooked: {confirmed} confirmed bookings hold {sold} unit-nights; "
            "on every night of every type sold <= total and sold = the reservations holding it",
            flush=True,
        )
        await drop_database(admin, scratch)
        await admin_execute(admin, f'CREATE DATABASE "{scratch}"')
        baseline = await asyncio.to_thread(measure_pgbench, admin, scratch)
        log(f"pgbench tpcb-like, {CONCURRENCY} clients, scale {SCALE}: {baseline:.0f} tps")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        await drop_database(admin, name)
        await drop_database(admin, scratch)
        _remove(logfile)
    return {
        "bench": "booking",
        "value": round(rate, 1),
        "unit": "bookings/s",
        "baseline": round(baseline, 1),
        "baseline_unit": "pgbench tpcb-like tps",
        "ratio": round(rate / baseline, 3),
        "concurrency": CONCURRENCY,
        "server_workers": WORKERS,
        "bookings": booked,
    }


if __name__ == "__main__":
    result = asyncio.run(asyncio.wait_for(main(), timeout=300))
    print(json.dumps(result))
