"""The procrastinate App: the task registry and schedules of every package.

Each package declares its tasks on a procrastinate `Blueprint` in its own `tasks.py`,
named "<module>.<verb>"; this module is the one place that lists them. Jobs are enqueued
by `app.jobs.queue.enqueue` inside the caller's transaction, never through this App.
"""

from __future__ import annotations

from procrastinate import App, Blueprint, PsycopgConnector

from app import events
from app.db.engine import libpq_url
from app.jobs import tasks as job_tasks
from app.notifications import tasks as notification_tasks
from app.web import tasks as web_tasks
from modules.boarding import tasks as boarding_tasks
from modules.contracts import tasks as contract_tasks
from modules.distribution import service as distribution_service
from modules.distribution import tasks as distribution_tasks
from modules.filings import tasks as filing_tasks
from modules.frontdesk import tasks as frontdesk_tasks
from modules.groups import tasks as group_tasks
from modules.guestservices import tasks as guestservice_tasks
from modules.guides import tasks as guide_tasks
from modules.keytags import tasks as keytag_tasks
from modules.payments import tasks as payment_tasks
from modules.reservations import tasks as reservation_tasks
from modules.terminals import tasks as terminal_tasks
from tenants import tasks as tenant_tasks

BLUEPRINTS: list[Blueprint] = [
    job_tasks.blueprint,
    notification_tasks.blueprint,
    web_tasks.blueprint,
    tenant_tasks.blueprint,
    filing_tasks.blueprint,
    reservation_tasks.blueprint,
    payment_tasks.blueprint,
    frontdesk_tasks.blueprint,
    contract_tasks.blueprint,
    guide_tasks.blueprint,
    group_tasks.blueprint,
    terminal_tasks.blueprint,
    guestservice_tasks.blueprint,
    boarding_tasks.blueprint,
    keytag_tasks.blueprint,
    distribution_tasks.blueprint,
]


def connector(database_url: str, *, max_connections: int = 10) -> PsycopgConnector:
    """psycopg's pool over the application role (procrastinate has no asyncpg connector).

    SQLAlchemy-style URLs are converted to libpq ones, unix-socket URLs
    (`postgresql://user@/db?host=/path`, as the embedded server prints them) included."""
    return PsycopgConnector(
        conninfo=libpq_url(database_url),
        min_size=1,
        max_size=max_connections,
        kwargs={"application_name": "zhilv-worker"},
    )


def compose(target: App, blueprints: list[Blueprint]) -> App:
    """Register the blueprints' tasks and schedules under their own names.

    procrastinate's `add_tasks_from` would rename "notifications.send" to
    "<namespace>:notifications.send"; our names are already namespaced, and `enqueue`
    writes them as they are."""
    for blueprint in blueprints:
        for name, task in blueprint.tasks.items():
            target.add_task_alias(task, name)
            task.blueprint = target  # periodic deferring goes through the task's App
        for periodic in blueprint.periodic_registry.periodic_tasks.values():
            target.periodic_registry.register_task(
                task=periodic.task,
                cron=periodic.cron,
                periodic_id=periodic.periodic_id,
                configure_kwargs=periodic.configure_kwargs,
            )
    return target


def build_app(
    database_url: str, *, max_connections: int = 10, extra: list[Blueprint] | None = None
) -> App:
    """A new App over `database_url` with every package's tasks (plus `extra`, for tests).

    One per process: a task belongs to the App built last."""
    events.subscribe_all(distribution_service.EVENT_HANDLERS)  # what jobs publish is heard
    jobs_app = App(connector=connector(database_url, max_connections=max_connections))
    return compose(jobs_app, BLUEPRINTS + (extra or []))
