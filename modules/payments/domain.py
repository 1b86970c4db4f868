"""Pure rules of payments: the statuses a payment and a refund go through, and what a
subject (a reservation) holds once its payments are counted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from app.enums import LabelledEnum


class PaymentStatus(LabelledEnum):
    PENDING = "pending", "Pending"
    REQUIRES_ACTION = "requires_action", "Awaiting the card holder"
    PROCESSING = "processing", "Processing"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Cancelled"


# Once here, a payment's status never changes again (refunds are counted beside it), so a
# late or replayed event can never undo money that arrived.
FINAL = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED})
# The money is on its way or has arrived: the guest is not asked again.
UNDER_WAY = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING})
# A card payment the guest may still complete.
OPEN = (PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION, PaymentStatus.FAILED)


class RefundStatus(LabelledEnum):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Refunded"
    FAILED = "failed", "Failed"


# Money taken at the desk (cash, WeChat Pay, Alipay, a bank card on the POS terminal).
MANUAL_PROVIDER = "manual"


class _Counted(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def amount_fen(self) -> int: ...
    @property
    def refunded_fen(self) -> int: ...


def holdings(payments: Iterable[_Counted], total_fen: int) -> tuple[str, int]:
    """The subject's payment state (unpaid, deposit_paid, paid, partially_refunded,
    refunded) and what it holds net of refunds."""
    paid = [p for p in payments if p.status == PaymentStatus.SUCCEEDED]
    net = sum(p.amount_fen - p.refunded_fen for p in paid)
    refunded = sum(p.refunded_fen for p in paid)
    if refunded and net <= 0:
        return "refunded", 0
    if refunded:
        return "partially_refunded", net
    if net <= 0:
        return "unpaid", 0
    return ("paid" if net >= total_fen else "deposit_paid"), net
