"""The public licence check `/verify/guide`: validity for anyone with the number, nothing
private, the same neutral answer for every kind of miss, and a rate limit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.db.engine import TenantId
from modules.guides import service
from modules.guides.routes.public import LIMIT
from modules.guides.schemas import ComplaintForm
from tests.factories.guides import make_guide, png, today, unique_licence
from tests.factories.tenants import make_tenant

NOT_FOUND = "未找到该导游证信息"


@pytest.fixture
async def agency(db):
    return (await make_tenant(db, kinds=("agency",), name="巴渝测试旅行社")).tenant


async def lookup(client, licence):
    return await client.get("/verify/guide", params={"licence": licence})


class TestLookup:
    async def test_the_form_is_shown_without_a_number(self, client):
        page = await client.get("/verify/guide")
        assert page.status_code == 200
        assert "导游证查询" in page.text or 'name="licence"' in page.text

    async def test_valid_licence_shows_the_public_card_and_nothing_private(
        self, db, agency, client
    ):
        view = await make_guide(
            db,
            tenant=agency,
            name="刘德明",
            phone="13700001111",
            qualification_no="ZG-PRIVATE-77",
            notes="内部备注：不公开",
            languages=["mandarin", "english"],
            level="senior",
            photo=png(),
        )
        await service.add_complaint(
            db,
            TenantId(agency.id),
            view.summary.id,
            ComplaintForm(description="投诉内容不公开"),
            today=today(),
            actor=service.SYSTEM,
        )
        page = await lookup(client, view.summary.licence_no.lower().replace("-", " "))
        assert page.status_code == 200
        text = page.text
        assert "刘德明" in text and view.summary.licence_no in text
        assert "高级" in text and "英语" in text and "巴渝测试旅行社" in text
        assert "有效" in text and NOT_FOUND not in text
        for private in ("13700001111", "ZG-PRIVATE-77", "内部备注", "投诉内容不公开"):
            assert private not in text
        assert f"/console/guides/{view.summary.id}" not in text
        photo = re.search(r'src="(/verify/guide/[^"]+/photo/[^"]+)"', text)
        assert photo
        served = await client.get(photo.group(1))
        assert served.status_code == 200 and served.content == png()

    async def test_expired_licence_says_so(self, db, agency, client):
        past = today() - timedelta(days=5)
        view = await make_guide(db, tenant=agency, licence_valid_until=past.isoformat())
        page = await lookup(client, view.summary.licence_no)
        assert "已过期" in page.text or "过期" in page.text
        assert past.isoformat() in page.text

    async def test_unknown_left_and_malformed_numbers_answer_the_same(self, db, agency, client):
        left = await make_guide(db, tenant=agency, status="left")
        for typed in (unique_licence(), left.summary.licence_no, "'; drop table guides; --"):
            page = await lookup(client, typed)
            assert page.status_code == 200
            assert NOT_FOUND in page.text
            assert "巴渝测试旅行社" not in page.text

    async def test_photo_needs_the_token_the_page_hands_out(self, db, agency, client):
        view = await make_guide(db, tenant=agency, photo=png())
        licence = view.summary.licence_no
        assert (await client.get(f"/verify/guide/{licence}/photo/guess")).status_code == 404
        unknown = unique_licence()
        assert (await client.get(f"/verify/guide/{unknown}/photo/guess")).status_code == 404


class TestRateLimit:
    async def test_too_many_lookups_from_one_address_get_a_429_page(self, db, agency, client):
        view = await make_guide(db, tenant=agency)
        for _ in range(LIMIT):
            assert (await lookup(client, unique_licence())).status_code == 200
        refused = await lookup(client, view.summary.licence_no)
        assert refused.status_code == 429
        assert view.summary.name not in refused.text
        assert "text/html" in refused.headers["content-type"]

    async def test_the_empty_form_is_not_counted(self, client):
        for _ in range(LIMIT + 3):
            assert (await client.get("/verify/guide")).status_code == 200
