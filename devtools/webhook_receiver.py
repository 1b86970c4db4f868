"""A reference receiver of Zhilv's distribution callbacks: what a partner's endpoint does.

Tests deliver real callbacks to it (as an ASGI app behind httpx), and partners can read it as
the worked example of docs/distribution.md ("Callbacks"). It

1. verifies the Standard Webhooks signature: `webhook-signature` holds one or more
   space-separated `v1,<base64>` values; one must equal HMAC-SHA256 over
   `{webhook-id}.{webhook-timestamp}.{raw body}` keyed with the base64-decoded part of the
   `whsec_…` secret (compared in constant time); a tampered body or header fails;
2. refuses a timestamp further than `tolerance` seconds from its own clock (a captured
   message replayed much later is refused even with a valid signature);
3. applies each message once by `webhook-id` (a replay, or our retry after a lost answer,
   is acknowledged and ignored);
4. keeps, per order, the state of the highest `sequence` applied (a callback overtaken by a
   later one is acknowledged and ignored, so reordering cannot roll the state back).

Run on its own: `python -m devtools.webhook_receiver whsec_... [port]` prints what it gets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

DEFAULT_TOLERANCE = 300  # seconds, as the Standard Webhooks libraries use


class Refused(Exception):
    """The message is not ours or not fresh: answer 4xx, apply nothing."""


def _expected(secret: str, msg_id: str, timestamp: str, body: bytes) -> bytes:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    return hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()


def verify(
    secret: str, headers: MutableMapping[str, str], body: bytes, *, now: float, tolerance: int
) -> dict[str, Any]:
    """The message, if its signature and timestamp hold; `Refused` otherwise."""
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (msg_id and timestamp.isascii() and timestamp.isdigit() and signatures):
        raise Refused("missing or malformed webhook headers")
    if abs(now - int(timestamp)) > tolerance:
        raise Refused("timestamp outside the tolerance")
    expected = _expected(secret, msg_id, timestamp, body)
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        try:
            given = base64.b64decode(value, validate=True)
        except ValueError:
            continue
        if version == "v1" and hmac.compare_digest(given, expected):
            return dict(json.loads(body))
    raise Refused("no valid signature")


@dataclass
class OrderView:
    """What the partner's system knows of one order."""

    state: str
    sequence: int
    events: list[str] = field(default_factory=list)


@dataclass
class Receiver:
    secret: str
    tolerance: int = DEFAULT_TOLERANCE
    clock: Callable[[], float] = time.time
    seen: set[str] = field(default_factory=set)
    orders: dict[str, OrderView] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    fail_next: int = 0  # answer this many requests 503 (a partner that is down)

    def receive(self, headers: MutableMapping[str, str], body: bytes) -> int:
        """The HTTP status the endpoint answers."""
        if self.fail_next > 0:
            self.fail_next -= 1
            return 503
        try:
            message = verify(self.secret, headers, body, now=self.clock(), tolerance=self.tolerance)
        except Refused as exc:
            self.refused.append(str(exc))
            return 401
        msg_id = headers["webhook-id"]
        if msg_id in self.seen:
            self.ignored.append(f"replay {msg_id}")
            return 204
        self.seen.add(msg_id)
        self._apply(message)
        return 204

    def _apply(self, message: dict[str, Any]) -> None:
        data = message["data"]
        number, sequence = str(data["order_number"]), int(data["sequence"])
        view = self.orders.get(number)
        if view is not None and sequence <= view.sequence:
            self.ignored.append(f"stale {number} #{sequence}")
            return
        events = [*view.events, message["type"]] if view else [message["type"]]
        self.orders[number] = OrderView(state=str(data["state"]), sequence=sequence, events=events)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI endpoint: POST anywhere."""
        assert scope["type"] == "http"
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        status = self.receive(headers, body) if scope["method"] == "POST" else 405
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def main() -> None:  # pragma: no cover - a manual tool
    from wsgiref.simple_server import make_server

    receiver = Receiver(secret=sys.argv[1])
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8765

    def app(environ: dict[str, Any], start: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        headers = {
            k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        status = receiver.receive(headers, body)
        print(status, headers.get("webhook-id"), body.decode(errors="replace"), flush=True)
        start(f"{status} X", [])
        return [b""]

    make_server("127.0.0.1", port, app).serve_forever()


if __name__ == "__main__":  # pragma: no cover
    main()
