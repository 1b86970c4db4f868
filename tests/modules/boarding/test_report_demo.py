"""The demo cruise line's people: the voyage that arrived two days ago has its report filed
with the bureau (a receipt from the stand-in, figures matching its manifest and scans), the
voyage boarding today has about 150 passengers with passes and some aboard, tomorrow's has
bookings; seeding twice files nothing twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.identifiers import is_valid_resident_id
from modules.boarding import demo
from modules.boarding.models import BoardingPass, BoardingVoyage, CrewMember, Passenger, Scan
from modules.filings import service as filings
from modules.filings.demo import register_with_stand_in, seed_demo_bureau
from modules.filings.models import Filing
from modules.filings.service.client import BureauClient
from modules.reservations import demo as reservations_demo
from tests.factories.filings import enterprise_code_for
from tests.factories.tenants import make_tenant

KINDS = ("cruise",)


async def _count(db, stmt) -> int:
    return int((await db.execute(stmt)).scalar_one())


async def _seed(db, settings):
    owner = await make_tenant(db, kinds=KINDS)
    tid = TenantId(owner.tenant.id)
    await bind_tenant(db, tid)
    await reservations_demo.seed_demo(db, tid, KINDS)
    await demo.seed_demo(db, tid, KINDS)
    made = await seed_demo_bureau(
        db, tid, kinds=KINDS, enterprise_code=enterprise_code_for(owner.tenant),
        district_code="500108", settings=settings,
    )  # fmt: skip
    await demo.seed_demo_people(db, tid, KINDS)
    return tid, made


async def _voyage(db, status: str) -> BoardingVoyage:
    stmt = select(BoardingVoyage).where(BoardingVoyage.status == status)
    return (await db.execute(stmt.order_by(BoardingVoyage.sails_at))).scalars().first()


class TestDemoPeople:
    async def test_the_arrived_voyage_filed_with_a_receipt_today_boarding_tomorrow_booked(
        self, db, settings, bureau_sim
    ):
        tid, made = await _seed(db, settings)
        arrived = await _voyage(db, "arrived")
        [filing] = (await db.execute(select(Filing))).scalars()
        assert arrived.report_filing_id == filing.id
        assert filing.ref == f"cruise_voyage:{arrived.number}"

        assert register_with_stand_in(bureau_sim.url, [made])
        client = BureauClient(bureau_sim.url, timeout=5)
        sent = await filings.send_due(db, tid, client, settings, limit=10)
        await client.aclose()
        assert list(sent.outcomes) == ["accepted"], filing.errors
        await db.refresh(filing)
        assert filing.state == "accepted" and filing.receipt_no

        on_voyage = Passenger.voyage_id == arrived.id
        booked = await _count(db, select(func.count()).where(on_voyage))
        boarded = await _count(db, select(func.count()).where(on_voyage, Passenger.movements > 0))
        ashore = await _count(
            db,
            select(func.count()).where(on_voyage, Passenger.movements > 0, ~Passenger.aboard),
        )
        crew = await _count(db, select(func.count()).where(CrewMember.voyage_id == arrived.id))
        figures = filing.payload["figures"]
        assert figures["passengers_booked"] == booked == 122
        assert figures["passengers_boarded"] == boarded == booked - demo.ARRIVED_NO_SHOWS
        assert figures["passengers_disembarked"] == ashore == boarded
        assert figures["crew"] == crew == len(demo.CREW)
        assert figures["cabins_sold"] == 60 and figures["cabins"] == 104
        # 50 标准阳台房 × 1 580 元 + 8 行政套房 × 3 280 元 + 2 总统套房 × 6 880 元, 3 nights
        assert figures["revenue_fen"] == (50 * 1580 + 8 * 3280 + 2 * 6880) * 3 * 100
        today = clock.today()
        assert figures["arrival_date"] == (today - timedelta(days=2)).isoformat()
        assert figures["departure_date"] == (today - timedelta(days=5)).isoformat()

        await _today_and_tomorrow(db)

        await demo.seed_demo_people(db, tid, KINDS)  # a second start
        assert await _count(db, select(func.count()).select_from(Filing)) == 1
        assert await _count(db, select(func.count()).where(on_voyage)) == booked


async def _today_and_tomorrow(db) -> None:
    """About 150 people with passes on the voyage boarding today, some aboard; tomorrow's
    has bookings."""
    today = await _voyage(db, "boarding")
    people = list(
        (await db.execute(select(Passenger).where(Passenger.voyage_id == today.id))).scalars()
    )
    assert 140 <= len(people) <= 160
    residents = [p for p in people if p.id_type == "resident_id"]
    assert all(is_valid_resident_id(p.id_number) for p in residents)
    assert {p.nationality for p in people if p.id_type == "passport"} >= {"USA", "JPN"}
    assert sum(p.aboard for p in people) == demo.ABOARD_TODAY
    live = select(func.count()).where(
        BoardingPass.voyage_id == today.id, BoardingPass.revoked_at.is_(None)
    )
    assert await _count(db, live) == len(people)
    scans = select(func.count()).where(Scan.voyage_id == today.id, Scan.outcome == "accepted")
    assert await _count(db, scans) == demo.ABOARD_TODAY
    planned = select(BoardingVoyage).where(BoardingVoyage.status == "planned")
    tomorrow = (await db.execute(planned.order_by(BoardingVoyage.sails_at))).scalars().first()
    assert await _count(db, select(func.count()).where(Passenger.voyage_id == tomorrow.id)) == 24
