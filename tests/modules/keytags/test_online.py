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

    async def test_a_holiday_added_later_moves_the_price_and_keeps_what_was_sold(self, db, resort):
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

    async def test_a_date_closed_by_a_manager_stays_closed_when_prices_move(self, db, resort):
        tid = TenantId(resort.tenant.id)
        ticket = await make_ticket_type(db, tenant=resort.tenant, sold_online=True)
        await service.sync_online_ticket(db, tid, ticket)
        monday = _next(await service.resort_today(db, tid), 0)
        await reservations.set_calendar(
            db, tid, unit_type_id=ticket.unit_type_id, start=monday, end=monday, closed=True
        )
        await service.add_calendar_days(
            db, tid, start=monday, end=monday, kind="holiday", name="节"
        )
        [cell] = await _cells(db, tid, ticket.unit_type_id, monday)
        assert cell.closed and cell.price_fen == ticket.price_holiday_fen

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
        ticket.sold_online = True
        await service.sync_online_ticket(db, tid, ticket, reopen=True)
        assert len(await service.ticket_offers(db, tid, today + timedelta(days=1))) == 1


def _qty(ticket) -> str:
    return f"qty_{ticket.id}"


async def _card(client, slug, rid, code, page_html, token):
    payment_id = page_html.split('data-payment-id="')[1].split('"')[0]
    answer = await client.post(
        f"/book/{slug}/pay/{rid}/card?code={code}",
        data={"payment_id": payment_id, "token": token},
        headers={"x-csrftoken": client.cookies["zhilv_csrf"], "Accept": "application/json"},
    )
    assert answer.status_code == 200 and answer.json()["status"] == "succeeded", answer.text
    return payment_id


async def pay_through_the_pay_step(client, stripe_emulator, location: str) -> str:
    """The guest on the pay step: card accepted, back to the confirmation; the final URL."""
    from urllib.parse import parse_qs, urlsplit

    from tests.stripe_fixtures import card_token

    url = urlsplit(location)
    slug, rid = url.path.split("/")[2], url.path.split("/")[4]
    code = parse_qs(url.query)["code"][0]
    page = await client.get(location)
    assert page.status_code == 200, page.text
    payment_id = await _card(client, slug, rid, code, page.text, card_token(stripe_emulator))
    back = await client.get(f"/book/{slug}/pay/{rid}/return?code={code}&payment={payment_id}")
    assert back.status_code == 303
    confirmation = await client.get(back.headers["location"])
    assert confirmation.status_code == 303  # the hotel page's confirmation sends day tickets on
    return str(confirmation.headers["location"])


@pytest.fixture
async def on_sale(db, resort):
    tid = TenantId(resort.tenant.id)
    adult = await make_ticket_type(db, tenant=resort.tenant, sold_online=True, sort_order=1)
    child = await make_ticket_type(
        db,
        tenant=resort.tenant,
        code="CHILD",
        name="儿童票",
        name_en="Child",
        category="child",
        price_weekday_fen=18400,
        price_weekend_fen=19900,
        price_holiday_fen=19900,
        sold_online=True,
        sort_order=2,
    )
    for t in (adult, child):
        await service.sync_online_ticket(db, tid, t)
    return adult, child


