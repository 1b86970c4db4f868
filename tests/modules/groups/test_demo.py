"""The demo agency's group: made from its signed contracts and guides, filed, once."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from modules.contracts import demo as contracts_demo
from modules.groups import demo, service
from modules.groups.repository import GroupRepository
from modules.guides import demo as guides_demo
from tests.factories.filings import make_registration


class TestDemoGroup:
    async def test_the_demo_agency_gets_a_filed_group_with_coach_and_guide(self, db, agency, tid):
        """In devtools/demo.py's order: bureau registration, guides, contracts, then groups."""
        await make_registration(db, tenant=agency, enterprise_code=agency.enterprise_code)
        await guides_demo.seed_demo(db, tid, ("agency",))
        await contracts_demo.seed_demo(db, tid, ("agency",))
        await demo.seed_demo(db, tid, ("agency",))
        await demo.seed_demo(db, tid, ("agency",))  # a second start changes nothing
        groups = await service.list_groups(db, tid, today=clock.today())
        assert len(groups.upcoming) == 1
        group = groups.upcoming[0].group
        assert group.group_no.startswith(f"BY{group.start_date:%Y%m%d}-")
        assert group.start_date > clock.today() + timedelta(days=7)
        assert (group.status, group.tourist_count) == ("filed", 3)
        page = await service.group_page(db, tid, group.id, today=clock.today())
        assert [(v.plate_no, v.seats) for v in page.vehicles] == [("渝A65432", 45)]
        assert len(page.assignments) == 1
        assert [f.kind for f in page.filings] == ["group", "guide_assignment"]
        assert page.days[0].places == ["武隆天生三桥", "龙水峡地缝"]

    async def test_without_signed_contracts_the_demo_skips_quietly(self, db, agency, tid):
        await demo.seed_demo(db, tid, ("agency",))
        assert not await GroupRepository(db, tid).any_group()
