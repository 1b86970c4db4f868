"""The guest's cruise booking pages in Chinese: sailings, grades, passengers, hold and the
pay step, the confirmation page and its PDF; the booking API with its Idempotency-Key; the
console's booking for a purser."""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from app.db.engine import TenantId
from modules.boarding import service
from modules.reservations import service as reservations
from tests.factories.boarding_booking import make_voyage_on_sale, resident_id
from tests.factories.tenants import make_tenant
from tests.helpers import form_post
from tests.modules.frontdesk.conftest import pdf_text

LEAD = resident_id(date(1980, 3, 7), seq="123")
SECOND = resident_id(date(1982, 5, 9), seq="124")


@pytest.fixture
async def line(db):  # type: ignore[no-untyped-def]
    return await make_tenant(db, kinds=("cruise",), name="长江世纪游轮")


@pytest.fixture
async def sale(db, line):  # type: ignore[no-untyped-def]
    return await make_voyage_on_sale(db, tenant=line.tenant, grades=2, deposit_bp=3000)


def cabin_form(**overrides: str) -> dict[str, str]:
    return {
        "count": "2",
        "p0_name": "张伟",
        "p0_id_type": "resident_id",
        "p0_id_number": LEAD,
        "p0_phone": "138 0013 8000",
        "p1_name": "李娜",
        "p1_id_type": "resident_id",
        "p1_id_number": SECOND,
        "email": "",
        "notes": "",
        "pay": "online",
        **overrides,
    }


def _book_url(line, sale) -> str:  # type: ignore[no-untyped-def]
    return f"/book/{line.tenant.slug}/cruise/{sale.voyage.id}/{sale.grade.id}"


