"""The contracts console over HTTP: what an agent sees and clicks."""

from __future__ import annotations

import pytest

from modules.contracts import service
from tests.factories.contracts import TOURISTS, make_draft, sign_contract, tourist_signed
from tests.factories.tenants import make_staff
from tests.helpers import form_post, sign_in
from tests.modules.contracts.conftest import pdf_text


@pytest.fixture
async def agent(db, owner):  # type: ignore[no-untyped-def]
    return await make_staff(db, tenant=owner.tenant, role="agent", display_name="王芳")


@pytest.fixture
async def signed_in(client, agent):  # type: ignore[no-untyped-def]
    await sign_in(client, agent)
    return client


def _form(**overrides):  # type: ignore[no-untyped-def]
    lead, other = TOURISTS
    data = {
        "contract_type": "domestic_group", "route_name": "大足石刻一日游", "departure": "重庆",
        "destinations": "大足", "start_date": "2026-12-20", "end_date": "2026-12-20",
        "nights": "0", "min_group_size": "8", "price_total": "1,280.50",
        "t_key": ["a1", "b2"], "lead_key": "a1",
        "t_name": [lead.name, other.name], "t_id_type": ["resident_id", "resident_id"],
        "t_id_number": [lead.id_number, other.id_number], "t_phone": [lead.phone, ""],
        "d_route": ["重庆→大足→重庆"], "d_sights": ["宝顶山石刻（不少于120分钟）"],
        "d_transport": ["旅游大巴"], "d_lodging": [""], "d_meals": ["午餐"], "d_free_time": ["无"],
        "lead_phone": lead.phone,
    }  # fmt: skip
    data.update(overrides)
    return data


class TestDraftForm:
    async def test_a_new_draft_is_saved_with_its_rows(self, db, tid, signed_in):
        page = await signed_in.get("/console/contracts/new")
        assert page.status_code == 200 and "添加游客" in page.text
        saved = await form_post(signed_in, "/console/contracts/new", _form())
        assert saved.status_code == 303
        contract_id = saved.headers["location"].split("/")[3].split("?")[0]
        data = await service.draft_input(db, tid, __import__("uuid").UUID(contract_id))
        assert data.price_total_fen == 128050 and data.destinations == ("大足",)
        assert [p.name for p in data.tourists] == ["张伟", "李娜"] and data.tourists[0].is_lead
        assert data.days[0].sights == "宝顶山石刻（不少于120分钟）"

    async def test_bad_input_answers_422_with_errors_beside_the_fields(self, signed_in):
        bad = _form(
            price_total="三百", start_date="2026-13-01",
            t_id_number=[TOURISTS[0].id_number, "500105199003210420"],
        )  # fmt: skip
        answer = await form_post(signed_in, "/console/contracts/new", bad)
        assert answer.status_code == 422
        assert "请输入以元为单位的金额" in answer.text
        assert 'aria-invalid="true"' in answer.text and "李娜" in answer.text

    async def test_a_wrong_id_check_digit_is_shown_on_its_row(self, signed_in):
        bad = _form(t_id_number=[TOURISTS[0].id_number, "500105199003210420"])
        answer = await form_post(signed_in, "/console/contracts/new", bad)
        assert answer.status_code == 422 and "校验位不匹配" in answer.text

    async def test_rows_are_added_by_htmx(self, signed_in):
        row = await signed_in.get("/console/contracts/rows/tourist")
        assert row.status_code == 200 and 'name="t_name"' in row.text
        day = await signed_in.get("/console/contracts/rows/day")
        assert 'name="d_sights"' in day.text


class TestSigningPages:
    async def test_sending_an_incomplete_draft_lists_what_is_missing(self, db, owner, signed_in):
        from tests.factories.contracts import complete_input

        contract_id = await make_draft(
            db, tenant=owner.tenant, data=complete_input(min_group_size=None, free_time="")
        )
        answer = await form_post(signed_in, f"/console/contracts/{contract_id}/send", {})
        assert answer.status_code == 422
        assert "最低成团人数" in answer.text and "自由活动" in answer.text

    async def test_sending_shows_the_link_and_its_qr_code(self, db, owner, signed_in):
        contract_id = await make_draft(db, tenant=owner.tenant)
        answer = await form_post(signed_in, f"/console/contracts/{contract_id}/send", {})
        assert answer.status_code == 200
        assert "/sign/contract?token=" in answer.text and "data:image/svg+xml" in answer.text

    async def test_countersigning_makes_it_binding_and_the_pdf_downloadable(
        self, db, owner, signed_in
    ):
        contract_id, _secret = await tourist_signed(db, tenant=owner.tenant)
        done = await form_post(signed_in, f"/console/contracts/{contract_id}/countersign", {})
        assert done.status_code == 303
        page = await signed_in.get(done.headers["location"])
        assert ("已签署" in page.text and "已生效" in page.text) or "已签署" in page.text
        pdf = await signed_in.get(f"/console/contracts/{contract_id}/pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert "王芳" in pdf_text(pdf.content)

    async def test_editing_a_signed_contract_is_refused(self, db, owner, signed_in):
        contract_id, _n = await sign_contract(db, tenant=owner.tenant)
        answer = await form_post(signed_in, f"/console/contracts/{contract_id}/edit", _form())
        assert answer.status_code == 409


class TestCancelPage:
    async def test_the_refund_is_computed_before_cancelling(self, db, owner, tid, signed_in):
        contract_id, _n = await sign_contract(db, tenant=owner.tenant)
        page = await service.contract_page(db, tid, contract_id)
        notice = (page.contract.start_date - __import__("datetime").timedelta(days=2)).isoformat()
        form = {"canceller": "tourist", "notice_date": notice, "reason": "行程冲突"}
        quote = await form_post(
            signed_in, f"/console/contracts/{contract_id}/cancel", {**form, "preview": "1"}
        )
        assert quote.status_code == 200 and "¥2,388.00" in quote.text
        assert "退款截止日期" in quote.text
        assert (await service.contract_page(db, tid, contract_id)).contract.status == "signed"
        done = await form_post(signed_in, f"/console/contracts/{contract_id}/cancel", form)
        assert done.status_code == 303
        db.expire_all()
        assert (await service.contract_page(db, tid, contract_id)).contract.status == "cancelled"
        shown = await signed_in.get(done.headers["location"])
        assert "已解除" in shown.text and "¥2,388.00" in shown.text and "前退还" in shown.text

    async def test_cancelling_without_a_reason_is_refused(self, db, owner, signed_in):
        contract_id, _n = await sign_contract(db, tenant=owner.tenant)
        answer = await form_post(
            signed_in, f"/console/contracts/{contract_id}/cancel", {"canceller": "tourist"}
        )
        assert answer.status_code == 422


class TestAccess:
    async def test_front_desk_staff_cannot_open_contracts(self, db, owner, client):
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get("/console/contracts")).status_code == 403

    async def test_the_list_filters_by_status(self, db, owner, signed_in):
        await make_draft(db, tenant=owner.tenant, route_name="草稿线路")
        _id, e_number = await sign_contract(db, tenant=owner.tenant)
        signed = await signed_in.get("/console/contracts?status=signed")
        assert e_number in signed.text and "草稿线路" not in signed.text
        drafts = await signed_in.get("/console/contracts?status=draft")
        assert "草稿线路" in drafts.text and e_number not in drafts.text
        pending = await signed_in.get("/console/contracts?filing=pending")
        assert e_number in pending.text and "草稿线路" not in pending.text
        unfiled = await signed_in.get("/console/contracts?filing=none")
        assert "草稿线路" in unfiled.text and e_number not in unfiled.text


