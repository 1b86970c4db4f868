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
import json
import os
import random
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.db.admin import DatabaseUrls, init_database, migrate  # noqa: E402
from app.db.engine import Database, libpq_url  # noqa: E402
from bench.harness import (  # noqa: E402
    APP,
    OWNER,
    KeepAliveClient,
    admin_execute,
    admin_url,
    drop_database,
    load,
    served,
    tenant_with_key,
)

CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
MAX_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100000"))
MAX_SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
TYPES = int(os.environ.get("BENCH_TYPES", "40"))
DAYS = int(os.environ.get("BENCH_DAYS", "120"))
SCALE = int(os.environ.get("BENCH_SCALE", "10"))
UNITS_PER_DAY = 1000
WARMUP = 300


def log(message: str) -> None:
    print(f"bench/booking: {message}", file=sys.stderr, flush=True)


async def seed(urls: DatabaseUrls) -> tuple[uuid.UUID, str, list[str], str, date]:
    """One hotel with TYPES room types on sale for DAYS dates (UNITS_PER_DAY each, so the
    run never sells out), the rack plan and an API key allowed to book."""
    from modules.reservations import service

    start = date.today() + timedelta(days=7)
    database = Database.from_url(urls.app_url, pool_size=1, max_overflow=0)
    try:
        async with database.transaction() as db:
            tid, token = await tenant_with_key(db, ["reservations:read", "reservations:write"])
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
            return tid, token, types, str(plan.id), start
    finally:
        await database.dispose()


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
    client = KeepAliveClient(
        port, {"authorization": f"Bearer {token}", "content-type": "application/json"}
    )
    next_body = booking_bodies(types, plan, start)

    async def call(slot: int) -> bool:
        status, payload = await client.send(
            slot, "POST", "/api/v1/reservations", next_body(), idempotency_key=uuid.uuid4().hex
        )
        if status != 201:
            raise RuntimeError(f"{status} {payload[:200]!r}")
        return True

    try:
        await load(call, concurrency=CONCURRENCY, requests=WARMUP, seconds=MAX_SECONDS)
        return await load(call, concurrency=CONCURRENCY, requests=MAX_REQUESTS, seconds=MAX_SECONDS)
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
    try:
        urls = await init_database(admin, database=name, owner=OWNER, app=APP)
        await asyncio.to_thread(migrate, urls.owner_url)
        _tenant_id, token, types, plan, start = await seed(urls)
        pool = str(max(10, CONCURRENCY // WORKERS + 2))
        async with served(urls, workers=WORKERS, env={"DATABASE_POOL_SIZE": pool}) as port:
            log(
                f"server up on 127.0.0.1:{port} ({WORKERS} workers); {CONCURRENCY} clients; "
                f"{TYPES} room types × {DAYS} dates"
            )
            rate, booked = await measure_bookings(port, token, types, plan, start)
        log(f"POST /api/v1/reservations: {rate:.0f} confirmed bookings/s ({booked} in the run)")
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
        await drop_database(admin, name)
        await drop_database(admin, scratch)
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
