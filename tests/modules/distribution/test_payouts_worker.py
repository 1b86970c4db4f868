"""The payout's send job run by the real worker against the Connect stand-in, with real
commits: the request queues it with the payout, the worker transfers and pays out once, and the
same job queued again (a duplicate, or a retry after a lost commit, with the payout put back to
pending) finds the same transfer and payout at Stripe through the idempotency keys."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.db.engine import TenantId
from app.jobs.queue import enqueue
from modules.distribution.models import Payout
from modules.distribution.service import payouts
from tests.factories.tenants import make_tenant
from tests.modules.distribution.test_payouts import OWED, _earned
from tests.races import Race
from tests.stripe_fixtures import top_up_platform


@pytest.mark.realdb
class TestSendJob:
    async def test_the_worker_sends_once_even_when_the_job_runs_again(
        self, committed_database, committed_urls, settings, stripe_gateway, stripe_emulator
    ):
        from workers.runtime import run_worker

        async with committed_database.transaction() as db:
            await db.execute(text("DELETE FROM procrastinate_jobs WHERE queue_name = 'payouts'"))
        async with committed_database.transaction() as db:
            hotel = (await make_tenant(db, name="朝天门大酒店")).tenant
            await _earned(db, hotel)
            payout = await payouts.request_payout(db, TenantId(hotel.id))
            tid, payout_id = TenantId(hotel.id), payout.id
        top_up_platform(stripe_emulator, OWED)
        transfers = len(await stripe_gateway.list_balance_transactions(None, type="transfer"))
        worker_settings = settings.model_copy(update={"database_url": committed_urls.app_url})

        async def run() -> Payout:
            await run_worker(
                worker_settings,
                concurrency=1,
                queues=["payouts"],
                wait=False,
                install_signal_handlers=False,
                database=committed_database,
            )
            async with committed_database.transaction(tid) as db:
                return (await db.execute(select(Payout).where(Payout.id == payout_id))).scalar_one()

        sent = await run()
        assert sent.status == "in_transit" and sent.provider_payout_id.startswith("po_")
        async with committed_database.transaction(tid) as db:
            await db.execute(
                text("UPDATE dist_payouts SET status = 'pending' WHERE id = :id"),
                {"id": payout_id},
            )
            args = {"tenant_id": str(tid), "payout_id": str(payout_id)}
            await enqueue(db, payouts.SEND_TASK, args, queue=payouts.QUEUE)
        again = await run()
        assert again.status == "in_transit"
        assert (again.provider_transfer_id, again.provider_payout_id) == (
            sent.provider_transfer_id,
            sent.provider_payout_id,
        )
        after = len(await stripe_gateway.list_balance_transactions(None, type="transfer"))
        assert after == transfers + 1

    def test_the_jobs_are_registered_with_the_worker(self):
        from workers.app import BLUEPRINTS

        names = {n for bp in BLUEPRINTS for n in bp.tasks}
        assert {payouts.SEND_TASK, payouts.CHECK_TASK} <= names


@pytest.mark.realdb
class TestRace:
    async def test_two_payout_requests_at_once_pay_once(self, committed_database):
        """The finance clerk clicks twice (or the operator's run meets the clerk): the second
        request waits for the first and finds nothing more owed."""
        async with committed_database.transaction() as db:
            hotel = (await make_tenant(db, name="洪崖洞酒店")).tenant
            await _earned(db, hotel)
        tid = TenantId(hotel.id)
        race = Race(committed_database)

        async def first() -> str:
            async with committed_database.transaction(tid) as db:
                payout = await payouts.request_payout(db, tid)
                await race.hold(db)  # until the other request waits on the supplier's lock
                return payout.number

        async def second() -> str:
            await race.held.wait()
            async with committed_database.transaction(tid) as db:
                try:
                    return (await payouts.request_payout(db, tid)).number
                except payouts.NothingOwed as refused:
                    return refused.code

        won, lost = await race.run(first(), second())
        assert won.startswith("FK-") and lost == "nothing_owed"
        async with committed_database.transaction(tid) as db:
            rows = (await db.execute(select(Payout).where(Payout.tenant_id == tid))).scalars()
            assert [p.amount_fen for p in rows] == [OWED]
