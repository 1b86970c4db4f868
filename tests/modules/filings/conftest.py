"""Fixtures of the filing tests: a registered enterprise, and a scripted fake bureau for
unit tests (the exactly-once tests use the real stand-in, tests/bureau_fixtures.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app import clock
from app.db.engine import TenantId, bind_tenant
from modules.filings import service
from modules.filings.service.client import BureauClient
from tests.bureau_fixtures import bureau_sim, bureau_sim_server  # noqa: F401 - fixtures
from tests.factories.filings import make_registration
from tests.factories.tenants import Staff, make_tenant

Reply = tuple[int, dict[str, Any] | None, dict[str, str]] | type[Exception]


@dataclass
class FakeBureau:
    """Answers from a script, in order (201 with a receipt once the script runs out);
    keeps every request it was sent."""

    script: list[Reply] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    receipts: int = 0

    def then(self, status: int, body: dict[str, Any] | None = None, **headers: str) -> FakeBureau:
        self.script.append((status, body, headers))
        return self

    def then_raise(self, exc: type[Exception]) -> FakeBureau:
        self.script.append(exc)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.script.pop(0) if self.script else None
        if isinstance(reply, type):
            raise reply("scripted failure", request=request)  # type: ignore[call-arg]
        if reply is None:
            self.receipts += 1
            reply = (
                201,
                {
                    "receipt_no": f"CQ20261124{self.receipts:06d}",
                    "received_at": "2026-11-24T10:00:00+08:00",
                },
                {},
            )
        status, body, headers = reply
        return httpx.Response(status, content=json.dumps(body or {}).encode(), headers=headers)

    def client(self) -> BureauClient:
        return BureauClient("http://bureau.test", timeout=5, transport=httpx.MockTransport(self))


@pytest.fixture
def bureau() -> FakeBureau:
    return FakeBureau()


@pytest.fixture
async def registered(db) -> Staff:  # type: ignore[no-untyped-def]
    owner = await make_tenant(db)
    await make_registration(db, tenant=owner.tenant)
    return owner


def tid(staff: Staff) -> TenantId:
    return TenantId(staff.tenant.id)


async def drain_jobs(db: Any, staff: Staff) -> list[Any]:
    """The tenant's waiting drain jobs: (kind "now" or "later", scheduled_at)."""
    rows = await db.execute(
        text(
            "SELECT CASE WHEN queueing_lock LIKE 'filings-later:%' THEN 'later' ELSE 'now' END AS kind, scheduled_at "
            "FROM procrastinate_jobs WHERE task_name = 'filings.drain' AND status = 'todo' AND args->>'tenant_id' = :t ORDER BY id"
        ),
        {"t": str(staff.tenant.id)},
    )
    return list(rows)


async def due_now(db: Any, filing_id: uuid.UUID) -> None:
    """Time passes: the filing's backoff is over."""
    await db.execute(
        text(
            "UPDATE filings SET next_attempt_at = CAST(:now AS timestamptz) - interval '1 second' WHERE id = :id AND state = 'pending'"
        ),
        {"id": filing_id, "now": clock.now()},
    )


async def send_due(
    db: Any, staff: Staff, bureau: FakeBureau, settings: Any, *, limit: int = 1000
) -> service.Batch:
    """One batch of the tenant's drain, in the test's transaction."""
    return await service.send_due(db, tid(staff), bureau.client(), settings, limit=limit)


async def drain(db: Any, staff: Staff, bureau: FakeBureau, settings: Any) -> service.DrainResult:
    """The tenant's drain job (batch after batch), its transactions being the test's."""

    @asynccontextmanager
    async def same() -> AsyncIterator[Any]:
        yield db

    return await service.drain(same, tid(staff), bureau.client(), settings)


async def as_tenant(db: Any, staff: Staff) -> None:
    await bind_tenant(db, staff.tenant.id)


Handler = Callable[[httpx.Request], httpx.Response]
