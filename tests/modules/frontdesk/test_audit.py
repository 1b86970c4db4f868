"""The night audit (夜审): no-shows marked, the day's figures computed from the folio and the
bookings in exact integers, idempotent, recomputed after a correction; the month summed
for the bureau's `hotel_monthly` statistics."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from app import clock
from app.db.engine import TenantId
from app.errors import Invalid
from app.jobs.runtime import JobRuntime, use_runtime
from modules.frontdesk import domain, service, tasks
from modules.frontdesk.schemas import HOTEL_MONTHLY_FIGURES
from modules.reservations import service as reservations
from modules.reservations.service import GuestDetails
from tests.factories.frontdesk import TZ, arriving_today, hotel_today, make_stay
from tests.factories.reservations import make_reservation, make_stock
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in
from tests.races import Race

VISITOR = GuestDetails(name="John Smith", phone="13900139000", id_type="passport", id_number="E1")


def tomorrow_morning() -> datetime:
    """05:00 tomorrow where the hotel is: today has ended and may be closed."""
    day = hotel_today() + timedelta(days=1)
    return datetime.combine(day, time(5), tzinfo=ZoneInfo(TZ)).astimezone(UTC)


async def _busy_day(db, owner, tid):
    """Three rooms: two guests in house (one inbound), one booking that never came, and
    minibar, dining and laundry charges."""
    stock = await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=3)
    a = await make_stay(db, tenant=owner.tenant, stock=stock, nights=2)
    b = await make_stay(db, tenant=owner.tenant, stock=stock, nights=1, guest=VISITOR, adults=1)
    missing = await arriving_today(db, tenant=owner.tenant, stock=stock)
    for stay, what, fen, source in (
        (a, "迷你吧", 3000, "minibar"),
        (b, "送餐", 12800, "dining"),
        (a, "洗衣", 5000, "laundry"),
    ):
        await service.post_charge(
            db, tid, stay_id=stay.stay.id, description=what, amount_fen=fen, source=source
        )
    return a, b, missing


class TestNightAudit:
    async def test_the_day_is_closed_with_exact_figures_and_no_shows(self, db, owner, tid):
        _a, _b, missing = await _busy_day(db, owner, tid)

        run = await service.run_night_audit(
            db, tid, hotel_today(), actor=service.SYSTEM, tz=TZ, now=tomorrow_morning()
        )

        f = run.figures
        assert run.no_shows_marked == (missing.code,) and run.changed
        assert (await reservations.get_reservation(db, tid, missing.id)).status == "no_show"
        assert (f.rooms, f.room_nights_available, f.room_nights_sold) == (3, 3, 2)
        assert f.occupancy_bp == 6667
        assert (f.room_revenue_fen, f.adr_fen, f.revpar_fen) == (137600, 68800, 45867)
        assert (f.fnb_revenue_fen, f.other_revenue_fen) == (15800, 5000)
        assert f.revenue_by_source == {"dining": 12800, "laundry": 5000, "minibar": 3000}
        assert (f.arrivals, f.departures, f.no_shows, f.cancellations) == (2, 0, 1, 0)
        assert (f.in_house_guests, f.guests_domestic, f.guests_foreign) == (3, 2, 1)

    async def test_running_twice_changes_nothing(self, db, owner, tid):
        await _busy_day(db, owner, tid)
        day, now = hotel_today(), tomorrow_morning()
        first = await service.run_night_audit(db, tid, day, actor=service.SYSTEM, tz=TZ, now=now)
        again = await service.run_night_audit(
            db, tid, day, actor=service.SYSTEM, tz=TZ, now=now + timedelta(hours=1)
        )
        assert not again.changed and again.no_shows_marked == ()
        assert again.figures == first.figures  # computed_at included: the row was not touched

    async def test_a_correction_is_picked_up_when_the_day_is_audited_again(self, db, owner, tid):
        a, _b, _missing = await _busy_day(db, owner, tid)
        day, now = hotel_today(), tomorrow_morning()
        await service.run_night_audit(db, tid, day, actor=service.SYSTEM, tz=TZ, now=now)
        await service.post_adjustment(
            db, tid, a.stay.id, description="洗衣重复入账", amount_fen=-3000, actor=service.SYSTEM
        )
        again = await service.run_night_audit(db, tid, day, actor=service.SYSTEM, tz=TZ, now=now)
        assert again.changed
        assert again.figures.other_revenue_fen == 2000
        assert again.figures.revenue_by_source["desk"] == -3000

    async def test_a_day_that_has_not_ended_cannot_be_closed(self, db, tid):
        with pytest.raises(Invalid) as refused:
            await service.run_night_audit(db, tid, hotel_today(), actor=service.SYSTEM, tz=TZ)
        assert refused.value.status_code == 422

    async def test_an_early_departure_is_not_a_night_sold(self, db, owner, tid):
        stock = await make_stock(db, tenant=owner.tenant, start=hotel_today(), units=2)
        a = await make_stay(db, tenant=owner.tenant, stock=stock, nights=2)
        await service.check_out(db, tid, a.stay.id, method="cash", actor=service.SYSTEM, tz=TZ)
        # Tomorrow's night was taken off at check-out: audit tomorrow as if it had ended.
        tomorrow = hotel_today() + timedelta(days=1)
        run = await service.run_night_audit(
            db, tid, tomorrow, actor=service.SYSTEM, tz=TZ, now=tomorrow_morning() + timedelta(1)
        )
        assert (run.figures.room_nights_sold, run.figures.room_revenue_fen) == (0, 0)


class TestMonthFigures:
    async def test_the_month_sums_its_days_as_the_bureau_asks(self, db, owner, tid):
        await _busy_day(db, owner, tid)
        day = hotel_today()
        await service.run_night_audit(
            db, tid, day, actor=service.SYSTEM, tz=TZ, now=tomorrow_morning()
        )
        month = await service.month_figures(db, tid, day.year, day.month)
        figures = month.as_figures()
        assert tuple(figures) == HOTEL_MONTHLY_FIGURES
        assert figures["room_nights_sold"] == 2 and figures["room_revenue_fen"] == 137600
        assert figures["guest_nights"] == 3 and figures["guests_foreign"] == 1
        assert figures["fnb_revenue_fen"] == 15800 and figures["occupancy_bp"] == 6667
        assert month.days == 1
        other = await make_tenant(db)
        empty = await service.month_figures(db, TenantId(other.tenant.id), day.year, day.month)
        assert empty.room_nights_sold == 0 and empty.days == 0

    async def test_the_schedule_catches_up_the_days_it_missed(self, db, tid):
        now = clock.now()
        last = domain.last_closed_day(TZ, now)
        assert await service.audit_days_due(db, tid, tz=TZ, now=now) == [last]
        three_back = last - timedelta(days=3)
        await service.run_night_audit(db, tid, three_back, actor=service.SYSTEM, tz=TZ)
        due = await service.audit_days_due(db, tid, tz=TZ, now=now)
        assert due == [three_back + timedelta(days=i) for i in (1, 2, 3)]
        await service.run_night_audit(db, tid, last, actor=service.SYSTEM, tz=TZ)
        assert await service.audit_days_due(db, tid, tz=TZ, now=now) == []

    def test_ratios_round_half_up_and_never_divide_by_zero(self):
        assert domain.ratio(1, 3, 10000) == 3333 and domain.ratio(2, 3, 10000) == 6667
        assert domain.ratio(5, 2) == 3 and domain.ratio(100, 0) == 0


class TestReportsPage:
    async def test_a_manager_closes_yesterday_and_sees_the_report(self, db, owner, client):
        manager = await make_staff(db, tenant=owner.tenant, role="manager")
        await sign_in(client, manager)
        page = await client.get("/console/frontdesk/reports")
        assert page.status_code == 200 and "营业日报" in page.text and "尚未夜审" in page.text
        yesterday = (hotel_today() - timedelta(days=1)).isoformat()
        done = await form_post(client, "/console/frontdesk/reports/close", {"day": yesterday})
        assert done.status_code == 200 and 'id="audit-result"' in done.text
        assert f"{yesterday} 已关账" in done.text and "月合计" in done.text
        csv = await client.get(f"/console/frontdesk/reports/month.csv?month={yesterday[:7]}")
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert "出租率" in csv.text and yesterday in csv.text

    async def test_today_cannot_be_closed_yet(self, db, owner, client):
        manager = await make_staff(db, tenant=owner.tenant, role="manager")
        await sign_in(client, manager)
        page = await form_post(
            client, "/console/frontdesk/reports/close", {"day": hotel_today().isoformat()}
        )
        assert page.status_code == 422 and "该营业日尚未结束" in page.text

    async def test_a_cashier_reads_but_cannot_close(self, db, owner, client):
        cashier = await make_staff(db, tenant=owner.tenant, role="cashier")
        await sign_in(client, cashier)
        assert (await client.get("/console/frontdesk/reports")).status_code == 200
        yesterday = (hotel_today() - timedelta(days=1)).isoformat()
        refused = await form_post(client, "/console/frontdesk/reports/close", {"day": yesterday})
        assert refused.status_code == 403

    async def test_front_desk_clerks_do_not_see_the_money(self, db, owner, client):
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get("/console/frontdesk/reports")).status_code == 403


_ROW = text("SELECT computed_at, no_shows FROM frontdesk_daily_figures WHERE business_date = :day")


@pytest.mark.realdb
class TestScheduledAudit:
    async def test_two_audits_of_one_day_at_once_mark_the_no_show_once(self, committed_database):
        yesterday = hotel_today() - timedelta(days=1)
        async with committed_database.transaction() as db:
            owner = await make_tenant(db)
            tid = TenantId(owner.tenant.id)
            stock = await make_stock(db, tenant=owner.tenant, start=yesterday, units=2)
            missing = await make_reservation(db, tenant=owner.tenant, stock=stock, nights=1)
        race = Race(committed_database)

        async def audit():
            async with committed_database.transaction(tid) as db:
                run = await service.run_night_audit(db, tid, yesterday, actor=service.SYSTEM, tz=TZ)
                await race.hold(db)
                return run.no_shows_marked

        marked = await race.run(audit(), audit())
        assert sorted(marked) == [(), (missing.code,)]
        async with committed_database.transaction(tid) as db:
            assert (await db.execute(_ROW, {"day": yesterday})).one().no_shows == 1

    async def test_the_hourly_job_closes_each_hotels_last_day_once(
        self, committed_database, settings
    ):
        async with committed_database.transaction() as db:
            owner = await make_tenant(db)
            tid = TenantId(owner.tenant.id)
        day = domain.last_closed_day(TZ, clock.now())
        with use_runtime(JobRuntime(committed_database, settings)):
            await tasks.night_audit(timestamp=0)
            async with committed_database.transaction(tid) as db:
                first = (await db.execute(_ROW, {"day": day})).one()
            await tasks.night_audit(timestamp=0)
        async with committed_database.transaction(tid) as db:
            rows = (await db.execute(_ROW, {"day": day})).all()
        assert rows == [first]

    def test_the_job_is_a_periodic_task_of_the_blueprint(self):
        assert "frontdesk.night_audit" in tasks.blueprint.tasks
        crons = [p.cron for p in tasks.blueprint.periodic_registry.periodic_tasks.values()]
        assert crons == ["7 * * * *"]
