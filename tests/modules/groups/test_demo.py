"""The demo agency's group: made from its signed contracts and guides, filed, once."""

from __future__ import annotations

from datetime import date

from modules.groups import demo, service
from modules.groups.repository import GroupRepository
from tests.factories.filings import make_registration
from tests.factories.groups import departure, signed_contract
from tests.factories.guides import make_guide


class TestDemoGroup:
    async def test_the_demo_agency_gets_a_filed_group_with_coach_and_guide(self, db, agency, tid):
        await make_registration(db, tenant=agency, enterprise_code=agency.enterprise_code)
        start = departure(14)
        await signed_contract(db, tenant=agency, start=start)
        await signed_contract(db, tenant=agency, start=start)
        await make_guide(db, tenant=agency, name="周丽")
        await demo.seed_demo(db, tid, ("agency",))
        await demo.seed_demo(db, tid, ("agency",))  # a second start changes nothing
        groups = await service.list_groups(db, tid, today=date.today())
        assert len(groups.upcoming) == 1
        group = groups.upcoming[0].group
        assert group.group_no.startswith(f"BY{start:%Y%m%d}-")
        assert group.status == "filed" and group.tourist_count == 4
        page = await service.group_page(db, tid, group.id, today=date.today())
        assert [v.plate_no for v in page.vehicles] == ["渝A65432"]
        assert page.vehicles[0].seats == 45
        assert [a.guide_name for a in page.assignments] == ["周丽"]
        assert [f.kind for f in page.filings] == ["group", "guide_assignment"]
        assert "武隆天生三桥" in page.days[1].places

    async def test_without_signed_contracts_the_demo_skips_quietly(self, db, agency, tid):
        await demo.seed_demo(db, tid, ("agency",))
        assert not await GroupRepository(db, tid).any_group()
