"""Enterprise settings: the owner keeps name, credit code, language, time zone and
modules; every change is audited; bad input comes back with field errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.engine import bind_tenant
from app.identifiers import make_uscc
from tenants.models import AuditEvent, Tenant
from tests.factories.tenants import make_staff, make_tenant
from tests.helpers import form_post, sign_in

VALID_CODE = make_uscc("500103", "MA5U0A00")  # 91500103MA5U0A000M, REFERENCE.md §4.2


def settings_form(**overrides):
    form = {
        "name": "重庆解放碑山城江景酒店",
        "enterprise_code": "",
        "locale": "zh_CN",
        "timezone": "Asia/Shanghai",
        "modules": ["reservations", "frontdesk"],
    }
    form.update(overrides)
    return form


async def reload(db, tenant_id) -> Tenant:
    stmt = select(Tenant).where(Tenant.id == tenant_id).execution_options(populate_existing=True)
    return (await db.execute(stmt)).scalar_one()


class TestSettingsPage:
    async def test_owner_sees_current_settings(self, client, db):
        owner = await make_tenant(db, name="缙云温泉", kinds=("hot_spring",))
        await sign_in(client, owner)
        page = await client.get("/console/settings")
        assert page.status_code == 200
        assert 'value="缙云温泉"' in page.text
        assert 'value="keytags" checked' in page.text
        assert 'value="contracts" checked' not in page.text
        assert "手牌与温泉消费" in page.text

    @pytest.mark.parametrize("role", ["manager", "front_desk", "auditor"])
    async def test_only_the_owner_may_open_it(self, client, db, role):
        owner = await make_tenant(db)
        staff = await make_staff(db, tenant=owner.tenant, role=role)
        await sign_in(client, staff)
        assert (await client.get("/console/settings")).status_code == 403
        response = await form_post(client, "/console/settings", settings_form(name="被篡改"))
        assert response.status_code == 403
        assert (await reload(db, owner.tenant.id)).name != "被篡改"


class TestSaveSettings:
    async def test_saving_changes_the_enterprise_and_is_audited(self, client, db):
        owner = await make_tenant(db, name="旧名称")
        await sign_in(client, owner)
        response = await form_post(
            client,
            "/console/settings",
            settings_form(
                name="新名称",
                enterprise_code=VALID_CODE.lower(),
                locale="en",
                timezone="Asia/Hong_Kong",
                modules=["reservations", "statistics"],
            ),
            follow_redirects=False,
        )
        assert response.status_code == 303
        tenant = await reload(db, owner.tenant.id)
        assert tenant.name == "新名称"
        assert tenant.enterprise_code == VALID_CODE
        assert (tenant.locale, tenant.timezone) == ("en", "Asia/Hong_Kong")
        assert tenant.enabled_modules == ["reservations", "statistics"]
        await bind_tenant(db, owner.tenant.id)
        event = (
            await db.execute(
                select(AuditEvent).where(AuditEvent.action == "tenant.settings_changed")
            )
        ).scalar_one()
        assert event.actor_user_id == owner.user.id
        assert event.data["changed"]["name"] == ["旧名称", "新名称"]
        assert set(event.data["changed"]) == {
            "name",
            "enterprise_code",
            "locale",
            "timezone",
            "modules",
        }
        assert "设置已保存" in (await client.get("/console/settings?saved=1")).text

    async def test_saving_unchanged_settings_writes_nothing(self, client, db):
        owner = await make_tenant(db, name="不变")
        await sign_in(client, owner)
        current = sorted(owner.tenant.enabled_modules)
        await form_post(client, "/console/settings", settings_form(name="不变", modules=current))
        await bind_tenant(db, owner.tenant.id)
        changed = await db.execute(
            select(AuditEvent).where(AuditEvent.action == "tenant.settings_changed")
        )
        assert changed.first() is None

    async def test_a_bad_credit_code_is_a_field_error_and_nothing_is_saved(self, client, db):
        owner = await make_tenant(db, name="原名")
        await sign_in(client, owner)
        bad = VALID_CODE[:-1] + ("A" if VALID_CODE[-1] != "A" else "B")
        response = await form_post(
            client, "/console/settings", settings_form(name="新名", enterprise_code=bad)
        )
        assert response.status_code == 422
        assert "校验" in response.text  # the check-character message, in Chinese
        assert f'value="{bad}"' in response.text  # what was typed is kept
        assert 'value="新名"' in response.text
        assert (await reload(db, owner.tenant.id)).name == "原名"

    async def test_a_credit_code_of_another_enterprise_is_refused(self, client, db):
        await make_tenant(db, enterprise_code=VALID_CODE)
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await form_post(
            client, "/console/settings", settings_form(enterprise_code=VALID_CODE)
        )
        assert response.status_code == 422
        assert "已被其他企业注册" in response.text

    @pytest.mark.parametrize(
        "field, value",
        [("timezone", "Mars/Olympus"), ("locale", "fr"), ("modules", ["casino"]), ("name", " ")],
    )
    async def test_values_outside_the_lists_are_refused(self, client, db, field, value):
        owner = await make_tenant(db)
        await sign_in(client, owner)
        response = await form_post(client, "/console/settings", settings_form(**{field: value}))
        assert response.status_code == 422
        assert 'class="error"' in response.text

    async def test_switching_modules_changes_the_console_navigation(self, client, db, app):
        from app.web.nav import NavItem

        app.state.nav = [
            *app.state.nav,
            NavItem(key="boarding", label="Code boarding", href="/console/x", module="boarding"),
        ]
        owner = await make_tenant(db, kinds=("hotel",))
        await sign_in(client, owner)
        assert 'href="/console/x"' not in (await client.get("/console/")).text
        await form_post(
            client, "/console/settings", settings_form(modules=["reservations", "boarding"])
        )
        assert 'href="/console/x"' in (await client.get("/console/")).text


class TestAddressAndPhone:
    async def test_the_owner_gives_the_address_and_phone_guests_see(self, client, db):
        owner = await make_tenant(db, name="缙云温泉", kinds=("hot_spring",))
        await sign_in(client, owner)
        page = await client.get("/console/settings")
        assert 'name="address"' in page.text and 'name="phone"' in page.text
        response = await form_post(
            client,
            "/console/settings",
            settings_form(
                name="缙云温泉",
                modules=["keytags"],
                address="  重庆市北碚区  缙云山路 1 号 ",
                phone="023-6822 8888",
            ),
            follow_redirects=False,
        )
        assert response.status_code == 303
        tenant = await reload(db, owner.tenant.id)
        assert (tenant.address, tenant.phone) == ("重庆市北碚区 缙云山路 1 号", "023-6822 8888")
        page = await client.get("/console/settings")
        assert 'value="重庆市北碚区 缙云山路 1 号"' in page.text
        assert 'value="023-6822 8888"' in page.text

    @pytest.mark.parametrize(
        ("field", "value"),
        [("phone", "call me"), ("phone", "12"), ("address", "路" * 201), ("address", "a\x07b")],
    )
    async def test_a_bad_address_or_phone_is_a_field_error_and_changes_nothing(
        self, client, db, field, value
    ):
        owner = await make_tenant(db, name="缙云温泉")
        await sign_in(client, owner)
        response = await form_post(
            client, "/console/settings", settings_form(name="新名称", **{field: value})
        )
        assert response.status_code == 422
        tenant = await reload(db, owner.tenant.id)
        assert (tenant.name, tenant.address, tenant.phone) == ("缙云温泉", "", "")
