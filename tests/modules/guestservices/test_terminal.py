"""The guest's pages on a paired terminal: services with live status, room service
charged to the bill, express check-out, ratings and complaints, and privacy: a terminal
sees only the stay checked in to its own room, and nothing once that guest has left."""

from __future__ import annotations

import pytest

from modules.frontdesk import service as frontdesk
from modules.guestservices import service
from modules.reservations.service import GuestDetails
from tests.factories.frontdesk import TZ, make_stay
from tests.factories.guestservices import make_complaint, make_menu_item, make_request
from tests.factories.reservations import RESIDENT_ID
from tests.factories.terminals import make_device
from tests.helpers import csrf

HTMX = {"HX-Request": "true"}


@pytest.fixture
async def terminal(db, owner, guest, client):  # type: ignore[no-untyped-def]
    """The client as the terminal in the guest's room."""
    paired = await make_device(db, tenant=owner.tenant, unit_id=guest.stay.unit_id)
    client.cookies.set("zhilv_terminal", paired.token)
    return client


async def tap(client, path, data=None):  # type: ignore[no-untyped-def]
    token = await csrf(client)
    return await client.post(
        path, data={**(data or {}), "_csrf_token": token}, headers={**HTMX, "x-csrftoken": token}
    )


async def leave(db, tid, stay_id):  # type: ignore[no-untyped-def]
    folio = await frontdesk.folio(db, tid, stay_id)
    method = "cash" if folio.balance_fen > 0 else ""
    await frontdesk.check_out(db, tid, stay_id, method=method, actor=frontdesk.SYSTEM, tz=TZ)


class TestServices:
    async def test_a_housekeeping_request_shows_its_status_change_in_the_polled_list(
        self, db, tid, guest, terminal
    ):
        page = await terminal.get("/terminal/services")
        assert page.status_code == 200 and "打扫房间" in page.text
        assert page.headers["cache-control"] == "no-store"
        sent = await tap(terminal, "/terminal/services", {"kind": "housekeeping", "note": "下午来"})
        assert sent.status_code == 200 and "已发送，工作人员马上就到" in sent.text
        listed = await terminal.get("/terminal/services/list", headers=HTMX)
        assert 'data-status="new"' in listed.text and 'hx-trigger="every 5s"' in listed.text
        [made] = await service.stay_requests(db, tid, guest.stay.id)
        await service.advance_request(db, tid, made.id, "done", by_user_id=None)
        listed = await terminal.get("/terminal/services/list", headers=HTMX)
        assert 'data-status="done"' in listed.text and "已完成" in listed.text

    async def test_a_wake_up_without_a_time_is_a_422_at_the_field(self, terminal):
        refused = await tap(terminal, "/terminal/services", {"kind": "wakeup", "at": ""})
        assert refused.status_code == 422 and "请输入时间" in refused.text

    async def test_the_guest_cancels_a_new_request_and_rates_a_done_one(
        self, db, owner, tid, guest, terminal
    ):
        first = await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id, kind="towels")
        cancelled = await tap(terminal, f"/terminal/services/{first.id}/cancel")
        assert cancelled.status_code == 200 and "请求已取消" in cancelled.text
        second = await make_request(db, tenant=owner.tenant, stay_id=guest.stay.id)
        await service.advance_request(db, tid, second.id, "done", by_user_id=None)
        rated = await tap(terminal, f"/terminal/services/{second.id}/rating", {"score": "5"})
        assert rated.status_code == 200 and "感谢您的评价" in rated.text
        again = await tap(terminal, f"/terminal/services/{second.id}/rating", {"score": "1"})
        assert again.status_code == 409

    async def test_an_empty_room_refuses_requests_with_a_message(self, db, owner, client):
        paired = await make_device(db, tenant=owner.tenant)
        client.cookies.set("zhilv_terminal", paired.token)
        page = await client.get("/terminal/services")
        assert page.status_code == 200 and "本房间目前没有入住的客人" in page.text
        refused = await tap(client, "/terminal/services", {"kind": "housekeeping"})
        assert refused.status_code == 409 and "无法提交请求" in refused.text

    async def test_an_unpaired_browser_is_sent_to_pairing(self, client):
        assert (await client.get("/terminal/services")).status_code == 303


