"""Per-request locale: `?lang=` (remembered in a cookie), the cookie, else zh-CN."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from app.i18n import LOCALES, use_locale

LANG_COOKIE = "zhilv_lang"


def _pick(scope: Scope) -> str | None:
    query = scope.get("query_string", b"").decode("latin-1")
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if key == "lang" and value in LOCALES:
            return value
    for raw_name, raw_value in scope.get("headers", []):
        if raw_name == b"cookie":
            for item in raw_value.decode("latin-1").split(";"):
                name, _, value = item.strip().partition("=")
                if name == LANG_COOKIE and value in LOCALES:
                    return value
    return None


def locale_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        with use_locale(_pick(scope)):
            await app(scope, receive, send)

    return middleware
