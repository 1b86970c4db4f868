"""Views and forms of settlement: a statement with its figures and lines as both sides see
it, the settlement run's progress, disputes and their forms, reconciliation lists."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated

from app.enums import LabelledEnum
from app.web.input import Cleaned, Text
from modules.distribution.models import Dispute, Statement


class StatementStatus(LabelledEnum):
    OPEN = "open", "Not issued yet"
    ISSUED = "issued", "Issued, awaiting confirmation"
    CONFIRMED = "confirmed", "Confirmed by one side"
    CLOSED = "closed", "Closed (confirmed by both)"


class LineKind(LabelledEnum):
    SALE = "sale", "Sale"
    CANCELLATION = "cancellation", "Cancelled sale"
    CANCELLATION_FEE = "cancellation_fee", "Cancellation fee"
    REFUND = "refund", "Refund"
    TOPUP = "topup", "Top-up"
    PAYMENT = "payment", "Payment received"
    PAYOUT = "payout", "Payout"
    PAYOUT_PAID = "payout_paid", "Payout paid"
    ADJUSTMENT = "adjustment", "Adjustment"
    REVERSAL = "reversal", "Reversal"


class DisputeStatus(LabelledEnum):
    OPEN = "open", "Waiting for an answer"
    RESOLVED = "resolved", "Resolved by an adjustment"
    REJECTED = "rejected", "Rejected by the supplier"


@dataclass(frozen=True, slots=True)
class StatementLine:
    entry_id: uuid.UUID
    kind: str
    accounting_date: date
    amount_fen: int
    memo: str
    reference: str
    order_number: str | None
    guest_name: str | None
    arrival: date | None
    departure: date | None
    quantity: int | None
    disputed: bool = False


@dataclass(frozen=True, slots=True)
class StatementView:
    """One statement as BOTH sides see it (and print it): the same figures, the same lines."""

    statement: Statement
    agreement_number: str
    payment_terms: str
    supplier_name: str
    distributor_name: str
    lines: tuple[StatementLine, ...]
    disputes: tuple[Dispute, ...] = ()
    tz: str = "Asia/Shanghai"
    # The distributor's path to this statement (its console), when a partner reads it.
    agreement_id: uuid.UUID | None = None

    @property
    def open_disputes(self) -> int:
        return sum(1 for d in self.disputes if d.status == "open")

    @property
    def last_day(self) -> date:
        return self.statement.period_end - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SettlementProgress:
    """The latest settlement run the console asked for: waiting, running, done or failed."""

    job_id: int | None
    state: str  # none | waiting | running | done | failed
    queued_at: datetime | None = None
    issued_since: int = 0
    due: int = 0


@dataclass(frozen=True, slots=True)
class ReconciliationLine:
    order_number: str
    reservation_code: str
    guest_name: str
    arrival: date
    departure: date
    agreement_number: str
    distributor_name: str
    order_status: str
    reservation_status: str
    settlement_fen: int


@dataclass(frozen=True, slots=True)
class Reconciliation:
    period_start: date
    period_end: date
    sold_not_redeemed: tuple[ReconciliationLine, ...] = ()
    redeemed_not_sold: tuple[ReconciliationLine, ...] = ()
    orders: int = 0
    redeemed: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class DisputeForm(Cleaned):
    """A line disputed: which entry, why, and what the side says the line should be (in
    yuan, the amount of the line as it should stand)."""

    entry_id: Annotated[str, Text(36)] = ""
    reason: Annotated[str, Text(500)] = ""
    amount: Annotated[str, Text(20)] = ""
    number: Annotated[str, Text(24)] = ""  # the distributor's side names its statement


@dataclass
class NumberForm(Cleaned):
    """The statement the distributor acts on, by its number."""

    number: Annotated[str, Text(24)] = ""


@dataclass
class ResolveForm(Cleaned):
    """The supplier's answer to a dispute: an adjustment to `amount`, or a rejection."""

    action: Annotated[str, Text(10)] = ""  # adjust | reject
    amount: Annotated[str, Text(20)] = ""
    note: Annotated[str, Text(500)] = ""
