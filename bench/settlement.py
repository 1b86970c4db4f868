"""Settling a month of 1,000,000 distribution orders across 50 distributors, against one SQL
GROUP BY over the same postings, in the same run.

Builds a scratch database on the local PostgreSQL (the two roles, migrations) with one
supplier and BENCH_DISTRIBUTORS (50) distributors, each under a monthly agreement from
2026-11-01 (half prepaid, half on credit; every third with a 3 % platform fee) authorising one
day ticket. Then bulk-loads, with INSERT ... SELECT over generate_series in chunks of
BENCH_CHUNK orders (a progress bar on stderr), BENCH_ORDERS (1,000,000) orders dated over
November, each with its balanced `sale` entry (Dr the distributor's prepaid or payable; Cr the
supplier's receivable and the platform fee); one order in twenty is cancelled in November with
a 10 % fee (a `cancellation` entry reversing the sale and a `cancellation_fee` entry).
Each chunk's postings are one INSERT, so the ledger's trigger checks every entry balanced.
Prepaid distributors topped up on 2026-10-28 (the opening balance) enough to cover the month,
credit distributors pay part on 2026-11-20; the cached balances are set from the postings.

Measured: `settle_period` of the application (app role, row-level security on, its own
transaction and commit) on 2026-12-08, which issues the 50 November statements in one pass;
the baseline is ONE `SELECT agreement_id, sum(amount_fen), count(*) FROM dist_ledger_postings
WHERE accounting_date < '2026-12-01' GROUP BY agreement_id` over the same postings (same role,
best of BENCH_REPEAT runs after a warm-up). Goal: ratio = settlement ÷ baseline ≤ 3.

After the run: the sum of all postings is exactly 0 fen; every statement's closing balance
equals the sum of its distributor account's postings before 2026-12-01, its figures add up
(opening + movements = closing), its sales equal the orders' settlement prices, and its order
count the orders sold. The last line printed is one JSON object:
{"bench": "settlement", "value" (s), "unit": "s", "baseline" (s), "ratio", ...}.

Environment: BENCH_ORDERS (1000000), BENCH_DISTRIBUTORS (50), BENCH_CHUNK (50000),
BENCH_REPEAT (3), BENCH_TIMEOUT (1800), BENCH_ADMIN_URL or TEST_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from app.db.admin import DatabaseUrls, init_database, migrate  # noqa: E402
from app.db.engine import Database, TenantId, bind_tenant, libpq_url  # noqa: E402
from bench.harness import APP, OWNER, admin_url, drop_database  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
DISTRIBUTORS = int(os.environ.get("BENCH_DISTRIBUTORS", "50"))
CHUNK = int(os.environ.get("BENCH_CHUNK", "50000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "1800"))
SETTLE_ON = date(2026, 12, 8)
PERIOD = (date(2026, 11, 1), date(2026, 12, 1))


def log(message: str) -> None:
    print(f"bench/settlement: {message}", file=sys.stderr, flush=True)


def bar(label: str, done: float, total: float, started: float) -> None:
    """A progress bar on stderr, redrawn in place."""
    width = 30
    filled = int(width * min(done / total, 1.0)) if total else width
    line = f"\rbench/settlement: {label:<22} [{'#' * filled}{'.' * (width - filled)}]"
    line += f" {done:>9,.0f}/{total:,.0f} {time.perf_counter() - started:6.1f}s"
    print(line, end="", file=sys.stderr, flush=True)


async def ticking(label: str, started: float, expected: float) -> None:
    """A bar for one long statement: fills towards the time it is expected to take."""
    while True:
        elapsed = time.perf_counter() - started
        bar(label, min(elapsed, expected * 0.99), expected, started)
        await asyncio.sleep(0.2)


# Seeding ----------------------------------------------------------------------------------


async def seed_parties(urls: DatabaseUrls) -> tuple[TenantId, list[dict[str, object]]]:
    """The supplier, its distributors, agreements, products and ledger accounts, made with
    the application's models as the application role."""
    from bench.harness import tenant_with_key
    from modules.distribution.models import (
        Agreement,
        AgreementProduct,
        Distributor,
        LedgerAccount,
    )
    from modules.reservations.service import create_unit_type

    database = Database.from_url(urls.app_url, pool_size=1, max_overflow=0)
    try:
        async with database.transaction() as db:
            tid, _token = await tenant_with_key(db, ["distribution:read"])
            await bind_tenant(db, tid)
            ticket = await create_unit_type(
                db, tid, code="DAY", name="温泉日票", kind="admission", base_price_fen=36800
            )
            own = [LedgerAccount(tenant_id=tid, kind=k) for k in ("funds", "platform_fee")]
            db.add_all(own)
            parties = []
            for n in range(DISTRIBUTORS):
                credit = n % 2 == 1
                dist = Distributor(
                    tenant_id=tid, code=f"D{n:04d}", name=f"分销商{n:02d}", kind="external"
                )
                db.add(dist)
                await db.flush()
                agreement = Agreement(
                    tenant_id=tid, number=f"FX-2026-{n + 1:04d}", distributor_id=dist.id,
                    valid_from=PERIOD[0], payment_terms="credit" if credit else "prepaid",
                    credit_limit_fen=10**13 if credit else 0, cycle="monthly",
                    platform_fee_bp=300 if n % 3 == 0 else 0,
                )  # fmt: skip
                db.add(agreement)
                await db.flush()
                product = AgreementProduct(
                    tenant_id=tid, agreement_id=agreement.id, unit_type_id=ticket.id,
                    price_mode="net", net_price_fen=30000,
                )  # fmt: skip
                kind = "distributor_payable" if credit else "distributor_prepaid"
                facing = LedgerAccount(
                    tenant_id=tid, agreement_id=agreement.id, kind=kind,
                    limit_fen=10**13 if credit else 0,
                )  # fmt: skip
                receivable = LedgerAccount(
                    tenant_id=tid, agreement_id=agreement.id, kind="supplier_receivable"
                )
                db.add_all([product, facing, receivable])
                await db.flush()
                parties.append(
                    {"agreement": agreement.id, "distributor": dist.id, "product": product.id,
                     "facing": facing.id, "receivable": receivable.id, "credit": credit,
                     "fee_bp": agreement.platform_fee_bp}
                )  # fmt: skip
            await db.flush()
            for p in parties:
                p["funds"], p["fee"] = own[0].id, own[1].id
            return tid, parties
    finally:
        await database.dispose()


