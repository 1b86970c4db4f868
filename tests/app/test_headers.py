"""Security headers on every response (app/web/headers.py), walked from the route table,
and templates that need no inline code or style attributes under the policy."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from litestar import get
from litestar.routes import HTTPRoute

from app.main import create_app
from app.settings import PROJECT_ROOT, Settings
from app.web.headers import content_security_policy, permissions_policy

COMMON = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
SAMPLE = {uuid.UUID: str(uuid.uuid4()), int: "1"}


def _assert_secure(response: httpx.Response, *, camera: bool = False) -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, f"{where}: {name}"
    csp = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, where
    assert re.search(r"script-src 'self' 'nonce-[A-Za-z0-9_-]{20,}'", csp), where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    # Only a page that scans with the device camera (the gangway) may ask for it.
    allowed = "camera=(self)" if camera else "camera=()"
    assert allowed in response.headers.get("permissions-policy", ""), where


def _get_paths(app: Any) -> list[tuple[str, bool]]:
    """Every GET route with sample identifiers, and whether it opts into the camera."""
    paths = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "GET" not in route.methods:
            continue
        path = route.path
        for name, param in route.path_parameters.items():
            value = SAMPLE.get(param.type, "sample")
            path = re.sub(r"\{" + name + r":[^}]+\}", value, path)
        camera = any(
            (h.opt or {}).get("camera") for h in route.route_handlers if "GET" in h.http_methods
        )
        paths.append((path, camera))
    return sorted(set(paths))


class TestEveryResponse:
    async def test_every_get_route_answers_with_the_security_headers(self, app, client):
        paths = _get_paths(app)
        assert len(paths) > 50
        for path, camera in paths:
            _assert_secure(await client.get(path), camera=camera)

    async def test_unknown_paths_and_wrong_methods_have_them_too(self, client):
        for response in (
            await client.get("/no/such/page"),
            await client.get("/api/v1/no-such-thing"),
            await client.delete("/healthz"),
            await client.get("/static/no-such-file.js"),
        ):
            assert response.status_code in (404, 405)
            _assert_secure(response)

    async def test_a_refused_csrf_check_and_a_server_error_page_have_them(self, settings, database):
        @get("/boom", opt={"access": "public"}, sync_to_thread=False)
        def boom() -> None:
            raise RuntimeError("boom")

        app = create_app(settings, database=database)
        app.register(boom)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            refused = await c.post("/console/login", data={"email": "a@b.c"})
            failed = await c.get("/boom")
        assert refused.status_code == 403
        assert failed.status_code == 500
        _assert_secure(refused)
        _assert_secure(failed)

    async def test_each_page_gets_its_own_nonce_matching_its_inline_styles(self, client):
        seen = set()
        for _ in range(2):
            response = await client.get("/console/login")
            nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"])
            assert nonce
            seen.add(nonce.group(1))
        assert len(seen) == 2

    async def test_no_hsts_over_plain_http(self, client):
        response = await client.get("/")
        assert "strict-transport-security" not in response.headers


class TestPolicy:
    async def test_hsts_when_the_base_url_is_https(self, settings, database):
        secure = settings.model_copy(update={"base_url": "https://zhilv.example"})
        transport = httpx.ASGITransport(app=create_app(secure, database=database))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            response = await c.get("/healthz")
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")

    def test_stripe_js_and_the_configured_emulator_are_allowed(self):
        settings = Settings(
            stripe_js_url="http://127.0.0.1:8420/js.stripe.com/v3/",
            stripe_api_base="http://127.0.0.1:8420",
        )
        csp = dict(
            d.split(" ", 1) for d in content_security_policy(settings, "n0nce").split("; ")
        )
        for directive in ("script-src", "frame-src", "connect-src"):
            assert "http://127.0.0.1:8420" in csp[directive]
        assert "https://js.stripe.com" in csp["script-src"]
        assert "https://api.stripe.com" in csp["connect-src"]
        assert csp["object-src"] == "'none'"

    def test_the_camera_is_allowed_only_for_a_route_that_asks(self):
        assert "camera=()" in permissions_policy({"access": "public"})
        assert "camera=(self)" in permissions_policy({"camera": True})
        assert "microphone=()" in permissions_policy({"camera": True})


TEMPLATES = sorted(
    p for p in (PROJECT_ROOT / "templates").rglob("*.html") if "pdf" not in p.parts
)
FORBIDDEN = {
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "hx-on handler": re.compile(r"\shx-on[:-]", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "inline script without nonce": re.compile(r"<script(?![^>]*\b(?:src|nonce)=)[^>]*>", re.I),
    "inline style without nonce": re.compile(r"<style(?![^>]*\bnonce=)[^>]*>", re.I),
}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_templates_need_nothing_the_policy_refuses(template):
    """PDF templates are rendered by WeasyPrint, not a browser, and are left out."""
    text = template.read_text()
    found = [name for name, pattern in FORBIDDEN.items() if pattern.search(text)]
    assert not found, f"{template.name}: {', '.join(found)} (see app/web/headers.py)"
