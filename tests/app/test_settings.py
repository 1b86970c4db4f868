import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_production_refuses_to_start_without_secrets(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None, ZHILV_ENV="production")
    assert "SECRET_KEY" in str(info.value)


PRODUCTION = {
    "ZHILV_ENV": "production",
    "secret_key": "x" * 40,
    "database_url": "postgresql://a@b/c",
    "base_url": "https://zhilv.example",
    "filing_encryption_key": "k" * 44,
    "stripe_secret_key": "sk_live_abc",
    "stripe_webhook_secret": "whsec_abc",
}


def test_production_refuses_development_payment_keys_and_a_missing_filing_key():
    with pytest.raises(ValidationError) as info:
        Settings(
            _env_file=None,
            **{
                **PRODUCTION,
                "stripe_secret_key": "sk_test_zhilv_local",
                "filing_encryption_key": "",
            },
        )
    assert "STRIPE_SECRET_KEY" in str(info.value)
    assert "FILING_ENCRYPTION_KEY" in str(info.value)


def test_production_refuses_a_short_secret(monkeypatch):
    with pytest.raises(ValidationError):
        Settings(_env_file=None, **{**PRODUCTION, "secret_key": "short"})


def test_production_cookies_are_secure_by_default():
    s = Settings(_env_file=None, **PRODUCTION)
    assert s.secure_cookies is True
