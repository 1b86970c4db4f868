"""Delivering callbacks: sign, POST, record the attempt; the job retries with backoff.

A delivery is three steps so no transaction is held open while a partner's server thinks:
read the callback and sign it (one transaction), POST it with a short timeout (none), record
the attempt and the callback's new state (another transaction, the callback row locked).
Only a 2xx answer counts as delivered. Every attempt is kept (`dist_callback_attempts`),
hand-made re-sends marked `manual`. The same `webhook-id` goes out on every attempt, so a
receiver that got a message whose answer was lost drops the repeat.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import NotFound
from app.jobs.queue import enqueue
from app.security.crypto import SecretUnreadable
from app.settings import Settings
from modules.distribution.models import CallbackAttempt
from modules.distribution.repository.callbacks import CallbacksRepository
from modules.distribution.service.callbacks import (
    DELIVER_TASK,
    QUEUE,
    body_of,
    open_secret,
    signed_headers,
)

TIMEOUT_SECONDS = 10.0
MAX_KEPT_ERROR = 500

Bound = Callable[[], AbstractAsyncContextManager[tuple[AsyncSession, TenantId]]]


@dataclass(frozen=True, slots=True)
class Outgoing:
    callback_id: uuid.UUID
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class Result:
    status_code: int | None
    error: str
    duration_ms: int
    permanent: bool = False  # waiting cannot help (no URL, no secret): no more tries

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Outcome:
    DELIVERED = "delivered"
    RETRY = "retry"  # not delivered; the job is tried again later
    FAILED = "failed"  # not delivered, and no more automatic tries
    SKIPPED = "skipped"  # already delivered (a repeated job), or gone


def http_client() -> httpx.AsyncClient:
    """A short timeout, no redirects followed (a partner's 3xx is not a delivery), and no
    proxy from the environment."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(TIMEOUT_SECONDS), follow_redirects=False, trust_env=False
    )


def _clean(text: str) -> str:
    kept = "".join(ch if ch.isprintable() else " " for ch in text)
    return kept[:MAX_KEPT_ERROR]


async def prepare(
    db: AsyncSession, tid: TenantId, settings: Settings, callback_id: uuid.UUID, *, manual: bool
) -> Outgoing | Result | None:
    """The signed request for one attempt; a `Result` when it cannot be sent at all (no URL
    or no readable secret any more); None when there is nothing to do."""
    repo = CallbacksRepository(db, tid)
    callback = await repo.callback(callback_id)
    if callback is None or (callback.status != "pending" and not manual):
        return None
    distributor = await repo.distributor(callback.distributor_id)
    assert distributor is not None
    if not distributor.callback_url:
        return Result(None, "no callback URL", 0, permanent=True)
    try:
        secret = open_secret(settings, tid, distributor.id, distributor.callback_secret_sealed)
    except (SecretUnreadable, ValueError):
        return Result(None, "no readable signing secret", 0, permanent=True)
    body = body_of(callback.payload)
    timestamp = int(clock.now().timestamp())
    headers = signed_headers(secret, callback.message_id, timestamp, body)
    return Outgoing(callback.id, distributor.callback_url, body, headers)


async def refused_destination(url: str, settings: Settings) -> str:
    """Why the URL may not be called ('' when it may): in production a callback goes only to
    public addresses, so a distributor's URL cannot make our worker reach the platform's own
    network (loopback, private ranges, cloud metadata). A name that does not resolve now is
    left to the request, which fails and is retried."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "not an http(s) URL"
    if settings.env != "production":
        return ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, parts.port or 443, type=socket.SOCK_STREAM
        )
    except OSError:
        return ""
    for info in infos:
        if not ipaddress.ip_address(str(info[4][0])).is_global:
            return f"{parts.hostname} is not a public address"
    return ""


async def post(http: httpx.AsyncClient, outgoing: Outgoing) -> Result:
    started = time.monotonic()
    try:
        response = await http.post(outgoing.url, content=outgoing.body, headers=outgoing.headers)
    except httpx.TimeoutException as exc:
        return Result(None, f"timed out: {type(exc).__name__}", _ms(started))
    except httpx.HTTPError as exc:
        return Result(None, _clean(f"{type(exc).__name__}: {exc}"), _ms(started))
    error = "" if 200 <= response.status_code < 300 else _clean(response.text[:200])
    return Result(response.status_code, error, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


async def record(
    db: AsyncSession,
    tid: TenantId,
    callback_id: uuid.UUID,
    result: Result,
    *,
    manual: bool,
    final: bool,
    retry_in: int,
) -> str:
    """Keeps the attempt and moves the callback: delivered on a 2xx; failed after the last
    automatic try; otherwise pending until the next. A hand-made re-send that fails leaves
    the callback's state as it was."""
    repo = CallbacksRepository(db, tid)
    callback = await repo.callback(callback_id, lock=True)
    if callback is None:
        return Outcome.SKIPPED
    now = clock.now()
    repo.add(
        CallbackAttempt(
            callback_id=callback.id,
            attempted_at=now,
            status_code=result.status_code,
            error=result.error,
            duration_ms=result.duration_ms,
            manual=manual,
        )
    )
    callback.attempts += 1
    callback.last_status_code = result.status_code
    callback.last_error = result.error
    if result.delivered:
        callback.status, callback.delivered_at, callback.next_attempt_at = "delivered", now, None
        outcome = Outcome.DELIVERED
    elif manual:
        outcome = Outcome.FAILED
    elif final or result.permanent:
        callback.status, callback.next_attempt_at = "failed", None
        outcome = Outcome.FAILED
    else:
        callback.next_attempt_at = now + timedelta(seconds=retry_in)
        outcome = Outcome.RETRY
    await repo.flush()
    return outcome


async def deliver(
    bound: Bound,
    settings: Settings,
    callback_id: uuid.UUID,
    *,
    http: httpx.AsyncClient,
    manual: bool = False,
    final: bool = False,
    retry_in: int = 0,
) -> str:
    """One attempt at delivering the callback, in two short transactions around the POST."""
    async with bound() as (db, tid):
        prepared = await prepare(db, tid, settings, callback_id, manual=manual)
    if prepared is None:
        return Outcome.SKIPPED
    if isinstance(prepared, Outgoing):
        refused = await refused_destination(prepared.url, settings)
        result = Result(None, refused, 0, permanent=True) if refused else await post(http, prepared)
    else:
        result = prepared
    async with bound() as (db, tid):
        return await record(
            db, tid, callback_id, result, manual=manual, final=final, retry_in=retry_in
        )


async def resend(db: AsyncSession, tid: TenantId, callback_id: uuid.UUID) -> None:
    """重新发送: one more attempt, by hand, through the delivery job (recorded as manual)."""
    repo = CallbacksRepository(db, tid)
    callback = await repo.callback(callback_id)
    if callback is None:
        raise NotFound()
    await enqueue(
        db,
        DELIVER_TASK,
        {"tenant_id": str(tid), "callback_id": str(callback.id), "manual": True},
        queue=QUEUE,
    )
