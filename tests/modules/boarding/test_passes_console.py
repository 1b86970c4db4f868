"""The console's pass signing keys page: managers see the keys and rotate; front desk
staff may not."""

from __future__ import annotations

from app.db.engine import TenantId
from modules.boarding import service
from tests.factories.boarding import make_passenger
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in


async def test_manager_sees_keys_and_rotates(client, db) -> None:
    owner = await make_tenant(db, kinds=("cruise",))
    tid = TenantId(owner.tenant.id)
    p = await make_passenger(db, tenant=owner.tenant)
    [issued] = await service.issue_passes(db, tid, [p.id], reason="checked in")
    manager = await make_staff(db, tenant=owner.tenant, role="manager")
    await sign_in(client, manager)
    page = await client.get("/console/boarding/keys")
    assert page.status_code == 200, page.text
    assert issued.kid in page.text
    # the fingerprint an offline gate is enrolled with (zhilv gate --trust)
    assert service.offline_pack_key(tid).fingerprint in page.text
    rotated = await form_post(client, "/console/boarding/keys/rotate", {}, follow_redirects=False)
    assert rotated.status_code == 303
    page = await client.get(rotated.headers["location"])
    assert page.status_code == 200
    keys = await service.pass_keys(db, tid)
    assert len(keys) == 2 and keys[0].signing and keys[1].kid == issued.kid
    assert keys[0].kid in page.text


async def test_front_desk_may_not_rotate(client, db) -> None:
    owner = await make_tenant(db, kinds=("cruise",))
    desk = await make_staff(db, tenant=owner.tenant, role="front_desk")
    await sign_in(client, desk)
    assert (await client.get("/console/boarding/keys")).status_code == 403
    refused = await form_post(client, "/console/boarding/keys/rotate", {}, follow_redirects=False)
    assert refused.status_code == 403
    assert await service.pass_keys(db, TenantId(owner.tenant.id)) == []