# One order i: its agreement (i % N), settlement price s, fee f, day, cancelled or not.
_ORDER = """
    SELECT i, 1 + i % {n} AS k,
           10000 + (i::bigint * 7919) % 50000 AS s,
           ((10000 + (i::bigint * 7919) % 50000) * ($5::int[])[1 + i % {n}] + 5000) / 10000 AS f,
           DATE '2026-11-01' + (i % 30) AS d,
           i % 20 = 7 AS cancelled
    FROM generate_series($2::int, $3::int) AS i
"""

_LOAD_ORDERS = """
INSERT INTO dist_orders (id, tenant_id, number, agreement_id, distributor_id, product_id,
    idempotency_key, status, quantity, arrival, departure, sale_fen, settlement_fen,
    cancellation_fee_fen, guest_name)
SELECT md5('o' || i)::uuid, $1, 'FX' || lpad(i::text, 10, '0'), ($4::uuid[])[k],
    ($6::uuid[])[k], ($7::uuid[])[k], 'bench-' || i,
    CASE WHEN cancelled THEN 'cancelled' ELSE 'confirmed' END, 1, d, d + 1,
    s + s / 5, s, CASE WHEN cancelled THEN s / 10 ELSE 0 END, '宾客' || i
FROM ({order}) o
"""

_LOAD_ENTRIES = """
INSERT INTO dist_ledger_entries (id, tenant_id, kind, agreement_id, order_id, accounting_date)
SELECT md5(e.tag || i)::uuid, $1, e.kind, ($4::uuid[])[k], md5('o' || i)::uuid,
    d + e.later
FROM ({order}) o
CROSS JOIN LATERAL (VALUES ('e', 'sale', 0), ('c', 'cancellation', 1),
                           ('x', 'cancellation_fee', 1)) AS e(tag, kind, later)
WHERE e.tag = 'e' OR cancelled
"""

