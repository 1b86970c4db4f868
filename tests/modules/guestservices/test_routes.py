"""The console pages over HTTP: the request and order queues, menus, complaints and
ratings, with their role checks and 422s."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import clock
from modules.guestservices import domain, service
from modules.guestservices.schemas import ComplaintForm, RatingForm, RequestForm
from tests.factories.guestservices import make_complaint, make_menu_item, make_order, make_request
from tests.factories.tenants import make_staff
from tests.helpers import csrf, form_post, sign_in

HTMX = {"HX-Request": "true"}


@pytest.fixture
async def clerk(db, owner):  # type: ignore[no-untyped-def]
    return await make_staff(db, tenant=owner.tenant, role="front_desk", display_name="张敏")


@pytest.fixture
async def desk(client, clerk):  # type: ignore[no-untyped-def]
    await sign_in(client, clerk)
    return client


@pytest.fixture
async def manager(client, db, owner):  # type: ignore[no-untyped-def]
    await sign_in(client, await make_staff(db, tenant=owner.tenant, role="manager"))
    return client


async def htmx_post(client, path, data=None):  # type: ignore[no-untyped-def]
    token = await csrf(client)
    return await client.post(
        path, data={**(data or {}), "_csrf_token": token}, headers={**HTMX, "x-csrftoken": token}
    )


class TestRequestQueue:
    async def test_the_queue_shows_the_room_the_wait_and_flags_overdue(self, db, tid, guest, desk):
        await service.request_service(
            db,
            tid,
            stay_id=guest.stay.id,
            form=RequestForm(kind="towels", note="两条浴巾"),
            now=clock.now() - timedelta(minutes=20),
        )
        page = await desk.get("/console/guestservices/requests")
        assert page.status_code == 200
        assert guest.stay.unit_number in page.text and "两条浴巾" in page.text
        assert "加毛巾" in page.text and "已等待 20 分钟" in page.text and "gs-overdue" in page.text

    async def test_a_clerk_acknowledges_and_finishes_with_htmx(self, db, owner, guest, desk):
        made = await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id)
        base = f"/console/guestservices/requests/{made.id}"
        acked = await htmx_post(desk, f"{base}/acknowledge")
        assert acked.status_code == 200 and "已确认" in acked.text and "张敏" in acked.text
        done = await htmx_post(desk, f"{base}/done")
        assert done.status_code == 200
        again = await htmx_post(desk, f"{base}/start")
        assert again.status_code == 409 and "已经处理" in again.text
        assert (await htmx_post(desk, f"{base}/fly")).status_code == 422
        finished = await desk.get("/console/guestservices/requests/list?status=done")
        assert str(made.id) in finished.text

    async def test_the_badge_counts_new_requests(self, db, owner, guest, desk):
        assert (await desk.get("/console/guestservices/requests/badge")).text.strip() == ""
        await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id)
        assert (await desk.get("/console/guestservices/requests/badge")).text.strip() == "1"

    async def test_roles_without_guest_work_are_refused(self, db, owner, client):
        await sign_in(client, await make_staff(db, tenant=owner.tenant, role="cashier"))
        assert (await client.get("/console/guestservices/requests")).status_code == 403
        assert (await client.get("/console/guestservices/complaints")).status_code == 403


class TestOrderQueue:
    async def test_the_kitchen_sees_the_order_and_delivers_it(self, db, owner, guest, desk):
        order = await make_order(db, tenant=owner.tenant, stay_id=guest.stay.id)
        page = await desk.get("/console/guestservices/orders")
        assert "重庆小面 × 2" in page.text and "¥56.00" in page.text
        delivered = await htmx_post(desk, f"/console/guestservices/orders/{order.id}/deliver")
        assert delivered.status_code == 200 and str(order.id) not in delivered.text


class TestMenu:
    async def test_a_manager_adds_an_item(self, manager):
        added = await form_post(
            manager,
            "/console/guestservices/menu",
            {"menu": "room_service", "name": "酸辣粉", "price": "22", "available": "1"},
        )
        assert added.status_code == 303
        page = await manager.get("/console/guestservices/menu")
        assert "酸辣粉" in page.text and "¥22.00" in page.text

    async def test_a_bad_price_is_a_422_with_the_form_kept(self, manager):
        refused = await form_post(
            manager,
            "/console/guestservices/menu",
            {"menu": "minibar", "name": "可乐", "price": "abc"},
        )
        assert refused.status_code == 422
        assert "请输入价格" in refused.text and 'value="可乐"' in refused.text

    async def test_a_manager_changes_an_item(self, db, owner, manager):
        item = await make_menu_item(db, tenant=owner.tenant, name="担担面", price="26")
        form = await manager.get(f"/console/guestservices/menu/{item.id}")
        assert 'value="26.00"' in form.text
        changed = await form_post(
            manager,
            f"/console/guestservices/menu/{item.id}",
            {"menu": "room_service", "name": "担担面", "price": "27.5", "available": ""},
        )
        assert changed.status_code == 303
        assert (await service.get_menu_item(db, owner.tenant.id, item.id)).price_fen == 2750

    async def test_the_front_desk_cannot_change_menus(self, desk):
        assert (await desk.get("/console/guestservices/menu")).status_code == 403
        assert (await desk.get("/console/guestservices/ratings")).status_code == 403


class TestComplaints:
    async def test_an_empty_answer_is_a_422(self, db, owner, guest, desk):
        filed = await make_complaint(db, tenant=owner.tenant, stay_id=guest.stay.id)
        path = f"/console/guestservices/complaints/{filed.id}/answer"
        refused = await form_post(desk, path, {"answer": "  "})
        assert refused.status_code == 422 and "请填写给客人的答复" in refused.text

    async def test_answer_then_close(self, db, owner, guest, desk):
        filed = await make_complaint(db, tenant=owner.tenant, stay_id=guest.stay.id)
        base = f"/console/guestservices/complaints/{filed.id}"
        answered = await form_post(desk, f"{base}/answer", {"answer": "已为您更换房间"})
        assert answered.status_code == 303
        page = await desk.get(answered.headers["location"])
        assert "已为您更换房间" in page.text and "张敏" in page.text
        assert (await form_post(desk, f"{base}/close", {})).status_code == 303
        closed_again = await form_post(desk, f"{base}/close", {})
        assert closed_again.status_code == 409

    async def test_overdue_complaints_are_flagged_in_the_list_and_badge(self, db, tid, guest, desk):
        await service.file_complaint(
            db,
            tid,
            stay_id=guest.stay.id,
            form=ComplaintForm(category="noise", body="楼上装修"),
            now=clock.now() - domain.ANSWER_WITHIN - timedelta(minutes=5),
        )
        badge = await desk.get("/console/guestservices/complaints/badge")
        assert badge.text.strip() == "1"
        listing = await desk.get("/console/guestservices/complaints")
        assert "楼上装修" in listing.text and "已逾期" in listing.text


class TestRatings:
    async def test_the_summary_shows_averages(self, db, tid, guest, manager):
        await service.rate(
            db, tid, stay_id=guest.stay.id, form=RatingForm(score="4", comment="不错")
        )
        page = await manager.get("/console/guestservices/ratings")
        assert page.status_code == 200
        assert "4.00" in page.text and "不错" in page.text
