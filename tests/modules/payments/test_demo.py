"""Demo payments: every demo enterprise has an onboarded connected account, once."""

from __future__ import annotations

from sqlalchemy import delete

from app.db.engine import TenantId, bind_tenant
from modules.payments import service
from modules.payments.demo import READY_PREFIX, seed_demo
from modules.payments.models import PaymentAccount
from tests.factories.tenants import make_tenant


async def test_a_demo_enterprise_takes_online_payments_and_reseeding_keeps_its_account(
    db, stripe_gateway
):
    owner = await make_tenant(db)
    tid = TenantId(owner.tenant.id)
    await bind_tenant(db, tid)
    await db.execute(delete(PaymentAccount))

    await seed_demo(db, tid, ("hotel",))
    account = await service.charge_account(db, tid)
    assert account.startswith(READY_PREFIX)
    await seed_demo(db, tid, ("hotel",))
    assert await service.charge_account(db, tid) == account
    status = await service.account_status(db, tid)
    assert status is not None and status.ready and status.payouts_enabled
    assert await stripe_gateway.retrieve_account(account)  # the stand-in knows it
