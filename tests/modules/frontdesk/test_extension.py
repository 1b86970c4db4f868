"""Extending a stay at the desk (续住): nights sold, charged on the bill, refused when full."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from app.db.engine import TenantId
from app.errors import Conflict, Invalid
from modules.frontdesk import service
from modules.reservations import service as reservations
from tests.factories.frontdesk import hotel_today, make_stay
from tests.factories.reservations import make_reservation, make_stock
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in

_SOLD = text("SELECT day, sold FROM inventory_days WHERE unit_type_id = :ut ORDER BY day")


async def _sold(db, unit_type_id) -> dict[date, int]:
    return dict((await db.execute(_SOLD, {"ut": unit_type_id})).all())


class TestExtendStay:
    async def test_added_nights_are_sold_and_charged_on_the_bill(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant, nights=2)
        ut = checked.stock.unit_type.id
        before = await _sold(db, ut)
        new_departure = checked.reservation.departure + timedelta(days=2)

        done = await service.extend_stay(
            db, tid, checked.stay.id, new_departure=new_departure, actor=service.SYSTEM
        )

        assert [line.amount_fen for line in done.lines] == [68800, 68800]
        assert [line.service_date for line in done.lines] == [
            checked.reservation.departure,
            checked.reservation.departure + timedelta(days=1),
        ]
        assert done.added_fen == 137600
        bill = await service.folio(db, tid, checked.stay.id)
        rooms = [line for line in bill.lines if line.source == "room"]
        assert len(rooms) == 4 and bill.balance_fen == 275200
        r = await reservations.get_reservation(db, tid, checked.reservation.id)
        assert (r.departure, r.total_fen) == (new_departure, 275200)
        after = await _sold(db, ut)
        for day in (checked.reservation.departure, new_departure - timedelta(days=1)):
            assert after[day] == before[day] + 1
        assert after[checked.reservation.arrival] == before[checked.reservation.arrival]

    async def test_a_date_not_after_the_departure_is_a_field_error(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant, nights=2)
        with pytest.raises(Invalid) as refused:
            await service.extend_stay(
                db,
                tid,
                checked.stay.id,
                new_departure=checked.reservation.departure,
                actor=service.SYSTEM,
            )
        assert refused.value.status_code == 422

    def test_the_clerks_input_gives_the_new_departure(self):
        today = date(2026, 11, 25)
        assert service.extension_departure(today, nights="2") == date(2026, 11, 27)
        assert service.extension_departure(today, nights="9", departure="2026-11-26") == date(
            2026, 11, 26
        )
        for nights, departure in (("0", ""), ("x", ""), ("31", ""), ("", "26/11")):
            with pytest.raises(Invalid):
                service.extension_departure(today, nights=nights, departure=departure)

    async def test_the_checked_out_guest_cannot_be_extended(self, db, owner, tid):
        checked = await make_stay(db, tenant=owner.tenant, nights=1)
        await service.check_out(
            db, tid, checked.stay.id, method="cash", actor=service.SYSTEM, tz="Asia/Shanghai"
        )
        with pytest.raises(Conflict):
            await service.extend_stay(
                db,
                tid,
                checked.stay.id,
                new_departure=checked.reservation.departure + timedelta(1),
                actor=service.SYSTEM,
            )


class TestExtendPage:
    async def test_the_clerk_extends_from_the_stay_page(self, db, owner, tid, client):
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        checked = await make_stay(db, tenant=owner.tenant, nights=1)
        path = f"/console/frontdesk/stays/{checked.stay.id}"
        page = await client.get(path)
        assert "续住" in page.text
        done = await form_post(client, f"{path}/extend", {"nights": "2", "departure": ""})
        assert done.status_code == 303 and done.headers["location"].endswith("notice=extended")
        shown = await client.get(done.headers["location"])
        assert "¥2,064.00" in shown.text  # three nights at ¥688.00
        r = await reservations.get_reservation(db, tid, checked.reservation.id)
        assert r.departure == checked.reservation.departure + timedelta(days=2)

    async def test_a_past_date_answers_422_with_the_message(self, db, owner, client):
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        checked = await make_stay(db, tenant=owner.tenant, nights=2)
        path = f"/console/frontdesk/stays/{checked.stay.id}/extend"
        page = await form_post(client, path, {"departure": hotel_today().isoformat()})
        assert page.status_code == 422
        assert "新的离店日期必须晚于当前离店日期" in page.text

    async def test_sold_out_answers_409_and_names_the_free_types(self, db, owner, client):
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        tid = TenantId(owner.tenant.id)
        stock = await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=1)
        await make_stock(db, tenant=owner.tenant, start=hotel_today(), name="豪华江景套房")
        checked = await make_stay(db, tenant=owner.tenant, stock=stock, nights=1)
        await make_reservation(db, tenant=owner.tenant, stock=stock, offset=1, nights=1)
        path = f"/console/frontdesk/stays/{checked.stay.id}/extend"
        page = await form_post(client, path, {"nights": "1"})
        assert page.status_code == 409
        assert "豪华江景套房" in page.text and 'id="alternatives"' in page.text
        bill = await service.folio(db, tid, checked.stay.id)
        assert len([line for line in bill.lines if line.source == "room"]) == 1


@pytest.mark.realdb
async def test_two_clerks_extend_into_the_last_room_night_one_bill_grows(committed_database):
    """The loser's bill is untouched: the sale and the charges are one transaction."""
    async with committed_database.transaction() as db:
        owner = await make_tenant(db)
        tid = TenantId(owner.tenant.id)
        stock = await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=2)
        first = await make_stay(db, tenant=owner.tenant, stock=stock, nights=1)
        second = await make_stay(db, tenant=owner.tenant, stock=stock, nights=1)
        await make_reservation(db, tenant=owner.tenant, stock=stock, offset=1, nights=1)

    async def extend(stay_id):
        try:
            async with committed_database.transaction(tid) as db:
                await service.extend_stay(
                    db,
                    tid,
                    stay_id,
                    new_departure=hotel_today() + timedelta(days=2),
                    actor=service.SYSTEM,
                )
            return "extended"
        except reservations.SoldOut:
            return "sold out"

    outcomes = await asyncio.gather(extend(first.stay.id), extend(second.stay.id))
    assert sorted(outcomes) == ["extended", "sold out"]
    async with committed_database.transaction(tid) as db:
        bills = [await service.folio(db, tid, c.stay.id) for c in (first, second)]
        sold = await _sold(db, stock.unit_type.id)
    assert sorted(b.balance_fen for b in bills) == [68800, 137600]
    assert sold[hotel_today() + timedelta(days=1)] == 2


