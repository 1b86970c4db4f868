"""Gangway scans through the HTTP API: latency at the evening's boarding load, and the knee.

Starts the real server (granian, `zhilv serve`) on a free loopback port against a scratch
database on the local PostgreSQL (the two roles, migrations), seeds one cruise line with
BENCH_VOYAGES voyages boarding now at 朝天门 (ship, port calls, a booking per voyage, enough
passengers on the manifests, a boarding pass each signed as the passes service signs them) and
one API key with scope `boarding:scan`. Then BENCH_GATES (64) gates scan open-loop: each
gate is a device with its own keep-alive connection, its own id and sequence numbers, and
scans on a fixed schedule (40 passengers a minute per gate, about 43 scans/s in all) with
`POST /api/v1/boarding/scans`. A scan's latency runs from the moment it was due, not from
the moment it was sent, so a slow server queues passengers at the gate as it would on the
pier (no coordinated omission).

Every answer is checked: a fresh passenger's scan must be accepted for that passenger; a
second scan of a pass already accepted (BENCH_REPEATS, 2 % of scans, from another gate)
must be refused as already aboard; anything else fails the run. Phases: a warm-up, the
measurement at 1× (BENCH_SECONDS), then the rate raised step by step (2×, 4×, 6×, …, each
BENCH_STEP_SECONDS) until p99 passes 450 ms, an answer is wrong or the passengers run out;
the knee is the highest multiple of 43/s whose p99 stayed within 450 ms (when 1× is already
past it, the rate is lowered instead — ¾×, ½×, ¼×, ⅛× — until one keeps within it). At the
end the database is checked: no passenger boarded twice (two accepted boardings), every accepted
answer is one accepted scan row, every passenger's movement count and aboard flag match
their scans.

The last line printed is one JSON object: {"bench": "boarding", "value": p99 ms at 1×,
"unit": "ms", "baseline": 450, "ratio": p99/450 (goal ≤ 0.05), "knee_multiple" (goal ≥ 10),
...}. Bounded: at most BENCH_TIMEOUT seconds in all (300), 127.0.0.1 only; it stops the
server and drops its database when done.

Environment: BENCH_GATES (64), BENCH_PER_GATE_PER_MINUTE (40), BENCH_SECONDS (30),
BENCH_STEP_SECONDS (5), BENCH_MAX_MULTIPLE (30), BENCH_PASSENGERS (to seed; 20000),
BENCH_VOYAGES (16), BENCH_REPEATS (0.02), BENCH_WORKERS (granian workers; the cores),
BENCH_ADMIN_URL or TEST_DATABASE_URL (a superuser URL; default 127.0.0.1:5432, else an
embedded PostgreSQL).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The seed signs the passes with a key sealed under these; the server must read the same.
os.environ.setdefault("SECRET_KEY", "bench-boarding-" + secrets.token_urlsafe(32))
os.environ.setdefault("PASS_KEY_ENCRYPTION_KEY", secrets.token_urlsafe(32))

import asyncpg  # noqa: E402

from app.db.admin import DatabaseUrls, init_database, migrate  # noqa: E402
from app.db.engine import Database, TenantId, libpq_url  # noqa: E402
from bench.harness import (  # noqa: E402
    APP,
    OWNER,
    KeepAliveClient,
    admin_url,
    drop_database,
    served,
    tenant_with_key,
)

GATES = int(os.environ.get("BENCH_GATES", "64"))
PER_GATE_PER_MINUTE = float(os.environ.get("BENCH_PER_GATE_PER_MINUTE", "40"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
STEP_SECONDS = float(os.environ.get("BENCH_STEP_SECONDS", "5"))
MAX_MULTIPLE = float(os.environ.get("BENCH_MAX_MULTIPLE", "30"))
PASSENGERS = int(os.environ.get("BENCH_PASSENGERS", "20000"))
VOYAGES = int(os.environ.get("BENCH_VOYAGES", "16"))
REPEATS = float(os.environ.get("BENCH_REPEATS", "0.02"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 1)))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "300"))
BUDGET_MS = 450.0
WARMUP_SECONDS = 3.0
BASE_RATE = GATES * PER_GATE_PER_MINUTE / 60.0  # ≈ 42.7 scans/s
STEPS = (2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 30, 40)
DOWN_STEPS = (0.75, 0.5, 0.25, 0.125)
PATH = "/api/v1/boarding/scans"


def log(message: str) -> None:
    print(f"bench/boarding: {message}", file=sys.stderr, flush=True)


# Seeding ----------------------------------------------------------------------------------


@dataclass
class Boarding:
    """A pass to scan: the code, whose it is, and where they board."""

    code: str
    passenger_id: str
    voyage_id: str
    port_call_id: str


def _resident_id(n: int) -> str:
    from app.identifiers import id_check_char

    born = date(1950, 1, 1) + timedelta(days=n % 20000)
    first17 = f"500103{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


async def _voyage(db, tid: TenantId, ship_id: uuid.UUID, n: int, count: int) -> list[Boarding]:
    """One voyage boarding now at 朝天门, `count` passengers with passes."""
    from app import clock
    from modules.boarding import domain
    from modules.boarding.models import BoardingVoyage, Passenger, PortCall
    from modules.reservations import service as reservations

    now = clock.now()
    today = clock.today()
    number = f"BN{today:%Y%m%d}{chr(65 + n % 26)}{n // 26 or ''}"
    sold = await reservations.create_voyage(
        db, tid, code=number, ship="世纪神话", route="朝天门 → 宜昌",
        depart_on=today, arrive_on=today + timedelta(days=3),
    )  # fmt: skip
    grade = await reservations.create_unit_type(
        db, tid, code=f"G{n}", name="标准阳台房", kind="cabin", capacity=4,
        base_price_fen=150000, voyage_id=sold.id,
    )  # fmt: skip
    await reservations.set_calendar(
        db, tid, unit_type_id=grade.id, start=today, end=today + timedelta(days=2), total=500
    )
    plan = (await reservations.list_rate_plans(db, tid))[0]
    booking = await reservations.book(
        db, tid, unit_type_id=grade.id, rate_plan_id=plan.id, arrival=today,
        departure=today + timedelta(days=3), adults=2,
        guest=reservations.GuestDetails(name="张伟", phone="13800138000"), source="api",
    )  # fmt: skip
    voyage = BoardingVoyage(
        id=sold.id, tenant_id=tid, ship_id=ship_id, number=number, status="boarding",
        boarding_opens_at=now - timedelta(hours=1), boarding_closes_at=now + timedelta(hours=2),
        sails_at=now + timedelta(hours=2, minutes=30), arrives_at=now + timedelta(days=3),
    )  # fmt: skip
    db.add(voyage)
    await db.flush()
    calls = []
    for seq, port in enumerate(domain.DOWNSTREAM_CALLS):
        first, last = seq == 0, seq == len(domain.DOWNSTREAM_CALLS) - 1
        call = PortCall(
            tenant_id=tid, voyage_id=voyage.id, seq=seq, port_code=port,
            arrives_at=None if first else now + timedelta(hours=12 * seq),
            departs_at=None if last else now + timedelta(hours=12 * seq + 2, minutes=30),
            embarking=first, disembarking=not first,
            boarding_opens_at=voyage.boarding_opens_at if first else None,
            boarding_closes_at=voyage.boarding_closes_at if first else None,
        )  # fmt: skip
        db.add(call)
        calls.append(call)
    await db.flush()
    passengers = [
        Passenger(
            tenant_id=tid,
            voyage_id=voyage.id,
            reservation_id=booking.id,
            cabin_number=f"{2 + i // 200}{i % 200:03d}",
            boarding_call_id=calls[0].id,
            name=f"旅客{i:05d}",
            sex="MF"[i % 2],
            id_type="resident_id",
            id_number=_resident_id(n * 100000 + i),
            birth_date=date(1980, 1, 1),
            phone="13800138000",
            is_lead=i == 0,
        )
        for i in range(count)
    ]
    db.add_all(passengers)
    await db.flush()
    return await _passes(db, tid, voyage, calls[0], passengers)


async def _passes(db, tid: TenantId, voyage, call, passengers) -> list[Boarding]:
    """A pass per passenger as the passes service issues one (its window, the line's signing
    key, the same claims), written in one batch: `issue_passes` writes them one by one,
    which takes minutes for the bench's thousands."""
    from app.db.base import uuid7
    from modules.boarding.domain import PassClaims, sign_pass
    from modules.boarding.models import BoardingPass
    from modules.boarding.service.keys import signing_key
    from modules.boarding.service.passes import pass_window

    kid, private = await signing_key(db, tid)
    start, end = pass_window(call, voyage)
    rows = [
        BoardingPass(
            id=uuid7(),
            tenant_id=tid,
            passenger_id=p.id,
            voyage_id=voyage.id,
            port_call_id=call.id,
            kid=kid,
            valid_from=start,
            valid_until=end,
        )
        for p in passengers
    ]
    db.add_all(rows)
    await db.flush()
    cabins = {p.id: p.cabin_number for p in passengers}
    return [
        Boarding(
            sign_pass(
                PassClaims(
                    kid,
                    r.id,
                    voyage.id,
                    r.passenger_id,
                    start,
                    end,
                    call.port_code,
                    cabins[r.passenger_id],
                ),
                private,
            ),
            str(r.passenger_id),
            str(voyage.id),
            str(call.id),
        )
        for r in rows
    ]


