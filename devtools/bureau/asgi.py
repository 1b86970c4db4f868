"""The bureau as an ASGI application, for in-process use (httpx's ASGITransport in a
unit test, or any ASGI server). An ASGI application cannot close a connection without
answering, so a dropped answer surfaces as an exception (`AnswerDropped`): httpx's
ASGITransport raises it to the caller, a server answers 500. Use `zhilv bureau-sim`
(the asyncio server) where a truly lost answer matters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from devtools.bureau.bureau import Bureau
from devtools.bureau.messages import Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class AnswerDropped(ConnectionError):
    """The bureau stored the request and dropped the connection without an answer."""


def create_app(bureau: Bureau | None = None) -> ASGIApp:
    sim = bureau or Bureau()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        answer = sim.handle(await _request(scope, receive))
        if answer.delay > 0:
            await asyncio.sleep(answer.delay)
        if answer.drop:
            raise AnswerDropped("the bureau dropped the connection without answering")
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})

    return app


async def _request(scope: Scope, receive: Receive) -> Request:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw_path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string") or b""
    target = (raw_path + b"?" + query if query else raw_path).decode("latin-1")
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    client = scope.get("client")
    return Request(
        scope["method"], target, headers, b"".join(chunks), client[0] if client else None
    )