# Every line of every entry of the chunk in one statement: the trigger sees them together.
_LOAD_POSTINGS = """
INSERT INTO dist_ledger_postings (id, tenant_id, entry_id, account_id, agreement_id,
    accounting_date, amount_fen)
SELECT gen_random_uuid(), $1, md5(l.tag || i)::uuid, l.account, ($4::uuid[])[k],
    d + l.later, l.amount
FROM ({order}) o
CROSS JOIN LATERAL (VALUES
    ('e', ($6::uuid[])[k], s, 0), ('e', ($7::uuid[])[k], -(s - f), 0), ('e', $8::uuid, -f, 0),
    ('c', ($6::uuid[])[k], -s, 1), ('c', ($7::uuid[])[k], s - f, 1), ('c', $8::uuid, f, 1),
    ('x', ($6::uuid[])[k], s / 10, 1), ('x', ($7::uuid[])[k], -(s / 10), 1)
) AS l(tag, account, amount, later)
WHERE l.amount <> 0 AND (l.tag = 'e' OR cancelled)
"""


async def load_orders(conn: asyncpg.Connection, tid: TenantId, parties: list[dict]) -> None:
    n = len(parties)
    args = [
        tid,
        [p["agreement"] for p in parties],
        [p["fee_bp"] for p in parties],
        [p["distributor"] for p in parties],
        [p["product"] for p in parties],
        [p["facing"] for p in parties],
        [p["receivable"] for p in parties],
        parties[0]["fee"],
    ]
    started = time.perf_counter()
    order = _ORDER.format(n=n)
    orders = _LOAD_ORDERS.format(order=order)
    entries = _LOAD_ENTRIES.format(order=order)
    postings = _LOAD_POSTINGS.format(order=order)
    for lo in range(1, ORDERS + 1, CHUNK):
        hi = min(lo + CHUNK - 1, ORDERS)
        chunk = (args[0], lo, hi, args[1], args[2])
        async with conn.transaction():
            t0 = time.perf_counter()
            await conn.execute(orders, *chunk, args[3], args[4])
            t1 = time.perf_counter()
            await conn.execute(entries, *chunk)
            t2 = time.perf_counter()
            await conn.execute(postings, *chunk, args[5], args[6], args[7])
            t3 = time.perf_counter()
        if os.environ.get("BENCH_DEBUG"):
            log(f"orders {t1 - t0:.2f}s entries {t2 - t1:.2f}s postings {t3 - t2:.2f}s")
        bar("loading orders", hi, ORDERS, started)
    print(file=sys.stderr)


_OWED = """
SELECT account_id, sum(amount_fen) AS owed FROM dist_ledger_postings
WHERE account_id = ANY($1::uuid[]) GROUP BY account_id
"""
_MONEY_ENTRIES = """
INSERT INTO dist_ledger_entries (id, tenant_id, kind, agreement_id, accounting_date, reference)
SELECT id, $1, kind, agreement, day, 'bench' FROM unnest($2::uuid[], $3::text[], $4::uuid[],
    $5::date[]) AS m(id, kind, agreement, day)
"""
_MONEY_POSTINGS = """
INSERT INTO dist_ledger_postings (id, tenant_id, entry_id, account_id, agreement_id,
    accounting_date, amount_fen)
SELECT gen_random_uuid(), $1, m.id, l.account, m.agreement, m.day, l.amount
FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::date[], $6::bigint[])
    AS m(id, agreement, facing, day, amount)
CROSS JOIN LATERAL (VALUES ($7::uuid, m.amount), (m.facing, -m.amount)) AS l(account, amount)
"""
_BALANCES = """
UPDATE dist_ledger_accounts a SET balance_fen = t.total
FROM (SELECT account_id, sum(amount_fen) AS total FROM dist_ledger_postings
      GROUP BY account_id) t
WHERE a.id = t.account_id
"""


