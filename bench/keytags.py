"""Charges on key tags through the outlets' API, against pgbench's TPC-B on the same database
server, in the same run, with the same number of clients.

Starts the real server (granian, `zhilv serve`) on a free loopback port against a scratch
database on the local PostgreSQL (the two roles, migrations), seeds one hot-spring resort with
BENCH_OUTLETS outlets (each with its own `pos:charge` key and a price list) and BENCH_VISITS
open visits, each holding an RFID tag, most with the ¥500 post-pay limit and one in ten with
¥100 (so the limit is met during the run), and ANALYZEs the seeded tables as autovacuum
would in a database in use. Then BENCH_CONCURRENCY (32) POS clients, each a
device with its own keep-alive connection, id and sequence numbers and one outlet's key,
charge random open tabs with `POST /api/v1/keytags/charges` (1–3 items). BENCH_REPLAYS
(2 %) of the sales are sent again under the same device sequence number.

Every answer is checked: a sale answers 200 with its amount and a tab within the limit, or
409 `over_limit` (the tab had no room); a replay answers 200 with the first charge's id,
`replayed`; anything else fails the run. After the run, in SQL: no charge applied twice
(each answered charge is one row, each device sequence number one row), none lost (every
charge answered is on record, no row was not answered), no tab past its limit, and every
visit's tab equal to the sum of its charges.

The baseline is `pgbench -b tpcb-like` with the same client count on a scratch database
initialised with `pgbench -i` on the same server. The last line printed is one JSON object:
{"bench": "keytags", "value" (charges/s), "unit", "baseline" (tps), "ratio" (goal ≥ 0.5),
...}. Bounded: BENCH_SECONDS per measurement, at most BENCH_TIMEOUT (300) in all, 127.0.0.1
only; it stops the server and drops both databases when done.

Environment: BENCH_CONCURRENCY (32), BENCH_SECONDS (10), BENCH_WORKERS (granian workers;
the cores), BENCH_OUTLETS (4), BENCH_VISITS (3000), BENCH_REPLAYS (0.02), BENCH_SCALE
(pgbench scale, 10), BENCH_ADMIN_URL or TEST_DATABASE_URL (a superuser URL; default the
local server at 127.0.0.1:5432, else an embedded PostgreSQL).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import secrets
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from app.db.admin import DatabaseUrls, init_database, migrate  # noqa: E402
from app.db.engine import Database, TenantId, bind_tenant, libpq_url  # noqa: E402
from bench.booking import measure_pgbench  # noqa: E402
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
MAX_SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 1)))
OUTLETS = int(os.environ.get("BENCH_OUTLETS", "4"))
VISITS = int(os.environ.get("BENCH_VISITS", "3000"))
REPLAYS = float(os.environ.get("BENCH_REPLAYS", "0.02"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "300"))
MAX_REQUESTS = 10_000_000
WARMUP = 300
PATH = "/api/v1/keytags/charges"
ITEMS = (("JUICE", "鲜榨西瓜汁", "item", 2800), ("BEER", "山城啤酒", "item", 1500),
         ("TEA", "沱茶", "item", 3800), ("POOL", "私汤", "hour", 8800))  # fmt: skip


def log(message: str) -> None:
    print(f"bench/keytags: {message}", file=sys.stderr, flush=True)


# Seeding ----------------------------------------------------------------------------------


async def _outlet_key(db, tid: TenantId, n: int) -> tuple[uuid.UUID, str]:
    """An outlet with its own pos:charge key and the bench's price list."""
    from app.security.tokens import digest, new_secret, scoped_token
    from modules.keytags.models import Outlet, OutletItem
    from tenants.models import ApiKey

    secret = new_secret()
    key = ApiKey(
        tenant_id=tid, name=f"POS {n}", scopes=["pos:charge"],
        secret_hash=digest(secret), hint=secret[:8],
    )  # fmt: skip
    db.add(key)
    await db.flush()
    outlet = Outlet(tenant_id=tid, code=f"O{n}", name=f"水吧{n}", kind="bar", api_key_id=key.id)
    db.add(outlet)
    await db.flush()
    db.add_all(
        OutletItem(
            tenant_id=tid, outlet_id=outlet.id, code=code, name=name, unit=unit, price_fen=price
        )
        for code, name, unit, price in ITEMS
    )
    await db.flush()
    return outlet.id, scoped_token("zk", tid, key.id, secret=secret)


