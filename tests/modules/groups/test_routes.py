"""The group pages over HTTP: what an agent sees and clicks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from modules.groups import service
from tests.factories.groups import departure, make_group
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
