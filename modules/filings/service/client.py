"""Signed HTTP to the bureau, exactly as PROTOCOL.md "Request signing" says.

Every request carries a fresh timestamp and nonce and is signed over the path as sent
and the SHA-256 of the raw body; the body bytes and the Idempotency-Key come from the
filing unchanged. The client never decides what an answer means (see `domain.classify`)
and never retries by itself: a retry is a new attempt, recorded by the sender.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx

from app import clock
from modules.filings.domain import parse_retry_after

MAX_KEPT_BODY = 8000  # characters of an answer kept with the attempt
NUL_STANDIN = "\ufffd"  # for U+0000 in an answer, which the database cannot store


def canonical_string(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """METHOD, path with query as sent, timestamp, nonce, hex SHA-256 of the body."""
    body_hash = hashlib.sha256(body).hexdigest()
    return "\n".join((method.upper(), path, timestamp, nonce, body_hash))


def sign(secret: str, canonical: str) -> str:
    return hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def new_nonce() -> str:
    """32 characters of [0-9a-f]: inside the protocol's 16–64 [A-Za-z0-9-]."""
    return secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class Credentials:
    enterprise_code: str
    secret: str


@dataclass(frozen=True, slots=True)
class Answer:
    """What came back; `status` None means no answer at all (timeout, connection refused
    or dropped): the bureau may or may not have stored the filing."""

    status: int | None
    body: str
    latency_ms: int
    retry_after: int | None = None
    error: str | None = None

    def json(self) -> Any:
        try:
            return _without_nul(json.loads(self.body)) if self.body else None
        except ValueError:
            return None


class BureauClient:
    """One per process: keeps connections to the bureau alive between filings."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    def _signed(
        self,
        method: str,
        path: str,
        body: bytes,
        credentials: Credentials,
        idempotency_key: str | None,
    ) -> httpx.Request:
        request = self._http.build_request(method, path, content=body if method != "GET" else None)
        timestamp, nonce = str(int(clock.now().timestamp())), new_nonce()
        sent_path = request.url.raw_path.decode("ascii")
        canonical = canonical_string(method, sent_path, timestamp, nonce, body)
        request.headers["X-Enterprise-Code"] = credentials.enterprise_code
        request.headers["X-Timestamp"] = timestamp
        request.headers["X-Nonce"] = nonce
        request.headers["X-Signature"] = sign(credentials.secret, canonical)
        if method != "GET":
            request.headers["Content-Type"] = "application/json"
        if idempotency_key is not None:
            request.headers["Idempotency-Key"] = idempotency_key
        return request

    async def request(
        self,
        method: str,
        path: str,
        credentials: Credentials,
        *,
        body: bytes = b"",
        idempotency_key: str | None = None,
    ) -> Answer:
        request = self._signed(method, path, body, credentials, idempotency_key)
        started = time.perf_counter()
        try:
            response = await self._http.send(request)
        except httpx.TimeoutException as exc:
            return no_answer(started, f"timed out: {type(exc).__name__}")
        except httpx.TransportError as exc:
            return no_answer(started, f"{type(exc).__name__}: {exc}"[:500])
        return Answer(
            status=response.status_code,
            body=response.text[:MAX_KEPT_BODY].replace("\x00", NUL_STANDIN),
            latency_ms=_ms(started),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )

    async def post(
        self, path: str, body: bytes, credentials: Credentials, *, idempotency_key: str
    ) -> Answer:
        return await self.request(
            "POST", path, credentials, body=body, idempotency_key=idempotency_key
        )

    async def get(self, path: str, credentials: Credentials) -> Answer:
        return await self.request("GET", path, credentials)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def no_answer(started: float, error: str) -> Answer:
    """No answer: the outcome is unknown, and the same filing goes again later."""
    return Answer(
        status=None,
        body="",
        latency_ms=_ms(started),
        error=error[:500].replace("\x00", NUL_STANDIN),
    )


def _without_nul(value: Any) -> Any:
    """The answer as PostgreSQL can store it: text and JSONB refuse U+0000 (a bureau's
    odd answer must not stop its filing from being recorded)."""
    if isinstance(value, str):
        return value.replace("\x00", NUL_STANDIN)
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value
