"""What every request goes through before its handler, as ONE middleware layer.

In order: a request id (logged and echoed as X-Request-ID, `app.web.logging`), the CSP
nonce (`app.web.headers`), the locale (`app.web.locale`), the input screen
(`app.web.input`), the CSRF check (Litestar's, on every path but the exempt ones: the API
authenticates with keys, not cookies), then the handler. An error raised by the screen or
the CSRF check is answered here (`handle_exception`), so the request log, the metrics and
the response headers see the 4xx like any other answer.

One layer instead of six: every middleware layer costs a coroutine and a `send` wrapper
per response message, which on a short API request adds up to a tenth of its time.
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import use_locale
from app.web.errors import handle_exception, status_for
from app.web.headers import start_nonce
from app.web.input import needs_screen, screen
from app.web.locale import pick_locale
from app.web.logging import log_request, request_id, request_id_var

# Paths that carry no session cookie to protect: API keys, health checks, the OpenAPI
# pages, and webhooks signed by their sender.
CSRF_EXEMPT = ("/api/", "/healthz", "/schema", "/webhooks/")
_REQUEST_ID = b"x-request-id"


def request_pipeline(csrf: CSRFConfig) -> Any:
    """The middleware factory (Litestar builds one per route)."""

    def build(app: ASGIApp) -> ASGIApp:
        checked = CSRFMiddleware(app=app, config=csrf)

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            rid = request_id(scope)
            token = request_id_var.set(rid)
            header = (_REQUEST_ID, rid.encode())
            started = time.perf_counter()
            status = 500
            answered = False

            async def send_wrapper(message: Message) -> None:
                nonlocal status, answered
                if message["type"] == "http.response.start":
                    answered = True
                    status = message["status"]
                    message["headers"] = [*message.get("headers", ()), header]
                await send(message)

            path = scope["path"]
            start_nonce(scope)
            try:
                with use_locale(pick_locale(scope)):
                    try:
                        if needs_screen(scope):
                            await screen(Request(scope, receive))
                        inner = app if path.startswith(CSRF_EXEMPT) else checked
                        await inner(scope, receive, send_wrapper)
                    except Exception as exc:
                        if answered:
                            raise
                        request: Request[Any, Any, Any] = Request(scope, receive, send)
                        response = handle_exception(request, exc)
                        asgi = response.to_asgi_response(app=None, request=request)
                        await asgi(scope, receive, send_wrapper)
            except Exception as exc:
                status = status_for(exc)
                raise
            finally:
                if path != "/healthz":
                    log_request(scope, path, status, started)
                request_id_var.reset(token)

        return middleware

    return build
