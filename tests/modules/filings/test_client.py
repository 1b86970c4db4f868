"""Signing exactly as PROTOCOL.md says, checked against an independent computation."""

from __future__ import annotations

import hashlib
import hmac
import re

import httpx

from modules.filings.service.client import BureauClient, Credentials, canonical_string, sign

SECRET = "s" * 40
CREDS = Credentials(enterprise_code="91500103MA5U0B01X9", secret=SECRET)


def independent_signature(
    secret: str, method: str, path: str, ts: str, nonce: str, body: bytes
) -> str:
    message = f"{method}\n{path}\n{ts}\n{nonce}\n{hashlib.sha256(body).hexdigest()}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class TestCanonicalString:
    def test_five_parts_joined_with_newlines_no_trailing_newline(self):
        text = canonical_string("post", "/v1/groups", "1700000000", "n" * 16, b"{}")
        assert (
            text
            == "POST\n/v1/groups\n1700000000\n"
            + "n" * 16
            + "\n"
            + hashlib.sha256(b"{}").hexdigest()
        )

    def test_get_hashes_the_empty_string(self):
        assert canonical_string("GET", "/v1/receipts/X", "1", "n", b"").endswith(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )

    def test_signature_is_lowercase_hex_hmac_sha256(self):
        sig = sign("k", "abc")
        assert sig == hmac.new(b"k", b"abc", hashlib.sha256).hexdigest() and re.fullmatch(
            r"[0-9a-f]{64}", sig
        )


class TestSignedRequest:
    async def test_post_carries_all_headers_and_a_verifiable_signature(self):
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(
                201, json={"receipt_no": "CQ1", "received_at": "2026-11-01T00:00:00+08:00"}
            )

        client = BureauClient(
            "http://bureau.test/api", timeout=5, transport=httpx.MockTransport(handler)
        )
        body = '{"a":"解放碑"}'.encode()
        answer = await client.post(
            "/v1/contracts/E%201/amendments", body, CREDS, idempotency_key="key-1"
        )
        await client.aclose()
        request = seen[0]
        h = request.headers
        assert answer.status == 201 and answer.json()["receipt_no"] == "CQ1"
        assert request.content == body
        assert h["content-type"] == "application/json" and h["idempotency-key"] == "key-1"
        assert h["x-enterprise-code"] == CREDS.enterprise_code
        assert re.fullmatch(r"[A-Za-z0-9-]{16,64}", h["x-nonce"]) and h["x-timestamp"].isdigit()
        path = request.url.raw_path.decode()
        assert (
            path == "/api/v1/contracts/E%201/amendments"
        )  # the path as sent, base prefix included
        assert h["x-signature"] == independent_signature(
            SECRET, "POST", path, h["x-timestamp"], h["x-nonce"], body
        )

    async def test_each_request_has_a_fresh_nonce(self):
        nonces = []

        def handler(request: httpx.Request) -> httpx.Response:
            nonces.append(request.headers["x-nonce"])
            return httpx.Response(200, json={})

        client = BureauClient(
            "http://bureau.test", timeout=5, transport=httpx.MockTransport(handler)
        )
        for _ in range(5):
            await client.post("/v1/groups", b"{}", CREDS, idempotency_key="same")
        await client.aclose()
        assert len(set(nonces)) == 5

    async def test_no_answer_is_reported_not_raised(self):
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ReadTimeout("slow", request=request)

        client = BureauClient(
            "http://bureau.test", timeout=5, transport=httpx.MockTransport(handler)
        )
        answer = await client.get("/v1/receipts/X", CREDS)
        await client.aclose()
        assert answer.status is None and "timed out" in (answer.error or "")

    async def test_retry_after_is_read(self):
        client = BureauClient(
            "http://bureau.test",
            timeout=5,
            transport=httpx.MockTransport(
                lambda r: httpx.Response(429, headers={"Retry-After": "3"}, json={"code": "busy"})
            ),
        )
        answer = await client.post("/v1/groups", b"{}", CREDS, idempotency_key="k")
        await client.aclose()
        assert (answer.status, answer.retry_after) == (429, 3)
