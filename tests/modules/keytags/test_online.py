"""Day tickets sold online: each ticket type sold online is kept as a reservations unit type
whose calendar follows the ticket's prices and the resort's holidays; a guest buys tickets for
a date, pays by card, and the desk redeems the codes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.db.engine import TenantId, bind_tenant
from modules.keytags import service
from modules.reservations import service as reservations
from tests.factories.keytags import make_ticket_type
from tests.factories.tenants import make_tenant


@pytest.fixture
async def resort(db):
    owner = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
    await bind_tenant(db, owner.tenant.id)
    tid = TenantId(owner.tenant.id)
    await reservations.create_rate_plan(
        db,
        tid,
        reservations.RatePlanInput("rack", "门市价", free_cancel_hours=0, cancel_fee_kind="none"),
    )
    return owner


def _next(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


async def _cells(db, tid, unit_type_id, start, days=1):
    grid = await reservations.calendar(db, tid, start=start, days=days, unit_type_id=unit_type_id)
    return grid.rows[0].cells


class TestSync:
    async def test_a_ticket_sold_online_gets_180_days_at_each_kind_of_days_price(self, db, resort):
        tid = TenantId(resort.tenant.id)
        ticket = await make_ticket_type(db, tenant=resort.tenant, sold_online=True)
        today = await service.resort_today(db, tid)
        await service.sync_online_ticket(db, tid, ticket)
        assert ticket.unit_type_id is not None
        unit_type = await reservations.get_unit_type(db, tid, ticket.unit_type_id)
        assert (unit_type.kind, unit_type.capacity) == ("admission", 1)
        monday, saturday = _next(today, 0), _next(today, 5)
        [mon] = await _cells(db, tid, ticket.unit_type_id, monday)
        [sat] = await _cells(db, tid, ticket.unit_type_id, saturday)
        assert (mon.price_fen, sat.price_fen) == (36800, 39800)
        assert mon.total == service.DAILY_TICKETS and not mon.closed
        [last] = await _cells(db, tid, ticket.unit_type_id, today + timedelta(days=179))
        [beyond] = await _cells(db, tid, ticket.unit_type_id, today + timedelta(days=180))
        assert last is not None and beyond is None

    async def test_a_holiday_added_later_moves_the_price_and_keeps_what_was_sold(
        self, db, resort
    ):
        tid = TenantId(resort.tenant.id)
        ticket = await make_ticket_type(
            db, tenant=resort.tenant, sold_online=True, price_holiday_fen=45800
        )
        await service.sync_online_ticket(db, tid, ticket)
        today = await service.resort_today(db, tid)
        monday = _next(today, 0)
        held = await service.buy_tickets(
            db, tid, day=monday, counts={ticket.id: 3}, name="李雷", phone="13800138000"
        )
        assert [r.total_fen for r in held] == [3 * 36800]
        await reservations.set_calendar(
            db, tid, unit_type_id=ticket.unit_type_id, start=monday, end=monday, total=80
        )
        await service.add_calendar_days(
            db, tid, start=monday, end=monday, kind="holiday", name="国庆节"
        )
        [cell] = await _cells(db, tid, ticket.unit_type_id, monday)
        assert (cell.price_fen, cell.total, cell.sold) == (45800, 80, 3)
        assert (await reservations.get_reservation(db, tid, held[0].id)).total_fen == 3 * 36800

    async def test_a_ticket_taken_off_sale_closes_its_dates(self, db, resort):
        tid = TenantId(resort.tenant.id)
        ticket = await make_ticket_type(db, tenant=resort.tenant, sold_online=True)
        await service.sync_online_ticket(db, tid, ticket)
        ticket.sold_online = False
        await service.sync_online_ticket(db, tid, ticket)
        today = await service.resort_today(db, tid)
        assert await service.ticket_offers(db, tid, today + timedelta(days=1)) == []
        [cell] = await _cells(db, tid, ticket.unit_type_id, today + timedelta(days=1))
        assert cell.closed
