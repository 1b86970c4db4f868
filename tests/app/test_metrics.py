"""GET /metrics (app/web/metrics.py): Prometheus text behind a bearer token, requests by
route template and status, the job queue, and open and late bureau filings."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from litestar.routes import HTTPRoute
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from app import clock
from app.db.engine import bind_tenant
from app.jobs.queue import enqueue
from app.main import create_app
from tests.factories.filings import make_filing
from tests.factories.tenants import make_tenant

TOKEN = "metrics-token-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def metered(settings, database) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    app = create_app(settings.model_copy(update={"metrics_token": TOKEN}), database=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c, app


def _samples(body: str, name: str) -> list[tuple[dict[str, str], float]]:
    return [
        (s.labels, s.value)
        for family in text_string_to_metric_families(body)
        for s in family.samples
        if s.name == name
    ]


class TestAccess:
    async def test_not_there_without_a_token_configured(self, client):
        assert (await client.get("/metrics", headers=AUTH)).status_code == 404

    async def test_a_missing_or_wrong_bearer_token_is_refused(self, metered):
        c, _ = metered
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": TOKEN}):
            response = await c.get("/metrics", headers=headers)
            assert response.status_code == 401
            assert "zhilv_" not in response.text

    async def test_the_scrape_answers_prometheus_text(self, metered):
        c, _ = metered
        response = await c.get("/metrics", headers=AUTH)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain; version=")


class TestRequests:
    async def test_counted_by_route_template_and_status(self, metered):
        c, app = metered
        route = next(
            r
            for r in app.routes
            if isinstance(r, HTTPRoute)
            and "GET" in r.methods
            and any(p.type is uuid.UUID for p in r.path_parameters.values())
        )
        raw = str(uuid.uuid4())
        path = re.sub(r"\{[^}]+:uuid\}", raw, route.path)
        path = re.sub(r"\{[^}]+\}", "sample", path)
        answered = await c.get(path)
        body = (await c.get("/metrics", headers=AUTH)).text
        assert raw not in body  # one series per route, never per id
        counted = {
            (labels["path"], labels["status_code"])
            for labels, _ in _samples(body, "zhilv_requests_total")
        }
        templates = {p for p, status in counted if status == str(answered.status_code)}
        assert any("{" in p and p.split("{")[0] == route.path.split("{")[0] for p in templates)
        assert _samples(body, "zhilv_request_duration_seconds_bucket")

    async def test_a_refused_csrf_check_counts_as_403(self, metered):
        c, _ = metered
        assert (await c.post("/console/login", data={"email": "a@b.c"})).status_code == 403
        body = (await c.get("/metrics", headers=AUTH)).text
        statuses = {
            labels["status_code"]
            for labels, _ in _samples(body, "zhilv_requests_total")
            if labels["path"] == "/console/login" and labels["method"] == "POST"
        }
        assert "403" in statuses and "200" not in statuses


class TestQueueAndFilings:
    async def test_jobs_waiting_by_task(self, metered, db):
        c, _ = metered
        for _ in range(2):
            await enqueue(db, "tests.metered", {"tenant_id": str(uuid.uuid4())})
        await db.flush()
        body = (await c.get("/metrics", headers=AUTH)).text
        jobs = {
            (labels["task"], labels["status"]): value
            for labels, value in _samples(body, "zhilv_jobs")
        }
        assert jobs[("tests.metered", "todo")] == 2

    async def test_open_and_late_filings_are_added_up_over_tenants(self, metered, db):
        c, _ = metered
        before = await self._filings(c)
        for _ in range(2):
            owner = await make_tenant(db)
            for hours in (2, -2):  # one due in two hours, one two hours late
                filing = await make_filing(db, tenant=owner.tenant)
                await bind_tenant(db, owner.tenant.id)
                await db.execute(
                    text("UPDATE filings SET due_at = :at WHERE id = :id"),
                    {"at": clock.now() + timedelta(hours=hours), "id": filing},
                )
        await db.flush()
        after = await self._filings(c)
        opened = {k: v - before[0].get(k, 0) for k, v in after[0].items()}
        lates = {k: v - before[1].get(k, 0) for k, v in after[1].items()}
        assert sum(opened.values()) == 4
        assert sum(lates.values()) == 2

    async def _filings(self, c) -> tuple[dict[str, float], dict[str, float]]:
        body = (await c.get("/metrics", headers=AUTH)).text
        return (
            {labels["state"]: v for labels, v in _samples(body, "zhilv_filings_open")},
            {labels["state"]: v for labels, v in _samples(body, "zhilv_filings_late")},
        )
