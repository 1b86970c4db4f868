"""Housekeeping of the queue itself: rescue jobs of dead workers, drop old finished jobs."""

from __future__ import annotations

import logging

from procrastinate import Blueprint, JobContext

from app.jobs.retry import backoff

log = logging.getLogger("zhilv.jobs")

blueprint = Blueprint()

# Succeeded jobs are kept a week (to answer "did it run?"); dead-lettered ones 90 days,
# long enough for someone to notice and retry them from the console.
KEEP_FINISHED_HOURS = 7 * 24
KEEP_FAILED_HOURS = 90 * 24
# A worker that has not sent a heartbeat for this long is gone (it sends one every 10 s).
STALLED_AFTER_SECONDS = 60


@blueprint.periodic(cron="*/5 * * * *")
@blueprint.task(name="jobs.retry_stalled", queue="maintenance", pass_context=True)
async def retry_stalled(context: JobContext, timestamp: int) -> int:
    """Jobs left `doing` by a worker that died (killed, machine lost) go back to the
    queue; without this they would stay `doing` for ever and never be retried."""
    manager = context.app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS))
    for job in stalled:
        log.warning(
            "retrying stalled job %s (%s)",
            job.id,
            job.task_name,
            extra={"fields": {"job_id": job.id, "task": job.task_name}},
        )
        await manager.retry_job(job)
    return len(stalled)


@blueprint.periodic(cron="43 3 * * *")
@blueprint.task(name="jobs.remove_old", queue="maintenance", retry=backoff(3), pass_context=True)
async def remove_old(context: JobContext, timestamp: int) -> None:
    """Nightly: keep the job table small so the queue and the console stay fast."""
    manager = context.app.job_manager
    await manager.delete_old_jobs(
        nb_hours=KEEP_FINISHED_HOURS, include_cancelled=True, include_aborted=True
    )
    await manager.delete_old_jobs(nb_hours=KEEP_FAILED_HOURS, include_failed=True)
