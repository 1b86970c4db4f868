"""Password reset by a one-time link sent through the notification outbox."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select, text

from app import clock
from app.db.engine import bind_tenant
from app.notifications.models import OutboundMessage
from tenants.models import AuditEvent
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in

NEW_PASSWORD = "Brand-new-pass-42"
SENT = "如果该邮箱属于该企业的员工"


async def ask_reset(client, staff, email=None):
    return await form_post(
        client, "/console/forgot", {"tenant": staff.tenant.slug, "email": email or staff.user.email}
    )


async def reset_messages(db, tenant_id):
    await bind_tenant(db, tenant_id)
    stmt = (
        select(OutboundMessage)
        .where(OutboundMessage.tenant_id == tenant_id, OutboundMessage.purpose == "password_reset")
        .order_by(OutboundMessage.created_at, OutboundMessage.id)
    )
    return (await db.execute(stmt)).scalars().all()


async def reset_token(client, db, staff) -> str:
    response = await ask_reset(client, staff)
    assert response.status_code == 200
    message = (await reset_messages(db, staff.tenant.id))[-1]
    match = re.search(r"/console/reset\?token=(\S+)", message.body)
    assert match, message.body
    return match.group(1)


async def set_password(client, token, password=NEW_PASSWORD, confirm=None):
    return await form_post(
        client,
        "/console/reset",
        {"token": token, "password": password, "password_confirm": confirm or password},
        follow_redirects=False,
    )


async def can_sign_in(client, staff, password) -> bool:
    response = await form_post(
        client,
        "/console/login",
        {"tenant": staff.tenant.slug, "email": staff.user.email, "password": password},
        follow_redirects=False,
    )
    return response.status_code == 303


class TestAskForLink:
    async def test_the_answer_is_the_same_for_staff_and_strangers(self, client, db):
        owner = await make_tenant(db)
        known = await ask_reset(client, owner)
        unknown = await ask_reset(client, owner, email="nobody@x.test")
        assert known.status_code == unknown.status_code == 200
        assert SENT in known.text and SENT in unknown.text
        assert len(await reset_messages(db, owner.tenant.id)) == 1

    async def test_the_e_mail_carries_a_link_to_the_reset_page(self, client, db, settings):
        owner = await make_tenant(db)
        await ask_reset(client, owner)
        [message] = await reset_messages(db, owner.tenant.id)
        assert message.channel == "email"
        assert message.recipient == owner.user.email
        assert f"{settings.base_url}/console/reset?token={owner.tenant.id}." in message.body

    async def test_staff_of_another_enterprise_get_nothing(self, client, db):
        owner = await make_tenant(db)
        other = await make_tenant(db)
        await ask_reset(client, owner, email=other.user.email)
        assert await reset_messages(db, owner.tenant.id) == []
        assert await reset_messages(db, other.tenant.id) == []

    async def test_invited_and_removed_members_get_nothing(self, client, db):
        owner = await make_tenant(db)
        invited = await make_staff(db, tenant=owner.tenant, status="invited")
        removed = await make_staff(db, tenant=owner.tenant, status="removed")
        await ask_reset(client, invited)
        await ask_reset(client, removed)
        assert await reset_messages(db, owner.tenant.id) == []

    async def test_asking_again_and_again_does_not_flood_the_mailbox(self, client, db):
        owner = await make_tenant(db)
        for _ in range(5):
            assert (await ask_reset(client, owner)).status_code == 200
        assert len(await reset_messages(db, owner.tenant.id)) == 3

    async def test_empty_fields_are_pointed_out(self, client, db):
        response = await form_post(client, "/console/forgot", {"tenant": "", "email": ""})
        assert response.status_code == 422
        assert "请填写此项" in response.text


class TestResetPassword:
    async def test_the_link_sets_a_new_password(self, client, db):
        owner = await make_tenant(db)
        token = await reset_token(client, db, owner)
        page = await client.get("/console/reset", params={"token": token})
        assert page.status_code == 200
        assert owner.user.email in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        response = await set_password(client, token)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/login?done=password_reset")
        assert await can_sign_in(client, owner, NEW_PASSWORD)
        assert not await can_sign_in(client, owner, owner.password)

    async def test_reset_signs_the_user_out_everywhere_in_the_enterprise(self, app, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        old_session = client.cookies["zhilv_session"]
        token = await reset_token(client, db, owner)
        assert (await set_password(client, token)).status_code == 303
        client.cookies.set("zhilv_session", old_session, domain="testserver.local", path="/")
        response = await client.get("/console/", follow_redirects=False)
        assert response.status_code == 303

    async def test_the_reset_is_audited(self, client, db):
        owner = await make_tenant(db)
        token = await reset_token(client, db, owner)
        await set_password(client, token)
        await bind_tenant(db, owner.tenant.id)
        actions = (
            (
                await db.execute(
                    select(AuditEvent.action).where(AuditEvent.tenant_id == owner.tenant.id)
                )
            )
            .scalars()
            .all()
        )
        assert "auth.password_reset_requested" in actions
        assert "auth.password_reset" in actions

    async def test_a_weak_password_is_refused_and_the_link_still_works(self, client, db):
        owner = await make_tenant(db)
        token = await reset_token(client, db, owner)
        weak = await set_password(client, token, password="short")
        assert weak.status_code == 422
        assert "至少需要 10 个字符" in weak.text
        mismatch = await set_password(client, token, confirm="Something-else-42")
        assert mismatch.status_code == 422
        assert (await set_password(client, token)).status_code == 303


class TestLinkWorksOnce:
    async def test_a_used_link_is_refused(self, client, db):
        owner = await make_tenant(db)
        token = await reset_token(client, db, owner)
        assert (await set_password(client, token)).status_code == 303
        again = await set_password(client, token, password="Another-pass-77")
        assert again.status_code == 404
        assert "该链接无效" in again.text
        assert (await client.get("/console/reset", params={"token": token})).status_code == 404
        assert await can_sign_in(client, owner, NEW_PASSWORD)

    async def test_an_expired_link_is_refused(self, client, db):
        owner = await make_tenant(db)
        token = await reset_token(client, db, owner)
        await bind_tenant(db, owner.tenant.id)
        await db.execute(
            text(
                "UPDATE account_tokens SET expires_at = CAST(:now AS timestamptz) - interval '1 second'"
            ),
            {"now": clock.now()},
        )
        assert (await client.get("/console/reset", params={"token": token})).status_code == 404
        assert (await set_password(client, token)).status_code == 404
        assert await can_sign_in(client, owner, owner.password)

    async def test_a_newer_link_voids_nothing_but_using_one_voids_the_others(self, client, db):
        owner = await make_tenant(db)
        first = await reset_token(client, db, owner)
        second = await reset_token(client, db, owner)
        assert (await client.get("/console/reset", params={"token": first})).status_code == 200
        assert (await set_password(client, second)).status_code == 303
        assert (await set_password(client, first, password="Another-pass-77")).status_code == 404

    async def test_a_made_up_or_mangled_link_is_refused(self, client, db):
        owner = await make_tenant(db)
        for token in (f"{owner.tenant.id}.guess", "garbage", f"{uuid.uuid4()}.x"):
            response = await client.get("/console/reset", params={"token": token})
            assert response.status_code == 404

    async def test_a_link_moved_to_another_enterprise_is_refused(self, client, db):
        owner = await make_tenant(db)
        other = await make_tenant(db)
        token = await reset_token(client, db, owner)
        moved = f"{other.tenant.id}.{token.split('.', 1)[1]}"
        assert (await set_password(client, moved)).status_code == 404
        assert await can_sign_in(client, owner, owner.password)
