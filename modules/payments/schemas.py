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
    # The enterprise's connected account the intent lives on: Stripe.js must be given it
    # (`Stripe(key, {stripeAccount})`) to confirm a direct charge.
    stripe_account: str = ""


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


@dataclass(frozen=True, slots=True)
class AccountView:
    """The enterprise's connected account as its settings page shows it."""

    provider_account_id: str
    account_type: str
    country: str
    details_submitted: bool
    charges_enabled: bool
    payouts_enabled: bool
    requirements_due: tuple[str, ...]
    disabled_reason: str | None
    updated_at: datetime
    # True when Stripe could not be asked just now: the status is the last one known.
    stale: bool = False

    @property
    def ready(self) -> bool:
        """Takes guests' money online (Stripe has enabled charges on it)."""
        return self.charges_enabled
