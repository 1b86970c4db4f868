"""Callbacks to distributors: stored with their delivery job in the cause's transaction."""

from __future__ import annotations

from sqlalchemy import select, text

from app.db.engine import TenantId
from modules.distribution.models import Callback
from modules.distribution.service import callbacks
from tests.factories.distribution import make_agreement, make_distributor, make_order, make_product
from tests.factories.tenants import make_tenant

_JOBS = text(
    "SELECT args FROM procrastinate_jobs WHERE task_name = 'distribution.deliver_callback'"
)


async def _order(db, *, url: str = "https://ota.example.test/hooks"):
    owner = await make_tenant(db)
    distributor = await make_distributor(db, tenant=owner.tenant, callback_url=url)
    agreement = await make_agreement(db, tenant=owner.tenant, distributor=distributor)
    product = await make_product(db, tenant=owner.tenant, agreement=agreement)
    order = await make_order(db, tenant=owner.tenant, product=product)
    return TenantId(owner.tenant.id), distributor, order


async def _enqueue(db, tid, distributor, order, event_type="order.confirmed"):
    await callbacks.enqueue_callback(
        db,
        tid,
        distributor_id=distributor.id,
        order_id=order.id,
        event_type=event_type,
        data={"quantity": 1},
    )


class TestEnqueueCallback:
    async def test_callback_and_its_delivery_job_are_written_together(self, db):
        tid, distributor, order = await _order(db)
        await _enqueue(db, tid, distributor, order)
        cb = (await db.execute(select(Callback))).scalar_one()
        assert cb.message_id.startswith("msg_") and len(cb.message_id) == 36
        assert cb.status == "pending" and cb.event_type == "order.confirmed"
        assert cb.payload["type"] == "order.confirmed"
        assert cb.payload["timestamp"].endswith("Z")
        assert cb.payload["data"] == {
            "quantity": 1,
            "order_number": order.number,
            "state": "confirmed",
            "sequence": 1,
        }
        jobs = [row.args for row in await db.execute(_JOBS)]
        assert {"tenant_id": str(tid), "callback_id": str(cb.id), "manual": False} in jobs

    async def test_each_callback_of_an_order_takes_the_next_sequence(self, db):
        tid, distributor, order = await _order(db)
        await _enqueue(db, tid, distributor, order)
        await _enqueue(db, tid, distributor, order, "order.changed")
        await _enqueue(db, tid, distributor, order, "order.cancelled")
        rows = (await db.execute(select(Callback).order_by(Callback.created_at))).scalars()
        assert sorted(cb.payload["data"]["sequence"] for cb in rows) == [1, 2, 3]

    async def test_a_distributor_without_a_callback_url_gets_no_callback(self, db):
        tid, distributor, order = await _order(db, url="")
        await _enqueue(db, tid, distributor, order)
        assert (await db.execute(select(Callback))).first() is None


class TestSigning:
    def test_signature_follows_standard_webhooks(self):
        # The example of the Standard Webhooks specification (svix's test vector).
        secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        body = b'{"test": 2432232314}'
        sig = callbacks.signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        assert sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    def test_a_new_secret_is_whsec_and_base64(self):
        secret = callbacks.new_secret()
        assert secret.startswith("whsec_")
        assert len(callbacks.secret_key(secret)) == 32
