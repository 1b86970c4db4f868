"""Platform-wide pages: the landing page and the language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.i18n import LOCALES
from app.security.access import Public
from app.web.locale import LANG_COOKIE


@get("/", opt={"guard": Public()}, include_in_schema=False)
async def landing() -> Template:
    return Template(template_name="public/landing.html")


@get("/lang/{locale:str}", opt={"guard": Public()}, include_in_schema=False)
async def switch_language(request: Request[Any, Any, Any], locale: FromPath[str]) -> Redirect:
    """Remember the chosen language and go back where the user was (same site only)."""
    referer = urlsplit(request.headers.get("referer", "/"))
    same_site = not referer.netloc or referer.netloc == request.headers.get("host", "")
    back = (referer.path or "/") + (f"?{referer.query}" if referer.query else "")
    if not same_site or not back.startswith("/") or back.startswith("//"):
        back = "/"
    response = Redirect(back, status_code=303)
    if locale in LOCALES:
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 24 * 3600, samesite="lax")
    return response
