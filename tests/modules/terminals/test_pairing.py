"""Pairing a terminal: a one-time code typed on the device becomes a long-lived device
token; wrong, expired and reused codes are refused; guessing is throttled; revoking and
re-pairing kill the old token at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from app import clock
from app.db.engine import TenantId, bind_tenant
from app.errors import Invalid, TooManyRequests
from modules.terminals import service
from modules.terminals.models import TerminalDevice
from tests.factories.tenants import make_tenant
from tests.factories.terminals import a_unit, make_device, use_terminal
from tests.helpers import form_post


async def _registered(db, owner):
    unit_id = await a_unit(db, tenant=owner.tenant)
    return await service.register_device(
        db, TenantId(owner.tenant.id), name="1201 平板", unit_id=unit_id
    )


class TestPairingCode:
    async def test_the_code_typed_on_the_device_sets_the_cookie_and_opens_the_home_screen(
        self, client, db
    ):
        owner = await make_tenant(db)
        code = await _registered(db, owner)
        response = await form_post(
            client, f"/terminal/{owner.tenant.slug}/pair", {"code": code.code}
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/terminal"
        cookie = response.headers["set-cookie"]
        assert "zhilv_terminal=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        home = await client.get("/terminal")
        assert home.status_code == 200
        assert home.headers["cache-control"] == "no-store"
        assert "欢迎" in home.text

    async def test_a_code_works_once(self, db):
        owner = await make_tenant(db)
        code = await _registered(db, owner)
        tid = TenantId(owner.tenant.id)
        await service.pair(db, tid, code.code, ip=None)
        with pytest.raises(Invalid):
            await service.pair(db, tid, code.code, ip=None)

    async def test_a_wrong_code_answers_422_on_the_pairing_screen(self, client, db):
        owner = await make_tenant(db)
        await _registered(db, owner)
        response = await form_post(client, f"/terminal/{owner.tenant.slug}/pair", {"code": "12"})
        assert response.status_code == 422
        assert "代码错误或已过期" in response.text
        assert "zhilv_terminal" not in response.headers.get("set-cookie", "")

    async def test_an_expired_code_is_refused(self, db):
        owner = await make_tenant(db)
        code = await _registered(db, owner)
        await bind_tenant(db, owner.tenant.id)
        await db.execute(
            update(TerminalDevice)
            .where(TerminalDevice.id == code.device.id)
            .values(pairing_expires_at=clock.now() - timedelta(seconds=1))
        )
        with pytest.raises(Invalid):
            await service.pair(db, TenantId(owner.tenant.id), code.code, ip=None)

    async def test_after_five_wrong_codes_from_one_address_even_the_right_one_waits(self, db):
        owner = await make_tenant(db)
        code = await _registered(db, owner)
        tid = TenantId(owner.tenant.id)
        wrong = "000000" if code.code != "000000" else "111111"
        for _ in range(service.MAX_FAILURES_PER_ADDRESS):
            with pytest.raises(Invalid):
                await service.pair(db, tid, wrong, ip="198.51.100.7")
        with pytest.raises(TooManyRequests):
            await service.pair(db, tid, code.code, ip="198.51.100.7")
        # Another address is not blocked by the first one's guesses.
        assert (await service.pair(db, tid, code.code, ip="198.51.100.8")).token

    async def test_guesses_from_many_addresses_are_capped_per_tenant(self, db):
        owner = await make_tenant(db)
        code = await _registered(db, owner)
        tid = TenantId(owner.tenant.id)
        wrong = "000000" if code.code != "000000" else "111111"
        for i in range(service.MAX_FAILURES_PER_TENANT):
            with pytest.raises(Invalid):
                await service.pair(db, tid, wrong, ip=f"198.51.100.{i + 1}")
        with pytest.raises(TooManyRequests):
            await service.pair(db, tid, code.code, ip="192.0.2.1")


class TestRevokeAndRepair:
    async def test_revoking_sends_the_terminal_back_to_the_pairing_screen(self, client, db):
        owner = await make_tenant(db)
        paired = await make_device(db, tenant=owner.tenant)
        use_terminal(client, paired)
        assert (await client.get("/terminal")).status_code == 200
        await service.revoke_device(db, TenantId(owner.tenant.id), paired.device_id, actor_id=None)
        response = await client.get("/terminal", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/terminal/pair"
        back = await client.get("/terminal/pair", follow_redirects=False)
        assert back.headers["location"] == f"/terminal/{owner.tenant.slug}/pair"

    async def test_re_pairing_kills_the_old_token_and_the_new_code_gives_a_new_one(
        self, client, db
    ):
        owner = await make_tenant(db)
        tid = TenantId(owner.tenant.id)
        paired = await make_device(db, tenant=owner.tenant)
        code = await service.repair_device(db, tid, paired.device_id, actor_id=None)
        use_terminal(client, paired)
        assert (await client.get("/terminal", follow_redirects=False)).status_code == 303
        again = await service.pair(db, tid, code.code, ip=None)
        assert again.device_id == paired.device_id and again.token != paired.token
        use_terminal(client, again)
        assert (await client.get("/terminal")).status_code == 200

    async def test_htmx_polling_of_a_revoked_terminal_redirects_the_page(self, client, db):
        owner = await make_tenant(db)
        paired = await make_device(db, tenant=owner.tenant)
        await service.revoke_device(db, TenantId(owner.tenant.id), paired.device_id, actor_id=None)
        use_terminal(client, paired)
        response = await client.get("/terminal/live", headers={"hx-request": "true"})
        assert response.status_code == 401
        assert response.headers["hx-redirect"] == "/terminal/pair"

    async def test_a_forged_secret_is_not_a_device(self, client, db):
        owner = await make_tenant(db)
        paired = await make_device(db, tenant=owner.tenant)
        tenant_id, device_id, _ = paired.token.split(".", 2)
        use_terminal(client, f"{tenant_id}.{device_id}.forged")
        response = await client.get("/terminal", follow_redirects=False)
        assert response.headers["location"] == "/terminal/pair"


async def test_last_seen_is_touched_at_most_once_a_minute(client, db):
    owner = await make_tenant(db)
    paired = await make_device(db, tenant=owner.tenant)
    long_ago = clock.now() - timedelta(minutes=5)
    await bind_tenant(db, owner.tenant.id)
    stmt = update(TerminalDevice).where(TerminalDevice.id == paired.device_id)
    await db.execute(stmt.values(last_seen_at=long_ago))
    use_terminal(client, paired)
    await client.get("/terminal")
    (seen,) = await service.list_devices(db, TenantId(owner.tenant.id))
    assert seen.last_seen_at is not None and seen.last_seen_at > long_ago
    recent = clock.now() - timedelta(seconds=20)
    await db.execute(stmt.values(last_seen_at=recent))
    await client.get("/terminal")
    (again,) = await service.list_devices(db, TenantId(owner.tenant.id))
    assert again.last_seen_at == recent


async def test_the_pairing_screen_answers_429_with_retry_after_once_guessing_is_blocked(client, db):
    owner = await make_tenant(db)
    await _registered(db, owner)
    url = f"/terminal/{owner.tenant.slug}/pair"
    for _ in range(service.MAX_FAILURES_PER_ADDRESS):
        assert (await form_post(client, url, {"code": "99999"})).status_code == 422
    blocked = await form_post(client, url, {"code": "123456"})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "尝试次数过多，请稍后再试" in blocked.text
