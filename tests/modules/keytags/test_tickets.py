"""Ticket types and the holiday calendar in the console: a manager adds and changes ticket
types (field errors shown, nothing saved), marks a holiday range and a 调休 working weekend;
the month shows each date's kind and the adult price; the desk may look but not change."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.db.engine import TenantId, bind_tenant
from modules.keytags import service
from modules.keytags.domain import DayKind
from modules.keytags.models import CalendarDay, TicketType
from tests.factories.keytags import make_ticket_type
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in

TICKET = {
    "code": "adult",
    "name": "成人票",
    "name_en": "Adult",
    "category": "adult",
    "price_weekday": "168",
    "price_weekend": "198.50",
    "price_holiday": "228",
    "base_hours": "12",
    "grace_minutes": "15",
    "overage_per_hour": "20",
    "credit_limit": "500",
    "sold_from": "",
    "description": "身高1.4米以上",
    "sort_order": "1",
    "active": "on",
}


@pytest.fixture
async def owner(db):
    return await make_tenant(db, kinds=("hot_spring",), name="测试温泉")


@pytest.fixture
async def tid(db, owner):
    await bind_tenant(db, owner.tenant.id)
    return TenantId(owner.tenant.id)


@pytest.fixture
async def manager(client, owner):
    await sign_in(client, owner)
    return client


async def _count(db, model) -> int:
    return (await db.execute(select(func.count()).select_from(model))).scalar_one()


class TestTicketTypes:
    async def test_a_manager_adds_a_ticket_type_in_yuan(self, db, tid, manager):
        answer = await form_post(manager, "/console/keytags/tickets", TICKET, follow_redirects=True)
        assert answer.status_code == 200 and "成人票" in answer.text
        [ticket] = (await db.execute(select(TicketType))).scalars().all()
        assert (ticket.code, ticket.price_weekend_fen, ticket.base_minutes) == ("ADULT", 19850, 720)
        assert (ticket.credit_limit_fen, ticket.overage_fen_per_hour) == (50000, 2000)
        assert ticket.active and not ticket.sold_online and ticket.unit_type_id is None

    async def test_wrong_fields_are_named_and_nothing_is_saved(self, db, tid, manager):
        bad = {
            **TICKET,
            "code": "成人",
            "price_weekday": "abc",
            "base_hours": "0",
            "category": "evening",
            "sold_from": "",
        }
        answer = await form_post(manager, "/console/keytags/tickets", bad)
        assert answer.status_code == 422
        for field in ("code", "price_weekday", "base_hours", "sold_from"):
            assert f'name="{field}"' in answer.text
        assert answer.text.count('aria-invalid="true"') >= 4
        assert await _count(db, TicketType) == 0

    async def test_a_code_is_used_once(self, db, tid, manager, owner):
        await make_ticket_type(db, tenant=owner.tenant, code="ADULT")
        answer = await form_post(manager, "/console/keytags/tickets", TICKET)
        assert answer.status_code == 422 and await _count(db, TicketType) == 1

    async def test_changing_a_ticket_sold_online_reprices_its_days(self, db, tid, manager, owner):
        from modules.reservations import service as reservations

        await reservations.create_rate_plan(db, tid, reservations.RatePlanInput("rack", "门市价"))
        ticket = await make_ticket_type(db, tenant=owner.tenant, code="ADULT")
        page = await manager.get(f"/console/keytags/tickets/{ticket.id}")
        assert page.status_code == 200 and 'value="368"' in page.text
        answer = await form_post(
            manager,
            f"/console/keytags/tickets/{ticket.id}",
            {**TICKET, "sold_online": "on"},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        await db.refresh(ticket)
        assert ticket.sold_online and ticket.unit_type_id is not None
        today = await service.resort_today(db, tid)
        kinds = await service.day_kinds(db, tid, today, today)
        offers = await service.ticket_offers(db, tid, today)
        expected = {DayKind.WEEKDAY: 16800, DayKind.WEEKEND: 19850, DayKind.HOLIDAY: 22800}
        assert [o.price_fen for o in offers] == [expected[kinds[today]]]

    async def test_the_desk_sees_the_tickets_but_cannot_change_them(self, db, tid, client, owner):
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get("/console/keytags/tickets")).status_code == 200
        answer = await form_post(client, "/console/keytags/tickets", TICKET)
        assert answer.status_code == 403 and await _count(db, TicketType) == 0

    async def test_another_resorts_ticket_is_not_found(self, db, manager):
        other = await make_tenant(db, kinds=("hot_spring",), name="别家温泉")
        ticket = await make_ticket_type(db, tenant=other.tenant)
        assert (await manager.get(f"/console/keytags/tickets/{ticket.id}")).status_code == 404


class TestCalendar:
    async def test_national_day_is_a_holiday_and_a_working_weekend_a_weekday(
        self, db, tid, manager, owner
    ):
        await make_ticket_type(db, tenant=owner.tenant, price_holiday_fen=45800)
        answer = await form_post(
            manager,
            "/console/keytags/calendar",
            {"start": "2027-10-01", "end": "2027-10-07", "kind": "holiday", "name": "国庆节"},
            follow_redirects=True,
        )
        assert answer.status_code == 200 and "国庆节" in answer.text
        await form_post(
            manager,
            "/console/keytags/calendar",
            {"start": "2027-10-09", "end": "", "kind": "weekday", "name": "国庆调休"},
        )
        kinds = await service.day_kinds(db, tid, date(2027, 9, 30), date(2027, 10, 10))
        assert kinds[date(2027, 9, 30)] is DayKind.WEEKDAY
        assert all(kinds[date(2027, 10, d)] is DayKind.HOLIDAY for d in range(1, 8))
        assert kinds[date(2027, 10, 9)] is DayKind.WEEKDAY  # a Saturday worked
        assert kinds[date(2027, 10, 10)] is DayKind.WEEKEND
        weeks = await service.calendar_month(db, tid, 2027, 10)
        cells = {c.day: c for week in weeks for c in week}
        assert (cells[date(2027, 10, 3)].price_fen, cells[date(2027, 10, 3)].name) == (
            45800,
            "国庆节",
        )
        assert cells[date(2027, 10, 9)].price_fen == 36800
        page = await manager.get("/console/keytags/calendar?month=2027-10")
        assert page.status_code == 200 and 'data-day="2027-10-03" data-kind="holiday"' in page.text

    async def test_removing_gives_the_dates_back_their_weekdays_kind(self, db, tid, manager):
        await service.add_calendar_days(
            db, tid, start=date(2027, 10, 1), end=date(2027, 10, 7), kind="holiday", name="国庆节"
        )
        await form_post(
            manager,
            "/console/keytags/calendar/remove",
            {"start": "2027-10-06", "end": "2027-10-07"},
        )
        assert await _count(db, CalendarDay) == 5

    async def test_a_range_that_is_wrong_is_refused_with_its_field(self, db, tid, manager):
        for data in (
            {"start": "2027-10-07", "end": "2027-10-01", "kind": "holiday", "name": "x"},
            {"start": "2027-10-01", "end": "2027-12-01", "kind": "holiday", "name": "x"},
            {"start": "10/01", "end": "", "kind": "holiday", "name": "x"},
            {"start": "2027-10-01", "end": "", "kind": "weekend", "name": "x"},
            {"start": "2027-10-01", "end": "", "kind": "holiday", "name": ""},
        ):
            answer = await form_post(manager, "/console/keytags/calendar", data)
            assert answer.status_code == 422, data
        assert await _count(db, CalendarDay) == 0
