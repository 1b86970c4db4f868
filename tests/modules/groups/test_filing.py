"""Filing a group with the bureau: what is refused, the exact bodies stored by the filing
engine (PROTOCOL `POST /v1/groups` and `POST /v1/guide-assignments`), and the receipts
the bureau stand-in hands back, shown on the group."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from app import clock
from app.errors import Conflict, Invalid
from modules.filings import service as filings
from modules.filings.service.client import BureauClient
from modules.groups import service
from modules.groups.repository import GroupRepository
from tests.bureau_fixtures import BureauSim
from tests.bureau_fixtures import bureau_sim as bureau_sim
from tests.bureau_fixtures import bureau_sim_server as bureau_sim_server
from tests.factories.filings import SECRET, make_registration
from tests.factories.groups import departure, make_group, signed_contract
from tests.factories.guides import make_guide
from tests.helpers import sign_in

ACTOR = service.Actor()


@pytest.fixture
async def registered(db, agency):
    await make_registration(db, tenant=agency, enterprise_code=agency.enterprise_code)
    return agency


async def ready_group(db, agency, tid, contracts: int = 1):
    """A group with signed contracts (two tourists each), every day planned, a coach and
    a guide."""
    start = departure()
    signed = [await signed_contract(db, tenant=agency, start=start) for _ in range(contracts)]
    guide = (await make_guide(db, tenant=agency, name="李晓燕")).summary
    group = await make_group(db, tenant=agency, start=start, contract_ids=[c for c, _e in signed])
    await service.assign_guide(db, tid, group.id, guide.id, actor=ACTOR)
    return group, sorted(e for _c, e in signed), guide


def errors_of(exc: Invalid) -> list[dict[str, Any]]:
    return list(exc.errors or [])


async def stored(db, tid, filing_id):
    view = await filings.filing_detail(db, tid, filing_id)
    assert view.filing.body is not None
    return view.filing, json.loads(view.filing.body)


class TestBodies:
    async def test_group_and_guide_assignment_bodies_follow_the_protocol(self, db, registered, tid):
        group, e_numbers, guide = await ready_group(db, registered, tid, contracts=2)
        filed = await service.file_group(db, tid, group.id, actor=ACTOR, today=clock.today())
        assert filed.status == "filed" and not filed.filed_late
        page = await service.group_page(db, tid, group.id, today=clock.today())
        kinds = [f.kind for f in page.filings]
        assert kinds == ["group", "guide_assignment"]
        filing, body = await stored(db, tid, page.filings[0].filing_id)
        assert filing.path == "/v1/groups"
        s = group.start_date
        assert body == {
            "district_code": "500103",
            "group_no": group.group_no,
            "e_numbers": e_numbers,
            "start_date": s.isoformat(),
            "end_date": (s + timedelta(days=2)).isoformat(),
            "tourist_count": 4,
            "guides": [{"licence_no": guide.licence_no, "name": "李晓燕"}],
            "vehicles": [{"plate_no": "渝A12345", "seats": 45, "driver_name": "王师傅"}],
            "days": [
                {"date": s.isoformat(), "places": ["洪崖洞", "解放碑"], "hotel": "重庆解放碑酒店"},
                {
                    "date": (s + timedelta(days=1)).isoformat(),
                    "places": ["武隆天生三桥", "龙水峡地缝"],
                    "hotel": "武隆仙女山酒店",
                },
                {"date": (s + timedelta(days=2)).isoformat(), "places": ["大足石刻宝顶山"], "hotel": ""},
            ],
        }  # fmt: skip
        assignment, body = await stored(db, tid, page.filings[1].filing_id)
        assert assignment.path == "/v1/guide-assignments"
        assert body == {
            "district_code": "500103",
            "group_no": group.group_no,
            "licence_no": guide.licence_no,
            "from_date": s.isoformat(),
            "to_date": (s + timedelta(days=2)).isoformat(),
        }
        assert assignment.state == "waiting"  # until the group's filing is accepted
        assert assignment.depends_on_id == filing.id

    async def test_a_filed_group_is_locked_and_filed_once(self, db, registered, tid):
        group, _e, _guide = await ready_group(db, registered, tid)
        await service.file_group(db, tid, group.id, actor=ACTOR, today=clock.today())
        with pytest.raises(Conflict):
            await service.file_group(db, tid, group.id, actor=ACTOR, today=clock.today())
        with pytest.raises(Conflict):
            await service.assign_guide(db, tid, group.id, _guide.id, actor=ACTOR)


class TestRefusals:
    async def test_a_group_without_contracts_guide_or_places_lists_everything_missing(
        self, db, registered, tid
    ):
        group = await make_group(db, tenant=registered, days=[], vehicles=[])
        with pytest.raises(Invalid) as refused:
            await service.file_group(db, tid, group.id, actor=ACTOR, today=clock.today())
        missing = [e["message"] for e in errors_of(refused.value)]
        assert "Add at least one signed contract." in missing
        assert "Add the coach (plate number, seats, driver)." in missing
        assert "Assign a guide." in missing
        assert missing.count("Say which places the group visits on %(day)s.") == 3

    async def test_too_few_seats_for_tourists_and_guides_is_refused(self, db, registered, tid):
        group, _e, _guide = await ready_group(db, registered, tid)
        page = await service.group_page(db, tid, group.id, today=clock.today())
        assert page.seats_short == 0
        vehicles = await GroupRepository(db, tid).vehicles(group.id)
        vehicles[0].seats = 2  # two tourists and a guide
        await db.flush()
        with pytest.raises(Invalid) as refused:
            await service.file_group(db, tid, group.id, actor=ACTOR, today=clock.today())
        assert errors_of(refused.value)[0]["params"] == {"n": 1}

    async def test_after_departure_it_is_filed_late_and_after_return_refused(
        self, db, registered, tid
    ):
        group, _e, _guide = await ready_group(db, registered, tid)
        with pytest.raises(Invalid) as refused:
            async with db.begin_nested():
                after = group.end_date + timedelta(days=1)
                await service.file_group(db, tid, group.id, actor=ACTOR, today=after)
        assert "The tour has ended" in errors_of(refused.value)[-1]["message"]
        filed = await service.file_group(db, tid, group.id, actor=ACTOR, today=group.start_date)
        assert filed.filed_late


class TestReceipts:
    async def test_the_stand_in_accepts_both_and_the_group_shows_the_receipts(
        self, db, owner, registered, tid, settings, client, bureau_sim: BureauSim
    ):
        bureau_sim.register(registered.enterprise_code, SECRET)
        group, _e, _guide = await ready_group(db, registered, tid)
        await service.file_group(db, tid, group.id, actor=ACTOR, today=clock.today())
        bureau = BureauClient(bureau_sim.url, timeout=5)
        try:
            for _ in range(3):  # contracts, then the group, then its guide assignment
                await filings.send_due(db, tid, bureau, settings, limit=100)
        finally:
            await bureau.aclose()
        page = await service.group_page(db, tid, group.id, today=clock.today())
        states = {f.kind: (f.state, f.receipt_no or "") for f in page.filings}
        assert states["group"][0] == "accepted" and states["group"][1].startswith("CQTD")
        assert states["guide_assignment"][0] == "accepted"
        assert states["guide_assignment"][1].startswith("CQDY")
        received = bureau_sim.filings(kind="group")
        assert [f["body"]["group_no"] for f in received] == [group.group_no]
        await sign_in(client, owner)
        shown = await client.get(f"/console/groups/{group.id}")
        assert states["group"][1] in shown.text and states["guide_assignment"][1] in shown.text
        assert "已受理" in shown.text
