"""Running the worker process: its database, its jobs' runtime, its JSON logs."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from procrastinate import Blueprint, JobContext
from procrastinate.app import WorkerOptions

from app.db.engine import Database
from app.jobs.runtime import JobRuntime, use_runtime
from app.settings import Settings
from app.web.logging import request_id_var
from workers.app import build_app

log = logging.getLogger("zhilv.worker")

# On SIGTERM/SIGINT running jobs get this long to finish; then they are aborted and, being
# idempotent, retried by the next worker.
SHUTDOWN_GRACE_SECONDS = 30.0


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


async def job_log_context(
    call_next: Callable[[], Awaitable[Any]], context: JobContext, worker: Any
) -> Any:
    """Every log line written while a job runs carries `request_id: job-<id>`, as a
    request's lines carry the request's id."""
    token = request_id_var.set(f"job-{context.job.id}")
    try:
        return await call_next()
    finally:
        request_id_var.reset(token)


class ProcrastinateFields(logging.Filter):
    """Lift procrastinate's structured `extra` (action, job) into the JSON log fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("procrastinate") or hasattr(record, "fields"):
            return True
        fields: dict[str, Any] = {}
        if action := getattr(record, "action", None):
            fields["action"] = action
        job = getattr(record, "job", None)
        if isinstance(job, dict):
            kwargs = job.get("task_kwargs") or {}
            fields.update(
                job_id=job.get("id"),
                task=job.get("task_name"),
                queue=job.get("queue"),
                attempts=job.get("attempts"),
                tenant_id=kwargs.get("tenant_id"),
            )
        if (duration := getattr(record, "duration", None)) is not None:
            fields["seconds"] = round(duration, 3)
        record.fields = {k: v for k, v in fields.items() if v is not None}
        return True


def install_log_fields() -> None:
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, ProcrastinateFields) for f in handler.filters):
            handler.addFilter(ProcrastinateFields())


def warn_about_settings(settings: Settings) -> None:
    if settings.env == "production" and "log" in (settings.mail_backend, settings.sms_backend):
        log.warning(
            "MAIL_BACKEND or SMS_BACKEND is 'log' in production: messages (password-reset "
            "links included) go to the log instead of being delivered"
        )


async def run_worker(
    settings: Settings,
    *,
    concurrency: int = 4,
    queues: list[str] | None = None,
    wait: bool = True,
    install_signal_handlers: bool = True,
    database: Database | None = None,
    extra: list[Blueprint] | None = None,
) -> None:
    """Take jobs until stopped (or, with `wait=False`, until the queues are empty)."""
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is not set")
    own_database = database is None
    db = database or Database.from_url(
        settings.database_url, pool_size=concurrency + 1, max_overflow=concurrency
    )
    options: WorkerOptions = {
        "concurrency": concurrency,
        "wait": wait,
        "name": worker_name(),
        "install_signal_handlers": install_signal_handlers,
        "shutdown_graceful_timeout": SHUTDOWN_GRACE_SECONDS,
        "worker_middleware": [job_log_context],
    }
    if queues:
        options["queues"] = queues
    jobs_app = build_app(settings.database_url, max_connections=concurrency + 4, extra=extra)
    try:
        with use_runtime(JobRuntime(database=db, settings=settings)):
            async with jobs_app.open_async():
                await jobs_app.run_worker_async(**options)
    finally:
        if own_database:
            await db.dispose()