async def load_money(conn: asyncpg.Connection, tid: TenantId, parties: list[dict]) -> None:
    """Prepaid distributors top up on 2026-10-28 what the month needs and ¥1,000 more;
    credit distributors pay half of what they owe on 2026-11-20. Then the cached balances."""
    import uuid

    owed = {r["account_id"]: int(r["owed"]) for r in await conn.fetch(
        _OWED, [p["facing"] for p in parties])}  # fmt: skip
    rows = []
    for p in parties:
        due = owed.get(p["facing"], 0)
        if p["credit"]:
            rows.append((uuid.uuid4(), "payment", p, date(2026, 11, 20), due // 2))
        else:
            rows.append((uuid.uuid4(), "topup", p, date(2026, 10, 28), due + 100000))
    async with conn.transaction():
        await conn.execute(
            _MONEY_ENTRIES, tid, [r[0] for r in rows], [r[1] for r in rows],
            [r[2]["agreement"] for r in rows], [r[3] for r in rows],
        )  # fmt: skip
        await conn.execute(
            _MONEY_POSTINGS, tid, [r[0] for r in rows], [r[2]["agreement"] for r in rows],
            [r[2]["facing"] for r in rows], [r[3] for r in rows], [r[4] for r in rows],
            parties[0]["funds"],
        )  # fmt: skip
        await conn.execute(_BALANCES)


# Measuring --------------------------------------------------------------------------------

_BASELINE = """
SELECT agreement_id, sum(amount_fen), count(*) FROM dist_ledger_postings
WHERE accounting_date < DATE '2026-12-01' GROUP BY agreement_id
"""


async def baseline(urls: DatabaseUrls, tid: TenantId) -> float:
    """Best of REPEAT runs of one GROUP BY over the postings, after a warm-up run."""
    conn = await asyncpg.connect(libpq_url(urls.app_url))
    try:
        await conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tid))
        await conn.fetch(_BASELINE)
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            rows = await conn.fetch(_BASELINE)
            times.append(time.perf_counter() - started)
        assert len(rows) == DISTRIBUTORS
        return min(times)
    finally:
        await conn.close()


async def settle(urls: DatabaseUrls, tid: TenantId, expected: float) -> tuple[float, int]:
    """The application's settlement run, timed from its transaction's start to its commit."""
    from modules.distribution.service.settlement import settle_period

    database = Database.from_url(urls.app_url, pool_size=1, max_overflow=0)
    try:
        async with database.transaction(tid) as db:  # warm the connection and imports
            await db.execute(__import__("sqlalchemy").text("SELECT 1"))
        started = time.perf_counter()
        ticker = asyncio.create_task(ticking("settling November", started, expected))
        try:
            async with database.transaction(tid) as db:
                run = await settle_period(db, tid, today=SETTLE_ON)
            elapsed = time.perf_counter() - started
        finally:
            ticker.cancel()
        bar("settling November", 1, 1, started)
        print(file=sys.stderr)
        return elapsed, run.issued
    finally:
        await database.dispose()


# Checking ---------------------------------------------------------------------------------

_CHECK_STATEMENTS = """
SELECT s.number, s.closing_fen, s.sales_fen, s.order_count,
    s.opening_fen + s.sales_fen + s.cancellations_fen + s.fees_fen + s.adjustments_fen
        + s.payments_fen AS summed,
    (SELECT coalesce(sum(p.amount_fen), 0) FROM dist_ledger_postings p
       JOIN dist_ledger_accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
        AND a.kind IN ('distributor_prepaid', 'distributor_payable')
      WHERE p.tenant_id = s.tenant_id AND p.agreement_id = s.agreement_id
        AND p.accounting_date < s.period_end) AS postings,
    (SELECT coalesce(sum(a.balance_fen), 0) FROM dist_ledger_accounts a
      WHERE a.tenant_id = s.tenant_id AND a.agreement_id = s.agreement_id
        AND a.kind IN ('distributor_prepaid', 'distributor_payable')) AS cached,
    (SELECT coalesce(sum(o.settlement_fen), 0) FROM dist_orders o
      WHERE o.tenant_id = s.tenant_id AND o.agreement_id = s.agreement_id) AS sold,
    (SELECT count(*) FROM dist_orders o
      WHERE o.tenant_id = s.tenant_id AND o.agreement_id = s.agreement_id) AS orders
FROM dist_statements s WHERE s.status = 'issued' AND s.period_start = DATE '2026-11-01'
"""