class TestCheckButton:
    async def test_the_form_is_checked_without_saving(self, db, tid, signed_in):
        answer = await form_post(signed_in, "/console/contracts/check", _form(min_group_size=""))
        assert answer.status_code == 200
        assert "尚缺" in answer.text
        assert 'class="missing">最低成团人数' in answer.text
        assert 'class="ok">游客姓名及有效证件' in answer.text
        listing = await service.list_contracts(db, tid)
        assert listing.rows == ()

    async def test_unreadable_input_is_named(self, signed_in):
        answer = await form_post(signed_in, "/console/contracts/check", _form(price_total="x"))
        assert answer.status_code == 422 and "请输入以元为单位的金额" in answer.text


def _form_of(data):  # type: ignore[no-untyped-def]
    """A saved contract's terms as the form posts them."""
    from modules.contracts.routes.console.forms import values_of

    v, tourists, days = values_of(data)
    form = {k: val for k, val in v.items() if isinstance(val, str)}
    form.update(
        sold_by_agent="1" if v["sold_by_agent"] else "", delegated="1" if v["delegated"] else "",
        t_key=[t["key"] for t in tourists], t_name=[t["name"] for t in tourists],
        t_id_type=[t["id_type"] for t in tourists], t_id_number=[t["id_number"] for t in tourists],
        t_phone=[t["phone"] for t in tourists],
        lead_key=next(t["key"] for t in tourists if t["is_lead"]),
    )  # fmt: skip
    for field in ("route", "sights", "transport", "lodging", "meals", "free_time"):
        form[f"d_{field}"] = [d[field] for d in days]
    return form


class TestAmendPage:
    async def test_an_amendment_needs_a_reason_then_makes_version_two(
        self, db, owner, tid, signed_in
    ):
        contract_id, _n = await sign_contract(db, tenant=owner.tenant)
        form = _form_of(await service.draft_input(db, tid, contract_id))
        page = await signed_in.get(f"/console/contracts/{contract_id}/amend")
        assert page.status_code == 200 and "变更原因" in page.text
        path = f"/console/contracts/{contract_id}/amend"
        refused = await form_post(signed_in, path, {**form, "price_total": "4180"})
        assert refused.status_code == 422 and "请说明变更原因" in refused.text
        done = await form_post(
            signed_in, path, {**form, "price_total": "4180", "reason": "游客书面同意升级"}
        )
        assert done.status_code == 303
        db.expire_all()
        page = await service.contract_page(db, tid, contract_id)
        assert [v.version for v in page.versions] == [1, 2]
        assert page.contract.price_total_fen == 418000

    async def test_taking_back_a_sent_contract(self, db, owner, tid, signed_in):
        contract_id = await make_draft(db, tenant=owner.tenant)
        await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)
        done = await form_post(signed_in, f"/console/contracts/{contract_id}/recall", {})
        assert done.status_code == 303
        page = await signed_in.get(done.headers["location"])
        assert "合同已撤回为草稿" in page.text


class TestBadge:
    async def test_the_badge_counts_contracts_waiting_for_the_agency(self, db, owner, signed_in):
        assert (await signed_in.get("/console/contracts/badge")).text.strip() == ""
        await tourist_signed(db, tenant=owner.tenant)
        assert (await signed_in.get("/console/contracts/badge")).text.strip() == "1"


class TestOnlyWhatTheStateAllows:
    async def test_amend_and_cancel_pages_of_a_draft_lead_back_to_it(self, db, owner, signed_in):
        contract_id = await make_draft(db, tenant=owner.tenant)
        for action in ("amend", "cancel"):
            answer = await signed_in.get(f"/console/contracts/{contract_id}/{action}")
            assert answer.status_code == 303
            assert answer.headers["location"] == f"/console/contracts/{contract_id}"
