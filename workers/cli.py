"""`zhilv worker` (and `make worker`): run the job worker."""

from __future__ import annotations

import asyncio
import os

import click

from app.settings import get_settings
from app.web.logging import configure_logging


@click.command()
@click.option("--concurrency", type=int, default=4, show_default=True, help="Jobs run at once.")
@click.option("--queue", "queues", multiple=True, help="Only these queues (default: all).")
def worker(concurrency: int, queues: tuple[str, ...]) -> None:
    """Run the job worker: queued jobs, retries with backoff, scheduled jobs.

    Run as many as needed, on as many machines: jobs are claimed with FOR UPDATE SKIP
    LOCKED, and each scheduled job is deferred once whichever worker gets to it first."""
    if not os.environ.get("DATABASE_URL") and get_settings().env == "development":
        from app.cli import dev_database

        dev_database()
    settings = get_settings()
    if not settings.database_url:
        raise click.ClickException("set DATABASE_URL (or run `make run` in development)")
    configure_logging(
        settings.log_level, settings.log_json, production=settings.env == "production"
    )

    from workers.runtime import install_log_fields, run_worker, warn_about_settings

    install_log_fields()
    warn_about_settings(settings)
    asyncio.run(run_worker(settings, concurrency=concurrency, queues=list(queues) or None))