class TestPublicPurchase:
    async def test_the_page_shows_the_days_tickets_and_prices_in_chinese(
        self, db, client, resort, on_sale
    ):
        adult, _child = on_sale
        tid = TenantId(resort.tenant.id)
        today = await service.resort_today(db, tid)
        monday = _next(today, 0)
        page = await client.get(f"/book/{resort.tenant.slug}/spa/?day={monday.isoformat()}")
        assert page.status_code == 200
        assert "温泉门票" in page.text and "成人票" in page.text and "儿童票" in page.text
        assert "¥368.00" in page.text and "¥184.00" in page.text
        assert f'name="{_qty(adult)}"' in page.text
        far = today + timedelta(days=61)
        assert (await client.get(f"/book/{resort.tenant.slug}/spa/?day={far}")).status_code == 422

    async def test_the_page_speaks_english_when_asked(self, db, client, resort, on_sale):
        await client.get("/lang/en")
        page = await client.get(f"/book/{resort.tenant.slug}/spa/")
        assert page.status_code == 200
        assert "Hot-spring day tickets" in page.text and "Adult" in page.text
        assert "Continue to payment" in page.text

    async def test_an_adult_and_a_child_are_bought_paid_and_confirmed(
        self, db, client, resort, on_sale, stripe_gateway, stripe_emulator
    ):
        from tests.helpers import form_post

        adult, child = on_sale
        slug, tid = resort.tenant.slug, TenantId(resort.tenant.id)
        monday = _next(await service.resort_today(db, tid), 0)
        answer = await form_post(
            client,
            f"/book/{slug}/spa/",
            {
                "day": monday.isoformat(),
                _qty(adult): "2",
                _qty(child): "1",
                "guest_name": "韩梅梅",
                "guest_phone": "13900139000",
            },
        )
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"].startswith(f"/book/{slug}/pay/")
        order = await pay_through_the_pay_step(client, stripe_emulator, answer.headers["location"])
        assert order.startswith(f"/book/{slug}/spa/bookings/")
        page = await client.get(order)
        assert page.status_code == 200
        assert "2 × 成人票" in page.text and "1 × 儿童票" in page.text
        assert "请在前台出示" in page.text or "Show this at the desk" in page.text
        assert monday.isoformat() in page.text and "data:image/svg+xml" in page.text
        # the child tickets are their own reservation, paid through the same pay step
        pay_next = page.text.split('href="/book/')[-1].split('"')[0]
        assert pay_next.startswith(f"{slug}/pay/")
        order = await pay_through_the_pay_step(
            client, stripe_emulator, "/book/" + pay_next.replace("&amp;", "&")
        )
        page = await client.get(order)
        assert page.text.count("data:image/svg+xml") == 2
        await bind_tenant(db, resort.tenant.id)
        found = await reservations.search_reservations(db, tid, term="13900139000")
        assert sorted((r.unit_type_name, r.quantity, r.status, r.paid_fen) for r in found) == [
            ("儿童票", 1, "confirmed", 18400),
            ("成人票", 2, "confirmed", 73600),
        ]

    async def test_refusals_name_their_field_and_hold_nothing(self, db, client, resort, on_sale):
        from tests.helpers import form_post

        adult, _child = on_sale
        slug, tid = resort.tenant.slug, TenantId(resort.tenant.id)
        monday = _next(await service.resort_today(db, tid), 0)
        base = {"day": monday.isoformat(), "guest_name": "韩梅梅", "guest_phone": "13900139000"}
        for data in (
            base,
            {**base, _qty(adult): "abc"},
            {**base, _qty(adult): "21"},
            {**base, _qty(adult): "1", "guest_name": ""},
            {**base, _qty(adult): "1", "guest_phone": "call me"},
            {**base, _qty(adult): "1", "day": "2020-01-01"},
        ):
            answer = await form_post(client, f"/book/{slug}/spa/", data)
            assert answer.status_code == 422, data
        await bind_tenant(db, resort.tenant.id)
        assert await reservations.search_reservations(db, tid, term="13900139000") == []

    async def test_more_than_are_left_is_sold_out(self, db, client, resort, on_sale):
        from tests.helpers import form_post

        adult, _child = on_sale
        slug, tid = resort.tenant.slug, TenantId(resort.tenant.id)
        monday = _next(await service.resort_today(db, tid), 0)
        await reservations.set_calendar(
            db, tid, unit_type_id=adult.unit_type_id, start=monday, end=monday, total=2
        )
        answer = await form_post(
            client,
            f"/book/{slug}/spa/",
            {
                "day": monday.isoformat(),
                _qty(adult): "2",
                "guest_name": "韩梅梅",
                "guest_phone": "13900139000",
            },
        )
        assert answer.status_code == 303
        page = await client.get(f"/book/{slug}/spa/?day={monday.isoformat()}")
        assert f'name="{_qty(adult)}"' not in page.text

    async def test_a_wrong_code_shows_nothing(self, db, client, resort, on_sale):
        adult, _ = on_sale
        tid = TenantId(resort.tenant.id)
        monday = _next(await service.resort_today(db, tid), 0)
        [held] = await service.buy_tickets(
            db, tid, day=monday, counts={adult.id: 1}, name="李雷", phone="13800138000"
        )
        url = f"/book/{resort.tenant.slug}/spa/bookings/{held.id}"
        page = await client.get(f"{url}?code=WRONG")
        assert page.status_code == 200 and held.code not in page.text and "李雷" not in page.text
        assert held.code in (await client.get(f"{url}?code={held.code.lower()}")).text


