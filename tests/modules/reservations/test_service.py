"""Booking through the service: availability, holds, confirmation, changes,
cancellation with fees, no-shows, check-in and out, payment state."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from modules.reservations import service
from modules.reservations.repository import SetupRepository
from tests.factories.reservations import (
    GUEST,
    RESIDENT_ID,
    make_rate_plan,
    make_reservation,
    make_stock,
    make_unit_type,
    make_voyage,
)
from tests.factories.tenants import make_tenant


@pytest.fixture
async def tenant(db):
    return (await make_tenant(db)).tenant


async def _sold(db, stock, day):
    rows = await SetupRepository(db, stock.tenant_id).calendar(day, day + timedelta(days=1))
    return next(r.sold for r in rows if r.unit_type_id == stock.unit_type.id)


class TestSearchAvailability:
    async def test_offers_priced_night_by_night_with_the_total(self, db, tenant):
        stock = await make_stock(db, tenant=tenant)
        await service.set_calendar(
            db,
            stock.tenant_id,
            unit_type_id=stock.unit_type.id,
            start=stock.start + timedelta(days=1),
            end=stock.start + timedelta(days=1),
            price_fen=78800,
        )
        offers = await service.search_availability(
            db,
            stock.tenant_id,
            arrival=stock.start,
            departure=stock.start + timedelta(days=2),
            adults=2,
            rate_plan_code=stock.plan.code,
        )
        [offer] = offers
        assert [n.price_fen for n in offer.nights] == [68800, 78800]
        assert offer.total_fen == 147600
        assert offer.available == 3
        assert offer.name == "高级大床房"

    async def test_member_plan_prices_below_rack(self, db, tenant):
        stock = await make_stock(db, tenant=tenant)
        member = await make_rate_plan(
            db, tenant=tenant, code="member", kind="member", discount_bp=1000
        )
        [offer] = await service.search_availability(
            db,
            stock.tenant_id,
            arrival=stock.start,
            departure=stock.start + timedelta(days=1),
            adults=1,
            rate_plan_code="member",
        )
        assert offer.total_fen == 61920
        assert offer.rate_plan_id == member.id

    async def test_a_party_too_big_for_the_type_gets_no_offer(self, db, tenant):
        stock = await make_stock(db, tenant=tenant)
        offers = await service.search_availability(
            db,
            stock.tenant_id,
            arrival=stock.start,
            departure=stock.start + timedelta(days=1),
            adults=3,
            rate_plan_code=stock.plan.code,
        )
        assert offers == []

    async def test_sold_out_and_closed_dates_are_not_offered(self, db, tenant):
        stock = await make_stock(db, tenant=tenant, units=1)
        await make_reservation(db, tenant=tenant, stock=stock, nights=1)
        offers = await service.search_availability(
            db,
            stock.tenant_id,
            arrival=stock.start,
            departure=stock.start + timedelta(days=2),
            adults=2,
            rate_plan_code=stock.plan.code,
        )
        assert offers == []

    async def test_cabins_are_offered_only_for_their_voyage_dates(self, db, tenant):
        voyage = await make_voyage(db, tenant=tenant)
        stock = await make_stock(
            db,
            tenant=tenant,
            start=voyage.depart_on,
            days=3,
            kind="cabin",
            voyage_id=voyage.id,
            name="豪华阳台房",
        )
        whole = await service.search_availability(
            db,
            stock.tenant_id,
            arrival=voyage.depart_on,
            departure=voyage.arrive_on,
            adults=2,
            rate_plan_code=stock.plan.code,
        )
        part = await service.search_availability(
            db,
            stock.tenant_id,
            arrival=voyage.depart_on,
            departure=voyage.depart_on + timedelta(days=1),
            adults=2,
            rate_plan_code=stock.plan.code,
        )
        assert [o.name for o in whole] == ["豪华阳台房"]
        assert part == []


class TestBook:
    async def test_booking_takes_a_unit_on_every_night(self, db, tenant):
        stock = await make_stock(db, tenant=tenant)
        r = await make_reservation(db, tenant=tenant, stock=stock, nights=2)
        assert r.status == "confirmed"
        assert r.code.startswith("ZL")
        assert r.total_fen == 2 * 68800
        assert await _sold(db, stock, stock.start) == 1
        assert await _sold(db, stock, stock.start + timedelta(days=1)) == 1
        assert await _sold(db, stock, stock.start + timedelta(days=2)) == 0

    async def test_the_last_unit_cannot_be_sold_twice(self, db, tenant):
        stock = await make_stock(db, tenant=tenant, units=1)
        await make_reservation(db, tenant=tenant, stock=stock, nights=1, offset=1)
        with pytest.raises(service.SoldOut):
            await make_reservation(db, tenant=tenant, stock=stock, nights=3)
        # nothing of the refused stay was kept
        assert await _sold(db, stock, stock.start) == 0
        assert await _sold(db, stock, stock.start + timedelta(days=1)) == 1

    async def test_resident_id_is_checked_by_its_check_digit(self, db, tenant):
        stock = await make_stock(db, tenant=tenant)
        bad = dataclasses.replace(GUEST, id_number="500103199003071234")
        with pytest.raises(Invalid) as exc:
            await make_reservation(db, tenant=tenant, stock=stock, guest=bad)
        assert [e["field"] for e in exc.value.errors or []] == ["id_number"]
        good = dataclasses.replace(GUEST, id_number=RESIDENT_ID)
        r = await make_reservation(db, tenant=tenant, stock=stock, guest=good)
        assert r.id_number_masked == "500103********1239"

    async def test_guest_needs_a_name_and_a_phone(self, db, tenant):
        stock = await make_stock(db, tenant=tenant)
        with pytest.raises(Invalid) as exc:
            await make_reservation(
                db, tenant=tenant, stock=stock, guest=service.GuestDetails(name=" ", phone="abc")
            )
        assert {e["field"] for e in exc.value.errors or []} == {"guest_name", "guest_phone"}

    async def test_closed_to_arrival_and_minimum_stay_are_enforced(self, db, tenant):
        stock = await make_stock(db, tenant=tenant)
        await service.set_calendar(
            db,
            stock.tenant_id,
            unit_type_id=stock.unit_type.id,
            start=stock.start,
            end=stock.start,
            closed_to_arrival=True,
        )
        with pytest.raises(service.NotBookable):
            await make_reservation(db, tenant=tenant, stock=stock)
        await service.set_calendar(
            db,
            stock.tenant_id,
            unit_type_id=stock.unit_type.id,
            start=stock.start + timedelta(days=1),
            end=stock.start + timedelta(days=1),
            min_stay=3,
        )
        with pytest.raises(service.NotBookable):
            await make_reservation(db, tenant=tenant, stock=stock, offset=1, nights=2)
        r = await make_reservation(db, tenant=tenant, stock=stock, offset=1, nights=3)
        assert r.nights == 3

    async def test_admission_tickets_sell_several_units_at_once(self, db, tenant):
        stock = await make_stock(
            db,
            tenant=tenant,
            units=0,
            kind="admission",
            capacity=1,
            name="温泉日票",
            base_price_fen=36800,
        )
        await service.set_calendar(
            db,
            stock.tenant_id,
            unit_type_id=stock.unit_type.id,
            start=stock.start,
            end=stock.start,
            total=200,
        )
        r = await make_reservation(db, tenant=tenant, stock=stock, nights=1, adults=3, quantity=3)
        assert r.total_fen == 3 * 36800
        assert await _sold(db, stock, stock.start) == 3

    async def test_a_cabin_is_sold_for_the_whole_voyage_only(self, db, tenant):
        voyage = await make_voyage(db, tenant=tenant)
        stock = await make_stock(
            db, tenant=tenant, start=voyage.depart_on, days=3, kind="cabin", voyage_id=voyage.id
        )
        with pytest.raises(Invalid):
            await make_reservation(db, tenant=tenant, stock=stock, nights=2)
        r = await make_reservation(db, tenant=tenant, stock=stock, nights=3)
        assert r.voyage_id == voyage.id


class TestHolds:
    async def test_a_hold_consumes_inventory_until_it_expires(self, db, tenant):
        stock = await make_stock(db, tenant=tenant, units=1)
        held = await make_reservation(db, tenant=tenant, stock=stock, hold=True, nights=1)
        assert held.status == "held"
        assert held.hold_expires_at is not None
        assert await _sold(db, stock, stock.start) == 1
        later = clock.now() + timedelta(minutes=21)
        assert await service.expire_holds(db, stock.tenant_id, now=later) == 1
        assert await _sold(db, stock, stock.start) == 0
        assert (await service.get_reservation(db, stock.tenant_id, held.id)).status == "expired"

    async def test_an_expired_hold_is_released_lazily_by_the_next_booking(self, db, tenant):
        stock = await make_stock(db, tenant=tenant, units=1)
        held = await make_reservation(
            db, tenant=tenant, stock=stock, hold=True, nights=1, hold_minutes=1
        )
        from modules.reservations.repository import BookingRepository

        await BookingRepository(db, stock.tenant_id).update(
            held.id, hold_expires_at=clock.now() - timedelta(seconds=1)
        )
        r = await make_reservation(db, tenant=tenant, stock=stock, nights=1)
        assert r.status == "confirmed"
        assert (await service.get_reservation(db, stock.tenant_id, held.id)).status == "expired"
        assert await _sold(db, stock, stock.start) == 1

    async def test_confirming_a_hold_keeps_its_units(self, db, tenant):
        stock = await make_stock(db, tenant=tenant, units=1)
        held = await make_reservation(db, tenant=tenant, stock=stock, hold=True, nights=1)
        confirmed = await service.confirm(db, stock.tenant_id, held.id)
        assert confirmed.status == "confirmed"
        later = clock.now() + timedelta(hours=1)
        assert await service.expire_holds(db, stock.tenant_id, now=later) == 0
        assert await _sold(db, stock, stock.start) == 1

    async def test_payment_covering_the_deposit_confirms_the_hold(self, db, tenant):
        plan = await make_rate_plan(db, tenant=tenant, deposit_kind="first_night")
        stock = await make_stock(db, tenant=tenant, plan=plan)
        held = await make_reservation(db, tenant=tenant, stock=stock, hold=True)
        assert held.deposit_fen == 68800
        await service.set_payment_state(db, stock.tenant_id, held.id, "deposit_paid", 68800)
        again = await service.get_reservation(db, stock.tenant_id, held.id)
        assert (again.status, again.payment_state, again.paid_fen) == (
            "confirmed",
            "deposit_paid",
            68800,
        )
        # a replayed webhook sets the same values again
        await service.set_payment_state(db, stock.tenant_id, held.id, "deposit_paid", 68800)
        assert (await service.get_reservation(db, stock.tenant_id, held.id)).paid_fen == 68800

    async def test_payment_after_expiry_rebooks_while_dates_are_free(self, db, tenant):
        stock = await make_stock(db, tenant=tenant, units=1)
        held = await make_reservation(db, tenant=tenant, stock=stock, hold=True, nights=1)
        await service.expire_holds(db, stock.tenant_id, now=clock.now() + timedelta(hours=1))
        await service.set_payment_state(db, stock.tenant_id, held.id, "paid", held.total_fen)
        assert (await service.get_reservation(db, stock.tenant_id, held.id)).status == ("confirmed")
        assert await _sold(db, stock, stock.start) == 1


class TestModify:
    async def test_new_dates_release_old_nights_and_take_new_ones(self, db, tenant):
        stock = await make_stock(db, tenant=tenant, units=1)
        r = await make_reservation(db, tenant=tenant, stock=stock, nights=2)
        changed = await service.modify(
            db,
            stock.tenant_id,
            r.id,
            arrival=stock.start + timedelta(days=1),
            departure=stock.start + timedelta(days=4),
        )
        assert changed.nights == 3
        assert changed.total_fen == 3 * 68800
        assert [await _sold(db, stock, stock.start + timedelta(days=i)) for i in range(5)] == [
            0,
            1,
            1,
            1,
            0,
        ]

    async def test_a_change_to_sold_out_dates_keeps_the_old_booking(self, db, tenant):
        stock = await make_stock(db, tenant=tenant, units=1)
        r = await make_reservation(db, tenant=tenant, stock=stock, nights=1)
        await make_reservation(db, tenant=tenant, stock=stock, nights=1, offset=2)
        with pytest.raises(service.SoldOut):
            await service.modify(
                db, stock.tenant_id, r.id, departure=stock.start + timedelta(days=3)
            )
        assert (await service.get_reservation(db, stock.tenant_id, r.id)).nights == 1
        assert await _sold(db, stock, stock.start) == 1

    async def test_changing_the_type_moves_the_inventory(self, db, tenant):
        stock = await make_stock(db, tenant=tenant)
        suite = await make_stock(
            db,
            tenant=tenant,
            plan=stock.plan,
            name="行政套房",
            base_price_fen=128800,
            start=stock.start,
        )
        r = await make_reservation(db, tenant=tenant, stock=stock, nights=1)
        changed = await service.modify(db, stock.tenant_id, r.id, unit_type_id=suite.unit_type.id)
        assert changed.unit_type_name == "行政套房"
        assert changed.total_fen == 128800
        assert await _sold(db, stock, stock.start) == 0
        assert await _sold(db, suite, stock.start) == 1


class TestCancel:
    async def test_early_cancellation_is_free_and_releases_the_nights(self, db, tenant):
        stock = await make_stock(db, tenant=tenant)
        r = await make_reservation(db, tenant=tenant, stock=stock)
        result = await service.cancel(db, stock.tenant_id, r.id, reason="行程变更")
        assert (result.fee_fen, result.refundable_fen) == (0, 0)
        assert result.reservation.status == "cancelled"
        assert await _sold(db, stock, stock.start) == 0

    async def test_late_cancellation_keeps_the_first_night_and_refunds_the_rest(self, db, tenant):
        stock = await make_stock(db, tenant=tenant)
        r = await make_reservation(db, tenant=tenant, stock=stock)
        await service.set_payment_state(db, stock.tenant_id, r.id, "paid", r.total_fen)
        late = datetime.combine(stock.start, datetime.min.time(), tzinfo=UTC)
        result = await service.cancel(db, stock.tenant_id, r.id, reason="", now=late)
        assert result.fee_fen == 68800
        assert result.refundable_fen == r.total_fen - 68800

    async def test_a_cancelled_booking_cannot_be_cancelled_again(self, db, tenant):
        r = await make_reservation(db, tenant=tenant)
        await service.cancel(db, tenant.id, r.id, reason="")
        with pytest.raises(service.WrongStatus):
            await service.cancel(db, tenant.id, r.id, reason="")


class TestFrontDesk:
    async def test_day_lists_show_arrivals_in_house_and_departures(self, db, tenant):
        stock = await make_stock(db, tenant=tenant)
        arriving = await make_reservation(db, tenant=tenant, stock=stock, nights=2)
        staying = await make_reservation(db, tenant=tenant, stock=stock, nights=2)
        [unit, *_] = await service.list_units(db, stock.tenant_id, unit_type_id=stock.unit_type.id)
        await service.mark_checked_in(db, stock.tenant_id, staying.id, unit.id)
        day = await service.list_day(db, stock.tenant_id, stock.start)
        assert {r.id for r in day.arrivals} == {arriving.id, staying.id}
        assert [r.unit_number for r in day.in_house] == [unit.number]
        leaving = await service.list_day(db, stock.tenant_id, stock.start + timedelta(days=2))
        assert [r.id for r in leaving.departures] == [staying.id]

    async def test_no_show_charges_the_first_night_and_frees_the_room(self, db, tenant):

        stock = await make_stock(db, tenant=tenant, start=clock.today())
        r = await make_reservation(db, tenant=tenant, stock=stock, nights=2)
        result = await service.mark_no_show(db, stock.tenant_id, r.id)
        assert result.status == "no_show"
        assert result.cancellation_fee_fen == 68800
        assert await _sold(db, stock, stock.start + timedelta(days=1)) == 0

    async def test_no_show_before_arrival_is_refused(self, db, tenant):
        r = await make_reservation(db, tenant=tenant)
        with pytest.raises(Conflict):
            await service.mark_no_show(db, tenant.id, r.id)

    async def test_early_check_out_gives_back_the_remaining_nights(self, db, tenant):

        stock = await make_stock(db, tenant=tenant, start=clock.today())
        r = await make_reservation(db, tenant=tenant, stock=stock, nights=3)
        [unit, *_] = await service.list_units(db, stock.tenant_id)
        await service.mark_checked_in(db, stock.tenant_id, r.id, unit.id)
        await service.mark_checked_out(db, stock.tenant_id, r.id)
        after = await service.get_reservation(db, stock.tenant_id, r.id)
        assert after.status == "checked_out"
        assert await _sold(db, stock, stock.start + timedelta(days=1)) == 0
        # Only the first night (the key was handed over) stays on the booking's total.
        assert (r.total_fen, after.total_fen) == (3 * 68800, 68800)

    async def test_unit_status_is_set_by_housekeeping(self, db, tenant):
        ut = await make_unit_type(db, tenant=tenant, units=1)
        [unit] = await service.list_units(db, tenant.id, unit_type_id=ut.id)
        assert unit.status == "clean"
        dirty = await service.set_unit_status(db, tenant.id, unit.id, "dirty")
        assert dirty.status == "dirty"
        with pytest.raises(Invalid):
            await service.set_unit_status(db, tenant.id, unit.id, "sparkling")


class TestIsolation:
    async def test_another_tenants_reservation_is_not_found(self, db, tenant):
        r = await make_reservation(db, tenant=tenant)
        other = (await make_tenant(db)).tenant
        with pytest.raises(NotFound):
            await service.get_reservation(db, TenantId(other.id), r.id)
        with pytest.raises(NotFound):
            await service.find_by_code(db, TenantId(other.id), r.code)
