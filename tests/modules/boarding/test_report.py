"""The bureau's `cruise_voyage` report: its figures for a known voyage, filed once, only for
an enterprise registered with the bureau, and its timing after arrival."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.identifiers import id_check_char
from modules.boarding import service
from modules.boarding.models import BoardingVoyage, CrewMember, Passenger, PortCall, Scan
from modules.filings.models import Filing
from modules.reservations import service as reservations
from tests.factories.boarding import first_call, make_boarding_voyage, make_passenger
from tests.factories.filings import make_registration
from tests.factories.reservations import make_reservation, make_stock
from tests.factories.tenants import make_tenant

_ids = itertools.count(1)


def resident_id() -> str:
    first17 = f"50010319850101{next(_ids):03d}"
    return first17 + id_check_char(first17)


async def _calls(db, voyage: BoardingVoyage) -> list[PortCall]:
    stmt = (
        select(PortCall)
        .where(PortCall.tenant_id == voyage.tenant_id, PortCall.voyage_id == voyage.id)
        .order_by(PortCall.seq)
    )
    return list((await db.execute(stmt)).scalars())


class Scenario:
    """A voyage that sailed four days ago and arrived yesterday, built row by row."""

    def __init__(self, db, tenant) -> None:
        self.db = db
        self.tenant = tenant
        self.tid = TenantId(tenant.id)
        self.seq = itertools.count(1)

    async def build(self) -> BoardingVoyage:
        db, tenant = self.db, self.tenant
        self.voyage = voyage = await make_boarding_voyage(db, tenant=tenant, days_ahead=-4)
        depart = clock.today() - timedelta(days=4)
        self.calls = await _calls(db, voyage)
        std = await make_stock(
            db, tenant=tenant, units=4, start=depart, days=3, kind="cabin",
            voyage_id=voyage.id, name="标准阳台房", base_price_fen=150000,
        )  # fmt: skip
        suite = await make_stock(
            db, tenant=tenant, units=2, start=depart, days=3, kind="cabin",
            voyage_id=voyage.id, name="行政套房", base_price_fen=300000, capacity=4,
            plan=std.plan,
        )  # fmt: skip

        async def booking(stock, **kw: Any):
            return await make_reservation(db, tenant=tenant, stock=stock, nights=3, **kw)

        self.a = await booking(std)
        self.b = await booking(std)
        self.c = await booking(suite, adults=2, children=1)
        self.d = await booking(std)
        await reservations.cancel(db, self.tid, self.d.id, reason="行程变更")
        self.e = await booking(std, hold=True)
        assert (self.a.total_fen, self.c.total_fen) == (450000, 900000)

        p = self.passenger
        self.a1, self.a2 = await p(self.a), await p(self.a)
        self.b1 = await p(self.b)
        await p(self.b, status="cancelled")
        self.c1, self.c2, self.c3 = await p(self.c), await p(self.c), await p(self.c, is_child=True)
        await p(self.d)  # still on the manifest, but the booking was cancelled
        await p(self.e)  # a hold never paid

        ctm, fd, wz, yc = (self.calls[i] for i in (0, 1, 3, 6))
        await self.moves(self.a1, ctm, fd, fd, yc)  # ashore at 丰都 and back, off at 宜昌
        await self.moves(self.a2, ctm, yc)
        await self.moves(self.b1, ctm)  # never scanned off the ship
        await self.moves(self.c1, ctm, wz)  # left the cruise at 万州
        await self.moves(self.c2, ctm, yc)
        await self.refused(self.c2, ctm, "already_aboard")
        await self.refused(self.c3, ctm, "not_yet_valid")  # the child never boarded

        other = await make_boarding_voyage(db, tenant=tenant, days_ahead=-4)
        stray = await make_passenger(db, tenant=tenant, voyage=other, id_number=resident_id())
        await self.moves(stray, await first_call(db, other))

        for name, role in (("王强", "captain"), ("李娜", "purser"), ("陈静", "hospitality")):
            db.add(
                CrewMember(
                    tenant_id=self.tid, voyage_id=voyage.id, name=name, role=role,
                    id_number=resident_id(),
                )
            )  # fmt: skip
        await db.flush()
        return voyage

    async def passenger(self, booking, **kw: Any) -> Passenger:
        call = self.calls[0]
        return await make_passenger(
            self.db, tenant=self.tenant, voyage=self.voyage, reservation_id=booking.id,
            boarding_call_id=call.id, id_number=resident_id(), is_lead=False, **kw,
        )  # fmt: skip

    async def moves(self, passenger: Passenger, *calls: PortCall, start: int = 1) -> None:
        for number, call in enumerate(calls, start=start):
            self.db.add(
                Scan(
                    tenant_id=self.tid, voyage_id=passenger.voyage_id, port_call_id=call.id,
                    passenger_id=passenger.id,
                    direction="embark" if number % 2 else "disembark",
                    device_id="gate-1", device_seq=next(self.seq), scanned_at=clock.now(),
                    outcome="accepted", movement_no=number,
                )
            )  # fmt: skip
        await self.db.flush()

    async def refused(self, passenger: Passenger, call: PortCall, reason: str) -> None:
        self.db.add(
            Scan(
                tenant_id=self.tid, voyage_id=passenger.voyage_id, port_call_id=call.id,
                passenger_id=passenger.id, direction="embark", device_id="gate-1",
                device_seq=next(self.seq), scanned_at=clock.now(), outcome="refused",
                reason=reason,
            )
        )  # fmt: skip
        await self.db.flush()

    async def arrive(self, *, hours_ago: float = 24) -> None:
        at = clock.now() - timedelta(hours=hours_ago)
        self.calls[-1].arrived_at = at
        self.voyage.status = "arrived"
        self.voyage.status_changed_at = at
        await self.db.flush()


async def _scenario(db, *, registered: bool = True) -> Scenario:
    owner = await make_tenant(db, kinds=("cruise",))
    if registered:
        await make_registration(db, tenant=owner.tenant)
    await bind_tenant(db, owner.tenant.id)
    scenario = Scenario(db, owner.tenant)
    await scenario.build()
    return scenario


async def _filings(db) -> list[Filing]:
    return list((await db.execute(select(Filing).where(Filing.kind == "statistics"))).scalars())


class TestFigures:
    async def test_a_known_voyage(self, db):
        """Hand-computed:

        - cabins 6: 4 标准阳台房 + 2 行政套房 (the voyage's units);
        - sold: A, B (标准, 1500 元 × 3 nights = 4 500 元 each) and C (套房, 3000 元 × 3 =
          9 000 元) are confirmed; D was cancelled and E is an unpaid hold: cabins_sold 3,
          revenue_fen 450 000 + 450 000 + 900 000 = 1 800 000;
        - booked: A's 2, B's 1 (its second passenger was cancelled), C's 3 = 6 (the live
          passengers of D and E do not count: their bookings are not sold);
        - boarded: A1, A2, B1, C1, C2 = 5 (C3 was refused and never boarded; C2's refused
          second scan changes nothing; the other voyage's passenger is not ours);
        - disembarked: A1 (ashore at 丰都 and back, off at 宜昌), A2, C1 (left at 万州),
          C2 = 4; B1's last scan is a boarding, so B1 is not counted;
        - crew 3."""
        s = await _scenario(db)
        await s.arrive()
        found = await service.voyage_figures(db, s.tid, s.voyage.id)
        assert found is not None
        voyage_code = found.number
        assert found.payload == {
            "report_type": "cruise_voyage",
            "period": voyage_code,
            "figures": {
                "departure_date": (clock.today() - timedelta(days=4)).isoformat(),
                "arrival_date": clock.local_date(s.calls[-1].arrived_at).isoformat(),
                "cabins": 6,
                "cabins_sold": 3,
                "passengers_booked": 6,
                "passengers_boarded": 5,
                "passengers_disembarked": 4,
                "crew": 3,
                "revenue_fen": 1_800_000,
            },
        }
        assert found.aboard == 1
        assert date.fromisoformat(found.figures["departure_date"])

    async def test_an_unknown_voyage_has_no_figures(self, db):
        s = await _scenario(db)
        assert await service.voyage_figures(db, s.tid, uuid.uuid4()) is None


class TestFiling:
    async def test_filed_once_however_often_it_runs(self, db):
        s = await _scenario(db)
        assert await service.file_voyage_report(db, s.tid, s.voyage.id) == "not_arrived"
        await s.arrive(hours_ago=7)
        assert await service.file_voyage_report(db, s.tid, s.voyage.id) == "filed"
        assert await service.file_voyage_report(db, s.tid, s.voyage.id) == "already_filed"
        assert await service.file_due_reports(db, s.tid) == 0
        [filing] = await _filings(db)
        assert filing.ref == f"cruise_voyage:{filing.payload['period']}"
        assert filing.state == "pending" and filing.due_at is not None
        assert filing.subject_type == "boarding_voyage"
        assert filing.subject_id == str(s.voyage.id)
        assert s.voyage.report_filing_id == filing.id
        assert filing.payload["figures"]["passengers_disembarked"] == 4

    async def test_the_sweep_files_an_arrived_voyage(self, db):
        s = await _scenario(db)
        assert await service.file_due_reports(db, s.tid) == 0
        await s.arrive(hours_ago=7)
        assert await service.file_due_reports(db, s.tid) == 1
        assert await service.file_due_reports(db, s.tid) == 0
        assert len(await _filings(db)) == 1

    async def test_not_filed_for_an_enterprise_not_registered_with_the_bureau(self, db):
        s = await _scenario(db, registered=False)
        await s.arrive(hours_ago=7)
        assert await service.file_voyage_report(db, s.tid, s.voyage.id) == "not_registered"
        assert await service.file_due_reports(db, s.tid) == 0
        assert await _filings(db) == []
        assert s.voyage.report_filing_id is None

    async def test_waits_for_the_last_passengers_ashore_until_the_settle_time(self, db):
        s = await _scenario(db)
        await s.arrive(hours_ago=1)  # B1 still aboard by the scans
        assert await service.file_voyage_report(db, s.tid, s.voyage.id) == "waiting"
        assert await service.file_voyage_report(db, s.tid, s.voyage.id, force=True) == "filed"

    async def test_files_at_once_when_everyone_is_ashore(self, db):
        s = await _scenario(db)
        await s.arrive(hours_ago=0.5)
        await s.moves(s.b1, s.calls[-1], start=2)  # B1 scanned off at 宜昌 after all
        found = await service.voyage_figures(db, s.tid, s.voyage.id)
        assert found is not None and found.aboard == 0
        assert found.figures["passengers_disembarked"] == 5
        assert await service.file_voyage_report(db, s.tid, s.voyage.id) == "filed"


class TestJobs:
    def test_the_jobs_are_registered_with_the_worker(self):
        from workers.app import BLUEPRINTS

        names = {name for bp in BLUEPRINTS for name in bp.tasks}
        assert {"boarding.file_voyage_report", "boarding.voyage_reports"} <= names

    async def test_marking_a_voyage_arrived_queues_the_report(self, db):
        from sqlalchemy import text

        s = await _scenario(db)
        s.voyage.status = "sailing"
        await db.flush()
        await service.move_voyage(db, s.tid, s.voyage.id, "arrived")
        jobs = (
            await db.execute(
                text("SELECT args FROM procrastinate_jobs WHERE task_name = :t"),
                {"t": service.REPORT_TASK},
            )
        ).scalars()
        assert {"tenant_id": str(s.tid), "voyage_id": str(s.voyage.id)} in list(jobs)
