"""The supplier's callbacks page: state and attempts of each callback, 重新发送 by hand."""

from __future__ import annotations

from sqlalchemy import select, text

from app.db.engine import TenantId
from modules.distribution.models import Callback, CallbackAttempt
from modules.distribution.service import callbacks
from tests.factories.distribution import make_agreement, make_distributor, make_order, make_product
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in

PAGE = "/console/distribution/callbacks"


async def _sent(db):
    owner = await make_tenant(db)
    tid = TenantId(owner.tenant.id)
    ota = await make_distributor(
        db, tenant=owner.tenant, name="飞猪旅行", callback_url="https://ota.example.test/h"
    )
    agreement = await make_agreement(db, tenant=owner.tenant, distributor=ota)
    product = await make_product(db, tenant=owner.tenant, agreement=agreement)
    order = await make_order(db, tenant=owner.tenant, product=product)
    await callbacks.enqueue_callback(
        db, tid, distributor_id=ota.id, order_id=order.id, event_type="order.confirmed", data={}
    )
    cb = (await db.execute(select(Callback))).scalar_one()
    db.add(
        CallbackAttempt(
            tenant_id=tid,
            callback_id=cb.id,
            attempted_at=cb.created_at,
            status_code=503,
            error="Service Unavailable",
            duration_ms=42,
        )
    )
    cb.attempts, cb.last_status_code = 1, 503
    await db.flush()
    return owner, order, cb


class TestCallbacksPage:
    async def test_the_list_shows_each_callback_with_its_state(self, db, client):
        owner, order, _cb = await _sent(db)
        await sign_in(client, owner)
        page = await client.get(PAGE)
        assert page.status_code == 200
        assert "飞猪旅行" in page.text and order.number in page.text and "HTTP 503" in page.text
        assert (await client.get(PAGE, params={"status": "delivered"})).text.count(
            order.number
        ) == 0

    async def test_the_detail_shows_every_attempt_and_the_body(self, db, client):
        owner, _order, cb = await _sent(db)
        await sign_in(client, owner)
        page = await client.get(f"{PAGE}/{cb.id}")
        assert page.status_code == 200
        assert cb.message_id in page.text and "Service Unavailable" in page.text
        assert "&#34;sequence&#34;: 1" in page.text or '"sequence": 1' in page.text

    async def test_send_again_queues_a_manual_attempt(self, db, client):
        owner, _order, cb = await _sent(db)
        await sign_in(client, owner)
        answer = await form_post(client, f"{PAGE}/{cb.id}/resend", {}, follow_redirects=False)
        assert answer.status_code == 303
        jobs = await db.execute(
            text(
                "SELECT args FROM procrastinate_jobs WHERE task_name = "
                "'distribution.deliver_callback' AND (args->>'manual')::boolean"
            )
        )
        assert [row.args["callback_id"] for row in jobs] == [str(cb.id)]

    async def test_an_auditor_looks_but_does_not_resend(self, db, client):
        owner, _order, cb = await _sent(db)
        auditor = await make_staff(db, tenant=owner.tenant, role="auditor")
        await sign_in(client, auditor)
        page = await client.get(f"{PAGE}/{cb.id}")
        assert page.status_code == 200 and "/resend" not in page.text
        answer = await form_post(client, f"{PAGE}/{cb.id}/resend", {}, follow_redirects=False)
        assert answer.status_code == 403

    async def test_another_enterprises_callback_is_not_found(self, db, client):
        _owner, _order, cb = await _sent(db)
        stranger = await make_tenant(db)
        await sign_in(client, stranger)
        assert (await client.get(f"{PAGE}/{cb.id}")).status_code == 404
