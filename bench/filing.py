"""Filings per second through the whole engine, against plain signed POSTs.

Starts the bureau stand-in (`python -m devtools.bureau`) and a real worker
(`zhilv worker --queue filings`) on a scratch database of the local PostgreSQL, registers
one enterprise with both, then:

- value: N small statistics filings (cruise voyage reports, unique numbers) made with
  `modules.filings.service.file` in transactions of BENCH_BATCH, end to end: from the
  first filing made to the last one accepted with its receipt stored (the worker's
  `filings.drain` sends them in batches, FILING_SEND_CONCURRENCY = BENCH_CONCURRENCY
  at once, and records every attempt);
- baseline, same run: the same number of plain signed POSTs of the same kind of body,
  sent by one client (the same BureauClient, the same concurrency), without the
  database or the queue — the network round trip the queue should add little to.

Bounded: at most BENCH_FILINGS filings (10,000), BENCH_TIMEOUT seconds overall; loopback
only; it stops its processes and drops its database when done. The last line printed is
one JSON object: {"bench", "value", "unit", "baseline", "ratio", ...}.

Environment: BENCH_FILINGS (10000), BENCH_CONCURRENCY (worker and baseline, 8),
BENCH_BATCH (filings per transaction, 200), BENCH_TIMEOUT (600), BENCH_ADMIN_URL or
TEST_DATABASE_URL (a superuser URL; default the local server, else an embedded one).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.db.admin import init_database, migrate  # noqa: E402
from app.db.engine import Database, TenantId  # noqa: E402
from app.identifiers import make_uscc  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench.request import admin_url, drop_database  # noqa: E402
from modules.filings import service  # noqa: E402
from modules.filings.domain import seal_body  # noqa: E402
from modules.filings.service.client import BureauClient, Credentials  # noqa: E402

N = int(os.environ.get("BENCH_FILINGS", "10000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
BATCH = int(os.environ.get("BENCH_BATCH", "200"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "600"))
OWNER, APP = "zhilv_bench_owner", "zhilv_bench_app"
SECRET = secrets.token_hex(32)
DISTRICT = "500108"


def log(message: str) -> None:
    print(f"bench/filing: {message}", file=sys.stderr, flush=True)


def voyage(number: str) -> dict[str, Any]:
    return {
        "report_type": "cruise_voyage",
        "period": number,
        "figures": {
            "departure_date": "2026-11-01", "arrival_date": "2026-11-04", "cabins": 186,
            "cabins_sold": 171, "passengers_booked": 336, "passengers_boarded": 331,
            "passengers_disembarked": 331, "crew": 142, "revenue_fen": 198600000,
        },
    }  # fmt: skip


def start_stand_in(logfile: Path) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "devtools.bureau", "--host", "127.0.0.1", "--port", "0"]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=logfile.open("w"), text=True
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("bureau-sim listening on "):
            return process, line.rsplit(" ", 1)[1].strip()
        if process.poll() is not None:
            break
    raise RuntimeError("the bureau stand-in did not start:\n" + logfile.read_text()[-2000:])


def start_worker(settings_env: dict[str, str], logfile: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "app.cli", "worker", "--queue", "filings"]
    command += ["--concurrency", str(CONCURRENCY)]
    with logfile.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=settings_env, stdout=out, stderr=subprocess.STDOUT
        )


def stop(process: subprocess.Popen[Any] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def seed(database: Database, settings: Settings, code: str) -> TenantId:
    from tenants.service.provisioning import NewTenant, create_tenant

    async with database.transaction() as db:
        tenant, _ = await create_tenant(
            db,
            NewTenant(
                name="基准测试游轮公司",
                slug=f"bench-{secrets.token_hex(4)}",
                kinds=("cruise",),
                owner_email=f"bench-{secrets.token_hex(4)}@bench.test",
                owner_password="Bench-password-123",
            ),
        )
    tenant_id = TenantId(tenant.id)
    async with database.transaction(tenant_id) as db:
        await service.save_registration(
            db, tenant_id, settings, enterprise_code=code, district_code=DISTRICT,
            filing_secret=SECRET,
        )  # fmt: skip
    return tenant_id


async def accepted_count(database: Database, tenant_id: TenantId) -> int:
    async with database.transaction(tenant_id) as db:
        return int(
            await db.scalar(text("SELECT count(*) FROM filings WHERE state = 'accepted'")) or 0
        )


async def measure_engine(database: Database, tenant_id: TenantId, deadline: float) -> float:
    """Filed → accepted, for N filings, while the worker is already running."""
    started = time.perf_counter()
    for first in range(0, N, BATCH):
        async with database.transaction(tenant_id) as db:
            for i in range(first, min(first + BATCH, N)):
                number = f"Q{i:07d}"
                await service.file(db, tenant_id, "statistics", "voyage", number, voyage(number))
    log(f"{N} filings made in {time.perf_counter() - started:.1f} s")
    while (done := await accepted_count(database, tenant_id)) < N:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"only {done} of {N} filings accepted before the time limit")
        await asyncio.sleep(0.1)
    return N / (time.perf_counter() - started)


async def measure_baseline(bureau_url: str, code: str) -> float:
    """N plain signed POSTs from one client, CONCURRENCY at a time, no queue."""
    client = BureauClient(bureau_url, timeout=30)
    credentials = Credentials(enterprise_code=code, secret=SECRET)
    tickets = itertools.count()
    failed = 0

    async def sender() -> None:
        nonlocal failed
        while (i := next(tickets)) < N:
            body = seal_body(voyage(f"B{i:07d}"), DISTRICT)
            answer = await client.post(
                "/v1/statistics", body, credentials, idempotency_key=str(uuid.uuid4())
            )
            failed += answer.status != 201

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    await client.aclose()
    if failed:
        raise RuntimeError(f"{failed} of {N} baseline POSTs were not accepted")
    return N / elapsed


def register(bureau_url: str, code: str) -> None:
    with httpx.Client(base_url=bureau_url, trust_env=False) as http:
        body = {"enterprise_code": code, "filing_secret": SECRET}
        http.post("/_sim/enterprises", json=body).raise_for_status()


async def main() -> dict[str, object]:
    deadline = time.perf_counter() + TIMEOUT
    admin = await admin_url()
    name = f"zhilv_bench_filing_{os.getpid()}"
    logs = Path(tempfile.mkdtemp(prefix="zhilv-bench-filing-"))
    stand_in: subprocess.Popen[str] | None = None
    worker: subprocess.Popen[bytes] | None = None
    database: Database | None = None
    try:
        urls = await init_database(admin, database=name, owner=OWNER, app=APP)
        await asyncio.to_thread(migrate, urls.owner_url)
        stand_in, bureau_url = start_stand_in(logs / "stand-in.log")
        env = {
            **os.environ, "ZHILV_ENV": "test", "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": urls.app_url, "BUREAU_URL": bureau_url, "LOG_LEVEL": "WARNING",
            "FILING_SEND_CONCURRENCY": str(CONCURRENCY),
        }  # fmt: skip
        settings = Settings(_env_file=None, ZHILV_ENV="test", SECRET_KEY=env["SECRET_KEY"])  # type: ignore[call-arg]
        database = Database.from_url(urls.app_url, pool_size=2, max_overflow=2)
        code = make_uscc("500108", secrets.token_hex(4).upper())
        tenant_id = await seed(database, settings, code)
        register(bureau_url, code)
        worker = start_worker(env, logs / "worker.log")
        log(f"stand-in at {bureau_url}; worker concurrency {CONCURRENCY}; {N} filings")
        rate = await measure_engine(database, tenant_id, deadline)
        log(f"engine: {rate:.0f} filings/s (filed → accepted)")
        baseline = await measure_baseline(bureau_url, code)
        log(f"baseline: {baseline:.0f} signed POSTs/s (one client, no queue)")
    except Exception:
        for path in sorted(logs.glob("*.log")):  # noqa: ASYNC240 - failing anyway
            log(f"--- {path.name}\n" + path.read_text(errors="replace")[-3000:])
        raise
    finally:
        stop(worker)
        stop(stand_in)
        if database is not None:
            await database.dispose()
        await drop_database(admin, name)
    return {
        "bench": "filing",
        "value": round(rate, 1),
        "unit": "filings/s",
        "baseline": round(baseline, 1),
        "ratio": round(rate / baseline, 3),
        "filings": N,
        "concurrency": CONCURRENCY,
        "batch": BATCH,
    }


if __name__ == "__main__":
    result = asyncio.run(asyncio.wait_for(main(), timeout=TIMEOUT + 120))
    print(json.dumps(result))
