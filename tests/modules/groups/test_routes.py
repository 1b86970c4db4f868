"""The group pages over HTTP: what an agent sees and clicks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db.engine import TenantId
from modules.groups import service
from tests.factories.groups import departure, make_group, signed_contract
from tests.factories.guides import make_guide
from tests.factories.tenants import make_staff
from tests.helpers import form_post, sign_in


@pytest.fixture
async def signed_in(client, agent):
    await sign_in(client, agent)
    return client


class TestAccess:
    async def test_agents_and_managers_see_the_groups_list(self, db, owner, signed_in):
        group = await make_group(db, tenant=owner.tenant)
        page = await signed_in.get("/console/groups")
        assert page.status_code == 200
        assert group.group_no in page.text
        assert "团队" in page.text
        assert "未报备" in page.text

    async def test_front_desk_staff_are_refused(self, db, owner, client):
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get("/console/groups")).status_code == 403

    async def test_guides_cannot_change_groups(self, db, owner, client):
        group = await make_group(db, tenant=owner.tenant)
        guide = await make_staff(db, tenant=owner.tenant, role="guide")
        await sign_in(client, guide)
        answer = await form_post(client, f"/console/groups/{group.id}/file", {})
        assert answer.status_code == 403


class TestGroupPage:
    async def test_the_page_lists_what_filing_still_needs(self, db, owner, signed_in):
        group = await make_group(db, tenant=owner.tenant)
        page = await signed_in.get(f"/console/groups/{group.id}")
        assert page.status_code == 200
        assert "渝A·12345" in page.text
        assert "至少添加一份已签订的合同" in page.text
        assert "指派导游" in page.text

    async def test_filing_an_incomplete_group_answers_422_with_the_list(
        self, db, owner, tid, signed_in
    ):
        group = await make_group(db, tenant=owner.tenant)
        answer = await form_post(signed_in, f"/console/groups/{group.id}/file", {})
        assert answer.status_code == 422
        assert "还不能报备" in answer.text
        assert "至少添加一份已签订的合同" in answer.text
        assert (
            await service.group_page(db, tid, group.id, today=departure(0))
        ).group.status == "draft"

    async def test_a_guide_on_an_overlapping_group_is_refused_on_the_page(
        self, db, owner, signed_in
    ):
        guide = (await make_guide(db, tenant=owner.tenant, name="刘洋")).summary
        first = await make_group(db, tenant=owner.tenant)
        second = await make_group(
            db, tenant=owner.tenant, start=first.start_date + timedelta(days=1)
        )
        ok = await form_post(
            signed_in, f"/console/groups/{first.id}/guides", {"guide_id": str(guide.id)}
        )
        assert ok.status_code == 303
        refused = await form_post(
            signed_in, f"/console/groups/{second.id}/guides", {"guide_id": str(guide.id)}
        )
        assert refused.status_code == 409
        assert "刘洋" in refused.text and first.group_no in refused.text

    async def test_a_guide_must_be_chosen(self, db, owner, signed_in):
        group = await make_group(db, tenant=owner.tenant)
        answer = await form_post(signed_in, f"/console/groups/{group.id}/guides", {"guide_id": ""})
        assert answer.status_code == 422
        assert "请从列表中选择导游" in answer.text

    async def test_cancelling_frees_the_group(self, db, owner, signed_in):
        group = await make_group(db, tenant=owner.tenant)
        answer = await form_post(signed_in, f"/console/groups/{group.id}/cancel", {})
        assert answer.status_code == 303
        page = await signed_in.get(answer.headers["location"])
        assert "已取消" in page.text


def form_for(start, contract_ids=(), **overrides):
    """What the group form posts: the day rows, one vehicle row and the checkboxes."""
    days = [start + timedelta(days=i) for i in range(3)]
    data = {
        "group_no": "",
        "route_name": "重庆—武隆—大足",
        "start_date": start.isoformat(),
        "end_date": days[-1].isoformat(),
        "day_date": [d.isoformat() for d in days],
        "day_places": ["洪崖洞、解放碑", "武隆天生三桥，龙水峡地缝", "大足石刻"],
        "day_hotel": ["重庆解放碑酒店", "武隆仙女山酒店", ""],
        "plate_no": ["渝A·12345", ""],
        "seats": ["45", ""],
        "driver_name": ["王师傅", ""],
        "driver_phone": ["13912345678", ""],
        "contract_id": [str(c) for c in contract_ids],
        "notes": "",
    }
    data.update(overrides)
    return data


class TestGroupForm:
    async def test_the_form_offers_signed_contracts_and_a_default_number(
        self, db, owner, signed_in
    ):
        _contract, e_number = await signed_contract(db, tenant=owner.tenant, start=departure(14))
        page = await signed_in.get("/console/groups/new")
        assert page.status_code == 200
        assert e_number in page.text
        assert f"{departure(14):%Y%m%d}-01" in page.text

    async def test_creating_a_group_saves_contracts_days_and_vehicle(self, db, owner, signed_in):
        start = departure()
        contract, e_number = await signed_contract(db, tenant=owner.tenant, start=start)
        answer = await form_post(signed_in, "/console/groups/", form_for(start, [contract]))
        assert answer.status_code == 303, answer.text
        page = await signed_in.get(answer.headers["location"])
        assert e_number in page.text
        assert "武隆天生三桥、龙水峡地缝" in page.text
        assert "渝A·12345" in page.text
        assert "团队已保存为草稿" in page.text

    async def test_bad_rows_answer_422_with_each_fields_message(self, db, owner, signed_in):
        start = departure()
        bad = form_for(start, route_name="", plate_no=["渝12345"], seats=["0"], driver_name=[""])
        answer = await form_post(signed_in, "/console/groups/", bad)
        assert answer.status_code == 422
        assert "请输入线路" in answer.text
        assert "车牌号格式不正确" in answer.text
        assert "座位数：1 到 99" in answer.text
        assert "请输入司机姓名" in answer.text
        assert 'value="渝12345"' in answer.text  # what was typed is shown again
        assert not (await service.list_groups(db, TenantId(owner.tenant.id), today=start)).upcoming

    async def test_a_contract_outside_the_dates_is_refused_on_the_form(self, db, owner, signed_in):
        start = departure()
        contract, e_number = await signed_contract(db, tenant=owner.tenant, start=start)
        later = start + timedelta(days=1)
        data = form_for(later, [contract])
        answer = await form_post(signed_in, "/console/groups/", data)
        assert answer.status_code == 422
        assert f"合同 {e_number} 的行程为" in answer.text

    async def test_changing_the_dates_redraws_the_day_rows_keeping_what_was_typed(self, signed_in):
        start = departure()
        query = {
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=3)).isoformat(),
            "day_date": [start.isoformat()],
            "day_places": ["洪崖洞、解放碑"],
            "day_hotel": ["重庆解放碑酒店"],
        }
        rows = await signed_in.get("/console/groups/rows/days", params=query)
        assert rows.status_code == 200
        assert rows.text.count('name="day_date"') == 4
        assert 'value="洪崖洞、解放碑"' in rows.text

    async def test_day_rows_for_an_absurd_range_stop_at_sixty(self, signed_in):
        query = {"start_date": "2026-12-01", "end_date": "9999-12-31"}
        rows = await signed_in.get("/console/groups/rows/days", params=query)
        assert rows.status_code == 200
        assert rows.text.count('name="day_date"') == 60

    async def test_editing_a_draft_changes_it(self, db, owner, signed_in):
        group = await make_group(db, tenant=owner.tenant)
        form = await signed_in.get(f"/console/groups/{group.id}/edit")
        assert form.status_code == 200 and group.group_no in form.text
        data = form_for(group.start_date, group_no="BY-EDITED-01", route_name="重庆—大足一日游")
        answer = await form_post(signed_in, f"/console/groups/{group.id}", data)
        assert answer.status_code == 303
        page = await signed_in.get(f"/console/groups/{group.id}")
        assert "BY-EDITED-01" in page.text and "重庆—大足一日游" in page.text

    async def test_add_a_vehicle_answers_one_blank_row(self, signed_in):
        row = await signed_in.get(
            "/console/groups/rows/vehicle?n=1", headers={"HX-Request": "true"}
        )
        assert row.status_code == 200
        assert row.text.count('name="plate_no"') == 1
