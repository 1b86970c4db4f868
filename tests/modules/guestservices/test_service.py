"""Guest services' behaviour: requests and their history, orders charged to the folio,
menus, ratings and complaints."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import clock
from app.db.engine import bind_tenant
from app.errors import Conflict, Invalid, NotFound
from modules.frontdesk import service as frontdesk
from modules.guestservices import domain, service
from modules.guestservices.schemas import ComplaintForm, RatingForm, RequestForm
from tests.factories.frontdesk import TZ, make_stay
from tests.factories.guestservices import (
    make_complaint,
    make_menu_item,
    make_order,
    make_request,
)
from tests.factories.tenants import make_staff, make_tenant


async def check_out(db, tid, stay_id):  # type: ignore[no-untyped-def]
    folio = await frontdesk.folio(db, tid, stay_id)
    method = "cash" if folio.balance_fen > 0 else ""
    await frontdesk.check_out(db, tid, stay_id, method=method, actor=frontdesk.SYSTEM, tz=TZ)


class TestRequests:
    async def test_a_request_walks_through_its_statuses_with_who_and_when(
        self, db, owner, tid, guest
    ):
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk", display_name="张敏")
        made = await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id, note="请下午来")
        assert (made.status, made.unit_number, made.note) == (
            "new",
            guest.stay.unit_number,
            "请下午来",
        )
        for action in ("acknowledge", "start", "done"):
            done = await service.advance_request(db, tid, made.id, action, by_user_id=clerk.user.id)
        assert done.status == "done"
        assert [(e.status, e.by_name, e.by_guest) for e in done.history] == [
            ("new", None, True),
            ("acknowledged", "张敏", False),
            ("in_progress", "张敏", False),
            ("done", "张敏", False),
        ]
        listed = await service.stay_requests(db, tid, guest.stay.id)
        assert [(r.id, r.status) for r in listed] == [(made.id, "done")]

    async def test_a_step_already_passed_is_refused(self, db, owner, tid, guest):
        made = await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id)
        await service.advance_request(db, tid, made.id, "done", by_user_id=None)
        with pytest.raises(Conflict):
            await service.advance_request(db, tid, made.id, "acknowledge", by_user_id=None)
        with pytest.raises(Invalid):
            await service.advance_request(db, tid, made.id, "explode", by_user_id=None)

    async def test_the_guest_cancels_only_while_it_is_new(self, db, owner, tid, guest):
        first = await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id, kind="towels")
        cancelled = await service.cancel_request(
            db, tid, stay_id=guest.stay.id, request_id=first.id
        )
        assert cancelled.status == "cancelled"
        second = await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id, kind="towels")
        await service.advance_request(db, tid, second.id, "acknowledge", by_user_id=None)
        with pytest.raises(Conflict, match="no longer be cancelled"):
            await service.cancel_request(db, tid, stay_id=guest.stay.id, request_id=second.id)

    async def test_another_rooms_request_cannot_be_cancelled(self, db, owner, tid, guest):
        other = await make_stay(db, tenant=owner.tenant, stock=guest.stock)
        theirs = await make_request(db, tenant=owner.tenant, stay_id=other.stay.id)
        with pytest.raises(NotFound):
            await service.cancel_request(db, tid, stay_id=guest.stay.id, request_id=theirs.id)
        assert [r.id for r in await service.stay_requests(db, tid, guest.stay.id)] == []

    async def test_housekeeping_is_not_sent_twice_while_one_is_open(self, db, owner, guest):
        await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id)
        with pytest.raises(Conflict, match="already asked"):
            await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id)

    async def test_wake_up_needs_a_time_and_is_set_for_the_next_one(self, db, tid, guest):
        with pytest.raises(Invalid) as caught:
            await service.request_service(
                db, tid, stay_id=guest.stay.id, form=RequestForm(kind="wakeup", at="25:00")
            )
        assert caught.value.errors[0]["field"] == "at"
        late = datetime(2026, 11, 24, 23, 0, tzinfo=ZoneInfo(TZ))
        made = await service.request_service(
            db, tid, stay_id=guest.stay.id, form=RequestForm(kind="wakeup", at="07:00"), now=late
        )
        assert made.due_at == datetime(2026, 11, 25, 7, 0, tzinfo=ZoneInfo(TZ))

    async def test_a_taxi_needs_where_to_and_when(self, db, tid, guest):
        with pytest.raises(Invalid) as caught:
            await service.request_service(
                db, tid, stay_id=guest.stay.id, form=RequestForm(kind="taxi")
            )
        assert {e["field"] for e in caught.value.errors} == {"at", "destination"}
        made = await service.request_service(
            db,
            tid,
            stay_id=guest.stay.id,
            form=RequestForm(kind="taxi", at="14:30", destination="江北机场T3"),
        )
        assert made.destination == "江北机场T3" and made.due_at is not None

    async def test_an_unknown_service_is_refused(self, db, tid, guest):
        with pytest.raises(Invalid):
            await service.request_service(
                db, tid, stay_id=guest.stay.id, form=RequestForm(kind="checkout")
            )

    async def test_nothing_can_be_asked_once_the_guest_has_left(self, db, owner, tid, guest):
        await check_out(db, tid, guest.stay.id)
        with pytest.raises(Conflict, match="No guest is checked in"):
            await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id)

    async def test_queue_shows_open_requests_oldest_first_and_flags_overdue(
        self, db, owner, tid, guest
    ):
        now = clock.now()
        old = await service.request_service(
            db,
            tid,
            stay_id=guest.stay.id,
            form=RequestForm(kind="towels"),
            now=now - timedelta(minutes=20),
        )
        fresh = await service.request_service(
            db, tid, stay_id=guest.stay.id, form=RequestForm(kind="maintenance"), now=now
        )
        queue = await service.request_queue(db, tid, now=now)
        assert [(r.id, r.overdue, r.waited_minutes) for r in queue.requests] == [
            (old.id, True, 20),
            (fresh.id, False, 0),
        ]
        assert queue.counts == {"new": 2}
        assert await service.new_request_count(db, tid) == 2

    async def test_express_check_out_is_asked_once(self, db, tid, guest):
        made = await service.request_checkout(db, tid, stay_id=guest.stay.id)
        assert made.kind == "checkout"
        with pytest.raises(Conflict):
            await service.request_checkout(db, tid, stay_id=guest.stay.id)


class TestOrders:
    async def test_an_order_is_charged_to_the_folio_line_by_line(self, db, owner, tid, guest):
        noodles = await make_menu_item(db, tenant=owner.tenant, name="重庆小面", price="28.00")
        beer = await make_menu_item(
            db, tenant=owner.tenant, menu="minibar", name="山城啤酒", price="15.50"
        )
        before = await frontdesk.folio(db, tid, guest.stay.id)
        order = await service.place_order(
            db,
            tid,
            stay_id=guest.stay.id,
            quantities={str(noodles.id): "2", str(beer.id): "3", "": ""},
        )
        assert order.total_fen == 2 * 2800 + 3 * 1550 == 10250
        after = await frontdesk.folio(db, tid, guest.stay.id)
        new_lines = after.lines[len(before.lines) :]
        assert [(x.description, x.amount_fen, x.source) for x in new_lines] == [
            ("重庆小面 ×2", 5600, "dining"),
            ("山城啤酒 ×3", 4650, "minibar"),
        ]
        assert after.balance_fen - before.balance_fen == 10250
        [listed] = await service.stay_orders(db, tid, guest.stay.id)
        assert [(line.name, line.quantity) for line in listed.lines] == [
            (line.name, line.quantity) for line in order.lines
        ]

    async def test_an_unavailable_item_is_refused_and_nothing_is_charged(
        self, db, owner, tid, guest
    ):
        item = await make_menu_item(db, tenant=owner.tenant, name="老火锅套餐", available="")
        before = await frontdesk.folio(db, tid, guest.stay.id)
        with pytest.raises(Conflict, match="老火锅套餐"):
            await service.place_order(
                db, tid, stay_id=guest.stay.id, quantities={str(item.id): "1"}
            )
        assert (await frontdesk.folio(db, tid, guest.stay.id)).lines == before.lines
        assert await service.stay_orders(db, tid, guest.stay.id) == ()

    @pytest.mark.parametrize("typed", ["-1", "21", "two", "1.5"])
    async def test_a_bad_quantity_is_a_field_error(self, db, owner, tid, guest, typed):
        item = await make_menu_item(db, tenant=owner.tenant)
        with pytest.raises(Invalid) as caught:
            await service.place_order(
                db, tid, stay_id=guest.stay.id, quantities={str(item.id): typed}
            )
        assert caught.value.errors[0]["field"] == f"qty_{item.id}"

    async def test_an_empty_order_is_refused(self, db, owner, tid, guest):
        item = await make_menu_item(db, tenant=owner.tenant)
        with pytest.raises(Invalid) as caught:
            await service.place_order(
                db, tid, stay_id=guest.stay.id, quantities={str(item.id): "0"}
            )
        assert caught.value.errors[0]["field"] == "quantities"

    async def test_another_tenants_item_is_not_on_the_menu(self, db, owner, tid, guest):
        other = await make_tenant(db)
        theirs = await make_menu_item(db, tenant=other.tenant)
        await bind_tenant(db, owner.tenant.id)
        with pytest.raises(Invalid):
            await service.place_order(
                db, tid, stay_id=guest.stay.id, quantities={str(theirs.id): "1"}
            )

    async def test_no_order_after_check_out(self, db, owner, tid, guest):
        item = await make_menu_item(db, tenant=owner.tenant)
        await check_out(db, tid, guest.stay.id)
        with pytest.raises(Conflict):
            await service.place_order(
                db, tid, stay_id=guest.stay.id, quantities={str(item.id): "1"}
            )

    async def test_the_kitchen_moves_an_order_to_delivered(self, db, owner, tid, guest):
        order = await make_order(db, tenant=owner.tenant, stay_id=guest.stay.id)
        assert [o.id for o in await service.order_queue(db, tid)] == [order.id]
        await service.advance_order(db, tid, order.id, "prepare", by_user_id=None)
        done = await service.advance_order(db, tid, order.id, "deliver", by_user_id=None)
        assert done.status == "delivered"
        assert await service.order_queue(db, tid) == ()
        with pytest.raises(Conflict):
            await service.advance_order(db, tid, order.id, "prepare", by_user_id=None)


class TestMenus:
    async def test_price_and_name_are_checked(self, db, owner):
        with pytest.raises(Invalid) as caught:
            await make_menu_item(db, tenant=owner.tenant, name="", price="abc", menu="bar")
        assert {e["field"] for e in caught.value.errors} == {"name", "price", "menu"}

    async def test_the_terminal_sees_only_available_items_in_order(self, db, owner, tid):
        await make_menu_item(db, tenant=owner.tenant, name="酸辣粉", sort_order="20")
        await make_menu_item(db, tenant=owner.tenant, name="重庆小面", sort_order="10")
        await make_menu_item(db, tenant=owner.tenant, name="担担面", available="")
        await make_menu_item(db, tenant=owner.tenant, menu="minibar", name="矿泉水", price="5")
        shown = await service.menu(db, tid, available_only=True)
        assert {m: [i.name for i in items] for m, items in shown.items()} == {
            "room_service": ["重庆小面", "酸辣粉"],
            "minibar": ["矿泉水"],
        }
        assert len((await service.menu(db, tid))["room_service"]) == 3


class TestRatings:
    async def test_the_stay_is_rated_once(self, db, tid, guest):
        await service.rate(db, tid, stay_id=guest.stay.id, form=RatingForm(score="5"))
        with pytest.raises(Conflict, match="already rated"):
            await service.rate(db, tid, stay_id=guest.stay.id, form=RatingForm(score="4"))
        assert (await service.guest_feedback(db, tid, guest.stay.id)).stay_rating == 5

    @pytest.mark.parametrize("score", ["0", "6", "", "five", "4.5"])
    async def test_a_score_outside_one_to_five_is_refused(self, db, tid, guest, score):
        with pytest.raises(Invalid) as caught:
            await service.rate(db, tid, stay_id=guest.stay.id, form=RatingForm(score=score))
        assert caught.value.errors[0]["field"] == "score"

    async def test_a_request_is_rated_once_it_is_done(self, db, owner, tid, guest):
        made = await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id)
        form = RatingForm(score="4", comment="很快")
        with pytest.raises(Conflict, match="once it is done"):
            await service.rate(db, tid, stay_id=guest.stay.id, form=form, request_id=made.id)
        await service.advance_request(db, tid, made.id, "done", by_user_id=None)
        await service.rate(db, tid, stay_id=guest.stay.id, form=form, request_id=made.id)
        [listed] = await service.stay_requests(db, tid, guest.stay.id)
        assert listed.rating == 4
        summary = await service.ratings_summary(db, tid)
        assert [(r.subject, r.count, r.average) for r in summary.rows] == [("housekeeping", 1, 4.0)]
        assert summary.recent[0].comment == "很快"

    async def test_another_rooms_request_cannot_be_rated(self, db, owner, tid, guest):
        other = await make_stay(db, tenant=owner.tenant, stock=guest.stock)
        theirs = await make_request(db, tenant=owner.tenant, stay_id=other.stay.id)
        await service.advance_request(db, tid, theirs.id, "done", by_user_id=None)
        with pytest.raises(NotFound):
            await service.rate(
                db, tid, stay_id=guest.stay.id, form=RatingForm(score="1"), request_id=theirs.id
            )

    async def test_averages_per_subject_over_thirty_days(self, db, owner, tid, guest):
        other = await make_stay(db, tenant=owner.tenant, stock=guest.stock)
        await service.rate(db, tid, stay_id=guest.stay.id, form=RatingForm(score="5"))
        await service.rate(db, tid, stay_id=other.stay.id, form=RatingForm(score="2"))
        summary = await service.ratings_summary(db, tid)
        assert [(r.subject, r.count, r.average) for r in summary.rows] == [("stay", 2, 3.5)]
        later = await service.ratings_summary(db, tid, now=clock.now() + timedelta(days=31))
        assert later.rows == ()


class TestComplaints:
    async def test_a_complaint_is_answered_then_closed(self, db, owner, tid, guest):
        manager = await make_staff(db, tenant=owner.tenant, role="manager", display_name="李娟")
        filed = await make_complaint(
            db, tenant=owner.tenant, stay_id=guest.stay.id, contact_phone="13508300001"
        )
        assert (filed.status, filed.contact_phone) == ("open", "13508300001")
        answered = await service.answer_complaint(
            db, tid, filed.id, answer="已为您调换安静房间", by_user_id=manager.user.id
        )
        assert (answered.status, answered.answered_by_name) == ("answered", "李娟")
        seen = await service.guest_feedback(db, tid, guest.stay.id)
        assert [c.answer for c in seen.complaints] == ["已为您调换安静房间"]
        closed = await service.close_complaint(db, tid, filed.id, by_user_id=manager.user.id)
        assert closed.status == "closed"
        with pytest.raises(Conflict):
            await service.answer_complaint(db, tid, filed.id, answer="再答", by_user_id=None)

    async def test_bad_complaints_are_field_errors(self, db, tid, guest):
        form = ComplaintForm(category="weather", body=" ", contact_phone="call me")
        with pytest.raises(Invalid) as caught:
            await service.file_complaint(db, tid, stay_id=guest.stay.id, form=form)
        assert {e["field"] for e in caught.value.errors} == {"category", "body", "contact_phone"}

    async def test_an_unanswered_complaint_is_overdue_after_the_deadline(
        self, db, owner, tid, guest
    ):
        now = clock.now()
        late = await service.file_complaint(
            db,
            tid,
            stay_id=guest.stay.id,
            form=ComplaintForm(category="cleanliness", body="浴室不干净"),
            now=now - domain.ANSWER_WITHIN - timedelta(minutes=1),
        )
        await make_complaint(db, tenant=owner.tenant, stay_id=guest.stay.id)
        assert await service.overdue_complaint_count(db, tid, now=now) == 1
        listed = {c.id: c.overdue for c in await service.complaints(db, tid, now=now)}
        assert listed[late.id] is True and sum(listed.values()) == 1
        await service.answer_complaint(db, tid, late.id, answer="已处理", by_user_id=None)
        assert await service.overdue_complaint_count(db, tid, now=now) == 0

    async def test_complaint_fields_are_ready_for_the_bureau(self, db, owner, guest):
        filed = await make_complaint(db, tenant=owner.tenant, stay_id=guest.stay.id)
        assert (filed.forwarded_at, filed.external_ref) == (None, None)
