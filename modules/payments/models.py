"""Tables of the payments module.

`payments`, `payment_refunds` and `payment_accounts` are tenant-owned (forced row-level security).
`payment_provider_events` is global: a webhook arrives before anyone knows its tenant, and
the inbox must be unique on the provider's event id across all tenants.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, CreatedMixin, IdMixin, TenantScoped, tenant_foreign_key, tenant_key

KINDS = ("deposit", "prepayment", "balance")
# Online payments are "card" through the provider; the rest are taken at the desk.
METHODS = ("card", "cash", "wechat", "alipay", "card_terminal", "bank_transfer")
STATUSES = ("pending", "requires_action", "processing", "succeeded", "failed", "canceled")
REFUND_STATUSES = ("pending", "succeeded", "failed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Payment(TenantScoped, Base):
    """Money a guest pays (or tries to pay) for one subject, e.g. a reservation."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), "kind"),
        CheckConstraint(_in("method", METHODS), "method"),
        CheckConstraint(_in("status", STATUSES), "status"),
        CheckConstraint("amount_fen > 0", "amount_positive"),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= amount_fen", "refunded_within"),
        UniqueConstraint("tenant_id", "provider_intent_id"),
        Index(None, "tenant_id", "subject_type", "subject_id"),
        tenant_key(),
    )

    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(16))  # "stripe" or "manual"
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), server_default="CNY")
    status: Mapped[str] = mapped_column(String(16))
    provider_intent_id: Mapped[str | None] = mapped_column(String(255))
    # The enterprise's connected account the intent was created on (None: desk payments,
    # and online payments taken before Connect).
    provider_account_id: Mapped[str | None] = mapped_column(String(255))
    refunded_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    description: Mapped[str] = mapped_column(Text, server_default="")
    customer_email: Mapped[str | None] = mapped_column(String(320))
    failure_message: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID | None]  # the staff user who took a desk payment
    succeeded_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class PaymentRefund(TenantScoped, Base):
    """Money given back on one payment. Sent to the provider by a job, keyed by this id."""

    __tablename__ = "payment_refunds"
    __table_args__ = (
        CheckConstraint(_in("status", REFUND_STATUSES), "status"),
        CheckConstraint("amount_fen > 0", "amount_positive"),
        Index(None, "tenant_id", "payment_id"),
        tenant_foreign_key("payment_refunds", "payment_id", "payments", ondelete="RESTRICT"),
    )

    payment_id: Mapped[uuid.UUID]
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    provider_refund_id: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]


class PaymentProviderEvent(IdMixin, CreatedMixin, Base):
    """The webhook inbox: every verified event exactly once (unique on the provider's id),
    stored before it is handled, so a replay or a crash can neither skip nor repeat it."""

    __tablename__ = "payment_provider_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())
    processed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))


class PaymentAccount(TenantScoped, Base):
    """The enterprise's own Stripe connected account (one per tenant): where its guests'
    money lands. Its status is Stripe's, refreshed by `account.updated` and on each visit
    to the account page; only a ready account (charges enabled) takes online payments."""

    __tablename__ = "payment_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id"),
        UniqueConstraint("tenant_id", "provider_account_id"),
        tenant_key(),
    )

    provider: Mapped[str] = mapped_column(String(16))  # "stripe"
    provider_account_id: Mapped[str] = mapped_column(String(255))
    account_type: Mapped[str] = mapped_column(String(16))  # "standard" or "express"
    country: Mapped[str] = mapped_column(String(2))
    details_submitted: Mapped[bool] = mapped_column(server_default="false")
    charges_enabled: Mapped[bool] = mapped_column(server_default="false")
    payouts_enabled: Mapped[bool] = mapped_column(server_default="false")
    requirements_due: Mapped[list[str]] = mapped_column(JSONB, server_default="[]")
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[uuid.UUID | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
