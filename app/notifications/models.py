from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantScoped


class OutboundMessage(TenantScoped, Base):
    """An e-mail or SMS to send. Written in the transaction of the change that causes it;
    the worker sends it and records the outcome."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        CheckConstraint("channel IN ('email','sms')", "channel"),
        CheckConstraint("status IN ('pending','sent','failed')", "status"),
        Index(None, "tenant_id", "created_at"),
    )

    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200), server_default="")
    body: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    backend: Mapped[str | None] = mapped_column(String(16))