class TestBookingPage:
    async def test_a_hot_spring_only_goes_straight_to_day_tickets(self, db, client, resort):
        answer = await client.get(f"/book/{resort.tenant.slug}/")
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/book/{resort.tenant.slug}/spa/"

    async def test_a_hotel_that_is_a_hot_spring_links_its_day_tickets(self, db, client):
        both = await make_tenant(db, kinds=("hot_spring", "hotel"), name="温泉酒店")
        page = await client.get(f"/book/{both.tenant.slug}/")
        assert page.status_code == 200
        assert f'href="/book/{both.tenant.slug}/spa/"' in page.text


class TestRedeemedAtTheDesk:
    """Done when: a day ticket is bought online and redeemed at the desk."""

    async def test_a_ticket_bought_and_paid_online_admits_its_persons_once_at_the_desk(
        self, db, client, resort, on_sale, stripe_gateway, stripe_emulator
    ):
        from sqlalchemy import select

        from modules.keytags.models import Visit
        from tests.helpers import form_post, sign_in

        adult, _child = on_sale
        slug, tid = resort.tenant.slug, TenantId(resort.tenant.id)
        today = await service.resort_today(db, tid)
        bought = await form_post(
            client,
            f"/book/{slug}/spa/",
            {
                "day": today.isoformat(),
                _qty(adult): "2",
                "guest_name": "韩梅梅",
                "guest_phone": "13900139000",
            },
        )
        assert bought.status_code == 303, bought.text
        order = await pay_through_the_pay_step(client, stripe_emulator, bought.headers["location"])
        code = order.split("code=")[1]
        page = await client.get(order)
        assert code in page.text and "请在前台出示" in page.text

        await sign_in(client, resort)

        def admit(rows: int) -> dict[str, str]:
            form = {"source": "online", "code": code.lower(), "tab_mode": "postpay"}
            for n in range(rows):
                form |= {f"persons-{n}-ticket_type": str(adult.id), f"persons-{n}-qr": "1"}
            return form

        admitted = await form_post(client, "/console/keytags/admit", admit(2))
        assert admitted.status_code == 303, admitted.text
        await bind_tenant(db, resort.tenant.id)
        visits = (await db.execute(select(Visit))).scalars().all()
        assert len(visits) == 2
        kind = (await service.day_kinds(db, tid, today, today))[today]
        assert {(v.source, v.admission_prepaid, v.admission_fen) for v in visits} == {
            ("online", True, service.prices(adult).on(kind))
        }
        [r] = await reservations.search_reservations(db, tid, term="13900139000")
        assert {v.reservation_id for v in visits} == {r.id}

        again = await form_post(client, "/console/keytags/admit", admit(1))
        assert again.status_code == 422
        assert "0" in again.text
        assert len((await db.execute(select(Visit))).scalars().all()) == 2


class TestHorizonJob:
    def test_the_daily_job_is_registered_with_the_worker(self):
        from modules.keytags import tasks
        from workers.app import BLUEPRINTS

        names = {name for bp in BLUEPRINTS for name in bp.tasks}
        assert "keytags.extend_online_tickets" in names
        crons = [p.cron for p in tasks.blueprint.periodic_registry.periodic_tasks.values()]
        assert "30 19 * * *" in crons

    @pytest.mark.realdb
    async def test_ten_days_later_the_sale_still_reaches_180_days_ahead(
        self, committed_database, settings
    ):
        import time_machine

        from app import clock
        from app.jobs.runtime import JobRuntime, use_runtime
        from modules.keytags import tasks

        async with committed_database.transaction() as db:
            owner = await make_tenant(db, kinds=("hot_spring",), name="测试温泉")
            tid = TenantId(owner.tenant.id)
            await bind_tenant(db, tid)
            ticket = await make_ticket_type(db, tenant=owner.tenant, sold_online=True)
            await service.sync_online_ticket(db, tid, ticket)
            start = await service.resort_today(db, tid)
            unit_type_id = ticket.unit_type_id
        later = clock.now() + timedelta(days=10)
        with (
            use_runtime(JobRuntime(committed_database, settings)),
            time_machine.travel(later, tick=False),
        ):
            assert await tasks.extend_online_tickets(timestamp=0) >= 1
        async with committed_database.transaction(tid) as db:
            edge = start + timedelta(days=189)
            [cell] = await _cells(db, tid, unit_type_id, edge)
            assert cell is not None and cell.price_fen in (36800, 39800)
            [beyond] = await _cells(db, tid, unit_type_id, edge + timedelta(days=1))
            assert beyond is None
