"""An independent little signer, written from PROTOCOL.md for these tests only (neither
the stand-in's nor the filing engine's code), and enterprises registered with the stand-in."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.identifiers import make_uscc
from tests.bureau_fixtures import BureauSim

CODE = make_uscc("500103", "MA5U7Q2K")
OTHER_CODE = make_uscc("500105", "MA60R8X1")
SECRET = "bureau-issued-secret-0123456789-abcdef"
OTHER_SECRET = "another-bureau-secret-9876543210-zyxwvu"


def canonical(method: str, target: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join([method, target, timestamp, nonce, hashlib.sha256(body).hexdigest()])


class Filer:
    """One enterprise's client: signs every request the way PROTOCOL.md says, with
    overrides so a test can get each part wrong on purpose."""

    def __init__(self, url: str, code: str = CODE, secret: str = SECRET) -> None:
        self.code, self.secret = code, secret
        self.http = httpx.Client(base_url=url, timeout=10.0, trust_env=False)

    def __enter__(self) -> Filer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def headers(
        self,
        method: str,
        target: str,
        body: bytes = b"",
        *,
        timestamp: str | None = None,
        nonce: str | None = None,
        secret: str | None = None,
        signed_target: str | None = None,
        signed_method: str | None = None,
    ) -> dict[str, str]:
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or uuid.uuid4().hex
        message = canonical(
            signed_method or method, signed_target or target, timestamp, nonce, body
        )
        key = (secret or self.secret).encode()
        return {
            "X-Enterprise-Code": self.code,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": hmac.new(key, message.encode(), hashlib.sha256).hexdigest(),
        }

    def post(
        self,
        target: str,
        payload: Any,
        *,
        key: str | None = None,
        extra: dict[str, str] | None = None,
        **sign: Any,
    ) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else encode(payload)
        headers = {
            **self.headers("POST", target, body, **sign),
            "Content-Type": "application/json",
            "Idempotency-Key": key or uuid.uuid4().hex,
            **(extra or {}),
        }
        return self.http.post(target, content=body, headers=headers)

    def get(self, target: str, **sign: Any) -> httpx.Response:
        return self.http.get(target, headers=self.headers("GET", target, **sign))


def encode(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def error_fields(response: httpx.Response) -> dict[str, str]:
    """field -> code of a 400 answer."""
    assert response.status_code == 400, response.text
    return {e["field"]: e["code"] for e in response.json()["errors"]}


@pytest.fixture
def filer(bureau_sim: BureauSim) -> Iterator[Filer]:
    bureau_sim.register(CODE, SECRET)
    client = Filer(bureau_sim.url)
    yield client
    client.http.close()


@pytest.fixture
def other_filer(bureau_sim: BureauSim) -> Iterator[Filer]:
    bureau_sim.register(OTHER_CODE, OTHER_SECRET)
    client = Filer(bureau_sim.url, OTHER_CODE, OTHER_SECRET)
    yield client
    client.http.close()
