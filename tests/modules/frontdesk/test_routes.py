"""The front desk and housekeeping pages over HTTP: what a clerk sees and clicks."""

from __future__ import annotations

import re

import pytest

from app.db.engine import TenantId
from modules.frontdesk import service
from modules.reservations import service as reservations
from tests.factories.frontdesk import arriving_today, make_stay
from tests.factories.tenants import make_staff
from tests.helpers import csrf, form_post, sign_in
from tests.modules.frontdesk.conftest import pdf_text

HTMX = {"HX-Request": "true"}


@pytest.fixture
async def clerk(db, owner):  # type: ignore[no-untyped-def]
    return await make_staff(db, tenant=owner.tenant, role="front_desk", display_name="张敏")


@pytest.fixture
async def signed_in(client, clerk):  # type: ignore[no-untyped-def]
    await sign_in(client, clerk)
    return client


async def htmx_post(client, path, data):  # type: ignore[no-untyped-def]
    token = await csrf(client)
    return await client.post(
        path, data={**data, "_csrf_token": token}, headers={**HTMX, "x-csrftoken": token}
    )


class TestDayPage:
    async def test_arrivals_are_listed_with_a_check_in_button(self, db, owner, signed_in):
        r = await arriving_today(db, tenant=owner.tenant)
        page = await signed_in.get("/console/frontdesk")
        assert page.status_code == 200
        assert "预抵" in page.text and "张伟" in page.text
        assert f"/console/frontdesk/arrivals/{r.id}" in page.text

    async def test_a_confirmation_code_leads_to_the_check_in_page(self, db, owner, signed_in):
        r = await arriving_today(db, tenant=owner.tenant)
        found = await signed_in.get(f"/console/frontdesk/find?code={r.code.lower()}")
        assert found.status_code == 303
        assert found.headers["location"] == f"/console/frontdesk/arrivals/{r.id}"
        missing = await signed_in.get("/console/frontdesk/find?code=NOPE")
        assert missing.headers["location"].endswith("error=not_found")

    async def test_roles_without_front_desk_work_are_refused(self, db, owner, client):
        agent = await make_staff(db, tenant=owner.tenant, role="agent")
        await sign_in(client, agent)
        assert (await client.get("/console/frontdesk")).status_code == 403
        assert (await client.get("/console/housekeeping")).status_code == 403


class TestCheckInPage:
    async def test_the_clerk_checks_in_to_the_suggested_room(self, db, owner, tid, signed_in):
        r = await arriving_today(db, tenant=owner.tenant)
        page = await signed_in.get(f"/console/frontdesk/arrivals/{r.id}")
        assert page.status_code == 200 and "推荐" in page.text
        unit_id = re.search(r'name="unit_id" value="([0-9a-f-]+)" checked', page.text).group(1)
        done = await form_post(
            signed_in, f"/console/frontdesk/arrivals/{r.id}", {"unit_id": unit_id}
        )
        assert done.status_code == 303
        stay = await service.stay_for_reservation(db, tid, r.id)
        assert done.headers["location"] == f"/console/frontdesk/stays/{stay.id}?notice=checked_in"
        stay_page = await signed_in.get(done.headers["location"])
        assert "入住成功" in stay_page.text and stay.unit_number in stay_page.text

    async def test_no_room_chosen_re_renders_with_the_error(self, db, owner, signed_in):
        r = await arriving_today(db, tenant=owner.tenant)
        page = await form_post(signed_in, f"/console/frontdesk/arrivals/{r.id}", {"unit_id": ""})
        assert page.status_code == 422
        assert "请选择房间" in page.text

    async def test_a_booking_waiting_for_payment_answers_409_with_the_reason(
        self, db, owner, tid, signed_in
    ):
        r = await arriving_today(db, tenant=owner.tenant, hold=True)
        unit = (await reservations.list_units(db, tid))[0]
        page = await form_post(
            signed_in, f"/console/frontdesk/arrivals/{r.id}", {"unit_id": str(unit.id)}
        )
        assert page.status_code == 409
        assert "尚未确认" in page.text


