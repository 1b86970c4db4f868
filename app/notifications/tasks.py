"""Background jobs of the notification outbox: sending, and finding messages stuck."""

from __future__ import annotations

import logging
import uuid

from procrastinate import Blueprint, JobContext

from app.jobs.retry import backoff
from app.jobs.runtime import current_runtime, tenant_ids, tenant_transaction
from app.notifications import service
from app.notifications.backends import backends_from_settings

log = logging.getLogger("zhilv.notifications")

blueprint = Blueprint()

# 6 retries over about 18 minutes: a short mail-server outage is ridden out, and a
# password-reset link (valid 30 minutes) still arrives in time to be used.
SEND_RETRY = backoff(max_attempts=6, base=3)


@blueprint.task(
    name=service.SEND_TASK, queue=service.SEND_QUEUE, retry=SEND_RETRY, pass_context=True
)
async def send(context: JobContext, tenant_id: str, message_id: str) -> str:
    """Send one outbox message through the configured backend and record the outcome.

    Safe to run twice: a message already sent is not sent again. A failure is recorded
    on the message (committed) and then raised, so procrastinate retries with backoff and
    finally dead-letters the job."""
    backends = backends_from_settings(current_runtime().settings)
    final = SEND_RETRY.is_final(context.job)
    async with tenant_transaction(tenant_id) as (db, tid):
        delivery = await service.deliver_message(
            db, tid, uuid.UUID(message_id), backends, final_attempt=final
        )
    if delivery.outcome == "missing":
        log.warning(
            "message %s not found for tenant %s; nothing to send",
            message_id,
            tenant_id,
            extra={"fields": {"tenant_id": tenant_id, "message_id": message_id}},
        )
    if delivery.error is not None:
        raise delivery.error
    return delivery.outcome


@blueprint.periodic(cron="*/10 * * * *")
@blueprint.task(name="notifications.mark_stuck", queue="maintenance", retry=backoff(3))
async def mark_stuck(timestamp: int) -> int:
    """Every 10 minutes, in each tenant: pending messages that no job will send any more
    turn `failed`, visible in the console with a Send again button."""
    total = 0
    for tenant in await tenant_ids():
        async with tenant_transaction(tenant) as (db, tid):
            total += len(await service.mark_stuck_messages(db, tid))
    if total:
        log.warning("%d stuck message(s) marked failed", total, extra={"fields": {"n": total}})
    return total
