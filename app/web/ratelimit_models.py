"""The platform-wide table behind `app.web.ratelimit`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class RateLimitHit(Base):
    """How many requests one caller made to one bucket in one fixed window.

    Global, like `login_attempts`: public pages are limited before (and whether or not)
    a tenant is known, so the table has no `tenant_id` and no row-level security. It
    holds only a bucket name, a caller key (a client address) and counts."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index(None, "expires_at"),)

    bucket: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # When the row stops mattering: the end of the window after this one (a sliding
    # window still weighs the previous window's count).
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