class TestUpgradedGuest:
    async def test_a_guest_in_a_room_of_a_full_type_is_told_to_move_first(self, db, owner, tid):
        """Booked a standard room, moved into the only suite; the suite is booked by an
        arriving guest tomorrow, so staying on in it would leave that guest without one."""
        standard = await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=2)
        suite = await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=1)
        checked = await make_stay(db, tenant=owner.tenant, stock=standard, nights=1)
        suite_room = (await reservations.list_units(db, tid, unit_type_id=suite.unit_type.id))[0]
        await service.move_room(
            db, tid, checked.stay.id, unit_id=suite_room.id, reason="升级", actor=service.SYSTEM
        )
        await make_reservation(db, tenant=owner.tenant, stock=suite, offset=1, nights=1)
        new_departure = checked.reservation.departure + timedelta(days=1)
        with pytest.raises(Conflict) as refused:
            await service.extend_stay(
                db, tid, checked.stay.id, new_departure=new_departure, actor=service.SYSTEM
            )
        assert suite_room.number in refused.value.message
        r = await reservations.get_reservation(db, tid, checked.reservation.id)
        assert r.departure == checked.reservation.departure

    async def test_an_upgraded_guest_stays_on_when_their_rooms_type_has_room(self, db, owner, tid):
        standard = await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=2)
        suite = await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=2)
        checked = await make_stay(db, tenant=owner.tenant, stock=standard, nights=1)
        suite_room = (await reservations.list_units(db, tid, unit_type_id=suite.unit_type.id))[0]
        await service.move_room(
            db, tid, checked.stay.id, unit_id=suite_room.id, reason="升级", actor=service.SYSTEM
        )
        done = await service.extend_stay(
            db,
            tid,
            checked.stay.id,
            new_departure=checked.reservation.departure + timedelta(days=1),
            actor=service.SYSTEM,
        )
        assert done.stay.unit_number == suite_room.number and done.added_fen == 68800