async def _visits(db, tid: TenantId) -> list[str]:
    """VISITS open post-pay visits, each holding an RFID tag (one in ten with a ¥100 limit)."""
    from app import clock
    from app.db.base import uuid7
    from modules.keytags.domain import visit_number
    from modules.keytags.models import KeyTag, TicketType, Visit, VisitTag

    now, today = clock.now(), clock.today()
    ticket = TicketType(
        tenant_id=tid, code="ADULT", name="成人票", category="adult", price_weekday_fen=36800,
        price_weekend_fen=39800, price_holiday_fen=39800,
    )  # fmt: skip
    db.add(ticket)
    await db.flush()
    tags = [
        KeyTag(id=uuid7(), tenant_id=tid, uid=f"04B{i:07X}", status="in_use", label=f"{i:04d}")
        for i in range(VISITS)
    ]
    db.add_all(tags)
    await db.flush()
    visits = [
        Visit(
            id=uuid7(),
            tenant_id=tid,
            number=visit_number(today, i + 1),
            business_date=today,
            ticket_type_id=ticket.id,
            source="walk_in",
            guest_name=f"宾客{i:04d}",
            tab_mode="postpay",
            admission_fen=36800,
            limit_fen=10000 if i % 10 == 0 else 50000,
            active_tag_id=tag.id,
            opened_at=now,
            gate_in_at=now,
        )
        for i, tag in enumerate(tags)
    ]
    db.add_all(visits)
    await db.flush()
    db.add_all(
        VisitTag(tenant_id=tid, visit_id=v.id, tag_id=t.id, bound_at=now)
        for v, t in zip(visits, tags, strict=True)
    )
    await db.flush()
    return [t.uid for t in tags]


async def seed(urls: DatabaseUrls) -> tuple[TenantId, list[str], list[str]]:
    database = Database.from_url(urls.app_url, pool_size=1, max_overflow=0)
    try:
        async with database.transaction() as db:
            tid, _token = await tenant_with_key(db, ["pos:charge"], kinds=("hot_spring",))
            await bind_tenant(db, tid)
            tokens = [(await _outlet_key(db, tid, n))[1] for n in range(OUTLETS)]
            uids = await _visits(db, tid)
            return tid, tokens, uids
    finally:
        await database.dispose()


async def analyze(owner_url: str) -> None:
    """Planner statistics for the seeded tables, as autovacuum keeps them in a database in
    use: just after a bulk seed there are none, and the planner takes the 3000 open visits
    for one row (it then scans them all for the tag's visit instead of using its index)."""
    conn = await asyncpg.connect(libpq_url(owner_url))
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


# The load ---------------------------------------------------------------------------------


@dataclass
class Ledger:
    """What the clients were told: every charge answered, replays, refusals."""

    charged: dict[str, int] = field(default_factory=dict)  # charge id → amount
    replays: int = 0
    over_limit: int = 0
    sent: dict[int, list[tuple[int, bytes, str]]] = field(default_factory=dict)


class Pos:
    """BENCH_CONCURRENCY POS devices: device `slot` uses outlet `slot % OUTLETS`'s key."""

    def __init__(self, port: int, tokens: list[str], uids: list[str], ledger: Ledger) -> None:
        self.clients = [
            KeepAliveClient(
                port, {"authorization": f"Bearer {t}", "content-type": "application/json"}
            )
            for t in tokens
        ]
        self.uids = uids
        self.ledger = ledger
        self.rng = random.Random(20261207)
        self.seqs = [itertools.count(1) for _ in range(CONCURRENCY)]
        self.run = secrets.token_hex(3)

    def _sale(self, slot: int) -> tuple[int, bytes]:
        seq = next(self.seqs[slot])
        picks = self.rng.sample(ITEMS, self.rng.randint(1, 3))
        body = {
            "tag": self.rng.choice(self.uids),
            "device_id": f"pos-{self.run}-{slot}",
            "device_seq": seq,
            "items": [{"code": code, "qty": self.rng.randint(1, 2)} for code, *_ in picks],
        }
        return seq, json.dumps(body, ensure_ascii=False).encode()

    async def call(self, slot: int) -> bool:
        client = self.clients[slot % len(self.clients)]
        earlier = self.ledger.sent.get(slot) or []
        if earlier and self.rng.random() < REPLAYS:
            _seq, body, first = self.rng.choice(earlier)
            status, payload = await client.send(slot, "POST", PATH, body)
            answer = json.loads(payload)
            if status != 200 or not answer.get("replayed") or answer["charge_id"] != first:
                raise RuntimeError(f"replay: {status} {payload[:200]!r}")
            self.ledger.replays += 1
            return True
        seq, body = self._sale(slot)
        status, payload = await client.send(slot, "POST", PATH, body)
        answer = json.loads(payload)
        if status == 409 and answer.get("code") == "over_limit":
            self.ledger.over_limit += 1
            return True
        if status != 200 or answer.get("replayed") or answer["tab_fen"] > answer["limit_fen"]:
            raise RuntimeError(f"sale: {status} {payload[:200]!r}")
        if answer["charge_id"] in self.ledger.charged:
            raise RuntimeError(f"one charge answered twice: {answer['charge_id']}")
        self.ledger.charged[answer["charge_id"]] = int(answer["amount_fen"])
        self.ledger.sent.setdefault(slot, []).append((seq, body, answer["charge_id"]))
        return True

    async def close(self) -> None:
        for client in self.clients:
            await client.close()


