"""The console's terminals page: register a terminal and read its code once, the list
with room, status and last-seen time, re-pair, revoke and move; front desk may, a
cashier may not."""

from __future__ import annotations

import re

from app.db.engine import TenantId
from modules.terminals import service
from tests.factories.tenants import make_staff, make_tenant
from tests.factories.terminals import a_unit, make_device
from tests.helpers import form_post, sign_in


class TestRegister:
    async def test_registering_shows_a_six_digit_code_that_pairs_the_device(self, client, db):
        owner = await make_tenant(db)
        unit_id = await a_unit(db, tenant=owner.tenant)
        await sign_in(client, owner)
        page = await form_post(
            client, "/console/terminals", {"name": "1201 平板", "unit_id": str(unit_id)}
        )
        assert page.status_code == 201
        code = re.search(r"data-code>(\d{3}) (\d{3})<", page.text)
        assert code, page.text
        assert f"/terminal/{owner.tenant.slug}/pair" in page.text
        paired = await service.pair(
            db, TenantId(owner.tenant.id), code.group(1) + code.group(2), ip=None
        )
        devices = await service.list_devices(db, TenantId(owner.tenant.id))
        assert [(d.id, d.status) for d in devices] == [(paired.device_id, "paired")]

    async def test_a_missing_name_and_room_answer_422_with_both_fields(self, client, db):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        page = await form_post(client, "/console/terminals", {"name": " ", "unit_id": "nope"})
        assert page.status_code == 422
        assert "请为终端命名" in page.text and "请选择客房或舱房" in page.text
        assert await service.list_devices(db, TenantId(owner.tenant.id)) == []

    async def test_a_cashier_cannot_manage_terminals(self, client, db):
        owner = await make_tenant(db)
        cashier = await make_staff(db, tenant=owner.tenant, role="cashier")
        await sign_in(client, cashier)
        assert (await client.get("/console/terminals")).status_code == 403

    async def test_front_desk_sees_the_list_with_room_status_and_last_seen(self, client, db):
        owner = await make_tenant(db)
        paired = await make_device(db, tenant=owner.tenant, name="大堂平板")
        desk = await make_staff(db, tenant=owner.tenant, role="front_desk")
        await sign_in(client, desk)
        page = await client.get("/console/terminals")
        assert page.status_code == 200
        row = page.text[page.text.index(f'id="device-{paired.device_id}"') :]
        assert "大堂平板" in row and "已配对" in row and "从未" not in row.split("</tr>")[0]


class TestManage:
    async def test_revoke_re_pair_and_move_from_the_console(self, client, db):
        owner = await make_tenant(db)
        tid = TenantId(owner.tenant.id)
        paired = await make_device(db, tenant=owner.tenant)
        other_unit = next(u.id for u in await service_units(db, tid) if u.id != paired.unit_id)
        await sign_in(client, owner)
        moved = await form_post(
            client, f"/console/terminals/{paired.device_id}/move", {"unit_id": str(other_unit)}
        )
        assert moved.status_code == 303
        assert (await service.list_devices(db, tid))[0].unit_id == other_unit
        bad = await form_post(
            client, f"/console/terminals/{paired.device_id}/move", {"unit_id": ""}
        )
        assert bad.status_code == 422
        code = await form_post(client, f"/console/terminals/{paired.device_id}/pair", {})
        assert code.status_code == 200 and "data-code>" in code.text
        assert (await service.list_devices(db, tid))[0].status == "pairing"
        revoked = await form_post(client, f"/console/terminals/{paired.device_id}/revoke", {})
        assert revoked.status_code == 303
        assert (await service.list_devices(db, tid))[0].status == "revoked"


async def service_units(db, tid):
    from modules.reservations import service as reservations

    return await reservations.list_units(db, tid)