class TestStayPage:
    async def test_a_charge_posted_with_htmx_returns_the_new_bill(self, db, owner, signed_in):
        checked = await make_stay(db, tenant=owner.tenant)
        answer = await htmx_post(
            signed_in,
            f"/console/frontdesk/stays/{checked.stay.id}/charges",
            {"description": "迷你吧 可乐", "amount": "12.50", "source": "minibar"},
        )
        assert answer.status_code == 200
        assert answer.text.lstrip().startswith('<section class="card" id="folio">')
        assert "迷你吧 可乐" in answer.text and "¥12.50" in answer.text

    async def test_a_bad_amount_shows_the_error_in_the_charge_form(self, db, owner, signed_in):
        checked = await make_stay(db, tenant=owner.tenant)
        answer = await htmx_post(
            signed_in,
            f"/console/frontdesk/stays/{checked.stay.id}/charges",
            {"description": "迷你吧", "amount": "十二", "source": "minibar"},
        )
        assert answer.status_code == 422
        assert "请输入金额" in answer.text

    async def test_a_payment_without_htmx_redirects_back_to_the_stay(self, db, owner, signed_in):
        checked = await make_stay(db, tenant=owner.tenant)
        answer = await form_post(
            signed_in,
            f"/console/frontdesk/stays/{checked.stay.id}/payments",
            {"amount": "100", "method": "cash"},
        )
        assert answer.status_code == 303
        page = await signed_in.get(answer.headers["location"])
        assert "前台收款（现金）" in page.text

    async def test_only_managers_correct_a_bill(self, db, owner, signed_in):
        checked = await make_stay(db, tenant=owner.tenant)
        answer = await htmx_post(
            signed_in,
            f"/console/frontdesk/stays/{checked.stay.id}/adjustments",
            {"description": "折扣", "amount": "-50"},
        )
        assert answer.status_code == 403

    async def test_a_manager_takes_money_off_the_bill(self, db, owner, client):
        manager = await make_staff(db, tenant=owner.tenant, role="manager")
        await sign_in(client, manager)
        checked = await make_stay(db, tenant=owner.tenant)
        answer = await htmx_post(
            client,
            f"/console/frontdesk/stays/{checked.stay.id}/adjustments",
            {"description": "会员折扣", "amount": "-50"},
        )
        assert answer.status_code == 200 and "-¥50.00" in answer.text

    async def test_the_guest_moves_to_another_room(self, db, owner, tid, signed_in):
        checked = await make_stay(db, tenant=owner.tenant)
        target = next(
            u
            for u in await reservations.list_units(db, tid)
            if u.unit_type_id == checked.stock.unit_type.id and u.id != checked.stay.unit_id
        )
        answer = await form_post(
            signed_in,
            f"/console/frontdesk/stays/{checked.stay.id}/move",
            {"unit_id": str(target.id), "reason": "噪音"},
        )
        assert answer.status_code == 303
        page = await signed_in.get(answer.headers["location"])
        assert f"{checked.stay.unit_number} → {target.number}" in page.text

    async def test_check_out_with_a_balance_needs_a_method(self, db, owner, tid, signed_in):
        checked = await make_stay(db, tenant=owner.tenant, nights=1)
        path = f"/console/frontdesk/stays/{checked.stay.id}/check-out"
        refused = await form_post(signed_in, path, {"method": ""})
        assert refused.status_code == 422
        assert "请选择客人支付余额" in refused.text
        assert (await service.get_stay(db, tid, checked.stay.id)).in_house
        done = await form_post(signed_in, path, {"method": "wechat"})
        assert done.status_code == 303
        assert (await service.get_stay(db, tid, checked.stay.id)).status == "checked_out"

    async def test_the_invoice_is_a_chinese_pdf_with_yuan_amounts(
        self, db, owner, signed_in, artifacts_dir
    ):
        checked = await make_stay(db, tenant=owner.tenant, nights=2)
        answer = await signed_in.get(f"/console/frontdesk/stays/{checked.stay.id}/invoice.pdf")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pdf"
        (artifacts_dir / "invoice.pdf").write_bytes(answer.content)
        text = pdf_text(answer.content)
        for expected in (
            "重庆解放碑江景酒店",
            "结账单",
            "张伟",
            checked.stay.unit_number,
            "在住期间账单",
        ):
            assert expected in text
        night = checked.reservation.night_prices[0]
        assert f"¥{night.price_fen // 100:,}.{night.price_fen % 100:02d}" in text
        assert re.search(r"应付余额\s+¥[\d,]+\.\d\d", text)


class TestHousekeepingBoard:
    async def test_the_board_shows_rooms_by_floor(self, db, owner, signed_in):
        checked = await make_stay(db, tenant=owner.tenant)
        page = await signed_in.get("/console/housekeeping")
        assert page.status_code == 200
        assert f'data-number="{checked.stay.unit_number}"' in page.text
        assert "在住" in page.text

    async def test_a_tap_marks_the_room_and_returns_its_tile(self, db, owner, tid, signed_in):
        checked = await make_stay(db, tenant=owner.tenant)
        unit_id = checked.stay.unit_id
        answer = await htmx_post(
            signed_in, f"/console/housekeeping/units/{unit_id}/status", {"status": "dirty"}
        )
        assert answer.status_code == 200
        assert f'id="unit-{unit_id}"' in answer.text and 'data-status="dirty"' in answer.text
        assert "清洁完成" in answer.text
        units = {u.id: u for u in await reservations.list_units(db, tid)}
        assert units[unit_id].status == "dirty"

    async def test_a_bad_status_keeps_the_tile_with_an_error(self, db, owner, signed_in):
        checked = await make_stay(db, tenant=owner.tenant)
        answer = await htmx_post(
            signed_in,
            f"/console/housekeeping/units/{checked.stay.unit_id}/status",
            {"status": "sparkling"},
        )
        assert answer.status_code == 422 and "请选择房态" in answer.text

    async def test_the_filter_shows_only_rooms_to_clean(self, db, owner, tid, signed_in):
        checked = await make_stay(db, tenant=owner.tenant)
        await reservations.set_unit_status(db, TenantId(tid), checked.stay.unit_id, "dirty")
        page = await signed_in.get("/console/housekeeping?status=dirty")
        assert page.text.count('class="hk-tile') == 1