async def measure_charges(
    port: int, tokens: list[str], uids: list[str]
) -> tuple[float, int, Ledger]:
    ledger = Ledger()
    pos = Pos(port, tokens, uids, ledger)
    try:
        await load(pos.call, concurrency=CONCURRENCY, requests=WARMUP, seconds=MAX_SECONDS)
        rate, done = await load(
            pos.call, concurrency=CONCURRENCY, requests=MAX_REQUESTS, seconds=MAX_SECONDS
        )
        return rate, done, ledger
    finally:
        await pos.close()


# The check --------------------------------------------------------------------------------

_CHECK = """
SELECT
  (SELECT count(*) FROM spa_charges WHERE kind = 'charge') AS charges,
  (SELECT coalesce(sum(amount_fen), 0) FROM spa_charges WHERE kind = 'charge') AS charged_fen,
  (SELECT count(*) FROM (SELECT device_id, device_seq FROM spa_charges
     GROUP BY device_id, device_seq HAVING count(*) > 1) d) AS applied_twice,
  (SELECT count(*) FROM spa_visits WHERE tab_fen > limit_fen) AS past_limit,
  (SELECT count(*) FROM spa_visits v WHERE v.tab_fen <> (
     SELECT coalesce(sum(c.amount_fen), 0) FROM spa_charges c
     WHERE c.tenant_id = v.tenant_id AND c.visit_id = v.id)) AS tab_mismatched,
  (SELECT coalesce(sum(tab_fen), 0) FROM spa_visits) AS tabs_fen
"""


async def check_database(owner_url: str, tid: uuid.UUID, ledger: Ledger) -> dict[str, int]:
    conn = await asyncpg.connect(libpq_url(owner_url))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tid))
            row = dict(await conn.fetchrow(_CHECK))
            ids = [uuid.UUID(i) for i in ledger.charged]
            on_record = await conn.fetchval(
                "SELECT count(*) FROM spa_charges WHERE id = ANY($1::uuid[])", ids
            )
    finally:
        await conn.close()
    found = {k: int(v) for k, v in row.items()}
    found["lost"] = len(ids) - int(on_record)
    found["unanswered"] = found["charges"] - len(ids)
    problems = [
        f"{found[k]} {k.replace('_', ' ')}"
        for k in ("applied_twice", "past_limit", "tab_mismatched", "lost", "unanswered")
        if found[k]
    ]
    if found["charged_fen"] != sum(ledger.charged.values()):
        problems.append("charged amounts differ from the answers")
    if problems:
        raise RuntimeError("CHARGES WRONG: " + ", ".join(problems))
    return found


async def main() -> dict[str, object]:
    admin = await admin_url()
    name = f"zhilv_bench_keytags_{os.getpid()}"
    scratch = f"zhilv_bench_pgbench_kt_{os.getpid()}"
    try:
        urls = await init_database(admin, database=name, owner=OWNER, app=APP)
        await asyncio.to_thread(migrate, urls.owner_url)
        tid, tokens, uids = await seed(urls)
        await analyze(urls.owner_url)
        pool = str(max(10, CONCURRENCY // WORKERS + 2))
        async with served(urls, workers=WORKERS, env={"DATABASE_POOL_SIZE": pool}) as port:
            log(
                f"server up on 127.0.0.1:{port} ({WORKERS} workers); {CONCURRENCY} POS clients; "
                f"{OUTLETS} outlets, {VISITS} open tabs"
            )
            rate, done, ledger = await measure_charges(port, tokens, uids)
        log(
            f"POST {PATH}: {rate:.0f} answers/s ({done} in the run: {len(ledger.charged)} "
            f"charges in all, {ledger.replays} replays, {ledger.over_limit} over the limit)"
        )
        found = await check_database(urls.owner_url, tid, ledger)
        print(
            f"charges correct: {found['charges']} charges on record, each answered once; "
            "0 applied twice, 0 lost, 0 tabs past their limit, every tab = its charges",
            flush=True,
        )
        await drop_database(admin, scratch)
        await admin_execute(admin, f'CREATE DATABASE "{scratch}"')
        baseline = await asyncio.to_thread(measure_pgbench, admin, scratch)
        log(f"pgbench tpcb-like, {CONCURRENCY} clients: {baseline:.0f} tps")
    finally:
        await drop_database(admin, name)
        await drop_database(admin, scratch)
    return {
        "bench": "keytags",
        "value": round(rate, 1),
        "unit": "charge requests/s",
        "baseline": round(baseline, 1),
        "baseline_unit": "pgbench tpcb-like tps",
        "ratio": round(rate / baseline, 3),
        "concurrency": CONCURRENCY,
        "server_workers": WORKERS,
        "charges": found["charges"],
        "replays": ledger.replays,
        "over_limit": ledger.over_limit,
        "applied_twice": found["applied_twice"],
        "lost": found["lost"],
        "past_limit": found["past_limit"],
        "tab_mismatched": found["tab_mismatched"],
    }


if __name__ == "__main__":
    result = asyncio.run(asyncio.wait_for(main(), timeout=TIMEOUT))
    print(json.dumps(result))
