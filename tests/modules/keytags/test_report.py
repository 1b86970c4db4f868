"""The bureau's `hot_spring_monthly` report: its figures for a known month (in the resort's
time zone), filed once, only for an enterprise registered with the bureau and running key
tags, by the daily sweep from the 2nd of the following month, and accepted by the bureau's
stand-in."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid
from modules.filings import service as filings
from modules.filings.models import Filing
from modules.filings.service.client import BureauClient
from modules.keytags import service
from modules.keytags.models import Charge, ReportFiling, Visit, VisitTag
from tests.factories.filings import SECRET, make_registration
from tests.factories.keytags import make_charge, make_outlet, make_tag, make_ticket_type
from tests.factories.tenants import make_tenant
from tests.races import Race

_numbers = itertools.count(1)


def utc(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=UTC)


class Month:
    """March 2025 at a resort in Chongqing (UTC+8), built row by row."""

    def __init__(self, db, tenant) -> None:
        self.db = db
        self.tenant = tenant
        self.tid = TenantId(tenant.id)

    async def visit(
        self, business_date: str, opened: datetime, *, bound: datetime | None = None, **kw: Any
    ) -> Visit:
        fields: dict[str, Any] = {
            "number": f"S{business_date.replace('-', '')}-{next(_numbers):04d}",
            "business_date": date.fromisoformat(business_date),
            "ticket_type_id": self.ticket.id,
            "source": "walk_in",
            "tab_mode": "postpay",
            "admission_fen": 36800,
            "limit_fen": 50000,
            "opened_at": opened,
            "gate_in_at": opened,
            "status": "closed",
            **kw,
        }
        visit = Visit(tenant_id=self.tid, **fields)
        self.db.add(visit)
        await self.db.flush()
        await self.bind(visit, bound or opened)
        return visit

    async def bind(self, visit: Visit, at: datetime) -> None:
        tag = await make_tag(self.db, tenant=self.tenant)
        self.db.add(VisitTag(tenant_id=self.tid, visit_id=visit.id, tag_id=tag.id, bound_at=at))
        await self.db.flush()

    async def charge(self, visit: Visit, amount: int, **kw: Any) -> Charge:
        kw.setdefault("outlet_id", self.bar.id)
        return await make_charge(self.db, tenant=self.tenant, visit=visit, amount_fen=amount, **kw)

    async def build(self) -> None:
        self.ticket = await make_ticket_type(self.db, tenant=self.tenant)
        self.bar = await make_outlet(self.db, tenant=self.tenant)
        self.spa = await make_outlet(self.db, tenant=self.tenant, name="按摩", kind="massage")
        v = self.visit
        # V1: Saturday 1 March, 10:00-14:00 local through the gates, a drink voided.
        v1 = await v(
            "2025-03-01", utc("2025-03-01", "02:00"),
            gate_in_at=utc("2025-03-01", "02:10"), exit_at=utc("2025-03-01", "06:10"),
        )  # fmt: skip
        juice = await self.charge(v1, 2800)
        await self.charge(v1, 5600)
        await self.charge(
            v1, -2800, kind="void", voids_charge_id=juice.id, outlet_id=None
        )  # the void names the outlet's charge; it need not repeat the outlet
        # V2: 15 March, no entry gate (from admission at 09:00 local), 13 h 31 min, a massage,
        # a time fee, a lost tag (its fee is not consumption) replaced by a second tag.
        v2 = await v(
            "2025-03-15", utc("2025-03-15", "01:00"), gate_in_at=None,
            exit_at=utc("2025-03-15", "14:31"), admission_fen=39800, overage_fen=4000,
        )  # fmt: skip
        await self.charge(v2, 19800, outlet_id=self.spa.id)
        await self.charge(v2, 5000, kind="fee", outlet_id=None, description="手牌遗失")
        await self.bind(v2, utc("2025-03-15", "05:00"))
        # V3: admitted 23:30 local on 31 March (15:30 UTC), still in the water.
        v3 = await v("2025-03-31", utc("2025-03-31", "15:30"), status="open")
        await self.charge(v3, 3000)
        # V4: cancelled at the desk after its tag was handed out.
        await v("2025-03-10", utc("2025-03-10", "02:00"), status="cancelled")
        # V5: 00:10 local on 1 April (still 31 March in UTC): April's.
        await v("2025-04-01", utc("2025-03-31", "16:10"), status="open")
        # V6: 28 February's evening visit, leaving and charged after midnight: February's.
        v6 = await v(
            "2025-02-28", utc("2025-02-28", "10:00"), exit_at=utc("2025-02-28", "17:00")
        )  # fmt: skip
        await self.charge(v6, 8800)


async def _month(db, *, registered: bool = True, kinds=("hot_spring",)) -> Month:
    owner = await make_tenant(db, kinds=kinds)
    if registered:
        await make_registration(db, tenant=owner.tenant)
    await bind_tenant(db, owner.tenant.id)
    month = Month(db, owner.tenant)
    await month.build()
    return month


async def _filings(db) -> list[Filing]:
    return list((await db.execute(select(Filing).where(Filing.kind == "statistics"))).scalars())


class TestFigures:
    async def test_a_known_month(self, db):
        """Hand-computed for March 2025 (Asia/Shanghai):

        - visits 3: V1 (1 March), V2 (15 March), V3 (31 March, still open); V4 was cancelled,
          V5 is April's (00:10 local on 1 April) and V6 February's;
        - key_tags_issued 5: V1's tag, V2's tag and its replacement, V3's, and V4's (the tag
          was handed out before the visit was cancelled); V5's binding at 16:10 UTC on
          31 March is 00:10 on 1 April in Chongqing, and V6's is in February;
        - admission_revenue_fen 36 800 + 39 800 + 36 800 = 113 400;
        - consumption_revenue_fen: V1 2 800 + 5 600 − 2 800 (void) = 5 600; V2 19 800 + the
          4 000 time fee (its 5 000 lost-tag fee is not consumption) = 23 800; V3 3 000;
          V6's 8 800 is February's: 5 600 + 23 800 + 3 000 = 32 400;
        - average_stay_minutes: closed visits V1 (02:10 → 06:10, 240 min) and V2 (from
          admission 01:00 → 14:31, 811 min): 1 051 / 2 = 525.5, to the nearest minute 526."""
        m = await _month(db)
        found = await service.monthly_figures(db, m.tid, "2025-03")
        assert found.payload == {
            "report_type": "hot_spring_monthly",
            "period": "2025-03",
            "figures": {
                "visits": 3,
                "key_tags_issued": 5,
                "admission_revenue_fen": 113_400,
                "consumption_revenue_fen": 32_400,
                "average_stay_minutes": 526,
            },
        }
        assert found.open_visits == 1

    async def test_a_month_without_visits_is_all_zeros(self, db):
        m = await _month(db)
        found = await service.monthly_figures(db, m.tid, "2025-05")
        assert set(found.figures.values()) == {0}

    @pytest.mark.parametrize(
        "period", ["2025-3", "2025-13", "25-03", "", "2025-03-01", "9999-12", "1999-12"]
    )
    async def test_a_period_is_a_month(self, db, period):
        m = await _month(db)
        with pytest.raises(Invalid):
            await service.monthly_figures(db, m.tid, period)


class TestFiling:
    async def test_filed_once_however_often_it_runs(self, db):
        m = await _month(db)
        assert await service.file_monthly_report(db, m.tid, "2025-03") == "filed"
        assert await service.file_monthly_report(db, m.tid, "2025-03") == "already_filed"
        [filing] = await _filings(db)
        assert filing.ref == "hot_spring_monthly:2025-03"
        assert filing.subject_type == "keytags_month" and filing.subject_id == "2025-03"
        assert filing.state == "pending"
        assert filing.due_at is not None
        assert filing.payload["figures"]["consumption_revenue_fen"] == 32_400
        [row] = (await db.execute(select(ReportFiling))).scalars()
        assert row.period == "2025-03" and row.filing_id == filing.id
        assert row.figures == filing.payload["figures"]
        assert [r.period for r in await service.monthly_filings(db, m.tid)] == ["2025-03"]

    async def test_not_filed_for_an_enterprise_not_registered_with_the_bureau(self, db):
        m = await _month(db, registered=False)
        assert await service.file_monthly_report(db, m.tid, "2025-03") == "not_registered"
        assert await _filings(db) == []
        assert (await db.execute(select(ReportFiling))).first() is None

    async def test_a_month_not_over_is_not_filed(self, db):
        m = await _month(db)
        with time_machine.travel(datetime(2025, 3, 31, 15, 59, tzinfo=UTC), tick=False):
            assert await service.file_monthly_report(db, m.tid, "2025-03") == "not_over"
        assert await _filings(db) == []

    async def test_the_daily_sweep_files_the_previous_month_from_the_2nd(self, db):
        m = await _month(db)
        # 1 April 23:59 in Chongqing: not yet (the night's visits are still settling).
        with time_machine.travel(datetime(2025, 4, 1, 15, 59, tzinfo=UTC), tick=False):
            assert await service.file_due_monthly_report(db, m.tid) == "not_due"
        # 2 April 00:00 in Chongqing (still 1 April in UTC): due.
        with time_machine.travel(datetime(2025, 4, 1, 16, 0, tzinfo=UTC), tick=False):
            assert await service.file_due_monthly_report(db, m.tid) == "filed"
            assert await service.file_due_monthly_report(db, m.tid) == "already_filed"
        with time_machine.travel(datetime(2025, 4, 9, 4, 0, tzinfo=UTC), tick=False):
            assert await service.file_due_monthly_report(db, m.tid) == "already_filed"
        [filing] = await _filings(db)
        assert filing.payload["period"] == "2025-03"

    async def test_the_sweep_leaves_an_enterprise_without_key_tags_alone(self, db):
        m = await _month(db, kinds=("hotel",))
        with time_machine.travel(datetime(2025, 4, 5, 4, 0, tzinfo=UTC), tick=False):
            assert await service.file_due_monthly_report(db, m.tid) == "not_running"
        assert await _filings(db) == []

    async def test_the_bureau_accepts_the_report(self, db, settings, bureau_sim):
        m = await _month(db)
        registration = await filings.registration_view(db, m.tid)
        assert registration.registration is not None
        bureau_sim.register(registration.registration.enterprise_code, SECRET)
        assert await service.file_monthly_report(db, m.tid, "2025-03") == "filed"
        client = BureauClient(bureau_sim.url, timeout=5)
        try:
            outcomes = list(
                (await filings.send_due(db, m.tid, client, settings, limit=10)).outcomes
            )
        finally:
            await client.aclose()
        [filing] = await _filings(db)
        assert outcomes == ["accepted"], filing.errors
        assert filing.receipt_no


@pytest.mark.realdb
async def test_two_runs_at_once_file_the_month_once(committed_database):
    async with committed_database.transaction() as db:
        owner = await make_tenant(db, kinds=("hot_spring",))
        await make_registration(db, tenant=owner.tenant)
        await Month(db, owner.tenant).build()
    tid = TenantId(owner.tenant.id)
    race = Race(committed_database)

    async def first() -> str:
        async with committed_database.transaction(tid) as db:
            outcome = await service.file_monthly_report(db, tid, "2025-03")
            await race.hold(db)  # until the second run waits on the month's filing row
            return outcome

    async def second() -> str:
        await race.held.wait()
        async with committed_database.transaction(tid) as db:
            return await service.file_monthly_report(db, tid, "2025-03")

    assert await race.run(first(), second()) == ["filed", "already_filed"]
    async with committed_database.transaction(tid) as db:
        assert len(await _filings(db)) == 1


class TestJob:
    def test_the_daily_job_is_registered_with_the_worker(self):
        from modules.keytags import tasks
        from workers.app import BLUEPRINTS

        names = {name for bp in BLUEPRINTS for name in bp.tasks}
        assert "keytags.monthly_reports" in names
        crons = [p.cron for p in tasks.blueprint.periodic_registry.periodic_tasks.values()]
        assert "0 20 * * *" in crons

    @pytest.mark.realdb
    async def test_the_daily_job_files_each_registered_resorts_month_once(
        self, committed_database, settings
    ):
        from app.jobs.runtime import JobRuntime, use_runtime
        from modules.keytags import tasks

        async with committed_database.transaction() as db:
            owner = await make_tenant(db, kinds=("hot_spring",))
            await make_registration(db, tenant=owner.tenant)
            await Month(db, owner.tenant).build()
        tid = TenantId(owner.tenant.id)
        with (
            use_runtime(JobRuntime(committed_database, settings)),
            time_machine.travel(datetime(2025, 4, 5, 20, 0, tzinfo=UTC), tick=False),
        ):
            assert await tasks.monthly_reports(timestamp=0) >= 1
            await tasks.monthly_reports(timestamp=0)
        async with committed_database.transaction(tid) as db:
            [filing] = await _filings(db)
            assert filing.payload["period"] == "2025-03"
            assert filing.payload["figures"]["visits"] == 3
