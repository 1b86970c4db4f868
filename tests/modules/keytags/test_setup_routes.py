"""The set-up and member-card pages over HTTP: in Chinese, bad input answered with field
messages (never a 500), managers only for the set-up and for a lost card."""

from __future__ import annotations

import pytest

from app.db.engine import TenantId, bind_tenant
from modules.keytags import service
from tests.factories.keytags import make_member, make_section, make_tag
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in

SETUP = "/console/keytags/setup"
MEMBERS = "/console/keytags/members"


@pytest.fixture
async def owner(db):
    return await make_tenant(db, kinds=("hot_spring",), name="测试温泉")


@pytest.fixture
async def tid(db, owner):
    await bind_tenant(db, owner.tenant.id)
    return TenantId(owner.tenant.id)


@pytest.fixture
async def signed_in(client, owner):
    await sign_in(client, owner)
    return client


class TestSetupPages:
    async def test_lockers_are_added_by_range_and_taken_out_of_order(self, db, tid, signed_in):
        made = await form_post(
            signed_in,
            f"{SETUP}/sections",
            {"code": "m", "name": "男宾", "kind": "male"},
            follow_redirects=True,
        )
        assert made.status_code == 200 and "男宾" in made.text and "更衣" in made.text
        [section] = await service.locker_occupancy(db, tid)
        page = await form_post(
            signed_in,
            f"{SETUP}/sections/{section.section_id}/lockers",
            {"prefix": "M", "first": "001", "last": "120"},
        )
        assert page.status_code == 200 and "M120" in page.text
        lockers = await service.section_lockers(db, tid, section.section_id)
        done = await form_post(
            signed_in,
            f"{SETUP}/lockers/{lockers[0].id}/status",
            {"value": "1"},
            follow_redirects=True,
        )
        assert done.status_code == 200 and "停用" in done.text
        [row] = await service.locker_occupancy(db, tid)
        assert (row.total, row.free, row.out_of_order) == (120, 119, 1)

    async def test_bad_input_gets_field_messages(self, db, tid, signed_in):
        section = await make_section(db, tenant=(await _tenant(db, tid)))
        for path, data in (
            (f"{SETUP}/sections", {"code": "男", "name": "", "kind": "sauna"}),
            (f"{SETUP}/sections/{section.id}/lockers", {"first": "²", "last": "9"}),
            (f"{SETUP}/tags", {"uids": "04A1-B2", "kind": "rfid"}),
            (f"{SETUP}/outlets", {"code": "", "name": "", "kind": "x", "concession": "on"}),
            (f"{SETUP}/settings", {"lost_tag_fee": "abc", "exit_window_minutes": "0"}),
        ):
            answer = await form_post(signed_in, path, data)
            assert answer.status_code == 422, path
            assert "has-error" in answer.text, path

    async def test_tags_are_registered_from_a_reader_and_listed(self, db, tid, signed_in):
        page = await form_post(
            signed_in,
            f"{SETUP}/tags",
            {"uids": "0ab1c2d3e4\r\n0AB1C2D3E5 0002\r\n", "kind": "rfid"},
        )
        assert page.status_code == 200 and "0AB1C2D3E4" in page.text
        listed = await signed_in.get(f"{SETUP}/tags?status=available&q=0002")
        assert "0AB1C2D3E5" in listed.text and "0AB1C2D3E4" not in listed.text
        odd = await signed_in.get(f"{SETUP}/tags?status=nonsense&page=x")
        assert odd.status_code == 200

    async def test_a_tag_on_a_guest_is_not_retired(self, db, tid, signed_in):
        tag = await make_tag(db, tenant=(await _tenant(db, tid)), status="in_use")
        answer = await form_post(signed_in, f"{SETUP}/tags/{tag.id}/retire", {})
        assert answer.status_code == 409

    async def test_an_outlet_gets_items_and_a_key_shown_once(self, db, tid, signed_in):
        made = await form_post(
            signed_in,
            f"{SETUP}/outlets",
            {
                "code": "bar",
                "name": "水吧",
                "kind": "bar",
                "concession": "on",
                "concessionaire": "某某饮品",
                "commission_percent": "15",
            },
            follow_redirects=True,
        )
        assert made.status_code == 200 and "水吧" in made.text
        [outlet] = await service.list_outlets(db, tid)
        assert outlet.commission_bp == 1500
        item = await form_post(
            signed_in,
            f"{SETUP}/outlets/{outlet.id}/items",
            {"code": "juice", "name": "鲜榨西瓜汁", "unit": "item", "price": "28"},
            follow_redirects=True,
        )
        assert "¥28.00" in item.text
        key = await form_post(signed_in, f"{SETUP}/outlets/{outlet.id}/key", {})
        assert key.status_code == 201 and "zk_" in key.text
        assert key.headers["cache-control"] == "no-store"
        again = await signed_in.get(f"{SETUP}/outlets/{outlet.id}")
        assert "水吧 POS (BAR)" in again.text and "zk_" not in again.text

    async def test_settings_are_saved(self, db, tid, signed_in):
        page = await signed_in.get(f"{SETUP}/settings")
        assert page.status_code == 200 and "50" in page.text
        saved = await form_post(
            signed_in,
            f"{SETUP}/settings",
            {
                "lost_tag_fee": "80",
                "default_deposit": "300",
                "exit_window_minutes": "20",
                "outlet_void_minutes": "5",
            },
        )
        assert saved.status_code == 303
        assert (await service.rules(db, tid)).lost_tag_fee_fen == 8000

    async def test_the_front_desk_cannot_open_the_set_up(self, db, client, owner, tid):
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get(SETUP)).status_code == 403


class TestMemberPages:
    async def test_the_desk_opens_looks_up_and_tops_up_a_card(self, db, client, owner, tid):
        clerk = await make_staff(db, tenant=owner.tenant, role="cashier")
        await sign_in(client, clerk)
        made = await form_post(
            client,
            MEMBERS,
            {"card_no": "jy0001", "name": "刘芳", "phone": "13912345678", "level": "金卡"},
            follow_redirects=True,
        )
        assert made.status_code == 200 and "JY0001" in made.text and "¥0.00" in made.text
        found = await client.get(f"{MEMBERS}?q=13912345678")
        assert "JY0001" in found.text
        member = await service.member_by_card(db, tid, "JY0001")
        assert member is not None
        topped = await form_post(
            client,
            f"{MEMBERS}/{member.id}/topup",
            {"amount": "1000", "method": "cash"},
            follow_redirects=True,
        )
        assert "¥1,000.00" in topped.text and "充值" in topped.text
        bad = await form_post(client, f"{MEMBERS}/{member.id}/topup", {"amount": "-5"})
        assert bad.status_code == 422 and "has-error" in bad.text
        lost = await form_post(client, f"{MEMBERS}/{member.id}/lost", {"new_card_no": "JY2"})
        assert lost.status_code == 403

    async def test_a_manager_moves_a_lost_card(self, db, tid, owner, signed_in):
        member = await make_member(db, tenant=owner.tenant, card_no="JY9", balance_fen=50000)
        moved = await form_post(
            signed_in,
            f"{MEMBERS}/{member.id}/lost",
            {"new_card_no": "jy10"},
            follow_redirects=True,
        )
        assert moved.status_code == 200 and "JY10" in moved.text and "¥500.00" in moved.text
        taken = await form_post(signed_in, f"{MEMBERS}/{member.id}/lost", {"new_card_no": "JY11"})
        assert taken.status_code == 409


async def _tenant(db, tid):  # type: ignore[no-untyped-def]
    from tenants.models import Tenant

    return await db.get(Tenant, tid)
