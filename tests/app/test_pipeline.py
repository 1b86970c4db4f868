"""The request pipeline (app/web/pipeline.py): one middleware layer that gives every
request its id, nonce and locale, screens its input and checks CSRF on every path but the
API's, answering its own refusals like any other error."""

from __future__ import annotations

from tests.helpers import CSRF_COOKIE, csrf


class TestCsrf:
    async def test_a_console_form_without_the_token_is_refused(self, client):
        await csrf(client)  # the cookie alone is not enough: the form must carry the token
        response = await client.post("/console/login", data={"email": "a@b.c"})
        assert response.status_code == 403
        assert response.headers["x-request-id"]
        assert "nonce-" in response.headers["content-security-policy"]

    async def test_a_console_form_with_a_forged_token_is_refused(self, client):
        await csrf(client)
        response = await client.post(
            "/console/login", data={"email": "a@b.c", "_csrf_token": "forged"}
        )
        assert response.status_code == 403

    async def test_a_console_page_hands_out_the_cookie(self, client):
        response = await client.get("/console/login")
        assert response.status_code == 200
        assert CSRF_COOKIE in response.cookies

    async def test_the_api_is_not_checked_it_authenticates_with_keys(self, client):
        # A browser's cookies and no CSRF token: the API answers for the missing key (401),
        # never with a CSRF refusal (403), and hands out no CSRF cookie.
        client.cookies.set(CSRF_COOKIE, "anything")
        response = await client.post("/api/v1/reservations", json={})
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert "set-cookie" not in response.headers

    async def test_webhooks_are_not_checked(self, client):
        response = await client.post("/webhooks/stripe", content=b"{}")
        assert response.status_code != 403


class TestScreen:
    async def test_a_refused_query_is_answered_with_the_request_id_and_headers(self, client):
        response = await client.get("/console/login", params={"next": "a\x00b"})
        assert response.status_code == 422
        assert response.headers["x-request-id"]
        assert response.headers["x-content-type-options"] == "nosniff"

    async def test_an_api_body_with_a_nul_is_refused_before_the_key_is_read(self, client):
        response = await client.post("/api/v1/reservations", json={"guest": {"name": "a\x00b"}})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "guest.name"


class TestHeaders:
    async def test_the_policy_is_the_one_built_for_the_requests_nonce(self, client, settings):
        from app.web.headers import content_security_policy

        response = await client.get("/healthz")
        csp = response.headers["content-security-policy"]
        nonce = csp.split("'nonce-", 1)[1].split("'", 1)[0]
        assert csp == content_security_policy(settings, nonce)
        assert "\x00" not in csp