class TestPublicFlow:
    async def test_the_hotel_booking_page_of_a_cruise_line_sends_guests_to_the_sailings(
        self, client, line, sale
    ):
        answer = await client.get(f"/book/{line.tenant.slug}/", follow_redirects=False)
        assert answer.status_code in (302, 303)
        assert answer.headers["location"].endswith(f"/book/{line.tenant.slug}/cruise/")

    async def test_sailings_grades_and_passenger_pages_speak_of_a_ship(self, client, line, sale):
        base = f"/book/{line.tenant.slug}/cruise"
        sailings = await client.get(f"{base}/")
        assert sailings.status_code == 200
        for expected in ("航次", "朝天门", "登船", "标准阳台房", "起"):
            assert expected in sailings.text
        for hotel_word in ("到店", "离店", "酒店"):
            assert hotel_word not in sailings.text
        grades = await client.get(f"{base}/{sale.voyage.id}")
        assert grades.status_code == 200 and "行政套房" in grades.text and "舱" in grades.text
        form = await client.get(_book_url(line, sale), params={"count": "2"})
        assert form.status_code == 200
        assert 'name="p1_id_number"' in form.text and "乘客" in form.text
        assert "码头" in form.text
        for hotel_word in ("到店", "离店", "酒店"):
            assert hotel_word not in form.text

    async def test_booking_holds_the_cabin_and_goes_to_the_pay_step(self, db, client, line, sale):
        answer = await form_post(
            client, _book_url(line, sale), cabin_form(), follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
        location = urlsplit(answer.headers["location"])
        assert location.path.startswith(f"/book/{line.tenant.slug}/pay/")
        rid = uuid.UUID(location.path.rsplit("/", 1)[1])
        code = parse_qs(location.query)["code"][0]
        tid = TenantId(line.tenant.id)
        r = await reservations.get_reservation(db, tid, rid)
        assert r.status == "held" and r.code == code
        people = await service.passengers_of_reservation(db, tid, rid)
        assert [p.name for p in people] == ["张伟", "李娜"]

    async def test_a_wrong_resident_id_answers_422_with_the_field_message(
        self, db, client, line, sale
    ):
        bad = SECOND[:-1] + ("0" if SECOND[-1] != "0" else "1")
        answer = await form_post(client, _book_url(line, sale), cabin_form(p1_id_number=bad))
        assert answer.status_code == 422
        assert "校验码" in answer.text or "校验位" in answer.text
        assert 'aria-invalid="true"' in answer.text
        held = await reservations.search_reservations(db, TenantId(line.tenant.id), term="张伟")
        assert held == []

    async def test_too_many_passengers_and_a_teen_lead_are_refused(self, client, line, sale):
        teen = resident_id(date(2014, 1, 1), seq="153")
        answer = await form_post(client, _book_url(line, sale), cabin_form(p0_id_number=teen))
        assert answer.status_code == 422 and "18" in answer.text
        three = cabin_form(count="3", p2_name="王五", p2_id_number=resident_id(date(1990, 1, 1)))
        answer = await form_post(client, _book_url(line, sale), three)
        assert answer.status_code == 422

    async def test_the_confirmation_shows_ship_voyage_port_window_passengers_and_checkin(
        self, db, client, line, sale
    ):
        tid = TenantId(line.tenant.id)
        b = await service.book_cabin(
            db,
            tid,
            voyage_id=sale.voyage.id,
            unit_type_id=sale.grade.id,
            passengers=[
                service.PassengerInput(name="张伟", id_number=LEAD, phone="13800138000"),
                service.PassengerInput(name="李娜", id_number=SECOND),
            ],
            source="booking_page",
        )
        r = b.reservation
        url = f"/book/{line.tenant.slug}/cruise/bookings/{r.id}"
        assert "张伟" not in (await client.get(url)).text
        page = await client.get(url, params={"code": r.code})
        assert page.status_code == 200
        for expected in (b.sailing.number, "世纪神话", "朝天门", "朝天门码头", "18:00", "20:30"):
            assert expected in page.text
        assert "张伟" in page.text and "李娜" in page.text
        assert LEAD not in page.text and LEAD[-4:] in page.text
        assert "/checkin?token=" in page.text
        pdf = await client.get(f"{url}/confirmation.pdf", params={"code": r.code})
        assert pdf.headers["content-type"] == "application/pdf"
        text = pdf_text(pdf.content)
        for expected in (
            "世纪神话",
            b.sailing.number,
            "朝天门",
            "重庆市渝中区",
            "18:00",
            "20:30",
            "张伟",
            r.code,
        ):
            assert expected in text, expected
        assert LEAD not in text

    async def test_after_paying_the_hotel_confirmation_link_leads_to_the_cruise_one(
        self, db, client, line, sale
    ):
        tid = TenantId(line.tenant.id)
        b = await service.book_cabin(
            db,
            tid,
            voyage_id=sale.voyage.id,
            unit_type_id=sale.grade.id,
            passengers=[service.PassengerInput(name="张伟", id_number=LEAD, phone="13800138000")],
            source="booking_page",
        )
        r = b.reservation
        answer = await client.get(
            f"/book/{line.tenant.slug}/reservations/{r.id}",
            params={"code": r.code},
            follow_redirects=False,
        )
        assert answer.status_code in (302, 303)
        assert f"/cruise/bookings/{r.id}" in answer.headers["location"]

    async def test_another_lines_voyage_is_not_found(self, db, client, line, sale):
        other = await make_tenant(db, kinds=("cruise",))
        url = f"/book/{other.tenant.slug}/cruise/{sale.voyage.id}"
        assert (await client.get(url)).status_code == 404
        assert (await client.get(f"{url}/{sale.grade.id}")).status_code == 404


class TestApi:
    @pytest.fixture
    async def headers(self, db, line):  # type: ignore[no-untyped-def]
        from tests.factories.registry import make_api_key

        _, token = await make_api_key(
            db, line.tenant, scopes={"reservations:read", "reservations:write"}
        )
        return {"authorization": f"Bearer {token}"}

    def body(self, sale, **extra):  # type: ignore[no-untyped-def]
        return {
            "unit_type_id": str(sale.grade.id),
            "passengers": [
                {"name": "张伟", "id_number": LEAD, "phone": "13800138000"},
                {"name": "李娜", "id_number": SECOND, "birth_date": "1982-05-09"},
            ],
            **extra,
        }

    async def test_booking_through_the_api_replays_for_the_same_key(
        self, db, client, headers, sale
    ):
        url = f"/api/v1/boarding/voyages/{sale.voyage.id}/bookings"
        first = await client.post(
            url, json=self.body(sale), headers={**headers, "Idempotency-Key": "cabin-1"}
        )
        assert first.status_code == 201, first.text
        data = first.json()
        assert data["boarding_port"] == "朝天门" and data["ship"] == "世纪神话"
        assert [p["name"] for p in data["passengers"]] == ["张伟", "李娜"]
        assert data["cabin_number"] and data["status"] == "confirmed"
        assert LEAD not in first.text
        again = await client.post(
            url, json=self.body(sale), headers={**headers, "Idempotency-Key": "cabin-1"}
        )
        assert again.status_code == 201 and again.json() == data
        other = await client.post(
            url,
            json=self.body(sale, notes="靠窗"),
            headers={**headers, "Idempotency-Key": "cabin-1"},
        )
        assert other.status_code == 409
        shown = await client.get(
            f"/api/v1/boarding/bookings/{data['reservation_id']}", headers=headers
        )
        assert shown.status_code == 200 and shown.json()["code"] == data["code"]
        tid = TenantId(sale.tenant_id)
        people = await service.passengers_of_reservation(db, tid, uuid.UUID(data["reservation_id"]))
        assert len(people) == 2

    async def test_field_errors_name_the_passenger(self, client, headers, sale):
        url = f"/api/v1/boarding/voyages/{sale.voyage.id}/bookings"
        body = self.body(sale)
        body["passengers"][1]["birth_date"] = "1982-05-10"
        answer = await client.post(url, json=body, headers={**headers, "Idempotency-Key": "x"})
        assert answer.status_code == 422
        fields = {e["field"] for e in answer.json()["errors"]}
        assert fields == {"passengers[1].birth_date"}
        missing = await client.post(url, json=self.body(sale), headers=headers)
        assert missing.status_code == 422

    async def test_another_tenants_voyage_is_not_found(self, db, client, sale):
        from tests.factories.registry import make_api_key

        other = await make_tenant(db, kinds=("cruise",))
        _, token = await make_api_key(db, other.tenant, scopes={"reservations:write"})
        answer = await client.post(
            f"/api/v1/boarding/voyages/{sale.voyage.id}/bookings",
            json=self.body(sale),
            headers={"authorization": f"Bearer {token}", "Idempotency-Key": "k"},
        )
        assert answer.status_code == 404

    async def test_a_key_without_the_write_scope_is_refused(self, db, client, line, sale):
        from tests.factories.registry import make_api_key

        _, token = await make_api_key(db, line.tenant, scopes={"reservations:read"})
        answer = await client.post(
            f"/api/v1/boarding/voyages/{sale.voyage.id}/bookings",
            json=self.body(sale),
            headers={"authorization": f"Bearer {token}", "Idempotency-Key": "k"},
        )
        assert answer.status_code == 403


class TestConsole:
    async def test_a_purser_books_a_cabin_and_sees_its_passengers(self, db, client, line, sale):
        from tests.helpers import sign_in

        await sign_in(client, line)
        url = f"/console/boarding/voyages/{sale.voyage.id}/book"
        page = await client.get(url, params={"count": "2"})
        assert page.status_code == 200 and "标准阳台房" in page.text
        bad = cabin_form(unit_type_id=str(sale.grade.id), rate_plan="rack", p1_id_number="123")
        refused = await form_post(client, url, bad)
        assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
        form = cabin_form(unit_type_id=str(sale.grade.id), rate_plan="rack")
        answer = await form_post(client, url, form, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        shown = await client.get(answer.headers["location"])
        assert shown.status_code == 200
        assert "张伟" in shown.text and "李娜" in shown.text and LEAD not in shown.text
        pdf = await client.get(answer.headers["location"] + "/confirmation.pdf")
        assert pdf.headers["content-type"] == "application/pdf"

    async def test_a_cashier_may_not_book_cabins(self, db, client, line, sale):
        from tests.factories.tenants import make_staff
        from tests.helpers import sign_in

        cashier = await make_staff(db, tenant=line.tenant, role="cashier")
        await sign_in(client, cashier)
        url = f"/console/boarding/voyages/{sale.voyage.id}/book"
        assert (await client.get(url)).status_code == 403
