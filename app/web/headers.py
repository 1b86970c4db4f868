"""Security headers on every response, error pages and unknown paths included.

- Content-Security-Policy: scripts and styles come from this site (htmx is served from
  /static/vendor), from Stripe.js where a payment page loads it, or carry the request's
  nonce (`nonce="{{ csp_nonce }}"` in a template). No `unsafe-inline`, no `unsafe-eval`:
  inline `style=""` attributes, `onclick=` and htmx's `hx-on:*` do not run, so behaviour
  lives in app/static/*.js and looks in app/static/*.css.
- Nothing may frame a page (`frame-ancestors 'none'` and X-Frame-Options), the terminal
  included; `nosniff`; `Referrer-Policy: same-origin`; HSTS when BASE_URL is https.
- Permissions-Policy turns off device features. A route that needs one asks for it in its
  options: `@get(..., opt={"camera": True})` lets that page (and only it) use the camera,
  for scanning codes.

The headers are added by a `before_send` hook (`security_headers`), which sees every
response including the router's own 404/405; `start_nonce` (called by the request pipeline,
app/web/pipeline.py) makes the nonce known before the handler runs (`request.state.csp_nonce`).
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from litestar.types import Message, Scope

from app.settings import Settings

_nonce: ContextVar[str | None] = ContextVar("csp_nonce", default=None)

# Device features no page uses; a route opts in with opt={"<feature>": True}.
FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")
OPT_IN_FEATURES = ("camera",)
# What Stripe's CSP guide lists for Stripe.js and its card frames.
STRIPE_JS = "https://js.stripe.com"
STRIPE_JS_HOSTS = "https://*.js.stripe.com"
STRIPE_HOOKS = "https://hooks.stripe.com"
STRIPE_API = "https://api.stripe.com"
HSTS = "max-age=31536000; includeSubDomains"


def current_nonce() -> str:
    """The nonce of the request being served (made on first use)."""
    value = _nonce.get()
    if value is None:
        value = secrets.token_urlsafe(18)
        _nonce.set(value)
    return value


class _NonceForTemplates:
    """`{{ csp_nonce }}` in a template: the current request's nonce."""

    def __str__(self) -> str:
        return current_nonce()

    def __html__(self) -> str:
        return current_nonce()


CSP_NONCE = _NonceForTemplates()


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _stripe_sources(settings: Settings) -> tuple[list[str], list[str], list[str]]:
    """(script, frame, connect) sources for Stripe.js and its API: Stripe itself, or the
    local emulator the settings point at in development and tests."""
    scripts = [STRIPE_JS, STRIPE_JS_HOSTS]
    frames = [STRIPE_JS, STRIPE_JS_HOSTS, STRIPE_HOOKS]
    connect = [STRIPE_API]
    for url, kinds in (
        (settings.stripe_js_url, (scripts, frames, connect)),
        (settings.stripe_api_base, (connect,)),
    ):
        origin = _origin(url)
        for kind in kinds:
            if origin and origin not in kind:
                kind.append(origin)
    return scripts, frames, connect


def content_security_policy(settings: Settings, nonce: str) -> str:
    scripts, frames, connect = _stripe_sources(settings)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'", *scripts],
        "style-src": ["'self'", f"'nonce-{nonce}'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *connect],
        "frame-src": ["'self'", *frames],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def permissions_policy(opt: dict[str, Any] | None = None) -> str:
    allowed = {f for f in OPT_IN_FEATURES if (opt or {}).get(f)}
    return ", ".join(f"{f}=(self)" if f in allowed else f"{f}=()" for f in FEATURES)


def security_headers(settings: Settings) -> Any:
    """The `before_send` hook adding the headers to every response start. Everything but
    the nonce is worked out once: the policy is two halves around it."""
    static = {
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
    }
    if settings.base_url.startswith("https://"):
        static["strict-transport-security"] = HSTS
    marker = "\x00nonce\x00"
    parts = content_security_policy(settings, marker).split(marker)  # script-src and style-src
    # A handler's own value of a header wins, as before; names are compared lower-case.
    fixed = [(name.encode(), value.encode()) for name, value in static.items()]
    policies = {
        allowed: permissions_policy({f: True for f in allowed}).encode()
        for allowed in _feature_sets()
    }

    async def hook(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = message.setdefault("headers", [])
        if not isinstance(headers, list):
            headers = message["headers"] = list(headers)
        present = {name.lower() for name, _ in headers}
        state = scope.get("state") or {}
        nonce = state.get("csp_nonce") or current_nonce()
        opt = getattr(scope.get("route_handler"), "opt", None) or {}
        allowed = tuple(f for f in OPT_IN_FEATURES if opt.get(f))
        for name, value in (
            *fixed,
            (b"content-security-policy", nonce.join(parts).encode()),
            (b"permissions-policy", policies[allowed]),
        ):
            if name not in present:
                headers.append((name, value))
        _nonce.set(None)  # the page is rendered; a server reusing this context starts afresh

    return hook


def _feature_sets() -> list[tuple[str, ...]]:
    """Every combination of opt-in features a route may ask for, in OPT_IN_FEATURES order."""
    sets: list[tuple[str, ...]] = [()]
    for feature in OPT_IN_FEATURES:
        sets += [(*s, feature) for s in sets]
    return sets


def start_nonce(scope: Scope) -> None:
    """A fresh nonce for the request, known to the handler as `request.state.csp_nonce`
    (app.web.pipeline calls it first thing). Not reset afterwards: an error page rendered
    after the handler (a refused CSRF check) must use the same nonce; the value dies with
    the request's task."""
    nonce = secrets.token_urlsafe(18)
    _nonce.set(nonce)
    scope.setdefault("state", {})["csp_nonce"] = nonce
