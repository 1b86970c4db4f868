"""What the payments module hands to other modules and to its pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from modules.payments.domain import PaymentStatus


@dataclass(frozen=True, slots=True)
class PaymentStart:
    """What a pay page needs to take a card payment with Stripe.js."""

    payment_id: uuid.UUID
    client_secret: str
    publishable_key: str
    js_url: str
    amount_fen: int
    currency: str = "CNY"
    status: str = "pending"


@dataclass(frozen=True, slots=True)
class RefundView:
    id: uuid.UUID
    payment_id: uuid.UUID
    amount_fen: int
    reason: str
    status: str
    created_at: datetime
    processed_at: datetime | None
    error: str | None


@dataclass(frozen=True, slots=True)
class PaymentView:
    id: uuid.UUID
    subject_type: str
    subject_id: uuid.UUID
    kind: str
    method: str
    provider: str
    amount_fen: int
    currency: str
    status: str
    refunded_fen: int
    description: str
    created_at: datetime
    succeeded_at: datetime | None
    failure_message: str | None = None
    refunds: tuple[RefundView, ...] = ()

    @property
    def net_fen(self) -> int:
        """What this payment still holds for us: paid and not given back."""
        return self.amount_fen - self.refunded_fen if self.status == PaymentStatus.SUCCEEDED else 0


@dataclass(frozen=True, slots=True)
class CardResult:
    """The answer to the pay page after it sent the card: what Stripe.js must do next."""

    status: str
    client_secret: str | None = None
    message: str | None = None
