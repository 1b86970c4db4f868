"""Staff management: invitations, roles, removal, the last owner, and who may do what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.db.engine import bind_tenant
from app.notifications.models import OutboundMessage
from tenants.models import AuditEvent, Membership, User
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in

HTMX = {"HX-Request": "true"}
JOIN_PASSWORD = "Joining-pass-2026"


async def invite(client, email="xiaoli@example.test", name="李小红", role="front_desk"):
    return await form_post(
        client,
        "/console/staff/invite",
        {"email": email, "display_name": name, "role": role},
        follow_redirects=False,
    )


async def membership(db, tenant_id, email) -> Membership:
    await bind_tenant(db, tenant_id)
    stmt = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id, User.email == email)
        .execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one()


async def invitation_token(db, tenant_id, email) -> str:
    await bind_tenant(db, tenant_id)
    stmt = (
        select(OutboundMessage.body)
        .where(
            OutboundMessage.tenant_id == tenant_id,
            OutboundMessage.recipient == email,
            OutboundMessage.purpose == "invitation",
        )
        .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
    )
    body = (await db.execute(stmt)).scalars().first()
    assert body is not None
    match = re.search(r"/console/invitation\?token=(\S+)", body)
    assert match, body
    return match.group(1)


async def actions(db, tenant_id) -> list[str]:
    await bind_tenant(db, tenant_id)
    stmt = select(AuditEvent.action).where(AuditEvent.tenant_id == tenant_id)
    return list((await db.execute(stmt)).scalars())


async def accept(client, token, **data):
    return await form_post(
        client, "/console/invitation", {"token": token, **data}, follow_redirects=False
    )


class TestList:
    async def test_owner_sees_staff_with_role_status_and_last_sign_in(self, client, db):
        owner = await make_tenant(db)
        await make_staff(db, tenant=owner.tenant, display_name="王收银", role="cashier")
        await sign_in(client, owner)
        response = await client.get("/console/staff")
        assert response.status_code == 200
        assert "王收银" in response.text and "收银员" in response.text
        assert "在职" in response.text and "从未" in response.text
        assert "/console/staff/invite" in response.text

    async def test_removed_staff_are_hidden_unless_asked_for(self, client, db):
        owner = await make_tenant(db)
        await make_staff(db, tenant=owner.tenant, display_name="离职员工", status="removed")
        await sign_in(client, owner)
        assert "离职员工" not in (await client.get("/console/staff")).text
        assert "离职员工" in (await client.get("/console/staff?removed=true")).text


class TestRoleGuard:
    async def test_front_desk_gets_403_on_staff_management(self, client, db):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get("/console/staff")).status_code == 403
        assert (await invite(client)).status_code == 403
        path = f"/console/staff/{owner.membership.id}/role"
        response = await form_post(client, path, {"role": "cashier"})
        assert response.status_code == 403

    @pytest.mark.parametrize("role", ["auditor", "manager"])
    async def test_auditor_and_manager_can_view_but_not_change(self, client, db, role):
        owner = await make_tenant(db)
        viewer = await make_staff(db, tenant=owner.tenant, role=role)
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, viewer)
        page = await client.get("/console/staff")
        assert page.status_code == 200
        assert "/console/staff/invite" not in page.text
        assert (await invite(client)).status_code == 403
        base = f"/console/staff/{clerk.membership.id}"
        assert (await form_post(client, f"{base}/role", {"role": "manager"})).status_code == 403
        assert (await form_post(client, f"{base}/remove", {})).status_code == 403
        assert (await membership(db, owner.tenant.id, clerk.user.email)).role == "front_desk"

    async def test_staff_navigation_is_shown_only_to_those_who_may_open_it(self, client, db):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant, role="cashier")
        await sign_in(client, clerk)
        home = await client.get("/console/")
        assert 'href="/console/staff"' not in home.text
        assert 'href="/console/account"' in home.text

    async def test_another_enterprises_member_id_answers_404(self, client, db):
        owner = await make_tenant(db)
        other = await make_tenant(db)
        await sign_in(client, owner)
        path = f"/console/staff/{other.membership.id}/remove"
        assert (await form_post(client, path, {})).status_code == 404
        assert (await membership(db, other.tenant.id, other.user.email)).status == "active"


class TestInviteAndJoin:
    async def test_invite_accept_and_sign_in(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await invite(client, role="cashier")
        assert response.status_code == 303
        invited = await membership(db, owner.tenant.id, "xiaoli@example.test")
        assert (invited.status, invited.role) == ("invited", "cashier")
        token = await invitation_token(db, owner.tenant.id, "xiaoli@example.test")

        client.cookies.clear()
        page = await client.get("/console/invitation", params={"token": token})
        assert page.status_code == 200
        assert owner.tenant.name in page.text and "收银员" in page.text
        response = await accept(
            client,
            token,
            display_name="李小红",
            password=JOIN_PASSWORD,
            password_confirm=JOIN_PASSWORD,
        )
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/login?done=joined")

        login = await form_post(
            client,
            "/console/login",
            {
                "tenant": owner.tenant.slug,
                "email": "xiaoli@example.test",
                "password": JOIN_PASSWORD,
            },
            follow_redirects=False,
        )
        assert login.status_code == 303
        assert (await client.get("/console/")).status_code == 200
        assert (await membership(db, owner.tenant.id, "xiaoli@example.test")).status == "active"
        assert {"staff.invited", "staff.joined"} <= set(await actions(db, owner.tenant.id))

    async def test_an_invitation_link_works_once(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        await invite(client)
        token = await invitation_token(db, owner.tenant.id, "xiaoli@example.test")
        fields = {
            "display_name": "李",
            "password": JOIN_PASSWORD,
            "password_confirm": JOIN_PASSWORD,
        }
        assert (await accept(client, token, **fields)).status_code == 303
        again = await accept(client, token, **{**fields, "password": "Other-pass-2026"})
        assert again.status_code == 404
        assert (await client.get("/console/invitation", params={"token": token})).status_code == 404

    async def test_bad_input_on_accept_is_pointed_out_and_the_link_survives(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        await invite(client)
        token = await invitation_token(db, owner.tenant.id, "xiaoli@example.test")
        response = await accept(client, token, display_name="", password="short")
        assert response.status_code == 422
        assert "请输入姓名" in response.text and "至少需要 10 个字符" in response.text
        fields = {
            "display_name": "李",
            "password": JOIN_PASSWORD,
            "password_confirm": JOIN_PASSWORD,
        }
        assert (await accept(client, token, **fields)).status_code == 303

    async def test_someone_with_an_account_joins_with_their_own_password(self, client, db):
        owner = await make_tenant(db)
        elsewhere = await make_tenant(db, kinds=("agency",))
        await sign_in(client, owner)
        await invite(client, email=elsewhere.user.email, name="不会改名", role="manager")
        token = await invitation_token(db, owner.tenant.id, elsewhere.user.email)
        page = await client.get("/console/invitation", params={"token": token})
        assert 'name="current_password"' in page.text and 'name="password"' not in page.text
        wrong = await accept(client, token, current_password="not-my-password-1")
        assert wrong.status_code == 422
        takeover = await accept(
            client, token, password=JOIN_PASSWORD, password_confirm=JOIN_PASSWORD
        )
        assert takeover.status_code == 422
        assert (await accept(client, token, current_password=elsewhere.password)).status_code == 303
        assert (await membership(db, owner.tenant.id, elsewhere.user.email)).role == "manager"
        user = await db.get(User, elsewhere.user.id, populate_existing=True)
        assert user is not None and user.display_name != "不会改名"

    async def test_inviting_a_current_member_is_refused(self, client, db):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant)
        await sign_in(client, owner)
        response = await invite(client, email=clerk.user.email)
        assert response.status_code == 422
        assert "此人已是本企业员工" in response.text

    async def test_bad_invitation_fields_are_pointed_out(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await invite(client, email="not-an-email", name="", role="emperor")
        assert response.status_code == 422
        assert "请输入有效的电子邮箱地址" in response.text
        assert "请选择一个角色" in response.text

    async def test_sending_again_voids_the_earlier_link(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        await invite(client)
        first = await invitation_token(db, owner.tenant.id, "xiaoli@example.test")
        invited = await membership(db, owner.tenant.id, "xiaoli@example.test")
        resent = await form_post(client, f"/console/staff/{invited.id}/resend", {}, headers=HTMX)
        assert resent.status_code == 200 and "<tr" in resent.text
        second = await invitation_token(db, owner.tenant.id, "xiaoli@example.test")
        assert second != first
        assert (await client.get("/console/invitation", params={"token": first})).status_code == 404
        assert (
            await client.get("/console/invitation", params={"token": second})
        ).status_code == 200

    async def test_a_removed_member_can_be_invited_back(self, client, db):
        owner = await make_tenant(db)
        gone = await make_staff(db, tenant=owner.tenant, status="removed")
        await sign_in(client, owner)
        assert (await invite(client, email=gone.user.email, role="guide")).status_code == 303
        back = await membership(db, owner.tenant.id, gone.user.email)
        assert (back.status, back.role) == ("invited", "guide")


class TestChangeRole:
    async def test_owner_changes_a_role_inline_with_htmx(self, client, db):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, owner)
        path = f"/console/staff/{clerk.membership.id}/role"
        response = await form_post(client, path, {"role": "manager"}, headers=HTMX)
        assert response.status_code == 200
        assert response.text.lstrip().startswith("<tr")
        assert '<option value="manager" selected>' in response.text
        assert (await membership(db, owner.tenant.id, clerk.user.email)).role == "manager"
        await bind_tenant(db, owner.tenant.id)
        event = (
            await db.execute(select(AuditEvent).where(AuditEvent.action == "staff.role_changed"))
        ).scalar_one()
        assert (event.data["from"], event.data["to"]) == ("front_desk", "manager")

    async def test_the_plain_form_redirects_back_to_the_list(self, client, db):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant)
        await sign_in(client, owner)
        path = f"/console/staff/{clerk.membership.id}/role"
        response = await form_post(client, path, {"role": "guide"}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/console/staff?notice=role_changed"

    async def test_the_last_owner_cannot_step_down(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        path = f"/console/staff/{owner.membership.id}/role"
        response = await form_post(client, path, {"role": "manager"}, headers=HTMX)
        assert response.status_code == 409
        assert "企业至少需要一位所有者" in response.text
        plain = await form_post(client, path, {"role": "manager"})
        assert plain.status_code == 409
        assert (await membership(db, owner.tenant.id, owner.user.email)).role == "owner"

    async def test_an_owner_can_step_down_when_another_owner_remains(self, client, db):
        owner = await make_tenant(db)
        await make_staff(db, tenant=owner.tenant, role="owner")
        await sign_in(client, owner)
        path = f"/console/staff/{owner.membership.id}/role"
        response = await form_post(client, path, {"role": "manager"}, follow_redirects=False)
        assert response.status_code == 303
        assert (await membership(db, owner.tenant.id, owner.user.email)).role == "manager"
        assert (await client.get("/console/staff")).status_code == 200  # managers may look
        assert (await invite(client)).status_code == 403  # but no longer change


class TestRemove:
    async def test_removing_someone_ends_their_sessions(self, app, client, db):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant)
        await sign_in(client, clerk)
        clerk_cookie = client.cookies["zhilv_session"]
        await sign_in(client, owner)
        path = f"/console/staff/{clerk.membership.id}/remove"
        response = await form_post(client, path, {}, headers=HTMX)
        assert response.status_code == 200 and "已移除" in response.text
        gone = await membership(db, owner.tenant.id, clerk.user.email)
        assert gone.status == "removed" and gone.removed_at is not None
        client.cookies.set("zhilv_session", clerk_cookie, domain="testserver.local", path="/")
        assert (await client.get("/console/", follow_redirects=False)).status_code == 303
        assert "staff.removed" in await actions(db, owner.tenant.id)

    async def test_the_last_owner_cannot_remove_themselves(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        path = f"/console/staff/{owner.membership.id}/remove"
        response = await form_post(client, path, {})
        assert response.status_code == 409
        assert (await membership(db, owner.tenant.id, owner.user.email)).status == "active"
        assert (await client.get("/console/")).status_code == 200

    async def test_an_owner_who_leaves_is_signed_out(self, client, db):
        owner = await make_tenant(db)
        await make_staff(db, tenant=owner.tenant, role="owner")
        await sign_in(client, owner)
        path = f"/console/staff/{owner.membership.id}/remove"
        response = await form_post(client, path, {}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/console/login"
        assert (await client.get("/console/", follow_redirects=False)).status_code == 303

    async def test_cancelling_an_invitation_voids_its_link(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        await invite(client)
        token = await invitation_token(db, owner.tenant.id, "xiaoli@example.test")
        invited = await membership(db, owner.tenant.id, "xiaoli@example.test")
        await form_post(client, f"/console/staff/{invited.id}/remove", {})
        assert (await client.get("/console/invitation", params={"token": token})).status_code == 404
