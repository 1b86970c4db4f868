"""Server CPU per request, in process: the app over a scratch database, driven through
httpx's ASGI transport one request at a time, timed by `time.process_time()` (client and
server share the process; the client's share is small and the same before and after a
change). On a machine shared with other work this resolves what the HTTP benchmarks cannot:
best of BENCH_REPEATS rounds of BENCH_REQUESTS charges each.

    .venv/bin/python -m bench.harness.cpu            # ms CPU per POST /api/v1/keytags/charges
    .venv/bin/python -m bench.harness.cpu profile    # and a cProfile of one round (top 40)

Prints one JSON line: {"bench": "cpu-charge", "ms_cpu_per_request": best, "rounds": [...]}.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import pstats
import secrets
import sys
import time

import httpx

from app.db.admin import init_database, migrate
from bench.harness import APP, OWNER, admin_url, drop_database
from bench.keytags import ITEMS, PATH, analyze, seed

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "400"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))


def _settings_env(app_url: str, owner_url: str) -> None:
    os.environ.update(
        {
            "ZHILV_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "FILING_ENCRYPTION_KEY": secrets.token_urlsafe(32),
            "STRIPE_SECRET_KEY": "sk_test_bench_" + secrets.token_hex(8),
            "STRIPE_WEBHOOK_SECRET": "whsec_bench_" + secrets.token_hex(8),
            "BASE_URL": "http://127.0.0.1:8000",
            "DATABASE_URL": app_url,
            "DATABASE_OWNER_URL": owner_url,
            "LOG_LEVEL": "WARNING",
        }
    )


async def _round(client: httpx.AsyncClient, uids: list[str], base: int) -> float:
    started = time.process_time()
    for i in range(REQUESTS):
        body = {
            "tag": uids[(base + i) % len(uids)],
            "device_id": "cpu-meter",
            "device_seq": base + i,
            "items": [{"code": ITEMS[i % 3][0], "qty": 1}],
        }
        answer = await client.post(PATH, content=json.dumps(body).encode())
        if answer.status_code not in (200, 409):
            raise RuntimeError(f"{answer.status_code} {answer.text[:200]}")
    return (time.process_time() - started) * 1000 / REQUESTS


async def main(profile: bool) -> dict[str, object]:
    admin = await admin_url()
    name = f"zhilv_bench_cpu_{os.getpid()}"
    try:
        urls = await init_database(admin, database=name, owner=OWNER, app=APP)
        await asyncio.to_thread(migrate, urls.owner_url)
        _tid, tokens, uids = await seed(urls)
        await analyze(urls.owner_url)
        _settings_env(urls.app_url, urls.owner_url)
        from app.main import create_app
        from app.settings import get_settings

        app = create_app(get_settings())
        headers = {"authorization": f"Bearer {tokens[0]}", "content-type": "application/json"}
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        rounds: list[float] = []
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c,
        ):
            await _round(c, uids, 10_000_000)  # warm-up
            for r in range(REPEATS):
                rounds.append(round(await _round(c, uids, r * REQUESTS), 3))
            if profile:
                profiler = cProfile.Profile(time.process_time)
                profiler.enable()
                await _round(c, uids, 20_000_000)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(90)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return {"bench": "cpu-charge", "ms_cpu_per_request": min(rounds), "rounds": rounds}
    finally:
        await drop_database(admin, name)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main("profile" in sys.argv[1:]))))