async def check(urls: DatabaseUrls, tid: TenantId) -> dict[str, int]:
    """The ledger balances to the fen and every statement is its postings; raises if not."""
    conn = await asyncpg.connect(libpq_url(urls.app_url))
    try:
        await conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tid))
        total = await conn.fetchval("SELECT coalesce(sum(amount_fen), 0) FROM dist_ledger_postings")
        postings = await conn.fetchval("SELECT count(*) FROM dist_ledger_postings")
        rows = await conn.fetch(_CHECK_STATEMENTS)
    finally:
        await conn.close()
    problems = [] if total == 0 else [f"the postings sum to {total} fen, not 0"]
    if len(rows) != DISTRIBUTORS:
        problems.append(f"{len(rows)} statements for {DISTRIBUTORS} agreements")
    for r in rows:
        for what, got, want in (
            ("closing vs its postings", r["closing_fen"], r["postings"]),
            ("closing vs its figures", r["closing_fen"], r["summed"]),
            ("closing vs the cached balance", r["closing_fen"], r["cached"]),
            ("sales vs the orders' settlement prices", r["sales_fen"], r["sold"]),
            ("order count vs the orders", r["order_count"], r["orders"]),
        ):
            if got != want:
                problems.append(f"{r['number']}: {what}: {got} ≠ {want}")
    if problems:
        raise RuntimeError("SETTLEMENT WRONG: " + "; ".join(problems[:10]))
    return {"postings": int(postings), "statements": len(rows), "postings_sum_fen": int(total)}


async def main() -> dict[str, object]:
    admin = await admin_url()
    name = f"zhilv_bench_settlement_{os.getpid()}"
    try:
        urls = await init_database(admin, database=name, owner=OWNER, app=APP)
        await asyncio.to_thread(migrate, urls.owner_url)
        tid, parties = await seed_parties(urls)
        log(f"{DISTRIBUTORS} distributors under monthly agreements; loading {ORDERS:,} orders")
        conn = await asyncpg.connect(libpq_url(urls.app_url))
        try:
            await conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tid))
            await load_orders(conn, tid, parties)
            await load_money(conn, tid, parties)
        finally:
            await conn.close()
        owner = await asyncpg.connect(libpq_url(urls.owner_url))
        try:
            await owner.execute("VACUUM ANALYZE")  # as autovacuum keeps a database in use
        finally:
            await owner.close()
        base = await baseline(urls, tid)
        log(f"baseline: one GROUP BY over the postings: {base:.3f} s")
        value, issued = await settle(urls, tid, expected=3 * base)
        log(f"settlement: {issued} statements issued in {value:.3f} s")
        base = min(base, await baseline(urls, tid))  # the machine's best, before or after
        log(f"baseline, best before and after: {base:.3f} s")
        found = await check(urls, tid)
        print(
            f"settlement correct: {found['statements']} statements, each closing = its "
            f"postings = its figures = the cached balance; {found['postings']:,} postings "
            "summing to exactly 0 fen",
            flush=True,
        )
    finally:
        if not os.environ.get("BENCH_KEEP"):
            await drop_database(admin, name)
    return {
        "bench": "settlement",
        "value": round(value, 3),
        "unit": "s",
        "baseline": round(base, 3),
        "ratio": round(value / base, 3),
        "orders": ORDERS,
        "distributors": DISTRIBUTORS,
        "statements": found["statements"],
        "postings": found["postings"],
        "postings_sum_fen": found["postings_sum_fen"],
    }


if __name__ == "__main__":
    result = asyncio.run(asyncio.wait_for(main(), timeout=TIMEOUT))
    print(json.dumps(result))
