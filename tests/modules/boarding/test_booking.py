"""Booking a cabin through the service: sailings on sale, the passengers of the cabin
checked (capacity, children, GB 11643), a cabin assigned, cancellation cancels them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app import clock
from app.errors import Conflict, Invalid, NotFound
from modules.boarding import service
from modules.boarding.service import PassengerInput
from modules.reservations import service as reservations
from tests.factories.boarding import first_call
from tests.factories.boarding_booking import couple, make_voyage_on_sale, person, resident_id
from tests.factories.tenants import make_tenant


@pytest.fixture
async def tenant(db):
    return (await make_tenant(db, kinds=("cruise",))).tenant


def _fields(exc: Invalid) -> dict[str, str]:
    return {e["field"]: e["message"] for e in exc.errors or []}


async def _book(db, sale, passengers, **kw):
    kw.setdefault("source", "front_desk")
    return await service.book_cabin(
        db,
        sale.tenant_id,
        voyage_id=sale.voyage.id,
        unit_type_id=kw.pop("unit_type_id", sale.grade.id),
        passengers=passengers,
        **kw,
    )


class TestSailings:
    async def test_sailings_on_sale_show_route_boarding_port_and_price_per_grade(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant, grades=2, price_fen=100000)
        [offers] = await service.sailings_on_sale(db, sale.tenant_id)
        s = offers.sailing
        assert s.id == sale.voyage.id
        assert s.route == "朝天门 → 宜昌"
        assert s.boarding.port_name == "朝天门"
        assert "朝天门码头" in s.boarding.pier
        assert s.nights == 3
        assert [g.total_fen for g in offers.grades] == [300000, 600000]
        assert offers.from_fen == 300000
        assert "入住" not in offers.grades[0].cancellation_policy  # a ship's words, not a hotel's

    async def test_a_voyage_whose_boarding_closed_is_not_on_sale(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant, days_ahead=0)
        closes = sale.voyage.boarding_closes_at
        with clock_at(closes + timedelta(minutes=1)):
            assert await service.sailings_on_sale(db, sale.tenant_id) == []
            with pytest.raises(Conflict):
                await _book(db, sale, couple())

    async def test_another_tenants_voyage_is_not_found(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        other = (await make_tenant(db, kinds=("cruise",))).tenant
        from app.db.engine import TenantId, bind_tenant

        await bind_tenant(db, other.id)
        with pytest.raises(NotFound):
            await service.get_sailing(db, TenantId(other.id), sale.voyage.id)


def clock_at(moment):  # type: ignore[no-untyped-def]
    import time_machine

    return time_machine.travel(moment, tick=False)


class TestBookCabin:
    async def test_booking_creates_the_reservation_and_one_passenger_each_in_one_cabin(
        self, db, tenant
    ):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        b = await _book(db, sale, couple())
        r = b.reservation
        assert (r.arrival, r.departure) == (sale.depart_on, sale.arrive_on)
        assert r.status == "confirmed" and r.adults == 2 and r.children == 0
        assert r.guest_name == "张伟"
        call = await first_call(db, sale.voyage)
        people = await service.passengers_of_reservation(db, sale.tenant_id, r.id)
        assert [p.name for p in people] == ["张伟", "李娜"]
        assert {p.cabin_number for p in people} == {b.cabin_number} and b.cabin_number
        assert all(p.boarding_call_id == call.id for p in people)
        assert [p.is_lead for p in people] == [True, False]
        assert [p.sex for p in people] == ["M", "F"]
        assert people[0].birth_date == date(1980, 3, 7)
        assert "*" in people[0].id_number_masked

    async def test_a_hold_waits_for_payment(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant, deposit_bp=3000)
        b = await _book(db, sale, couple(), source="booking_page", hold_minutes=20)
        assert b.reservation.status == "held"
        assert b.reservation.deposit_fen == b.reservation.total_fen * 3 // 10

    async def test_pay_at_the_pier_confirms_when_no_deposit_is_asked(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        b = await _book(
            db, sale, couple(), source="booking_page", hold_minutes=20, pay_at_pier=True
        )
        assert b.reservation.status == "confirmed"

    async def test_each_booking_gets_its_own_cabin_until_the_grade_is_sold_out(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant, cabins=2)
        first = await _book(db, sale, couple())
        second = await _book(
            db, sale, [person("王强", date(1975, 1, 2), seq="135", phone="13900139000")]
        )
        assert first.cabin_number != second.cabin_number
        with pytest.raises(Conflict):
            await _book(
                db, sale, [person("赵敏", date(1970, 1, 2), seq="246", phone="13700137000")]
            )


class TestPassengers:
    async def test_more_passengers_than_berths_is_refused(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant, capacity=2)
        three = [*couple(), person("张小明", date(2018, 6, 1), seq="153")]
        with pytest.raises(Invalid) as refused:
            await _book(db, sale, three)
        assert "passengers" in _fields(refused.value)

    async def test_a_child_is_flagged_by_age_on_the_sailing_date(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant, capacity=3)
        child_born = sale.depart_on.replace(year=sale.depart_on.year - 7)
        almost_twelve = sale.depart_on.replace(year=sale.depart_on.year - 12) + timedelta(days=1)
        people = [
            *couple(),
            person("张小明", child_born, seq="153"),
        ]
        b = await _book(db, sale, people)
        assert [p.is_child for p in b.passengers] == [False, False, True]
        assert (b.reservation.adults, b.reservation.children) == (2, 1)
        sale2 = await make_voyage_on_sale(db, tenant=tenant, capacity=2)
        b2 = await _book(
            db,
            sale2,
            [couple()[0], person("张小红", almost_twelve, seq="164")],
        )
        assert [p.is_child for p in b2.passengers] == [False, True]

    async def test_the_lead_passenger_must_be_an_adult(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        teen = sale.depart_on.replace(year=sale.depart_on.year - 16)
        with pytest.raises(Invalid) as refused:
            await _book(db, sale, [person("张小明", teen, seq="153", phone="13800138000")])
        assert "passengers[0].birth_date" in _fields(refused.value)

    async def test_a_wrong_check_digit_is_refused_with_a_field_message(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        good = resident_id(date(1982, 5, 9), seq="124")
        bad = good[:-1] + ("0" if good[-1] != "0" else "1")
        people = [couple()[0], PassengerInput(name="李娜", id_number=bad)]
        with pytest.raises(Invalid) as refused:
            await _book(db, sale, people)
        assert _fields(refused.value) == {
            "passengers[1].id_number": "The check digit does not match; please check the number."
        }

    async def test_date_of_birth_and_sex_must_agree_with_the_resident_id(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        lead = couple()[0]
        people = [
            PassengerInput(
                name=lead.name,
                id_number=lead.id_number,
                phone=lead.phone,
                birth_date=date(1980, 3, 8),
                sex="F",
            )
        ]
        with pytest.raises(Invalid) as refused:
            await _book(db, sale, people)
        assert set(_fields(refused.value)) == {"passengers[0].birth_date", "passengers[0].sex"}

    async def test_a_passport_needs_birth_date_sex_and_nationality(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        people = [
            couple()[0],
            PassengerInput(name="John Smith", id_type="passport", id_number="E1234567"),
        ]
        with pytest.raises(Invalid) as refused:
            await _book(db, sale, people)
        assert set(_fields(refused.value)) == {
            "passengers[1].birth_date",
            "passengers[1].sex",
            "passengers[1].nationality",
        }
        ok = PassengerInput(
            name="John Smith",
            id_type="passport",
            id_number="e1234567",
            birth_date=date(1979, 2, 3),
            sex="m",
            nationality="usa",
        )
        b = await _book(db, sale, [couple()[0], ok])
        assert (b.passengers[1].nationality, b.passengers[1].sex) == ("USA", "M")

    async def test_the_lead_needs_a_mobile_phone(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        people = [person("张伟", date(1980, 3, 7)), couple()[1]]
        with pytest.raises(Invalid) as refused:
            await _book(db, sale, people)
        assert set(_fields(refused.value)) == {"passengers[0].phone"}

    async def test_one_person_sails_once_per_voyage(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        await _book(db, sale, couple())
        again = [person("王强", date(1975, 1, 2), seq="135", phone="13900139000"), couple()[1]]
        with pytest.raises(Invalid) as refused:
            await _book(db, sale, again)
        assert set(_fields(refused.value)) == {"passengers[1].id_number"}

    async def test_the_same_id_twice_in_one_cabin_is_refused(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        with pytest.raises(Invalid) as refused:
            await _book(db, sale, [couple()[0], couple()[0]])
        assert set(_fields(refused.value)) == {"passengers[1].id_number"}

    async def test_a_grade_of_another_voyage_is_refused(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        other = await make_voyage_on_sale(db, tenant=tenant, days_ahead=50)
        with pytest.raises(Invalid) as refused:
            await _book(db, sale, couple(), unit_type_id=other.grade.id)
        assert set(_fields(refused.value)) == {"unit_type_id"}


class TestCancellation:
    async def test_a_cancelled_reservation_cancels_its_passengers_and_frees_the_cabin(
        self, db, tenant
    ):
        sale = await make_voyage_on_sale(db, tenant=tenant, cabins=1)
        b = await _book(db, sale, couple())
        await reservations.cancel_and_refund(db, sale.tenant_id, b.reservation.id, reason="改期")
        people = await service.passengers_of_reservation(db, sale.tenant_id, b.reservation.id)
        assert [p.status for p in people] == ["cancelled", "cancelled"]
        again = await _book(db, sale, couple())
        assert again.cabin_number == b.cabin_number

    async def test_a_cancelled_cabins_passes_stop_working(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant)
        b = await _book(db, sale, couple())
        issued = await service.issue_passes(
            db, sale.tenant_id, [p.id for p in b.passengers], reason="test"
        )
        await reservations.cancel_and_refund(db, sale.tenant_id, b.reservation.id, reason="改期")
        for p in issued:
            check = await service.verify_code(db, sale.tenant_id, p.code, at=clock.now())
            assert check.reason == "revoked"

    async def test_a_lapsed_hold_frees_its_cabin_and_ids_for_the_next_booking(self, db, tenant):
        sale = await make_voyage_on_sale(db, tenant=tenant, cabins=1)
        held = await _book(db, sale, couple(), source="booking_page", hold_minutes=20)
        await reservations.expire_holds(db, sale.tenant_id, clock.now() + timedelta(minutes=30))
        again = await _book(db, sale, couple())
        assert again.cabin_number == held.cabin_number
        old = await service.passengers_of_reservation(db, sale.tenant_id, held.reservation.id)
        assert {p.status for p in old} == {"cancelled"}
