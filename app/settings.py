"""One typed settings object, read from the environment and an optional `.env`.

Every field is documented in README.md (Configuration). Nothing is built at import
time: call `get_settings()`.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    env: Literal["development", "test", "production"] = Field(
        "development", validation_alias="ZHILV_ENV"
    )
    # The application role's connection (owns nothing, not a superuser). Unset in
    # development: `zhilv dev` starts an embedded PostgreSQL and fills both URLs in.
    database_url: str | None = None
    # The owner role's connection, used by migrations; defaults to DATABASE_URL.
    database_owner_url: str | None = None
    database_pool_size: int = 10
    database_max_overflow: int = 20

    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = ""
    # Web server processes (`zhilv serve`, `make run`): one per core unless WORKERS says.
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    # Reverse proxies whose X-Forwarded-For/-Proto are believed: addresses or networks,
    # comma-separated ("10.0.0.0/8,127.0.0.1"), or "*". Empty: trust none.
    forwarded_allow_ips: str = ""

    data_dir: Path = PROJECT_ROOT / ".zhilv"
    # Uploaded terminal videos; every web process must see the same directory.
    media_dir: Path | None = None  # default: <DATA_DIR>/media
    default_locale: Literal["zh_CN", "en"] = "zh_CN"
    default_timezone: str = "Asia/Shanghai"

    session_ttl_hours: int = 12
    cookie_secure: bool | None = None  # defaults to True in production
    login_max_failures: int = 5
    login_window_minutes: int = 15
    password_reset_ttl_minutes: int = 30

    mail_backend: Literal["log", "smtp"] = "log"
    mail_from: str = "智旅 Zhilv <no-reply@zhilv.local>"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    sms_backend: Literal["log", "http"] = "log"
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""

    # The bureau's filing interface (shared/bureau/PROTOCOL.md). Development points at the
    # stand-in (`zhilv bureau-sim`); production at the real bureau.
    bureau_url: str = "http://127.0.0.1:8100"
    # Key for filing secrets at rest (any string; 32+ random characters in production).
    # Empty: derived from SECRET_KEY.
    filing_encryption_key: str = ""
    # Key for boarding-pass signing keys at rest. Empty: derived from FILING_ENCRYPTION_KEY
    # (else SECRET_KEY) under its own label.
    pass_key_encryption_key: str = ""
    filing_http_timeout_seconds: float = 30.0
    filing_backoff_base_seconds: float = 5.0
    filing_backoff_cap_seconds: float = 3600.0
    # A filing due this long ago with no live job is queued again by the sweep.
    filing_stalled_after_seconds: float = 300.0
    # Alert the owner when a filing is still not accepted this long after it was made
    # (the bureau forgets idempotency keys after 30 days).
    filing_key_alert_days: int = 25
    # A tenant's due filings are sent in batches of up to this many, this many at once.
    filing_batch_size: int = 256
    filing_send_concurrency: int = 8

    # Stripe (README: Payments). Development and tests point STRIPE_API_BASE at the local
    # emulator (localstripe) with its test keys; empty means Stripe itself.
    stripe_secret_key: str = "sk_test_zhilv_local"  # noqa: S105 - emulator key, refused in production
    stripe_publishable_key: str = "pk_test_zhilv_local"
    stripe_api_base: str = ""
    stripe_webhook_secret: str = "whsec_zhilv_local"  # noqa: S105 - refused in production
    stripe_js_url: str = "https://js.stripe.com/v3/"
    # Stripe Connect: the country each enterprise's Standard connected account is opened in.
    # Stripe opens no accounts in mainland China (CN); a Chinese enterprise uses its Hong Kong
    # entity (docs/payments.md).
    stripe_connect_country: str = "HK"
    # The secret of a second webhook endpoint listening to connected accounts' events
    # (empty: one endpoint, STRIPE_WEBHOOK_SECRET, receives both).
    stripe_connect_webhook_secret: str = ""

    log_level: str = "INFO"
    # Unset: readable lines when stderr is a terminal (make run), JSON otherwise and in
    # production. true/false force one or the other.
    log_json: bool | None = None
    # Bearer token for GET /metrics (Prometheus). Unset: /metrics answers 404.
    metrics_token: str = ""
    demo_data: bool = True

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.env == "production":
            missing = [
                name
                for name, value in (
                    ("SECRET_KEY", self.secret_key),
                    ("DATABASE_URL", self.database_url),
                    ("BASE_URL", self.base_url),
                    ("FILING_ENCRYPTION_KEY", self.filing_encryption_key),
                    ("STRIPE_SECRET_KEY", not self.stripe_secret_key.endswith("_zhilv_local")),
                    ("STRIPE_WEBHOOK_SECRET", not self.stripe_webhook_secret.endswith("_local")),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"production needs {', '.join(missing)}")
            if len(self.secret_key) < 32:
                raise ValueError("SECRET_KEY must be at least 32 characters")
        elif not self.secret_key:
            self.secret_key = _dev_secret(self.data_dir)
        if not self.base_url:
            self.base_url = f"http://{self.host}:{self.port}"
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.env == "production" if self.cookie_secure is None else self.cookie_secure

    @property
    def owner_url(self) -> str | None:
        return self.database_owner_url or self.database_url


def _dev_secret(data_dir: Path) -> str:
    """A per-checkout secret kept in .zhilv/, so development sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
