"""Enqueue jobs in the caller's transaction (transactional outbox).

procrastinate's own `defer_async` uses a separate connection, so a job deferred that
way could run for a change that is later rolled back, or be lost when the process dies
after the commit. Calling its versioned SQL function inside our transaction makes the
job and the change one atomic write. The function belongs to procrastinate 3.10 (pinned
in pyproject.toml); tests/app/test_enqueue.py covers it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_DEFER = text(
    """
    SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(
        :queue, :task, :priority, :lock, :queueing_lock, CAST(:args AS jsonb),
        now() + CAST(:schedule_in AS interval)
    )::procrastinate_job_to_defer_v1]))
    """
)


async def enqueue(
    db: AsyncSession,
    task: str,
    args: dict[str, Any],
    *,
    queue: str = "default",
    priority: int = 0,
    lock: str | None = None,
    queueing_lock: str | None = None,
    schedule_in: timedelta | None = None,
) -> int:
    """Queue `task` ("<module>.<verb>") with JSON `args` (include `tenant_id`) in the
    current transaction. Returns the job id. Nothing is queued if the transaction rolls back.
    A later run is timed on the database's clock, the one the queue's workers compare with."""
    job_id = await db.scalar(
        _DEFER,
        {
            "queue": queue,
            "task": task,
            "priority": priority,
            "lock": lock,
            "queueing_lock": queueing_lock,
            "args": json.dumps(args, default=str),
            "schedule_in": schedule_in or None,
        },
    )
    assert job_id is not None
    return int(job_id)
