"""The front desk's service: check-in with a suggested room, the folio, room moves,
check-out with settlement, the housekeeping board."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.errors import Conflict, Invalid, NotFound
from modules.frontdesk import service
from modules.payments import service as payments
from modules.reservations import service as reservations
from modules.reservations.service import GuestDetails
from tests.factories.frontdesk import TZ, arriving_today, hotel_today, make_stay
from tests.factories.reservations import RESIDENT_ID, make_reservation, make_stock

DESK = service.Actor()


def noon(day_offset: int) -> datetime:
    """Noon in Chongqing, `day_offset` days from today."""
    day = hotel_today() + timedelta(days=day_offset)
    return datetime.combine(day, time(12), ZoneInfo(TZ)).astimezone(UTC)


async def stock_today(db, owner, **kw):  # type: ignore[no-untyped-def]
    return await make_stock(db, tenant=owner.tenant, start=hotel_today(), **kw)


class TestCheckIn:
    async def test_guest_gets_a_ready_room_and_a_bill_of_the_booked_nights(self, db, owner, tid):
        r = await arriving_today(db, tenant=owner.tenant, nights=2)
        options = await service.check_in_options(db, tid, r.id, tz=TZ)
        room = options.suggestions[0].unit
        stay = await service.check_in(db, tid, r.id, unit_id=room.id, actor=DESK, tz=TZ)
        assert (stay.status, stay.unit_number, stay.guest_name) == ("in_house", room.number, "张伟")
        after = await reservations.get_reservation(db, tid, r.id)
        assert (after.status, after.unit_id) == ("checked_in", room.id)
        folio = await service.folio(db, tid, stay.id)
        assert [line.service_date for line in folio.lines] == [n.day for n in r.night_prices]
        assert folio.balance_fen == r.total_fen

    async def test_a_dirty_room_is_refused(self, db, owner, tid):
        r = await arriving_today(db, tenant=owner.tenant)
        unit = (await service.check_in_options(db, tid, r.id, tz=TZ)).suggestions[0].unit
        await reservations.set_unit_status(db, tid, unit.id, "dirty")
        with pytest.raises(Invalid) as caught:
            await service.check_in(db, tid, r.id, unit_id=unit.id, actor=DESK, tz=TZ)
        assert caught.value.errors[0]["field"] == "unit_id"

    async def test_a_room_someone_sleeps_in_is_neither_suggested_nor_given(self, db, owner, tid):
        first = await make_stay(db, tenant=owner.tenant)
        r = await arriving_today(db, tenant=owner.tenant, stock=first.stock)
        options = await service.check_in_options(db, tid, r.id, tz=TZ)
        assert first.stay.unit_id not in {s.unit.id for s in options.suggestions}
        with pytest.raises(Invalid, match="Some fields"):
            await service.check_in(db, tid, r.id, unit_id=first.stay.unit_id, actor=DESK, tz=TZ)

    async def test_a_booking_still_waiting_for_its_payment_is_refused(self, db, owner, tid):
        r = await arriving_today(db, tenant=owner.tenant, hold=True)
        unit = (await service.check_in_options(db, tid, r.id, tz=TZ)).suggestions[0].unit
        with pytest.raises(Conflict, match="not confirmed yet"):
            await service.check_in(db, tid, r.id, unit_id=unit.id, actor=DESK, tz=TZ)

    async def test_a_guest_arriving_tomorrow_is_refused_today(self, db, owner, tid):
        stock = await stock_today(db, owner)
        r = await make_reservation(db, tenant=owner.tenant, stock=stock, offset=1)
        unit = (await reservations.list_units(db, tid, unit_type_id=stock.unit_type.id))[0]
        with pytest.raises(Conflict):
            await service.check_in(db, tid, r.id, unit_id=unit.id, actor=DESK, tz=TZ)

    async def test_a_guest_is_checked_in_once(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        other = next(
            u
            for u in await reservations.list_units(db, tid)
            if u.unit_type_id == checked.stock.unit_type.id and u.id != checked.stay.unit_id
        )
        with pytest.raises(Conflict, match="already checked in"):
            await service.check_in(
                db, tid, checked.reservation.id, unit_id=other.id, actor=DESK, tz=TZ
            )

    async def test_check_in_is_audited(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        action = await db.scalar(
            text("SELECT action FROM audit_events WHERE subject_id = :s"),
            {"s": str(checked.reservation.id)},
        )
        assert action == "frontdesk.check_in"


class TestRoomSuggestion:
    async def test_a_party_asking_for_one_floor_is_put_beside_its_first_room(self, db, owner, tid):
        stock = await stock_today(db, owner, units=0)
        for number in ("801", "802", "1501", "1502"):
            await reservations.create_unit(db, tid, unit_type_id=stock.unit_type.id, number=number)
        await reservations.set_calendar(
            db,
            tid,
            unit_type_id=stock.unit_type.id,
            start=stock.start,
            end=stock.start + timedelta(days=stock.days - 1),
            total=4,
        )
        await reservations.set_unit_status(
            db, tid, (await reservations.list_units(db, tid))[0].id, "inspected"
        )
        guest = GuestDetails(name="李娜", phone="13911112222", preferences=("same_floor",))
        first = await make_reservation(db, tenant=owner.tenant, stock=stock, guest=guest)
        second = await make_reservation(db, tenant=owner.tenant, stock=stock, guest=guest)
        units = {u.number: u for u in await reservations.list_units(db, tid)}
        await service.check_in(db, tid, first.id, unit_id=units["1501"].id, actor=DESK, tz=TZ)
        options = await service.check_in_options(db, tid, second.id, tz=TZ)
        assert options.suggestions[0].unit.number == "1502"
        assert [p.id for p in options.party] == [first.id]


class TestFolio:
    async def test_a_charge_is_added_to_what_the_guest_owes(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        line = await service.post_charge(
            db,
            tid,
            stay_id=checked.stay.id,
            description="迷你吧 啤酒两瓶",
            amount_fen=3000,
            source="minibar",
        )
        folio = await service.folio(db, tid, checked.stay.id)
        assert folio.lines[-1].id == line.id
        assert folio.balance_fen == checked.reservation.total_fen + 3000

    async def test_no_charge_lands_on_a_closed_bill(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        await service.check_out(
            db, tid, checked.stay.id, method="cash", actor=DESK, tz=TZ, now=noon(2)
        )
        with pytest.raises(Conflict, match="closed"):
            await service.post_charge(
                db,
                tid,
                stay_id=checked.stay.id,
                description="洗衣",
                amount_fen=2000,
                source="laundry",
            )

    async def test_a_desk_payment_is_recorded_by_payments_and_on_the_bill(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        await service.take_payment(
            db, tid, checked.stay.id, amount_fen=20000, method="wechat", actor=DESK
        )
        folio = await service.folio(db, tid, checked.stay.id)
        assert folio.lines[-1].amount_fen == -20000
        assert folio.balance_fen == checked.reservation.total_fen - 20000
        paid = await payments.payments_for(db, tid, "reservation", checked.reservation.id)
        assert [(p.method, p.amount_fen) for p in paid] == [("wechat", 20000)]
        assert (
            await reservations.get_reservation(db, tid, checked.reservation.id)
        ).paid_fen == 20000

    async def test_an_unknown_payment_method_is_refused(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        with pytest.raises(Invalid):
            await service.take_payment(
                db, tid, checked.stay.id, amount_fen=100, method="bitcoin", actor=DESK
            )

    async def test_a_correction_is_a_new_audited_line(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        await service.post_adjustment(
            db, tid, checked.stay.id, description="会员折扣", amount_fen=-5000, actor=DESK
        )
        folio = await service.folio(db, tid, checked.stay.id)
        assert folio.balance_fen == checked.reservation.total_fen - 5000
        assert (
            await db.scalar(
                text("SELECT count(*) FROM audit_events WHERE action = 'frontdesk.adjustment'")
            )
            == 1
        )

    async def test_folio_lines_cannot_be_edited_or_deleted(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        for statement in ("UPDATE folio_lines SET amount_fen = 1", "DELETE FROM folio_lines"):
            with pytest.raises(DBAPIError, match="append-only"):
                async with db.begin_nested():
                    await db.execute(text(statement))
        assert len((await service.folio(db, tid, checked.stay.id)).lines) == 2

    async def test_amounts_typed_in_yuan_become_fen(self):
        assert service.parse_amount("¥1,280.50") == 128050
        with pytest.raises(Invalid):
            service.parse_amount("一百")


class TestRoomMove:
    async def test_the_guest_moves_and_the_old_room_goes_to_housekeeping(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        target = next(
            u
            for u in await reservations.list_units(db, tid)
            if u.unit_type_id == checked.stock.unit_type.id and u.id != checked.stay.unit_id
        )
        moved = await service.move_room(
            db, tid, checked.stay.id, unit_id=target.id, reason="空调故障", actor=DESK
        )
        assert moved.unit_number == target.number
        units = {u.id: u for u in await reservations.list_units(db, tid)}
        assert units[checked.stay.unit_id].status == "dirty"
        assert (await reservations.get_reservation(db, tid, checked.reservation.id)).unit_id == (
            target.id
        )
        page = await service.stay_page(db, tid, checked.stay.id)
        assert [(m.from_number, m.to_number) for m in page.moves] == [
            (checked.stay.unit_number, target.number)
        ]
        assert await service.current_stay_for_unit(db, tid, checked.stay.unit_id) is None
        assert (await service.current_stay_for_unit(db, tid, target.id)).id == checked.stay.id

    async def test_a_move_needs_a_reason_and_a_different_ready_room(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        target = next(
            u
            for u in await reservations.list_units(db, tid)
            if u.unit_type_id == checked.stock.unit_type.id and u.id != checked.stay.unit_id
        )
        with pytest.raises(Invalid):
            await service.move_room(
                db, tid, checked.stay.id, unit_id=target.id, reason=" ", actor=DESK
            )
        with pytest.raises(Invalid):
            await service.move_room(
                db, tid, checked.stay.id, unit_id=checked.stay.unit_id, reason="x", actor=DESK
            )
        await reservations.set_unit_status(db, tid, target.id, "out_of_order")
        with pytest.raises(Invalid):
            await service.move_room(
                db, tid, checked.stay.id, unit_id=target.id, reason="x", actor=DESK
            )


class TestCheckOut:
    async def test_an_unpaid_balance_must_be_settled_and_nothing_is_written_otherwise(
        self, db, owner, tid
    ):
        checked = await make_stay(db, tenant=owner.tenant)
        with pytest.raises(Invalid) as caught:
            await service.check_out(db, tid, checked.stay.id, method="", actor=DESK, tz=TZ)
        assert caught.value.errors[0]["field"] == "method"
        assert (await service.get_stay(db, tid, checked.stay.id)).status == "in_house"
        assert len((await service.folio(db, tid, checked.stay.id)).lines) == 2

    async def test_settling_closes_the_stay_and_sends_the_room_to_housekeeping(
        self, db, owner, tid
    ):
        checked = await make_stay(db, tenant=owner.tenant, nights=2)
        folio = await service.check_out(
            db, tid, checked.stay.id, method="alipay", actor=DESK, tz=TZ, now=noon(2)
        )
        assert folio.balance_fen == 0
        assert folio.stay.status == "checked_out"
        assert folio.lines[-1].method == "alipay"
        r = await reservations.get_reservation(db, tid, checked.reservation.id)
        assert (r.status, r.payment_state) == ("checked_out", "paid")
        units = {u.id: u for u in await reservations.list_units(db, tid)}
        assert units[checked.stay.unit_id].status == "dirty"

    async def test_nights_not_slept_are_taken_off_when_leaving_early(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant, nights=3)
        prices = checked.reservation.night_prices
        folio = await service.check_out(
            db, tid, checked.stay.id, method="cash", actor=DESK, tz=TZ, now=noon(1)
        )
        credits = [line for line in folio.lines if line.kind == "adjustment"]
        assert [c.service_date for c in credits] == [p.day for p in prices[1:]]
        assert folio.charges_fen == prices[0].price_fen
        assert folio.balance_fen == 0

    async def test_money_paid_beyond_the_bill_is_handed_back(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant, nights=1)
        await service.take_payment(
            db,
            tid,
            checked.stay.id,
            amount_fen=checked.reservation.total_fen + 50000,
            method="cash",
            actor=DESK,
        )
        folio = await service.check_out(
            db, tid, checked.stay.id, method="cash", actor=DESK, tz=TZ, now=noon(1)
        )
        assert folio.lines[-1].kind == "refund"
        assert folio.lines[-1].amount_fen == 50000
        assert folio.balance_fen == 0

    async def test_leaving_the_day_of_arrival_still_pays_the_first_night(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant, nights=3)
        folio = await service.check_out(
            db, tid, checked.stay.id, method="cash", actor=DESK, tz=TZ, now=noon(0)
        )
        assert folio.charges_fen == checked.reservation.night_prices[0].price_fen

    async def test_a_closed_stay_cannot_be_checked_out_again(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        await service.check_out(
            db, tid, checked.stay.id, method="cash", actor=DESK, tz=TZ, now=noon(2)
        )
        with pytest.raises(Conflict):
            await service.check_out(
                db, tid, checked.stay.id, method="cash", actor=DESK, tz=TZ, now=noon(2)
            )


class TestDeskDay:
    async def test_the_day_shows_arrivals_in_house_and_departures_with_balances(
        self, db, owner, tid
    ):
        stock = await stock_today(db, owner)
        arriving = await make_reservation(db, tenant=owner.tenant, stock=stock)
        staying = await make_stay(db, tenant=owner.tenant, stock=stock, nights=1)
        desk = await service.desk_day(db, tid, day=None, tz=TZ)
        assert desk.day == desk.today == hotel_today()
        assert {r.id for r in desk.arrivals} >= {arriving.id, staying.reservation.id}
        assert staying.reservation.id in {r.id for r in desk.in_house}
        stay = desk.stays[staying.reservation.id]
        assert desk.balances[stay.id] == staying.reservation.total_fen
        tomorrow = await service.desk_day(db, tid, day=hotel_today() + timedelta(days=1), tz=TZ)
        assert staying.reservation.id in {r.id for r in tomorrow.departures}

    async def test_a_confirmation_code_finds_the_booking_and_its_stay(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        r, stay = await service.find_booking(db, tid, f" {checked.reservation.code.lower()} ")
        assert (r.id, stay.id) == (checked.reservation.id, checked.stay.id)
        with pytest.raises(NotFound):
            await service.find_booking(db, tid, "NOPE")


class TestHousekeeping:
    async def test_rooms_are_shown_by_floor_with_who_is_in_them(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        board = await service.housekeeping_board(db, tid, tz=TZ)
        tiles = {t.unit.id: t for _, tiles in board.floors for t in tiles}
        assert tiles[checked.stay.unit_id].occupied
        assert sum(1 for t in tiles.values() if not t.occupied) == 2
        assert [f for f, _ in board.floors] == sorted(f for f, _ in board.floors)

    async def test_marking_a_room_changes_its_status_and_the_filter(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        tile = await service.set_room_status(
            db, tid, checked.stay.unit_id, "dirty", actor=DESK, tz=TZ
        )
        assert (tile.unit.status, tile.occupied) == ("dirty", True)
        dirty = await service.housekeeping_board(db, tid, tz=TZ, status="dirty")
        assert [t.unit.id for _, tiles in dirty.floors for t in tiles] == [checked.stay.unit_id]
        assert dirty.counts["dirty"] == 1

    async def test_an_unknown_status_is_refused(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        with pytest.raises(Invalid):
            await service.set_room_status(
                db, tid, checked.stay.unit_id, "sparkling", actor=DESK, tz=TZ
            )


class TestOtherModulesInterface:
    async def test_terminals_find_the_stay_in_a_room_and_charge_it(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant)
        stay = await service.current_stay_for_unit(db, tid, checked.stay.unit_id)
        assert stay is not None and stay.in_house
        await service.post_charge(
            db, tid, stay_id=stay.id, description="客房送餐", amount_fen=8800, source="terminal"
        )
        assert (await service.folio(db, tid, stay.id)).lines[-1].source == "terminal"

    async def test_a_resident_id_guest_is_registered_with_a_masked_number(self, db, owner, tid):
        guest = GuestDetails(name="王芳", phone="13700001111", id_number=RESIDENT_ID)
        checked = await make_stay(db, tenant=owner.tenant, guest=guest)
        assert RESIDENT_ID not in checked.reservation.id_number_masked
