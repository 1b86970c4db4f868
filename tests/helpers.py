"""Helpers for driving the app over HTTP in tests."""

from __future__ import annotations

from typing import Any

from tests.factories.tenants import Staff

CSRF_COOKIE = "zhilv_csrf"


async def csrf(client: Any, path: str = "/console/login") -> str:
    """Make the app issue a CSRF cookie and return the token to send back."""
    if CSRF_COOKIE not in client.cookies:
        await client.get(path)
    return client.cookies[CSRF_COOKIE]


async def form_post(client: Any, path: str, data: dict[str, Any], **kw: Any) -> Any:
    token = await csrf(client)
    return await client.post(path, data={**data, "_csrf_token": token}, **kw)


async def sign_in(client: Any, staff: Staff) -> None:
    response = await form_post(
        client,
        "/console/login",
        {"tenant": staff.tenant.slug, "email": staff.user.email, "password": staff.password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
