"""The console: registration (owner only, secret never shown, test connection against
the stand-in), the filings list and detail, retry and re-file, the badge."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from modules.filings.models import BureauRegistration, Filing
from tests.factories.filings import SECRET, enterprise_code_for, make_filing, make_registration
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in
from tests.modules.filings.test_sending import send

GOOD = {"district_code": "500103", "filing_secret": SECRET}


@pytest.fixture
async def sim_client(settings, database, bureau_sim) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """The console with BUREAU_URL pointing at the stand-in."""
    from app.main import create_app

    app = create_app(settings.model_copy(update={"bureau_url": bureau_sim.url}), database=database)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


class TestRegistration:
    async def test_owner_registers_and_the_secret_is_stored_encrypted_and_never_shown(
        self, db, client
    ):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        code = enterprise_code_for(owner.tenant)
        response = await form_post(
            client,
            "/console/filings/registration",
            {**GOOD, "enterprise_code": code},
            follow_redirects=False,
        )
        assert response.status_code == 303
        stored = await db.scalar(
            select(BureauRegistration).where(BureauRegistration.tenant_id == owner.tenant.id)
        )
        assert (
            stored is not None
            and stored.enterprise_code == code
            and SECRET not in stored.secret_sealed
        )
        page = await client.get("/console/filings/registration")
        assert page.status_code == 200 and SECRET not in page.text and code in page.text
        assert "已保存密钥" in page.text

    async def test_bad_fields_rerender_with_errors_and_no_secret_echo(self, db, client):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await form_post(
            client,
            "/console/filings/registration",
            {
                "enterprise_code": "915001",
                "district_code": "510104",
                "filing_secret": "short-secret",
            },
        )
        assert response.status_code == 422
        assert (
            "统一社会信用代码" in response.text
            and "50xxxx" in response.text
            and "32" in response.text
        )
        assert "short-secret" not in response.text
        assert (
            await db.scalar(
                select(BureauRegistration).where(BureauRegistration.tenant_id == owner.tenant.id)
            )
            is None
        )

    async def test_empty_secret_keeps_the_stored_one(self, db, client):
        owner = await make_tenant(db)
        registration = await make_registration(db, tenant=owner.tenant)
        sealed = registration.secret_sealed
        await sign_in(client, owner)
        response = await form_post(
            client,
            "/console/filings/registration",
            {
                "enterprise_code": registration.enterprise_code,
                "district_code": "500105",
                "filing_secret": "",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        await db.refresh(registration)
        assert (registration.district_code, registration.secret_sealed) == ("500105", sealed)

    async def test_only_the_owner_sees_the_registration(self, db, client):
        owner = await make_tenant(db)
        manager = await make_staff(db, tenant=owner.tenant, role="manager")
        await sign_in(client, manager)
        assert (await client.get("/console/filings/registration")).status_code == 403


class TestConnection:
    async def test_right_credentials_are_accepted_by_the_stand_in(self, db, sim_client, bureau_sim):
        owner = await make_tenant(db)
        registration = await make_registration(db, tenant=owner.tenant)
        bureau_sim.register(registration.enterprise_code, SECRET)
        await sign_in(sim_client, owner)
        response = await form_post(
            sim_client, "/console/filings/registration/test", {}, headers={"hx-request": "true"}
        )
        assert (
            response.status_code == 200
            and "已接受本企业代码和签名" in response.text
            and "404" in response.text
        )
        await db.refresh(registration)
        assert (registration.last_test_result, registration.last_test_status) == ("ok", 404)

    async def test_wrong_secret_is_reported_as_a_refused_signature(
        self, db, sim_client, bureau_sim
    ):
        owner = await make_tenant(db)
        registration = await make_registration(db, tenant=owner.tenant)
        bureau_sim.register(
            registration.enterprise_code, "another-secret-another-secret-0123456789"
        )
        await sign_in(sim_client, owner)
        response = await form_post(sim_client, "/console/filings/registration/test", {})
        assert response.status_code == 200 and "拒绝了签名（401）" in response.text

    async def test_unreachable_bureau_is_reported(self, db, app, client):
        owner = await make_tenant(db)
        await make_registration(db, tenant=owner.tenant)
        await sign_in(client, owner)
        app.state.settings = app.state.settings.model_copy(
            update={"bureau_url": "http://127.0.0.1:9", "filing_http_timeout_seconds": 2}
        )
        response = await form_post(
            client, "/console/filings/registration/test", {}, headers={"hx-request": "true"}
        )
        assert "无法连接监管平台" in response.text


class TestFilingsPage:
    async def test_lists_filters_and_shows_detail_with_attempts_and_receipt(
        self, db, client, bureau, settings
    ):
        owner = await make_tenant(db)
        await make_registration(db, tenant=owner.tenant)
        accepted = await make_filing(db, tenant=owner.tenant)
        await send(db, owner, accepted, bureau, settings)
        pending = await make_filing(
            db,
            tenant=owner.tenant,
            kind="group",
            payload={"group_no": "G-2026-77", "start_date": "2099-01-01"},
        )
        await sign_in(client, owner)
        page = await client.get("/console/filings")
        assert page.status_code == 200 and "G-2026-77" in page.text and "hotel_monthly" in page.text
        only_groups = await client.get("/console/filings", params={"kind": "group"})
        assert "G-2026-77" in only_groups.text and "hotel_monthly" not in only_groups.text
        only_accepted = await client.get("/console/filings", params={"state": "accepted"})
        assert "G-2026-77" not in only_accepted.text and "hotel_monthly" in only_accepted.text
        nothing = await client.get(
            "/console/filings", params={"date_from": "2000-01-01", "date_to": "2000-01-31"}
        )
        assert "没有符合条件的备案" in nothing.text
        detail = await client.get(f"/console/filings/{accepted}")
        assert (
            "CQ20261124000001" in detail.text and "201" in detail.text and "已受理" in detail.text
        )
        assert (await client.get(f"/console/filings/{pending}")).status_code == 200

    async def test_rejected_filing_shows_the_bureaus_field_errors_and_can_be_corrected(
        self, db, client, bureau, settings
    ):
        owner = await make_tenant(db)
        await make_registration(db, tenant=owner.tenant)
        filing_id = await make_filing(db, tenant=owner.tenant)
        bureau.then(
            400,
            {
                "code": "invalid",
                "message": "x",
                "errors": [
                    {
                        "field": "figures.occupancy_bp",
                        "code": "out_of_range",
                        "message": "入住率不能超过 10000",
                    }
                ],
            },
        )
        await send(db, owner, filing_id, bureau, settings)
        await sign_in(client, owner)
        detail = await client.get(f"/console/filings/{filing_id}")
        assert "figures.occupancy_bp" in detail.text and "入住率不能超过 10000" in detail.text
        bad = await form_post(client, f"/console/filings/{filing_id}/refile", {"payload": "{oops"})
        assert bad.status_code == 422 and "{oops" in bad.text and "有效的 JSON" in bad.text
        good = await form_post(
            client,
            f"/console/filings/{filing_id}/refile",
            {"payload": '{"report_type": "hotel_monthly", "period": "2026-07", "figures": {}}'},
            follow_redirects=False,
        )
        assert good.status_code == 303
        new = await db.scalar(select(Filing).where(Filing.replaces_id == filing_id))
        assert (
            new is not None
            and good.headers["location"] == f"/console/filings/{new.id}?done=refiled"
        )

    async def test_retry_button_requeues_and_auditor_may_look_but_not_act(
        self, db, client, bureau, settings
    ):
        owner = await make_tenant(db)
        await make_registration(db, tenant=owner.tenant)
        filing_id = await make_filing(db, tenant=owner.tenant)
        bureau.then(409, {"code": "idempotency_conflict", "message": "x"})
        await send(db, owner, filing_id, bureau, settings)
        auditor = await make_staff(db, tenant=owner.tenant, role="auditor")
        await sign_in(client, auditor)
        page = await client.get(f"/console/filings/{filing_id}")
        assert (
            page.status_code == 200
            and "idempotency_conflict" in page.text
            and "/retry" not in page.text
        )
        assert (
            await form_post(client, f"/console/filings/{filing_id}/retry", {})
        ).status_code == 403
        await sign_in(client, owner)
        response = await form_post(
            client, f"/console/filings/{filing_id}/retry", {}, follow_redirects=False
        )
        assert response.status_code == 303
        assert (await db.scalar(select(Filing.state).where(Filing.id == filing_id))) == "pending"

    async def test_front_desk_does_not_see_filings(self, db, client):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get("/console/filings")).status_code == 403

    async def test_banner_when_not_registered_and_badge_counts_what_needs_action(
        self, db, client, bureau, settings
    ):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        page = await client.get("/console/filings")
        assert "尚未完成监管平台备案登记" in page.text
        assert 'hx-get="/console/filings/badge"' in page.text
        assert (await client.get("/console/filings/badge")).text.strip() == ""
        await make_registration(db, tenant=owner.tenant)
        filing_id = await make_filing(db, tenant=owner.tenant)
        bureau.then(400, {"code": "invalid", "message": "x"})
        await send(db, owner, filing_id, bureau, settings)
        assert (await client.get("/console/filings/badge")).text.strip() == "1"


class TestPausedAndResumed:
    async def test_paused_banner_and_owner_resumes(self, db, client, bureau, settings):
        owner = await make_tenant(db)
        await make_registration(db, tenant=owner.tenant)
        filing_id = await make_filing(db, tenant=owner.tenant)
        bureau.then(401, {"code": "bad_signature", "message": "签名校验失败"})
        await send(db, owner, filing_id, bureau, settings)
        await sign_in(client, owner)
        assert "监管备案已暂停" in (await client.get("/console/filings")).text
        registration_page = await client.get("/console/filings/registration")
        assert (
            "签名校验失败" in registration_page.text
            and "/console/filings/registration/resume" in registration_page.text
        )
        response = await form_post(
            client, "/console/filings/registration/resume", {}, follow_redirects=False
        )
        assert response.status_code == 303
        assert (await db.scalar(select(Filing.state).where(Filing.id == filing_id))) == "pending"
