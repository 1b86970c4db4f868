"""`zhilv tenants|apikeys|operators …` end to end: the real command, a real commit (in
the per-process database for committed tests), then the app sees the result."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from click.testing import CliRunner

from app.cli import main
from app.settings import get_settings
from tests.factories.tenants import unique
from tests.helpers import form_post

PASSWORD = "Cli-password-2026"


@pytest.fixture
def cli_env(committed_urls, monkeypatch):
    """Point the command at the committed test database, as DATABASE_URL would."""
    monkeypatch.setenv("DATABASE_URL", committed_urls.app_url)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def zhilv(*args: str):
    """Run the command in a thread: it starts its own event loop, as from a shell."""
    return await asyncio.to_thread(CliRunner().invoke, main, list(args), catch_exceptions=False)


@pytest.fixture
async def committed_client(committed_database, settings):
    from app.main import create_app

    app = create_app(settings, database=committed_database)
    transport = httpx.ASGITransport(app=app, client=("192.0.2.55", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


async def create_tenant(*extra: str) -> dict[str, str]:
    slug = unique("cli")
    result = await zhilv(
        "tenants",
        "create",
        "--name",
        "重庆巴渝国际旅行社",
        "--slug",
        slug,
        "--kind",
        "agency",
        "--owner-email",
        f"{slug}@owner.test",
        "--owner-password",
        PASSWORD,
        "--json",
        *extra,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


class TestTenantsCommands:
    async def test_create_prints_exactly_the_documented_json(self, cli_env):
        created = await create_tenant()
        assert set(created) == {"tenant_id", "slug", "owner_email"}
        assert created["owner_email"] == f"{created['slug']}@owner.test"

    async def test_the_owner_created_can_sign_in(self, cli_env, committed_client):
        created = await create_tenant()
        response = await form_post(
            committed_client,
            "/console/login",
            {"tenant": created["slug"], "email": created["owner_email"], "password": PASSWORD},
            follow_redirects=False,
        )
        assert response.status_code == 303

    async def test_bad_input_exits_non_zero_with_the_reason(self, cli_env):
        result = await zhilv(
            "tenants",
            "create",
            "--name",
            "x",
            "--slug",
            "Bad Slug",
            "--kind",
            "casino",
            "--owner-email",
            "a@b.test",
            "--owner-password",
            PASSWORD,
            "--json",
        )
        assert result.exit_code == 1
        assert "slug" in result.output
        assert "kinds" in result.output

    async def test_list_shows_kinds_status_and_staff(self, cli_env):
        created = await create_tenant("--kind", "hotel,hot_spring")
        result = await zhilv("tenants", "list", "--json")
        assert result.exit_code == 0, result.output
        rows = {r["slug"]: r for r in json.loads(result.output)}
        row = rows[created["slug"]]
        assert row["kinds"] == ["agency", "hotel", "hot_spring"]
        assert (row["status"], row["staff"], row["name"]) == ("active", 1, "重庆巴渝国际旅行社")
        plain = await zhilv("tenants", "list")
        assert created["slug"] in plain.output


class TestApiKeyCommands:
    async def test_create_prints_id_token_and_scopes_and_the_key_works(
        self, cli_env, committed_client
    ):
        tenant = await create_tenant()
        result = await zhilv(
            "apikeys",
            "create",
            "--tenant",
            tenant["slug"],
            "--name",
            "分销伙伴接口",
            "--scopes",
            "distribution:book,distribution:read",
            "--json",
        )
        assert result.exit_code == 0, result.output
        key = json.loads(result.output)
        assert set(key) == {"id", "token", "scopes"}
        assert key["scopes"] == ["distribution:read", "distribution:book"]
        me = await committed_client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {key['token']}"}
        )
        assert me.status_code == 200
        assert me.json()["key"]["name"] == "分销伙伴接口"
        assert me.json()["tenant"]["slug"] == tenant["slug"]

    async def test_list_never_shows_tokens_and_revoke_stops_the_key(
        self, cli_env, committed_client
    ):
        tenant = await create_tenant()
        made = await zhilv(
            "apikeys", "create", "--tenant", tenant["slug"], "--name", "闸机",
            "--scopes", "gate:exit", "--json",
        )  # fmt: skip
        key = json.loads(made.output)
        listed = await zhilv("apikeys", "list", "--tenant", tenant["slug"], "--json")
        assert key["token"] not in listed.output
        assert json.loads(listed.output)[0]["hint"] == key["token"][-4:]
        revoked = await zhilv("apikeys", "revoke", "--tenant", tenant["slug"], key["id"])
        assert revoked.exit_code == 0
        assert "revoked" in revoked.output
        me = await committed_client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {key['token']}"}
        )
        assert me.status_code == 401

    async def test_unknown_enterprise_or_scope_is_refused(self, cli_env):
        unknown = await zhilv(
            "apikeys", "create", "--tenant", "no-such-enterprise", "--name", "x",
            "--scopes", "gate:exit",
        )  # fmt: skip
        assert unknown.exit_code == 1
        assert "no-such-enterprise" in unknown.output
        tenant = await create_tenant()
        bad_scope = await zhilv(
            "apikeys", "create", "--tenant", tenant["slug"], "--name", "x", "--scopes", "root",
        )  # fmt: skip
        assert bad_scope.exit_code == 1
        assert "scopes" in bad_scope.output


class TestOperatorCommands:
    async def test_create_then_sign_in_to_the_platform(self, cli_env, committed_client):
        email = f"{unique('op')}@zhilv.test"
        result = await zhilv(
            "operators", "create", "--email", email, "--password", PASSWORD, "--json"
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["created"] is True
        response = await form_post(
            committed_client,
            "/platform/login",
            {"email": email, "password": PASSWORD},
            follow_redirects=False,
        )
        assert response.status_code == 303

    async def test_an_existing_user_is_flagged_and_keeps_their_password(
        self, cli_env, committed_client
    ):
        tenant = await create_tenant()
        result = await zhilv(
            "operators", "create", "--email", tenant["owner_email"],
            "--password", "Ignored-password-1", "--json",
        )  # fmt: skip
        assert json.loads(result.output)["created"] is False
        response = await form_post(
            committed_client,
            "/platform/login",
            {"email": tenant["owner_email"], "password": PASSWORD},
            follow_redirects=False,
        )
        assert response.status_code == 303
