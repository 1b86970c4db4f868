"""Background jobs of the reservations module."""

from __future__ import annotations

import logging

from procrastinate import Blueprint

from app.jobs.retry import backoff
from app.jobs.runtime import tenant_ids, tenant_transaction
from modules.reservations import service
from modules.reservations.service.idempotency import purge_answers
from modules.reservations.service.views import now_utc

log = logging.getLogger("zhilv.reservations")

blueprint = Blueprint()


@blueprint.periodic(cron="* * * * *")
@blueprint.task(name="reservations.expire_holds", queue="maintenance", retry=backoff(3))
async def expire_holds(timestamp: int) -> int:
    """Every minute: holds whose time is up (a guest who never paid) give their nights
    back, so unpaid holds cannot keep rooms off sale. Bookings also release expired
    holds of a type when they find it sold out, so this is the sweep, not the only
    guard. Safe to run twice: a released hold is no longer `held`."""
    released = 0
    now = now_utc()
    for tenant in await tenant_ids():
        async with tenant_transaction(tenant) as (db, tid):
            released += await service.expire_holds(db, tid, now=now)
    if released:
        log.info("released %d expired hold(s)", released, extra={"fields": {"n": released}})
    return released


@blueprint.periodic(cron="41 * * * *")
@blueprint.task(name="reservations.purge_idempotency_keys", queue="maintenance", retry=backoff(3))
async def purge_idempotency_keys(timestamp: int) -> int:
    """Hourly: stored API answers older than a day are dropped (clients retry within
    minutes; a key reused after a day is a new request)."""
    removed = 0
    now = now_utc()
    for tenant in await tenant_ids():
        async with tenant_transaction(tenant) as (db, tid):
            removed += await purge_answers(db, tid, now)
    return removed
