"""Views and console forms of the distribution ledger: entry and account labels, a
distributor's funds as the supplier and the distributor see them, money received."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from app.enums import LabelledEnum
from app.errors import Invalid
from app.i18n import gettext
from app.web.input import Cleaned, Text, read_fen

MAX_RECEIPT_FEN = 10_000_000_000  # ¥100,000,000 at one go
MEMO_MAX = 200
REFERENCE_MAX = 100


class EntryLabel(LabelledEnum):
    SALE = "sale", "Sale"
    CANCELLATION = "cancellation", "Sale cancelled"
    CANCELLATION_FEE = "cancellation_fee", "Cancellation fee"
    REFUND = "refund", "Refund"
    TOPUP = "topup", "Top-up"
    PAYMENT = "payment", "Payment received"
    PAYOUT = "payout", "Payout"
    PAYOUT_PAID = "payout_paid", "Payout paid"
    ADJUSTMENT = "adjustment", "Adjustment"
    REVERSAL = "reversal", "Reversal"


class AccountLabel(LabelledEnum):
    DISTRIBUTOR_PREPAID = "distributor_prepaid", "Distributor's prepaid balance"
    DISTRIBUTOR_PAYABLE = "distributor_payable", "Owed by the distributor"
    SUPPLIER_RECEIVABLE = "supplier_receivable", "Supplier receivable"
    UPLINE_COMMISSION = "upline_commission", "Upline commission"
    PLATFORM_FEE = "platform_fee", "Platform fee"
    PAYOUT_CLEARING = "payout_clearing", "Payouts in transit"
    FUNDS = "funds", "Funds received"


# Entries a clerk may take back from the funds page (money recorded by mistake).
REVERSIBLE = (EntryLabel.TOPUP.value, EntryLabel.PAYMENT.value)


@dataclass(frozen=True, slots=True)
class FundsRow:
    """One agreement on the supplier's 分销资金 list."""

    agreement_id: uuid.UUID
    number: str
    status: str
    level: int
    terms: str
    distributor_name: str
    distributor_code: str
    balance_fen: int  # prepaid: money held for it; credit: what it owes
    credit_limit_fen: int
    available_fen: int


@dataclass(frozen=True, slots=True)
class PostingView:
    account_kind: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class EntryView:
    id: uuid.UUID
    kind: str
    accounting_date: date
    created_at: datetime
    memo: str
    reference: str
    order_number: str
    reverses_id: uuid.UUID | None
    reversed: bool
    postings: list[PostingView] = field(default_factory=list)
    amount_fen: int = 0  # on the distributor's account (its own view)

    @property
    def reversible(self) -> bool:
        return self.kind in REVERSIBLE and not self.reversed


@dataclass(frozen=True, slots=True)
class FundsDetail:
    row: FundsRow
    entries: list[EntryView]
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class PartnerFunds:
    """A distributor's standing with one supplier, as the distributor sees it."""

    agreement_id: uuid.UUID
    number: str
    status: str
    supplier_name: str
    terms: str
    balance_fen: int
    credit_limit_fen: int
    available_fen: int


@dataclass(frozen=True, slots=True)
class PartnerFundsDetail:
    funds: PartnerFunds
    lines: list[EntryView]
    page: int
    more: bool


def _bad(field_name: str, message: str) -> Invalid:
    return Invalid(errors=[{"field": field_name, "code": "invalid", "message": message}])


@dataclass
class ReceiptForm(Cleaned):
    """Money received from a distributor by bank transfer: a top-up of a prepaid balance or
    a payment towards what it owes on credit."""

    amount: Annotated[str, Text(20)] = ""
    reference: Annotated[str, Text(REFERENCE_MAX)] = ""
    memo: Annotated[str, Text(MEMO_MAX)] = ""

    def parse(self) -> tuple[int, str, str]:
        errors: list[dict[str, str]] = []
        amount = read_fen(self.amount)
        if amount is None or amount <= 0 or amount > MAX_RECEIPT_FEN:
            message = gettext("Enter an amount in yuan, such as 688 or 688.50.")
            errors.append({"field": "amount", "code": "invalid", "message": message})
        if not self.reference:
            message = gettext("Enter the bank transfer's reference number.")
            errors.append({"field": "reference", "code": "invalid", "message": message})
        if errors:
            raise Invalid(errors=errors)
        assert amount is not None
        return amount, self.reference, self.memo


@dataclass
class ReverseForm(Cleaned):
    memo: Annotated[str, Text(MEMO_MAX)] = ""

    def parse(self) -> str:
        if not self.memo:
            raise _bad("memo", gettext("Say why the entry is taken back."))
        return self.memo
