"""The guest booking page: search, details with the resident ID checked, hold, then the
payments module's pay step; the confirmation page and PDF only with the booking code."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from app.errors import Invalid
from modules.frontdesk import domain, service
from modules.frontdesk.schemas import GuestForm
from modules.reservations import service as reservations
from tests.factories.frontdesk import hotel_today
from tests.factories.reservations import RESIDENT_ID, make_rate_plan, make_reservation, make_stock
from tests.factories.tenants import make_tenant
from tests.helpers import form_post
from tests.modules.frontdesk.conftest import pdf_text


@pytest.fixture
async def stock(db, owner):  # type: ignore[no-untyped-def]
    plan = await make_rate_plan(db, tenant=owner.tenant, code="rack", deposit_kind="first_night")
    return await make_stock(db, tenant=owner.tenant, start=hotel_today(), plan=plan)


def query(stock, nights: int = 2) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "arrival": stock.start.isoformat(),
        "departure": (stock.start + timedelta(days=nights)).isoformat(),
        "adults": "2",
        "children": "0",
    }


def guest_form(stock, **overrides: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        **query(stock),
        "unit_type_id": str(stock.unit_type.id),
        "rate_plan_id": str(stock.plan.id),
        "name": "刘洋",
        "phone": "138 0013 8000",
        "id_type": "resident_id",
        "id_number": RESIDENT_ID,
        "email": "",
        "notes": "",
        **overrides,
    }


async def held_count(db) -> int:  # type: ignore[no-untyped-def]
    return int(await db.scalar(text("SELECT count(*) FROM reservations WHERE status = 'held'")))


class TestParseQuery:
    def test_dates_in_the_past_and_backwards_stays_are_refused(self):
        today = hotel_today()
        with pytest.raises(Invalid) as caught:
            service.parse_query(
                (today - timedelta(days=1)).isoformat(), today.isoformat(), "0", "x", today=today
            )
        assert {e["field"] for e in caught.value.errors} == {"arrival", "adults", "children"}
        with pytest.raises(Invalid):
            service.parse_query(today.isoformat(), today.isoformat(), "2", "0", today=today)
        with pytest.raises(Invalid):
            far = (today + timedelta(days=31)).isoformat()
            service.parse_query(today.isoformat(), far, "2", "0", today=today)

    def test_a_good_query_counts_its_nights(self):
        today = hotel_today()
        q = service.parse_query(
            today.isoformat(), (today + timedelta(days=3)).isoformat(), "2", "1", today=today
        )
        assert (q.nights, q.adults, q.children) == (3, 2, 1)


class TestGuestDetails:
    def test_a_resident_id_with_a_wrong_check_digit_is_refused(self):
        form = GuestForm(name="刘洋", phone="13800138000", id_number=RESIDENT_ID[:-1] + "0")
        with pytest.raises(Invalid) as caught:
            service.guest_details(form)
        assert caught.value.errors[0]["field"] == "id_number"

    def test_phone_and_name_are_checked(self):
        with pytest.raises(Invalid) as caught:
            service.guest_details(GuestForm(name="刘", phone="12345", id_number=RESIDENT_ID))
        assert {e["field"] for e in caught.value.errors} == {"name", "phone"}

    def test_a_passport_needs_a_plausible_number(self):
        ok = service.guest_details(
            GuestForm(
                name="John Smith",
                phone="+8613800138000",
                id_type="passport",
                id_number="e12345678",
                preferences=["river_view", "bogus"],
            )
        )
        assert (ok.id_number, ok.phone, ok.preferences) == (
            "E12345678",
            "13800138000",
            ("river_view",),
        )


class TestSearchPage:
    async def test_the_first_visit_offers_tonight_for_two(self, owner, client):
        page = await client.get(f"/book/{owner.tenant.slug}/")
        assert page.status_code == 200
        assert "预订客房" in page.text and hotel_today().isoformat() in page.text

    async def test_available_types_are_listed_with_the_total(self, stock, owner, client):
        page = await client.get(f"/book/{owner.tenant.slug}/", params=query(stock))
        assert page.status_code == 200
        assert stock.unit_type.name in page.text
        assert page.text.count('class="card bk-offer"') == 1
        assert "预订此房型" in page.text and "预订需支付" in page.text

    async def test_without_a_public_rate_nothing_is_offered(self, db, owner, client):
        stock = await make_stock(db, tenant=owner.tenant, start=hotel_today())
        page = await client.get(f"/book/{owner.tenant.slug}/", params=query(stock))
        assert page.status_code == 200 and "暂无可订房型" in page.text

    async def test_bad_dates_answer_422_with_the_field_error(self, owner, client):
        page = await client.get(
            f"/book/{owner.tenant.slug}/", params={"arrival": "2020-01-01", "departure": "x"}
        )
        assert page.status_code == 422
        assert "入住日期不能早于今天" in page.text

    async def test_an_unknown_or_non_booking_enterprise_has_no_page(self, db, client):
        agency = await make_tenant(db, kinds=("agency",))
        assert (await client.get("/book/no-such-hotel/")).status_code == 404
        assert (await client.get(f"/book/{agency.tenant.slug}/")).status_code == 404


class TestHold:
    async def test_details_hold_the_room_and_lead_to_the_pay_step(self, db, stock, owner, client):
        answer = await form_post(client, f"/book/{owner.tenant.slug}/details", guest_form(stock))
        assert answer.status_code == 303, answer.text
        location = urlsplit(answer.headers["location"])
        assert location.path.startswith(f"/book/{owner.tenant.slug}/pay/")
        code = parse_qs(location.query)["code"][0]
        r = await reservations.find_by_code(db, stock.tenant_id, code)
        assert (r.status, r.source, r.guest_name, r.guest_phone) == (
            "held",
            "booking_page",
            "刘洋",
            "13800138000",
        )
        assert r.deposit_fen == r.night_prices[0].price_fen

    async def test_wishes_ticked_on_the_page_reach_the_booking(self, db, stock, owner, client):
        for ticked in ("river_view", ["river_view", "same_floor"]):
            form = {**guest_form(stock), "preferences": ticked}
            answer = await form_post(client, f"/book/{owner.tenant.slug}/details", form)
            assert answer.status_code == 303, answer.text
            code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
            r = await reservations.find_by_code(db, stock.tenant_id, code)
            assert list(r.preferences) == ([ticked] if isinstance(ticked, str) else ticked)

    async def test_a_bad_resident_id_re_renders_and_holds_nothing(self, db, stock, owner, client):
        before = await held_count(db)
        page = await form_post(
            client,
            f"/book/{owner.tenant.slug}/details",
            guest_form(stock, id_number="500103199003071230", preferences="river_view"),
        )
        assert page.status_code == 422
        assert "校验位" in page.text
        assert 'value="刘洋"' in page.text
        assert 'value="river_view" checked' in page.text
        assert await held_count(db) == before

    async def test_one_address_may_only_hold_so_many_rooms_an_hour(self, db, stock, owner, client):
        limit, _ = domain.HOLDS_PER_ADDRESS
        path = f"/book/{owner.tenant.slug}/details"
        bad = guest_form(stock, id_number="500103199003071230")  # refused, but counted
        for _ in range(limit):
            assert (await form_post(client, path, bad)).status_code == 422
        before = await held_count(db)
        page = await form_post(client, path, guest_form(stock))
        assert page.status_code == 429
        assert "请求过于频繁" in page.text or "稍后" in page.text
        assert await held_count(db) == before

    async def test_a_room_sold_out_meanwhile_answers_409(self, db, owner, client):
        plan = await make_rate_plan(
            db, tenant=owner.tenant, code="rack", deposit_kind="first_night"
        )
        stock = await make_stock(db, tenant=owner.tenant, start=hotel_today(), plan=plan, units=1)
        await make_reservation(db, tenant=owner.tenant, stock=stock)
        page = await form_post(client, f"/book/{owner.tenant.slug}/details", guest_form(stock))
        assert page.status_code == 409
        assert "已无空房" in page.text

    async def test_without_a_deposit_the_guest_may_pay_at_the_hotel(self, db, owner, client):
        plan = await make_rate_plan(db, tenant=owner.tenant, code="rack")
        stock = await make_stock(db, tenant=owner.tenant, start=hotel_today(), plan=plan)
        form = {**guest_form(stock), "pay": "hotel"}
        answer = await form_post(client, f"/book/{owner.tenant.slug}/details", form)
        assert answer.status_code == 303
        assert "/reservations/" in answer.headers["location"]
        page = await client.get(answer.headers["location"])
        assert "预订成功" in page.text

    async def test_without_a_deposit_the_guest_may_still_prepay_online(self, db, owner, client):
        plan = await make_rate_plan(db, tenant=owner.tenant, code="rack")
        stock = await make_stock(db, tenant=owner.tenant, start=hotel_today(), plan=plan)
        details = await client.get(
            f"/book/{owner.tenant.slug}/details",
            params={
                **query(stock),
                "unit_type_id": str(stock.unit_type.id),
                "rate_plan_id": str(stock.plan.id),
            },
        )
        assert "在线支付" in details.text and "到店支付" in details.text
        form = {**guest_form(stock), "pay": "online"}
        answer = await form_post(client, f"/book/{owner.tenant.slug}/details", form)
        assert "/pay/" in answer.headers["location"]


class TestConfirmation:
    async def test_the_confirmation_shows_the_booking_only_with_its_code(self, db, owner, client):
        r = await make_reservation(db, tenant=owner.tenant)
        base = f"/book/{owner.tenant.slug}/reservations/{r.id}"
        bare = await client.get(base)
        assert bare.status_code == 200 and r.guest_name not in bare.text
        wrong = await client.get(base, params={"code": "WRONG"})
        assert "不符" in wrong.text and r.guest_name not in wrong.text
        page = await client.get(base, params={"code": r.code})
        assert r.code in page.text and r.guest_name in page.text
        assert re.search(r'<img src="data:image/svg\+xml', page.text)

    async def test_a_held_booking_polls_until_paid(self, db, owner, tid, client):
        r = await make_reservation(db, tenant=owner.tenant, hold=True)
        base = f"/book/{owner.tenant.slug}/reservations/{r.id}"
        page = await client.get(base, params={"code": r.code})
        assert 'hx-trigger="every 2s"' in page.text
        status = await client.get(f"{base}/status", params={"code": r.code})
        assert status.status_code == 200 and "HX-Redirect" not in status.headers
        await reservations.confirm(db, tid, r.id)
        status = await client.get(f"{base}/status", params={"code": r.code})
        assert status.headers["HX-Redirect"].startswith(base)

    async def test_the_confirmation_pdf_is_in_chinese(self, db, owner, client, artifacts_dir):
        r = await make_reservation(db, tenant=owner.tenant)
        base = f"/book/{owner.tenant.slug}/reservations/{r.id}/confirmation.pdf"
        without = await client.get(base)
        assert without.status_code == 303
        answer = await client.get(base, params={"code": r.code})
        assert answer.headers["content-type"] == "application/pdf"
        (artifacts_dir / "booking-confirmation.pdf").write_bytes(answer.content)
        text = pdf_text(answer.content)
        for expected in ("预订确认单", r.code, "重庆解放碑江景酒店", r.unit_type_name, "预订成功"):
            assert expected in text