class TestDiningAndBill:
    async def test_an_order_shows_on_the_bill_at_once(self, db, owner, tid, guest, terminal):
        item = await make_menu_item(db, tenant=owner.tenant, name="重庆小面", price="28.00")
        menu = await terminal.get("/terminal/dining")
        assert "重庆小面" in menu.text and "¥28.00" in menu.text
        before = (await frontdesk.folio(db, tid, guest.stay.id)).balance_fen
        ordered = await tap(terminal, "/terminal/dining/orders", {f"qty_{item.id}": "2"})
        assert ordered.status_code == 200 and "费用已记入您的账单" in ordered.text
        bill = await terminal.get("/terminal/bill")
        assert "重庆小面 ×2" in bill.text and "¥56.00" in bill.text
        assert f"¥{(before + 5600) / 100:,.2f}" in bill.text

    async def test_a_bad_quantity_is_a_422_and_charges_nothing(
        self, db, owner, tid, guest, terminal
    ):
        item = await make_menu_item(db, tenant=owner.tenant)
        before = await frontdesk.folio(db, tid, guest.stay.id)
        refused = await tap(terminal, "/terminal/dining/orders", {f"qty_{item.id}": "99"})
        assert refused.status_code == 422 and "0 到 20" in refused.text
        assert (await frontdesk.folio(db, tid, guest.stay.id)).lines == before.lines

    async def test_express_check_out_reaches_the_desk_queue(self, db, tid, terminal):
        asked = await tap(terminal, "/terminal/bill/checkout")
        assert asked.status_code == 200 and "前台已收到您的快速退房申请" in asked.text
        queue = await service.request_queue(db, tid)
        assert [r.kind for r in queue.requests] == ["checkout"]


class TestFeedback:
    async def test_rate_the_stay_and_complain_then_see_the_answer(self, db, tid, terminal):
        rated = await tap(terminal, "/terminal/feedback/rating", {"score": "4"})
        assert rated.status_code == 200 and "★★★★" in rated.text
        refused = await tap(terminal, "/terminal/feedback/complaints", {"category": "noise"})
        assert refused.status_code == 422 and "请告诉我们发生了什么" in refused.text
        filed = await tap(
            terminal, "/terminal/feedback/complaints", {"category": "noise", "body": "隔壁很吵"}
        )
        assert filed.status_code == 200 and "隔壁很吵" in filed.text
        [complaint] = await service.complaints(db, tid)
        await service.answer_complaint(db, tid, complaint.id, answer="已安排换房", by_user_id=None)
        page = await terminal.get("/terminal/feedback")
        assert "已安排换房" in page.text


class TestPrivacy:
    async def test_another_rooms_requests_and_orders_are_out_of_reach(
        self, db, owner, tid, guest, terminal
    ):
        neighbour = await make_stay(
            db,
            tenant=owner.tenant,
            stock=guest.stock,
            guest=GuestDetails("李四", "13900000002", id_number=RESIDENT_ID),
        )
        assert neighbour.stay.unit_number != guest.stay.unit_number
        theirs = await make_request(db, tenant=owner.tenant, stay_id=neighbour.stay.id, note="邻居")
        item = await make_menu_item(db, tenant=owner.tenant)
        order = await service.place_order(
            db, tid, stay_id=neighbour.stay.id, quantities={str(item.id): "1"}
        )
        await service.advance_order(db, tid, order.id, "deliver", by_user_id=None)
        await make_complaint(db, tenant=owner.tenant, stay_id=neighbour.stay.id, body="邻居投诉")
        assert (await tap(terminal, f"/terminal/services/{theirs.id}/cancel")).status_code == 404
        rate = await tap(terminal, f"/terminal/services/{theirs.id}/rating", {"score": "1"})
        assert rate.status_code == 404
        rate = await tap(terminal, f"/terminal/dining/orders/{order.id}/rating", {"score": "1"})
        assert rate.status_code == 404
        for path in (
            "/terminal/services",
            "/terminal/dining",
            "/terminal/bill",
            "/terminal/feedback",
        ):
            page = await terminal.get(path)
            assert page.status_code == 200
            assert "李四" not in page.text
            assert str(theirs.id) not in page.text and str(order.id) not in page.text
            assert "邻居" not in page.text
        [mine] = await service.stay_requests(db, tid, neighbour.stay.id)
        assert mine.status == "new"  # the neighbour's request was not cancelled

    async def test_after_check_out_nothing_of_the_guest_remains(
        self, db, owner, tid, guest, terminal
    ):
        item = await make_menu_item(db, tenant=owner.tenant, name="山城啤酒", price="15")
        await tap(terminal, "/terminal/services", {"kind": "towels"})
        await tap(terminal, "/terminal/dining/orders", {f"qty_{item.id}": "1"})
        await tap(terminal, "/terminal/feedback/complaints", {"category": "food", "body": "太咸了"})
        [request] = await service.stay_requests(db, tid, guest.stay.id)
        await leave(db, tid, guest.stay.id)
        for path in (
            "/terminal/services",
            "/terminal/services/list",
            "/terminal/dining",
            "/terminal/dining/orders",
            "/terminal/bill",
            "/terminal/feedback",
        ):
            page = await terminal.get(path)
            assert page.status_code == 200, path
            for trace in (guest.stay.guest_name, "加毛巾", "山城啤酒", "太咸了", str(request.id)):
                assert trace not in page.text, (path, trace)
        assert (await tap(terminal, f"/terminal/services/{request.id}/cancel")).status_code == 404
        assert (
            await tap(terminal, "/terminal/dining/orders", {f"qty_{item.id}": "1"})
        ).status_code == 409
