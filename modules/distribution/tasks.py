"""Background jobs of the distribution module, named "distribution.<verb>"."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from procrastinate import Blueprint, JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.jobs.retry import backoff
from app.jobs.runtime import current_runtime, tenant_transaction
from modules.distribution.service import delivery
from modules.distribution.service.callbacks import DELIVER_TASK, QUEUE

blueprint = Blueprint()

# 1 try + 8 retries over about two hours (3 s, 9 s, 27 s … 2187 s, an hour), then `failed`.
CALLBACK_RETRY = backoff(max_attempts=8, base=3)


class CallbackNotDelivered(Exception):
    """The partner did not answer 2xx: the job is tried again after its backoff."""


@blueprint.task(name=DELIVER_TASK, queue=QUEUE, retry=CALLBACK_RETRY, pass_context=True)
async def deliver_callback(
    context: JobContext, tenant_id: str, callback_id: str, manual: bool = False
) -> str:
    """POST one signed callback to the distributor's URL and record the attempt. Not
    delivered: raised, so the queue tries again with backoff; after the last try the
    callback is `failed` (re-sendable by hand). A hand-made re-send (`manual`) is one
    attempt. Safe to run twice: a delivered callback is not sent again automatically."""

    @asynccontextmanager
    async def bound() -> AsyncIterator[tuple[AsyncSession, TenantId]]:
        async with tenant_transaction(tenant_id) as pair:
            yield pair

    attempts = context.job.attempts
    async with delivery.http_client() as http:
        outcome = await delivery.deliver(
            bound,
            current_runtime().settings,
            uuid.UUID(callback_id),
            http=http,
            manual=manual,
            final=manual or CALLBACK_RETRY.is_final(context.job),
            retry_in=CALLBACK_RETRY.delay(attempts),
        )
    if outcome == delivery.Outcome.RETRY:
        raise CallbackNotDelivered(f"callback {callback_id} not delivered")
    return outcome


# Packages across enterprises (service/packages.py) ---------------------------------------


@blueprint.task(name="distribution.resume_package", retry=backoff(5))
async def resume_package(tenant_id: str, package_id: str) -> str:
    """Runs a package's saga to its end: books its pending parts one transaction each, or
    compensates the booked ones after a refusal, then captures or releases the tourist's
    card hold. Queued with the sale; safe to run again (each step re-reads the package,
    locked). Answers how the package ended."""
    from modules.distribution.service import packages

    async with tenant_transaction(tenant_id) as (_, tid):
        pass  # the tenant exists (else TenantGone: never retried)
    step = await packages.run_package(current_runtime().database, tid, uuid.UUID(package_id))
    return str(step)


@blueprint.periodic(cron="*/5 * * * *")
@blueprint.task(name="distribution.resume_stuck_packages", queue="maintenance", retry=backoff(3))
async def resume_stuck_packages(timestamp: int) -> int:
    """Every five minutes: packages left `booking` for five minutes or more (their worker
    died, their job gave up) are finished or compensated, agency by agency; one agency
    failing does not stop the others."""
    from app.jobs.runtime import tenant_ids
    from modules.distribution.service import packages

    done = 0
    for tenant in await tenant_ids():
        try:
            done += await packages.resume_stuck(current_runtime().database, TenantId(tenant))
        except Exception:
            packages.log.exception(
                "resuming packages failed", extra={"fields": {"tenant_id": str(tenant)}}
            )
    return done


# Settlement (service/settlement.py) ------------------------------------------------------


@blueprint.periodic(cron="30 16 * * *")
@blueprint.task(name="distribution.settle", queue="maintenance", retry=backoff(3))
async def settle(timestamp: int | None = None, tenant_id: str | None = None) -> int:
    """Daily (00:30 in China), and at once when finance presses 立即结算 (`tenant_id`):
    issue the statement of every agreement whose period has ended, supplier by supplier,
    each in its own transaction; one failing does not stop the others. Safe to run twice (a
    settled period is not settled again). Returns the statements issued."""
    from app.jobs.runtime import tenant_ids
    from modules.distribution.service import settlement

    issued = 0
    for tenant in [uuid.UUID(tenant_id)] if tenant_id else await tenant_ids():
        try:
            async with tenant_transaction(tenant) as (db, tid):
                issued += (await settlement.settle_period(db, tid)).issued
        except Exception:
            if tenant_id:
                raise
            settlement.log.exception(
                "settlement failed", extra={"fields": {"tenant_id": str(tenant)}}
            )
    return issued


# The ledger (service/ledger.py) ----------------------------------------------------------


@blueprint.periodic(cron="0 18 * * *")
@blueprint.task(name="distribution.check_balances", queue="maintenance", retry=backoff(3))
async def check_balances(timestamp: int | None = None) -> int:
    """Nightly (02:00 in China): every supplier's cached ledger balances are recomputed from
    their postings; an account whose cache drifted is logged as an error (the cache guards
    what a distributor may spend, so a drift must reach someone). Read-only, safe to run
    twice. Returns the number of accounts found drifting."""
    from app.jobs.runtime import tenant_ids
    from modules.distribution.service import ledger

    drifting = 0
    for tenant in await tenant_ids():
        async with tenant_transaction(tenant) as (db, tid):
            found = await ledger.check_balances(db, tid)
        for d in found:
            ledger.log.error(
                "ledger balance drifted from its postings",
                extra={
                    "fields": {
                        "tenant_id": str(tenant),
                        "account_id": str(d.account_id),
                        "kind": d.kind,
                        "cached_fen": d.cached_fen,
                        "derived_fen": d.derived_fen,
                    }
                },
            )
        drifting += len(found)
    return drifting


# Payouts (service/payouts.py) ------------------------------------------------------------


@blueprint.task(name="distribution.send_payout", queue="payouts", retry=backoff(6))
async def send_payout(tenant_id: str, payout_id: str) -> str:
    """Sends one Stripe payout: the transfer to the supplier's connected account, then the
    payout to its bank, with idempotency keys from the payout's id (safe to run twice; a
    Stripe error worth retrying is raised for the queue's backoff). Answers its status."""
    from modules.distribution.service import payouts

    async with tenant_transaction(tenant_id) as (db, tid):
        return await payouts.send_payout(db, tid, uuid.UUID(payout_id))


@blueprint.periodic(cron="*/30 * * * *")
@blueprint.task(name="distribution.check_payouts", queue="maintenance", retry=backoff(3))
async def check_payouts(timestamp: int | None = None) -> int:
    """Every half hour: asks Stripe about each payout still in transit (paid → posted and
    reconciled; failed → reversed), one transaction per payout; one failing does not stop
    the others. Read-mostly and safe to run twice. Returns the payouts that moved on."""
    from app.jobs.runtime import tenant_ids
    from modules.distribution.service import payouts

    moved = 0
    for tenant in await tenant_ids():
        async with tenant_transaction(tenant) as (db, tid):
            waiting = await payouts.in_transit(db, tid)
        for payout_id in waiting:
            try:
                async with tenant_transaction(tenant) as (db, tid):
                    moved += await payouts.check_payout(db, tid, payout_id) != "in_transit"
            except Exception:
                payouts.log.exception(
                    "checking a payout failed", extra={"fields": {"payout_id": str(payout_id)}}
                )
    return moved
