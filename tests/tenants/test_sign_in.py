from tests.factories.tenants import make_tenant
from tests.helpers import form_post, sign_in


class TestSignIn:
    async def test_owner_signs_in_and_sees_console(self, client, db):
        owner = await make_tenant(db, name="解放碑酒店")
        await sign_in(client, owner)
        response = await client.get("/console/")
        assert response.status_code == 200
        assert "解放碑酒店" in response.text

    async def test_wrong_password_is_refused_without_saying_why(self, client, db):
        owner = await make_tenant(db)
        response = await form_post(
            client,
            "/console/login",
            {
                "tenant": owner.tenant.slug,
                "email": owner.user.email,
                "password": "wrong-password-1",
            },
        )
        assert response.status_code == 422
        assert "/console/logout" not in response.text

    async def test_console_without_session_redirects_to_sign_in(self, client):
        response = await client.get("/console/", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/login")
