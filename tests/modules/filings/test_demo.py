"""Demo enterprises file out of the box: their registration and reports pass the
stand-in's validation and come back with receipts; seeding twice files nothing twice."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.db.engine import TenantId
from modules.filings import service
from modules.filings.demo import demo_reports, register_with_stand_in, seed_demo_bureau
from modules.filings.models import Filing
from modules.filings.service.client import BureauClient
from tests.factories.filings import enterprise_code_for
from tests.factories.tenants import make_tenant


class TestDemoBureau:
    async def test_every_demo_report_is_accepted_by_the_stand_in_and_reseeding_is_a_no_op(
        self, db, settings, bureau_sim
    ):
        owner = await make_tenant(db, kinds=("hotel", "hot_spring", "agency", "cruise"))
        tenant_id = TenantId(owner.tenant.id)
        code = enterprise_code_for(owner.tenant)
        kinds = owner.tenant.kinds
        made = await seed_demo_bureau(
            db,
            tenant_id,
            kinds=kinds,
            enterprise_code=code,
            district_code="500109",
            settings=settings,
        )
        assert made.created and register_with_stand_in(bureau_sim.url, [made])
        ids = list((await db.execute(select(Filing.id))).scalars())
        # The hotel's two months and the agency's quarter: the cruise line's voyage report
        # comes from the boarding demo, the resort's months from the key-tag demo's visits.
        assert len(ids) == 3
        client = BureauClient(bureau_sim.url, timeout=5)
        outcomes = list(
            (await service.send_due(db, tenant_id, client, settings, limit=100)).outcomes
        )
        await client.aclose()
        assert outcomes == ["accepted"] * 3, [
            f.errors for f in (await db.execute(select(Filing))).scalars()
        ]
        assert all(f.receipt_no for f in (await db.execute(select(Filing))).scalars())
        again = await seed_demo_bureau(
            db,
            tenant_id,
            kinds=kinds,
            enterprise_code=code,
            district_code="500109",
            settings=settings,
        )
        assert not again.created and again.filing_secret == made.filing_secret
        assert len(list((await db.execute(select(Filing.id))).scalars())) == 3

    def test_no_hot_spring_figures_are_invented(self):
        reports = demo_reports(("hot_spring",), date(2026, 12, 7))
        assert reports == []

    def test_reports_roll_back_over_the_new_year(self):
        reports = demo_reports(("hotel", "agency"), date(2027, 1, 5))
        assert [r["period"] for r in reports] == ["2026-11", "2026-12", "2026-Q4"]

    def test_unreachable_stand_in_is_a_warning_not_a_crash(self):
        assert register_with_stand_in("http://127.0.0.1:9", []) is True  # nothing to say
        from modules.filings.demo import DemoRegistration

        assert (
            register_with_stand_in("http://127.0.0.1:9", [DemoRegistration("X", "y" * 40, True)])
            is False
        )
