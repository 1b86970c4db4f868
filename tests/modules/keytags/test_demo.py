"""The demo hot-spring resort's key tags: its set-up, a day in progress (guests in with
lockers and tabs at four outlets, two gone out, a lost tag replaced), last month's visits
from which its bureau report is filed; seeded twice, made once."""

from __future__ import annotations

from sqlalchemy import func, select

from app import clock
from app.db.engine import TenantId
from app.identifiers import USCC_CHARSET, make_uscc
from app.settings import get_settings
from modules.filings import demo as filings_demo
from modules.keytags import demo, service
from modules.keytags.domain import visit_number
from modules.keytags.models import (
    Charge,
    KeyTag,
    Locker,
    Outlet,
    OutletItem,
    ReportFiling,
    TicketType,
    Visit,
    VisitTag,
)
from modules.reservations import service as reservations
from tenants.models import Tenant
from tests.factories.keytags import make_ticket_type, make_visit
from tests.factories.tenants import make_staff, make_tenant

KINDS = ("hot_spring", "hotel")


async def _resort(db):  # type: ignore[no-untyped-def]
    owner = await make_tenant(db, kinds=KINDS, name="重庆北碚缙云温泉度假酒店")
    tenant = owner.tenant
    for role in ("front_desk", "cashier", "manager"):
        await make_staff(db, tenant=tenant, role=role)
    tid = TenantId(tenant.id)
    await filings_demo.seed_demo_bureau(
        db,
        tid,
        kinds=KINDS,
        enterprise_code=make_uscc(
            "500109", "".join(USCC_CHARSET[b % 31] for b in tenant.id.bytes[:8])
        ),
        district_code="500109",
        settings=get_settings(),
    )
    return tid


async def _count(db, model, *where) -> int:  # type: ignore[no-untyped-def]
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)))


async def _counts(db, tid):  # type: ignore[no-untyped-def]
    return {
        model.__tablename__: await _count(db, model, model.tenant_id == tid)
        for model in (TicketType, Locker, KeyTag, Outlet, OutletItem, Visit, VisitTag, Charge)
    }


class TestDemoResort:
    async def test_the_resort_is_set_up_with_its_tickets_lockers_tags_and_outlets(self, db):
        tid = await _resort(db)
        await demo.seed_demo(db, tid, KINDS)
        tickets = {t.code: t for t in await service.list_ticket_types(db, tid)}
        assert tickets["ADULT"].price_weekday_fen == 36800
        assert tickets["ADULT"].price_weekend_fen == 39800
        assert tickets["EVENING"].sold_from is not None
        assert service.time_rule(tickets["ADULT"]).overage_fen_per_hour == 2000
        sections = {s.code: s for s in await service.locker_occupancy(db, tid)}
        assert {code: s.total for code, s in sections.items()} == {"M": 120, "F": 120, "J": 30}
        outlets = {o.code: o for o in (await db.execute(select(Outlet))).scalars()}
        assert outlets[demo.MASSAGE].concession and outlets[demo.MASSAGE].commission_bp == 3000
        assert {o.kind for o in outlets.values()} >= {"restaurant", "bar", "massage", "pool"}
        # The adults' day ticket is on sale online at the calendar's prices.
        unit_types = {u.code: u for u in await reservations.list_unit_types(db, tid)}
        assert "SPA-ADULT" in unit_types

    async def test_a_day_in_progress(self, db):
        tid = await _resort(db)
        made = await demo.seed_demo(db, tid, KINDS)
        assert made.admitted_today == len(demo.IN_RESORT) + len(demo.GONE)
        today = clock.today()
        visits = list(
            (await db.execute(select(Visit).where(Visit.business_date == today))).scalars()
        )
        open_ = [v for v in visits if v.status == "open"]
        gone = [v for v in visits if v.status == "closed"]
        assert len(open_) == len(demo.IN_RESORT) and len(gone) == len(demo.GONE)
        assert all(v.exit_at is not None and v.bill_fen for v in gone)
        occupancy = sum(s.occupied for s in await service.locker_occupancy(db, tid))
        assert occupancy == len(open_)
        outlets_charged = await db.scalar(
            select(func.count(func.distinct(Charge.outlet_id))).where(
                Charge.visit_id.in_([v.id for v in open_]), Charge.kind == "charge"
            )
        )
        assert outlets_charged >= 4
        blocked = list(
            (await db.execute(select(KeyTag).where(KeyTag.status == "blocked"))).scalars()
        )
        assert len(blocked) == 1
        lost = await db.scalar(select(VisitTag).where(VisitTag.release_reason == "lost"))
        holder = await db.get(Visit, lost.visit_id)
        assert holder.status == "open" and holder.active_tag_id not in (None, blocked[0].id)
        fee = await db.scalar(
            select(Charge).where(Charge.visit_id == holder.id, Charge.kind == "fee")
        )
        assert fee is not None
        charged = await db.scalar(
            select(func.sum(Charge.amount_fen)).where(Charge.visit_id == holder.id)
        )
        assert holder.tab_fen == charged  # the tab carried over the replacement

    async def test_last_months_report_is_filed_from_its_visits(self, db):
        tid = await _resort(db)
        made = await demo.seed_demo(db, tid, KINDS)
        summary = made.last_month
        assert summary is not None and summary.visits >= 200
        figures = await service.monthly_figures(db, tid, summary.period)
        assert figures.open_visits == 0
        assert figures.figures == {
            "visits": summary.visits,
            "key_tags_issued": summary.key_tags_issued,
            "admission_revenue_fen": summary.admission_revenue_fen,
            "consumption_revenue_fen": summary.consumption_revenue_fen,
            "average_stay_minutes": summary.average_stay_minutes,
        }
        filed = await db.scalar(select(ReportFiling).where(ReportFiling.period == summary.period))
        assert filed is not None and filed.figures == figures.figures

    async def test_seeding_again_changes_nothing(self, db):
        tid = await _resort(db)
        await demo.seed_demo(db, tid, KINDS)
        before = await _counts(db, tid)
        again = await demo.seed_demo(db, tid, KINDS)
        assert again.admitted_today == 0 and again.last_month is None
        assert await _counts(db, tid) == before

    async def test_a_demo_started_last_month_still_gets_its_history(self, db):
        """Its guests of a day then keep their numbers; the month's history comes after."""
        tid = await _resort(db)
        first, _last = demo.previous_month(clock.today())
        tenant = await db.get(Tenant, tid)
        ticket = await make_ticket_type(db, tenant=tenant, code="EARLY")
        for seq in (1, 2):
            await make_visit(
                db,
                tenant=tenant,
                ticket_type=ticket,
                business_date=first,
                number=visit_number(first, seq),
                status="cancelled",
                active_tag_id=None,
            )
        made = await demo.seed_demo(db, tid, KINDS)
        assert made.last_month is not None
        figures = await service.monthly_figures(db, tid, made.last_month.period)
        assert figures.figures["visits"] == made.last_month.visits

    async def test_a_city_hotel_gets_no_key_tags(self, db):
        owner = await make_tenant(db, kinds=("hotel",))
        tid = TenantId(owner.tenant.id)
        await demo.seed_demo(db, tid, ("hotel",))
        assert (await _counts(db, tid))["spa_ticket_types"] == 0
