"""The public sign-up page: an enterprise registers itself and its owner lands in the
console; mistakes come back as field errors; a network cannot register without limit."""

from __future__ import annotations

from sqlalchemy import select

from app.db.engine import bind_tenant
from app.identifiers import make_uscc
from tenants.models import AuditEvent, Membership, Tenant
from tenants.service.provisioning import SIGNUP_LIMIT
from tests.factories.tenants import PASSWORD, make_tenant, unique
from tests.helpers import form_post


def signup_form(**overrides):
    slug = unique("su")
    form = {
        "name": "重庆北碚缙云温泉度假酒店",
        "slug": slug,
        "kinds": ["hot_spring", "hotel"],
        "enterprise_code": "",
        "owner_name": "罗晓梅",
        "owner_email": f"{slug}@owner.test",
        "password": "Spring-water-2026",
    }
    form.update(overrides)
    return form


async def tenant_by_slug(db, slug) -> Tenant | None:
    return (await db.execute(select(Tenant).where(Tenant.slug == slug))).scalar_one_or_none()


class TestSignupPage:
    async def test_the_form_is_in_chinese(self, client):
        page = await client.get("/signup")
        assert page.status_code == 200
        assert "注册新企业" in page.text
        assert "统一社会信用代码" in page.text
        assert 'name="kinds" value="hot_spring"' in page.text


class TestSignUp:
    async def test_success_creates_the_enterprise_and_signs_the_owner_in(self, client, db):
        form = signup_form(enterprise_code=make_uscc("500109", "MA61D4R9"))
        response = await form_post(client, "/signup", form, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/console"
        console = await client.get("/console/")
        assert console.status_code == 200
        assert "重庆北碚缙云温泉度假酒店" in console.text
        tenant = await tenant_by_slug(db, form["slug"])
        assert tenant.kinds == ["hot_spring", "hotel"]
        assert tenant.enterprise_code == form["enterprise_code"]
        assert {"keytags", "frontdesk"} <= set(tenant.enabled_modules)
        await bind_tenant(db, tenant.id)
        member = (await db.execute(select(Membership))).scalar_one()
        assert member.role == "owner"
        actions = set((await db.execute(select(AuditEvent.action))).scalars())
        assert {"tenant.created", "auth.signed_in"} <= actions

    async def test_one_kind_is_enough(self, client, db):
        form = signup_form(kinds="agency")
        response = await form_post(client, "/signup", form, follow_redirects=False)
        assert response.status_code == 303
        assert (await tenant_by_slug(db, form["slug"])).kinds == ["agency"]

    async def test_mistakes_come_back_as_field_errors_with_input_kept(self, client, db):
        form = signup_form(
            slug="No Spaces!",
            kinds=[],
            enterprise_code="91500103MA5U0A000A",
            owner_email="not-an-email",
            password="short",
        )
        response = await form_post(client, "/signup", form)
        assert response.status_code == 422
        text = response.text
        assert text.count('class="error"') >= 5
        assert "校验" in text  # the credit code's check character
        assert 'value="重庆北碚缙云温泉度假酒店"' in text
        assert 'value="No Spaces!"' in text
        assert "Spring-water" not in text  # a password is never echoed back
        assert await tenant_by_slug(db, "No Spaces!") is None

    async def test_a_taken_address_is_refused(self, client, db):
        existing = await make_tenant(db)
        response = await form_post(client, "/signup", signup_form(slug=existing.tenant.slug))
        assert response.status_code == 422
        assert "该企业代码已被占用" in response.text

    async def test_an_existing_account_needs_its_own_password(self, client, db):
        existing = await make_tenant(db)
        form = signup_form(owner_email=existing.user.email, password="Someone-else-123")
        response = await form_post(client, "/signup", form)
        assert response.status_code == 422
        assert await tenant_by_slug(db, form["slug"]) is None

    async def test_an_existing_account_with_its_password_owns_the_new_enterprise(self, client, db):
        existing = await make_tenant(db)
        form = signup_form(owner_email=existing.user.email, password=PASSWORD)
        response = await form_post(client, "/signup", form, follow_redirects=False)
        assert response.status_code == 303
        tenant = await tenant_by_slug(db, form["slug"])
        await bind_tenant(db, tenant.id)
        member = (await db.execute(select(Membership))).scalar_one()
        assert member.user_id == existing.user.id

    async def test_sign_ups_from_one_address_are_limited(self, client, db):
        for _ in range(SIGNUP_LIMIT):
            done = await form_post(client, "/signup", signup_form(), follow_redirects=False)
            assert done.status_code == 303
        form = signup_form()
        response = await form_post(client, "/signup", form)
        assert response.status_code == 429
        assert "一小时后再试" in response.text
        assert await tenant_by_slug(db, form["slug"]) is None
