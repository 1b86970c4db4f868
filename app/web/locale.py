"""Per-request locale: `?lang=` (remembered in a cookie), the cookie, else zh-CN."""

from __future__ import annotations

from litestar.types import Scope

from app.i18n import LOCALES

LANG_COOKIE = "zhilv_lang"


def pick_locale(scope: Scope) -> str | None:
    """`?lang=` when it names a locale we have, else the `zhilv_lang` cookie's, else None."""
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
