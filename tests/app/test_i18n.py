from app.i18n import gettext, use_locale


def test_chinese_is_the_default_and_english_is_available():
    assert gettext("Sign in") == "登录"
    with use_locale("en"):
        assert gettext("Sign in") == "Sign in"


async def test_sign_in_page_is_chinese_by_default_and_english_on_request(client):
    assert "员工登录" in (await client.get("/console/login")).text
    assert "Staff sign-in" in (await client.get("/console/login?lang=en")).text
