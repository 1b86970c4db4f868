"""`GET /metrics` for Prometheus, behind a bearer token (METRICS_TOKEN; unset: 404).

- Requests: Litestar's Prometheus middleware counts them and times them by method, route
  template (`group_path`: `/console/reservations/{reservation_id:uuid}`, never one series
  per id) and status: `zhilv_requests_total`, `zhilv_request_duration_seconds`,
  `zhilv_requests_error_total`, `zhilv_requests_in_progress`.
- Jobs: `zhilv_jobs{task,status}` — procrastinate's queue read at scrape time: `todo` is
  the queue's depth, `doing` what runs, `failed` what gave up (kept until the clean-up
  job removes old jobs).
- Per-tenant gauges that modules contribute (`TenantGauges`, listed by the composition
  root): bureau filings still open and late. Tenant tables are under row-level security
  and the application role reads no tenant's rows without binding it, so the scrape
  visits every tenant in one read-only transaction, binding each in turn as a job does,
  and adds up (no tenant label: one series per state, whatever the number of tenants).

With several web workers, set PROMETHEUS_MULTIPROC_DIR to an empty directory shared by
them, so every scrape sees all workers' request counts (prometheus_client's multiprocess
mode); the database gauges are read afresh by whichever worker answers.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.plugins.prometheus import PrometheusConfig, PrometheusMiddleware
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import Database, TenantId
from app.jobs.repository import all_tenant_ids, bind_job_tenant
from app.security.access import Public

PATH = "/metrics"
PREFIX = "zhilv"
JOB_STATUSES = ("todo", "doing", "failed")
_JOBS = text(
    "SELECT task_name, status::text AS status, count(*) AS n FROM procrastinate_jobs "
    "WHERE status::text = ANY(:statuses) GROUP BY task_name, status"
).bindparams(bindparam("statuses", type_=ARRAY(TEXT)))

Counts = dict[tuple[str, ...], float]


@dataclass(frozen=True)
class TenantGauges:
    """Gauges a module adds up over tenants. `read` sees one bound tenant and answers
    {gauge name: {label values: value}}; `gauges` names each: (help text, label names)."""

    gauges: Mapping[str, tuple[str, Sequence[str]]]
    read: Callable[[AsyncSession, TenantId], Awaitable[dict[str, Counts]]]


class _RequestMetrics(PrometheusMiddleware):
    """Litestar's middleware, labelling by route template without first building the
    request's full URL (which it does on every request only to throw it away)."""

    def _get_default_labels(self, request: Request[Any, Any, Any]) -> dict[str, str | int | float]:
        scope = request.scope
        return {
            "method": scope["method"] if scope["type"] == ScopeType.HTTP else scope["type"],
            "path": scope["path_template"],
            "status_code": 200,
            "app_name": self._config.app_name,
        }


def request_metrics() -> Any:
    """The middleware counting and timing requests by route template and status."""
    return PrometheusConfig(
        app_name="zhilv",
        prefix=PREFIX,
        group_path=True,
        exclude=[f"^{PATH}$", "^/healthz$", "^/static/"],
        middleware_class=_RequestMetrics,
    ).middleware


def _bearer_matches(request: Request[Any, Any, Any], token: str) -> bool:
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@get(PATH, opt={"guard": Public()}, include_in_schema=False)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Prometheus's scrape. Not public: the bearer token of METRICS_TOKEN, else 404."""
    token = request.app.state.settings.metrics_token
    if not token:
        raise NotFoundException()
    if not _bearer_matches(request, token):
        return Response(
            b"a bearer token is required\n",
            status_code=401,
            media_type="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    sources: Sequence[TenantGauges] = request.app.state.get("tenant_gauges", ())
    families = await read_database_metrics(request.app.state.database, sources)
    snapshot = CollectorRegistry(auto_describe=False)
    snapshot.register(_Snapshot(families))
    body = generate_latest(_process_registry()) + generate_latest(snapshot)
    return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def _process_registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ or "prometheus_multiproc_dir" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


class _Snapshot(Collector):
    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


async def read_database_metrics(
    database: Database, sources: Sequence[TenantGauges]
) -> list[Metric]:
    """The queue and the modules' tenant gauges, read in one transaction, rolled back."""
    totals: dict[str, Counts] = {name: {} for source in sources for name in source.gauges}
    async with database.sessionmaker() as db:
        try:
            families = [await _jobs(db)]
            for tenant in await all_tenant_ids(db) if sources else []:
                if await bind_job_tenant(db, tenant) is not None:
                    bound = TenantId(tenant)  # bound just now, as a job binds its tenant
                    for source in sources:
                        _add(totals, await source.read(db, bound))
        finally:
            await db.rollback()  # the binding ends with the transaction
    for source in sources:
        for name, (documentation, labels) in source.gauges.items():
            family = GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=list(labels))
            for values, value in sorted(totals[name].items()):
                family.add_metric(list(values), value)
            families.append(family)
    return families


def _add(totals: dict[str, Counts], counts: dict[str, Counts]) -> None:
    for name, by_labels in counts.items():
        target = totals[name]
        for values, value in by_labels.items():
            target[values] = target.get(values, 0) + value


async def _jobs(db: AsyncSession) -> Metric:
    family = GaugeMetricFamily(
        f"{PREFIX}_jobs",
        "Jobs in the queue by task and status: todo = waiting (the queue's depth), "
        "doing = running, failed = gave up",
        labels=["task", "status"],
    )
    rows = await db.execute(_JOBS, {"statuses": list(JOB_STATUSES)})
    for row in rows:
        family.add_metric([row.task_name, row.status], float(row.n))
    return family
