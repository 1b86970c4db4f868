"""Background jobs of the web layer: forgetting old rate-limit windows."""

from __future__ import annotations

import logging

from procrastinate import Blueprint

from app.jobs.retry import backoff
from app.jobs.runtime import global_transaction
from app.web.ratelimit import prune_rate_limits

log = logging.getLogger("zhilv.web")

blueprint = Blueprint()


@blueprint.periodic(cron="29 * * * *")
@blueprint.task(name="web.prune_rate_limits", queue="maintenance", retry=backoff(3))
async def prune(timestamp: int) -> int:
    """Hourly: delete rate-limit windows of callers who never came back (each caller's own
    old windows already go on their next hit). Safe to run twice."""
    async with global_transaction() as db:
        removed = await prune_rate_limits(db)
    log.info("pruned %d rate-limit row(s)", removed, extra={"fields": {"n": removed}})
    return removed
