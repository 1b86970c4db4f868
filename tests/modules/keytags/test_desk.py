"""The desk's pages: admit from the form (a tag and the first free locker), the list of
visits in the resort, scanning a tag opens its visit, block and replace from the visit page,
refusals come back on the form with nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db.engine import bind_tenant
from modules.keytags.models import Visit
from tests.factories.keytags import make_locker, make_section, make_ticket_type, make_visit
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in


@pytest.fixture
async def resort(db):
    owner = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
    await bind_tenant(db, owner.tenant.id)
    return owner


@pytest.fixture
async def clerk(client, db, resort):
    staff = await make_staff(db, tenant=resort.tenant, role="cashier")
    await sign_in(client, staff)
    return staff


async def _visits(db, resort) -> int:  # type: ignore[no-untyped-def]
    await bind_tenant(db, resort.tenant.id)
    stmt = select(func.count()).where(Visit.tenant_id == resort.tenant.id)
    return int((await db.execute(stmt)).scalar_one())


class TestDeskPage:
    async def test_admit_from_the_form_then_the_visit_and_the_list(self, client, db, resort, clerk):
        ticket = await make_ticket_type(db, tenant=resort.tenant, name="成人票")
        section = await make_section(db, tenant=resort.tenant, name="男宾更衣室")
        await make_locker(db, tenant=resort.tenant, section=section, number="101")
        home = await client.get("/console/keytags")
        assert home.status_code == 200, home.text
        assert "成人票" in home.text and "男宾更衣室" in home.text and "autofocus" in home.text
        answer = await form_post(
            client,
            "/console/keytags/admit",
            {
                "source": "walk_in",
                "tab_mode": "cash_deposit",
                "deposit": "300",
                "persons-0-ticket_type": str(ticket.id),
                "persons-0-section": str(section.id),
                "persons-0-tag_uid": "04A1FF0001",
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        page = await client.get(answer.headers["location"])
        assert page.status_code == 200
        assert "04A1FF0001" in page.text and "101" in page.text and "¥300.00" in page.text
        listing = await client.get("/console/keytags")
        assert "04A1FF0001" in listing.text and "男宾更衣室 101" in listing.text
        scanned = await client.get("/console/keytags?tag=04a1ff0001", follow_redirects=False)
        assert scanned.status_code == 303
        assert scanned.headers["location"] == answer.headers["location"].split("?")[0]

    async def test_a_refusal_comes_back_on_the_form_and_writes_nothing(
        self, client, db, resort, clerk
    ):
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        section = await make_section(db, tenant=resort.tenant, name="女宾更衣室")  # no lockers
        answer = await form_post(
            client,
            "/console/keytags/admit",
            {
                "tab_mode": "postpay",
                "persons-2-ticket_type": str(ticket.id),
                "persons-2-section": str(section.id),
                "persons-2-tag_uid": "04A1FF0002",
            },
        )
        assert answer.status_code == 422
        assert "女宾更衣室" in answer.text and 'value="04A1FF0002"' in answer.text
        assert await _visits(db, resort) == 0

    async def test_odd_money_and_ids_are_field_errors(self, client, db, resort, clerk):
        for form in (
            {"deposit": "¥1,2x", "persons-0-ticket_type": "x"},
            {"persons-0-ticket_type": "not-a-uuid"},
            {"persons-0-tag_uid": "a" * 65},
        ):
            answer = await form_post(client, "/console/keytags/admit", form)
            assert answer.status_code == 422, form

    async def test_an_unknown_tag_scan_says_so(self, client, db, resort, clerk):
        page = await client.get("/console/keytags?tag=NOSUCH01")
        assert page.status_code == 200 and "NOSUCH01" in page.text


class TestVisitPage:
    async def test_block_then_replace_from_the_visit_page(self, client, db, resort, clerk):
        visit = await make_visit(db, tenant=resort.tenant)
        path = f"/console/keytags/visits/{visit.id}"
        page = await client.get(path)
        assert page.status_code == 200 and f"{path}/bill" in page.text
        blocked = await form_post(
            client, f"{path}/block", {"reason": "泡池遗失"}, follow_redirects=False
        )
        assert blocked.status_code == 303
        page = await client.get(blocked.headers["location"])
        assert "泡池遗失" in page.text and "¥50.00" in page.text
        again = await form_post(client, f"{path}/block", {"reason": "x"})
        assert again.status_code == 409
        replaced = await form_post(
            client, f"{path}/replace", {"tag_uid": "04A1EE0009"}, follow_redirects=False
        )
        assert replaced.status_code == 303
        page = await client.get(path)
        assert "04A1EE0009" in page.text

    async def test_another_resorts_visit_is_not_found(self, client, db, resort, clerk):
        other = await make_tenant(db, kinds=("hot_spring",))
        visit = await make_visit(db, tenant=other.tenant)
        await bind_tenant(db, resort.tenant.id)
        assert (await client.get(f"/console/keytags/visits/{visit.id}")).status_code == 404

    async def test_a_member_from_the_form_spends_the_card_whatever_tab_was_chosen(
        self, client, db, resort, clerk
    ):
        from tests.factories.keytags import make_member

        member = await make_member(db, tenant=resort.tenant, balance_fen=80000)
        ticket = await make_ticket_type(db, tenant=resort.tenant)
        answer = await form_post(
            client,
            "/console/keytags/admit",
            {
                "source": "member",
                "tab_mode": "cash_deposit",
                "card_no": member.card_no,
                "persons-0-ticket_type": str(ticket.id),
                "persons-0-qr": "1",
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        await bind_tenant(db, resort.tenant.id)
        visit = (await db.execute(select(Visit).where(Visit.member_id == member.id))).scalar_one()
        assert visit.tab_mode == "member" and visit.deposit_fen == 0
        page = await client.get(answer.headers["location"])
        assert "wristband.pdf" in page.text
        pdf = await client.get(f"/console/keytags/visits/{visit.id}/wristband.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
