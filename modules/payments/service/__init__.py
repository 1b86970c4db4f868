"""Payments' behaviour; the only entry point other modules may call.

Other modules call `start_payment`, `confirm_card` and `sync_payment` (a card payment on
a pay page), `refund` (on cancellation, with the refundable amount the subject's module
computed), `payments_for`, `holdings` and `record_manual_payment` (money taken at the
desk); a desk holding an amount on a card calls `preauthorise`, then `capture` (the bill, at
most the hold) or `release`. Every online payment is a direct charge on the enterprise's own
Stripe connected account (`open_account`, `onboarding_link`, `account_status`); without a
ready one, `start_payment` raises `OnlinePaymentsNotReady` and `preauthorise` refuses the
card, before any PaymentIntent exists. A module whose subjects take payments registers
`on_subject_changed` to hear when their money arrives or goes back: payments imports no
other module."""

from modules.payments.domain import (
    FINAL,
    MANUAL_PROVIDER,
    UNDER_WAY,
    PaymentStatus,
    RefundStatus,
    holdings,
)
from modules.payments.schemas import (
    AccountView,
    CardResult,
    PaymentStart,
    PaymentView,
    RefundView,
)
from modules.payments.service.accounts import (
    NOT_READY,
    OnlinePaymentsNotReady,
    account_status,
    charge_account,
    onboarding_link,
    open_account,
    record_account,
)
from modules.payments.service.common import SubjectListener, on_subject_changed
from modules.payments.service.holds import NotAuthorised, capture, preauthorise, release
from modules.payments.service.intents import (
    confirm_card,
    open_card_payments,
    payments_for,
    record_manual_payment,
    start_payment,
    sync_payment,
)
from modules.payments.service.refunds import SEND_REFUND_TASK, refund, send_refund
from modules.payments.service.webhooks import (
    HANDLE_EVENT_TASK,
    QUEUE,
    BadSignature,
    handle_event,
    receive_webhook,
)

__all__ = [
    "FINAL",
    "HANDLE_EVENT_TASK",
    "MANUAL_PROVIDER",
    "NOT_READY",
    "QUEUE",
    "SEND_REFUND_TASK",
    "UNDER_WAY",
    "AccountView",
    "BadSignature",
    "CardResult",
    "NotAuthorised",
    "OnlinePaymentsNotReady",
    "PaymentStart",
    "PaymentStatus",
    "PaymentView",
    "RefundStatus",
    "RefundView",
    "SubjectListener",
    "account_status",
    "capture",
    "charge_account",
    "confirm_card",
    "handle_event",
    "holdings",
    "on_subject_changed",
    "onboarding_link",
    "open_account",
    "open_card_payments",
    "payments_for",
    "preauthorise",
    "receive_webhook",
    "record_account",
    "record_manual_payment",
    "refund",
    "release",
    "send_refund",
    "start_payment",
    "sync_payment",
]