async def seed(urls: DatabaseUrls) -> tuple[TenantId, str, list[list[Boarding]]]:
    from modules.boarding.models import Ship
    from modules.reservations import service as reservations

    database = Database.from_url(urls.app_url, pool_size=1, max_overflow=0)
    try:
        async with database.transaction() as db:
            tid, token = await tenant_with_key(db, ["boarding:scan"], kinds=("cruise",))
            await reservations.create_rate_plan(
                db, tid, reservations.RatePlanInput(code="rack", name="门市价")
            )
            ship = Ship(tenant_id=tid, code="SJSH", name="世纪神话", decks=6,
                        passenger_capacity=408)  # fmt: skip
            db.add(ship)
            await db.flush()
        per_voyage = -(-PASSENGERS // VOYAGES)
        voyages = []
        for n in range(VOYAGES):
            async with database.transaction(tid) as db:
                voyages.append(await _voyage(db, tid, ship.id, n, per_voyage))
        return tid, token, voyages
    finally:
        await database.dispose()


# The load ---------------------------------------------------------------------------------


@dataclass
class Phase:
    multiple: float
    seconds: float
    latencies: list[float] = field(default_factory=list)  # ms, from when each scan was due
    sent: int = 0
    wrong: list[str] = field(default_factory=list)
    ran_out: bool = False

    @property
    def rate(self) -> float:
        return BASE_RATE * self.multiple

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("inf")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Gangways:
    """The gates, the passengers still to board (per voyage), and what was answered."""

    def __init__(self, port: int, token: str, voyages: list[list[Boarding]]) -> None:
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        self.client = KeepAliveClient(port, headers)
        self.waiting = [list(v) for v in voyages]
        self.boarded: list[Boarding] = []  # accepted, for repeat scans
        self.seq = [0] * GATES
        self.rng = random.Random(11643)
        self.accepted = 0
        self.refused_repeats = 0

    def _next(self, gate: int) -> tuple[Boarding, bool] | None:
        if self.boarded and self.rng.random() < REPEATS:
            return self.rng.choice(self.boarded), True
        queue = self.waiting[gate % len(self.waiting)]
        return (queue.pop(), False) if queue else None

    async def scan(self, gate: int, phase: Phase) -> None:
        picked = self._next(gate)
        if picked is None:
            phase.ran_out = True
            return
        boarding, repeat = picked
        self.seq[gate] += 1
        body = json.dumps(
            {
                "code": boarding.code,
                "voyage_id": boarding.voyage_id,
                "port_call_id": boarding.port_call_id,
                "direction": "embark",
                "device_id": f"bench-gate-{gate:02d}",
                "device_seq": self.seq[gate],
            }
        ).encode()
        status, payload = await self.client.send(gate, "POST", PATH, body)
        problem = self._check(status, payload, boarding, repeat)
        if problem:
            phase.wrong.append(problem)
        elif repeat:
            self.refused_repeats += 1
        else:
            self.accepted += 1
            self.boarded.append(boarding)

    def _check(self, status: int, payload: bytes, boarding: Boarding, repeat: bool) -> str | None:
        if status not in (200, 201):
            return f"HTTP {status}: {payload[:200]!r}"
        answer = json.loads(payload)
        answer = answer.get("scan", answer)
        outcome, reason = answer.get("outcome"), answer.get("reason")
        if answer.get("passenger_id") != boarding.passenger_id:
            return f"another passenger in the answer: {answer}"
        if repeat and (outcome, reason) != ("refused", "already_aboard"):
            return f"a second boarding was not refused as already aboard: {answer}"
        if not repeat and outcome != "accepted":
            return f"a fresh pass was not accepted: {answer}"
        return None

    async def run(self, phase: Phase) -> Phase:
        """Each gate scans on its own schedule (staggered), one scan at a time, and each
        latency counts from when the scan was due."""
        interval = GATES / phase.rate
        started = time.perf_counter()
        end = started + phase.seconds

        async def gate(n: int) -> None:
            due = started + interval * n / GATES
            while due < end and not phase.ran_out:
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                phase.sent += 1
                await self.scan(n, phase)
                phase.latencies.append((time.perf_counter() - due) * 1000)
                due += interval

        await asyncio.gather(*(gate(n) for n in range(GATES)))
        return phase

    async def close(self) -> None:
        await self.client.close()


def describe(phase: Phase) -> str:
    return (
        f"{phase.multiple:g}× ({phase.rate:.0f}/s target, {phase.sent / phase.seconds:.0f}/s "
        f"sent): p50 {phase.percentile(50):.1f} ms, p99 {phase.percentile(99):.1f} ms"
    )


# The check --------------------------------------------------------------------------------

_CHECK = """
SELECT
  (SELECT count(*) FROM (
     SELECT passenger_id FROM boarding_scans
     WHERE outcome = 'accepted' AND direction = 'embark'
     GROUP BY passenger_id HAVING count(*) > 1) twice) AS boarded_twice,
  (SELECT count(*) FROM boarding_scans WHERE outcome = 'accepted') AS accepted,
  (SELECT count(*) FROM boarding_scans WHERE outcome = 'refused'
     AND reason = 'already_aboard') AS refused_aboard,
  (SELECT count(*) FROM boarding_scans WHERE outcome NOT IN ('accepted')
     AND coalesce(reason, '') <> 'already_aboard') AS other,
  (SELECT count(*) FROM passengers p WHERE p.movements <> (
     SELECT count(*) FROM boarding_scans s
     WHERE s.passenger_id = p.id AND s.outcome = 'accepted')) AS movements_off,
  (SELECT count(*) FROM passengers WHERE aboard) AS aboard
"""


async def check_database(owner_url: str, tenant_id: uuid.UUID) -> dict[str, int]:
    conn = await asyncpg.connect(libpq_url(owner_url))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
            row = await conn.fetchrow(_CHECK)
    finally:
        await conn.close()
    return {k: int(v) for k, v in row.items()}


async def main() -> dict[str, object]:
    admin = await admin_url()
    name = f"zhilv_bench_boarding_{os.getpid()}"
    phases: list[Phase] = []
    try:
        urls = await init_database(admin, database=name, owner=OWNER, app=APP)
        await asyncio.to_thread(migrate, urls.owner_url)
        seeded = time.perf_counter()
        tenant_id, token, voyages = await seed(urls)
        total = sum(len(v) for v in voyages)
        log(f"seeded {total} passengers with passes on {VOYAGES} voyages in "
            f"{time.perf_counter() - seeded:.0f} s")  # fmt: skip
        env = {
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "PASS_KEY_ENCRYPTION_KEY": os.environ["PASS_KEY_ENCRYPTION_KEY"],
            "DATABASE_POOL_SIZE": str(max(10, GATES // WORKERS + 2)),
        }
        async with served(urls, workers=WORKERS, env=env) as port:
            log(f"server up on 127.0.0.1:{port} ({WORKERS} workers); {GATES} gates")
            gangways = Gangways(port, token, voyages)
            try:
                await gangways.run(Phase(1, WARMUP_SECONDS))
                base = await gangways.run(Phase(1, SECONDS))
                phases.append(base)
                log(describe(base))
                if base.wrong:
                    raise RuntimeError(f"{len(base.wrong)} wrong answers: {base.wrong[0]}")
                # Up until p99 passes the budget; when 1× is already past it, down until
                # a rate keeps within it (the knee is then a fraction of 43/s).
                upward = base.percentile(99) <= BUDGET_MS
                for multiple in STEPS if upward else DOWN_STEPS:
                    if multiple > MAX_MULTIPLE:
                        break
                    step = await gangways.run(Phase(multiple, STEP_SECONDS))
                    phases.append(step)
                    log(describe(step) + (" (passengers ran out)" if step.ran_out else ""))
                    if step.wrong:
                        raise RuntimeError(f"{len(step.wrong)} wrong answers: {step.wrong[0]}")
                    kept = step.percentile(99) <= BUDGET_MS
                    if step.ran_out or kept != upward:
                        break
            finally:
                await gangways.close()
        found = await check_database(urls.owner_url, tenant_id)
        expected = {"accepted": gangways.accepted, "refused_aboard": gangways.refused_repeats}
        if found["boarded_twice"] or found["movements_off"] or found["other"]:
            raise RuntimeError(f"the database disagrees: {found}")
        if {k: found[k] for k in expected} != expected or found["aboard"] != gangways.accepted:
            raise RuntimeError(f"the database disagrees with the answers: {found} / {expected}")
        print(
            f"0 passengers boarded twice: {found['accepted']} accepted boardings are "
            f"{found['aboard']} passengers aboard; {found['refused_aboard']} second scans "
            "refused as already aboard; every answer was checked",
            flush=True,
        )
    finally:
        await drop_database(admin, name)
    within = [p for p in phases if p.percentile(99) <= BUDGET_MS and not p.ran_out]
    knee = max((p.multiple for p in within), default=0.0)
    broke = next((p for p in phases if p.percentile(99) > BUDGET_MS), None)
    p99 = base.percentile(99)
    return {
        "bench": "boarding",
        "value": round(p99, 1),
        "unit": "ms p99 scan latency at 43 scans/s",
        "baseline": BUDGET_MS,
        "ratio": round(p99 / BUDGET_MS, 4),
        "p50_ms": round(base.percentile(50), 1),
        "rate_per_s": round(BASE_RATE, 1),
        "knee_multiple": knee,
        "knee_rate_per_s": round(BASE_RATE * knee, 1),
        "knee_reached": broke is not None,
        "steps": {f"{p.multiple:g}x": round(p.percentile(99), 1) for p in phases[1:]},
        "gates": GATES,
        "scans": sum(p.sent for p in phases),
        "server_workers": WORKERS,
        "cpus": os.cpu_count(),
        # Others' work on the machine during the run (the 1-minute load average at its end):
        # on a loaded machine the server gets a fraction of the cores.
        "load_average": round(os.getloadavg()[0], 1),
    }


if __name__ == "__main__":
    result = asyncio.run(asyncio.wait_for(main(), timeout=TIMEOUT))
    print(json.dumps(result))
