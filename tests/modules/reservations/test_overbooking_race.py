"""Never overbooked: many concurrent REAL transactions race for the last units.

Each booking runs in its own committed transaction on its own connection, as requests
do. Stays overlap in different ways (one night, two nights, the whole week, in
different orders), so lock ordering is exercised, not only a single row. Whatever the
interleaving, confirmed bookings never exceed what exists on any night, `sold` agrees
with the reservations, and every loser gets a clean 409 — no deadlock, no 500.
"""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.db.engine import Database, TenantId
from app.errors import Conflict
from modules.reservations import service
from tests.factories.reservations import GUEST, make_stock
from tests.factories.tenants import make_tenant

pytestmark = pytest.mark.realdb

UNITS = 3
RACERS = 60
DAYS = 5

_COUNT = text(
    """
    SELECT i.day, i.total, i.sold,
           (SELECT coalesce(sum(r.quantity), 0) FROM reservation_nights n
            JOIN reservations r ON r.id = n.reservation_id
            WHERE n.unit_type_id = i.unit_type_id AND n.day = i.day
              AND r.status IN ('held', 'confirmed', 'checked_in')) AS booked
    FROM inventory_days i WHERE i.unit_type_id = :ut ORDER BY i.day
    """
)


async def _stock(database: Database):
    async with database.transaction() as db:
        owner = await make_tenant(db)
        return await make_stock(db, tenant=owner.tenant, units=UNITS, days=DAYS)


async def _attempt(database: Database, stock, rng: random.Random) -> str:
    first = rng.randrange(DAYS)
    nights = rng.randint(1, DAYS - first)
    arrival = stock.start + timedelta(days=first)
    try:
        async with database.transaction(stock.tenant_id) as db:
            call = service.create_hold if rng.random() < 0.3 else service.book
            await call(
                db,
                TenantId(stock.tenant_id),
                unit_type_id=stock.unit_type.id,
                rate_plan_id=stock.plan.id,
                arrival=arrival,
                departure=arrival + timedelta(days=nights),
                adults=2,
                guest=GUEST,
                source="api",
            )
        return "booked"
    except Conflict as exc:
        return f"409 {exc.code}"


class TestRaceForTheLastUnits:
    async def test_concurrent_bookings_never_exceed_what_exists(self, committed_database):
        stock = await _stock(committed_database)
        rng = random.Random(20261124)
        outcomes = await asyncio.gather(
            *(
                _attempt(committed_database, stock, random.Random(rng.random()))
                for _ in range(RACERS)
            ),
            return_exceptions=True,
        )
        crashed = [o for o in outcomes if isinstance(o, BaseException)]
        assert not crashed, f"errors other than a clean 409: {crashed[:3]}"
        assert "booked" in outcomes
        assert set(outcomes) <= {"booked", "409 sold_out", "409 busy"}
        async with committed_database.transaction(stock.tenant_id) as db:
            rows = (await db.execute(_COUNT, {"ut": stock.unit_type.id})).all()
        assert len(rows) == DAYS
        for row in rows:
            assert row.sold <= row.total == UNITS, row
            assert row.sold == row.booked, row
        # the racers filled the inventory: every night was sold to someone
        assert any(row.sold == UNITS for row in rows)

    async def test_racing_for_one_last_room_one_wins_the_rest_get_409(self, committed_database):
        stock = await _stock(committed_database)

        async def one_night() -> str:
            try:
                async with committed_database.transaction(stock.tenant_id) as db:
                    await service.book(
                        db,
                        TenantId(stock.tenant_id),
                        unit_type_id=stock.unit_type.id,
                        rate_plan_id=stock.plan.id,
                        arrival=stock.start,
                        departure=stock.start + timedelta(days=1),
                        adults=1,
                        guest=GUEST,
                        source="api",
                    )
                return "booked"
            except Conflict as exc:
                return exc.code

        outcomes = await asyncio.gather(*(one_night() for _ in range(25)))
        assert outcomes.count("booked") == UNITS
        assert outcomes.count("sold_out") == 25 - UNITS


@pytest.fixture
async def api(settings, committed_database):
    """The app over the committed database, and a key allowed to book."""
    import httpx

    from app.main import create_app
    from tests.factories.registry import make_api_key

    app = create_app(settings, database=committed_database)
    async with committed_database.transaction() as db:
        owner = await make_tenant(db)
        stock = await make_stock(db, tenant=owner.tenant, units=UNITS, days=DAYS)
        _, token = await make_api_key(
            db, owner.tenant, scopes={"reservations:read", "reservations:write"}
        )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver.local",
        headers={"authorization": f"Bearer {token}"},
    ) as client:
        yield client, stock


def _body(stock, nights: int = 1) -> dict[str, object]:
    return {
        "unit_type_id": str(stock.unit_type.id),
        "rate_plan_id": str(stock.plan.id),
        "arrival": stock.start.isoformat(),
        "departure": (stock.start + timedelta(days=nights)).isoformat(),
        "adults": 2,
        "guest": {"name": "张伟", "phone": "13800138000"},
    }


class TestRaceThroughTheApi:
    async def test_losers_get_409_never_500(self, api):
        client, stock = api
        responses = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/reservations",
                    json=_body(stock, 1 + i % 3),
                    headers={"Idempotency-Key": f"race-{i}"},
                )
                for i in range(20)
            )
        )
        statuses = [r.status_code for r in responses]
        assert set(statuses) <= {201, 409}, [r.text for r in responses if r.status_code >= 500]
        assert statuses.count(201) <= UNITS
        assert all(
            r.json()["code"] in ("sold_out", "busy") for r in responses if r.status_code == 409
        )

    async def test_the_same_key_sent_twice_at_once_books_once(self, api, committed_database):
        client, stock = api
        first, second = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/reservations",
                    json=_body(stock),
                    headers={"Idempotency-Key": "twice-at-once"},
                )
                for _ in range(2)
            )
        )
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        async with committed_database.transaction(stock.tenant_id) as db:
            booked = await db.scalar(
                text("SELECT count(*) FROM reservations WHERE unit_type_id = :ut"),
                {"ut": stock.unit_type.id},
            )
        assert booked == 1
