"""The console's Messages page: the tenant's outbox, filters, detail, Send again."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.db.engine import TenantId, bind_tenant
from app.notifications.service import queue_message
from tenants.models import AuditEvent
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in


async def _message(
    db,
    staff,
    *,
    channel="email",
    recipient="guest@example.test",
    body="您好",
    purpose="booking_confirmation",
    status="pending",
):  # type: ignore[no-untyped-def]
    tenant_id = TenantId(staff.tenant.id)
    await bind_tenant(db, tenant_id)
    message_id = await queue_message(
        db,
        tenant_id,
        channel=channel,
        recipient=recipient,
        subject="预订确认",
        body=body,
        purpose=purpose,
    )
    if status != "pending":
        await db.execute(
            text("UPDATE outbound_messages SET status = :s WHERE id = :id"),
            {"s": status, "id": message_id},
        )
    return message_id


class TestMessageList:
    async def test_manager_sees_the_tenants_messages_and_not_another_tenants(self, client, db):
        a = await make_tenant(db)
        b = await make_tenant(db)
        await _message(db, a, recipient="a-guest@example.test")
        await _message(db, b, recipient="b-guest@example.test")
        manager = await make_staff(db, tenant=a.tenant, role="manager")
        await sign_in(client, manager)
        page = await client.get("/console/system/messages")
        assert page.status_code == 200
        assert "a-guest@example.test" in page.text
        assert "b-guest@example.test" not in page.text
        assert "消息记录" in page.text

    async def test_filters_by_channel_and_status(self, client, db):
        owner = await make_tenant(db)
        await _message(db, owner, channel="sms", recipient="13800138000")
        await _message(db, owner, recipient="sent@example.test", status="sent")
        await _message(db, owner, recipient="failed@example.test", status="failed")
        await sign_in(client, owner)
        sms = (await client.get("/console/system/messages?channel=sms")).text
        assert "13800138000" in sms and "sent@example.test" not in sms
        failed = (await client.get("/console/system/messages?status=failed")).text
        assert "failed@example.test" in failed and "sent@example.test" not in failed
        anything = await client.get("/console/system/messages?status=bogus&channel=fax")
        assert anything.status_code == 200 and "sent@example.test" in anything.text

    async def test_front_desk_may_not_open_it_nor_see_it_in_the_menu(self, client, db):
        owner = await make_tenant(db)
        clerk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, clerk)
        assert (await client.get("/console/system/messages")).status_code == 403
        assert "/console/system/messages" not in (await client.get("/console/")).text


class TestMessageDetail:
    async def test_shows_the_content_of_an_ordinary_message(self, client, db):
        owner = await make_tenant(db)
        message_id = await _message(db, owner, body="您的房间 1208 已预订")
        await sign_in(client, owner)
        page = await client.get(f"/console/system/messages/{message_id}")
        assert page.status_code == 200 and "您的房间 1208 已预订" in page.text

    @pytest.mark.parametrize(
        ("purpose", "body"),
        [
            ("password_reset", "重置链接 https://zhilv.test/reset/SECRET-TOKEN"),
            ("contract_signing", "请签署合同 https://zhilv.test/sign/contract?token=SECRET-TOKEN"),
            ("signing_code", "您的签约验证码 SECRET-TOKEN，10分钟内有效"),
        ],
    )
    async def test_hides_the_content_of_a_credential(self, client, db, purpose, body):
        """A manager reading the outbox must not get a colleague's reset link, nor a
        tourist's signing link or code (with which they could sign in the tourist's place)."""
        owner = await make_tenant(db)
        message_id = await _message(db, owner, purpose=purpose, body=body)
        await sign_in(client, owner)
        page = await client.get(f"/console/system/messages/{message_id}")
        assert page.status_code == 200
        assert "SECRET-TOKEN" not in page.text
        assert "不显示其内容" in page.text

    async def test_another_tenants_message_answers_404(self, client, db):
        a = await make_tenant(db)
        b = await make_tenant(db)
        message_id = await _message(db, a)
        await sign_in(client, b)
        assert (await client.get(f"/console/system/messages/{message_id}")).status_code == 404
        response = await form_post(client, f"/console/system/messages/{message_id}/resend", {})
        assert response.status_code == 404


class TestSendAgain:
    async def test_failed_message_is_queued_again_and_audited(self, client, db):
        owner = await make_tenant(db)
        message_id = await _message(db, owner, status="failed")
        await sign_in(client, owner)
        response = await form_post(
            client, f"/console/system/messages/{message_id}/resend", {}, follow_redirects=False
        )
        assert response.status_code == 303
        page = await client.get(response.headers["location"])
        assert "已重新排队" in page.text
        await bind_tenant(db, owner.tenant.id)
        status = await db.scalar(
            text("SELECT status FROM outbound_messages WHERE id = :id"), {"id": message_id}
        )
        actions = (
            await db.execute(
                select(AuditEvent.action).where(AuditEvent.tenant_id == owner.tenant.id)
            )
        ).scalars()
        assert status == "pending"
        assert "notifications.resent" in list(actions)

    async def test_a_message_still_pending_cannot_be_sent_again(self, client, db):
        owner = await make_tenant(db)
        message_id = await _message(db, owner)
        await sign_in(client, owner)
        response = await form_post(client, f"/console/system/messages/{message_id}/resend", {})
        assert response.status_code == 409
