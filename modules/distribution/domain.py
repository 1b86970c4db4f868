"""Pure rules of distribution: settlement prices, and what each ledger account means.

Ledger sign convention: a posting's `amount_fen` is positive for a debit and negative for a
credit; every entry's postings sum to zero. An account's balance is the sum of its postings,
so credit-normal accounts (what is owed to someone) carry negative balances.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from app.enums import LabelledEnum


class PriceMode(LabelledEnum):
    NET = "net", "Net price"
    COMMISSION = "commission", "Commission"


class PaymentTerms(LabelledEnum):
    PREPAID = "prepaid", "Prepaid balance"
    CREDIT = "credit", "Credit line"


class Cycle(LabelledEnum):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class AccountKind(StrEnum):
    DISTRIBUTOR_PREPAID = "distributor_prepaid"
    DISTRIBUTOR_PAYABLE = "distributor_payable"
    SUPPLIER_RECEIVABLE = "supplier_receivable"
    UPLINE_COMMISSION = "upline_commission"
    PLATFORM_FEE = "platform_fee"
    PAYOUT_CLEARING = "payout_clearing"
    FUNDS = "funds"


def settlement_price(
    sale_fen: int, mode: str, *, net_fen: int | None, commission_bp: int | None
) -> int:
    """What the distributor pays the supplier for something that sells at `sale_fen`: the
    agreed net price, or the sale price less the commission (commission = sale × bp / 10000,
    rounded half up to the fen). Never
    above the sale price: a net price above today's sale price settles at the sale price."""
    if sale_fen < 0:
        raise ValueError("sale price below zero")
    if mode == PriceMode.NET:
        if net_fen is None or net_fen <= 0:
            raise ValueError("a net price must be positive")
        return min(net_fen, sale_fen)
    if mode == PriceMode.COMMISSION:
        if commission_bp is None or not 0 <= commission_bp <= 10_000:
            raise ValueError("a commission is 0 to 10000 basis points")
        commission = (sale_fen * commission_bp + 5_000) // 10_000
        return sale_fen - commission
    raise ValueError(f"unknown price mode {mode!r}")


def platform_fee(settlement_fen: int, fee_bp: int) -> int:
    """The platform's fee on a sale's settlement price, rounded half up to the fen."""
    if not 0 <= fee_bp <= 10_000:
        raise ValueError("a fee is 0 to 10000 basis points")
    return (settlement_fen * fee_bp + 5_000) // 10_000


# The ledger's entries, as lines: (account kind, the account's agreement or None, amount) ---


class EntryKind(StrEnum):
    SALE = "sale"
    CANCELLATION = "cancellation"
    CANCELLATION_FEE = "cancellation_fee"
    REFUND = "refund"
    TOPUP = "topup"
    PAYMENT = "payment"
    PAYOUT = "payout"
    PAYOUT_PAID = "payout_paid"
    ADJUSTMENT = "adjustment"
    REVERSAL = "reversal"


class Line(NamedTuple):
    """One posting to be made: on the account of `kind` held for `agreement_id` (None: the
    supplier's own account), `amount_fen` debit (> 0) or credit (< 0)."""

    kind: str
    agreement_id: uuid.UUID | None
    amount_fen: int


# Entries whose lines make up what an order still stands at (its sale, less cancellations,
# with any adjustment); a cancellation fee is the supplier's and not part of it.
STANDING_KINDS = (EntryKind.SALE, EntryKind.CANCELLATION, EntryKind.ADJUSTMENT)


def distributor_account(terms: str) -> AccountKind:
    """The account a distributor's purchases are charged to: its prepaid balance, or what it
    owes on credit."""
    if terms == PaymentTerms.PREPAID:
        return AccountKind.DISTRIBUTOR_PREPAID
    if terms == PaymentTerms.CREDIT:
        return AccountKind.DISTRIBUTOR_PAYABLE
    raise ValueError(f"unknown payment terms {terms!r}")


def _lines(*lines: Line) -> list[Line]:
    kept = [line for line in lines if line.amount_fen != 0]
    if sum(line.amount_fen for line in kept) != 0:
        raise ValueError("an entry's lines must sum to zero")
    return kept


def sale_lines(
    agreement_id: uuid.UUID,
    *,
    terms: str,
    settlement_fen: int,
    fee_bp: int,
    upline_fen: int | None = None,
) -> list[Line]:
    """A sale at `settlement_fen` charged to the distributor: the supplier earns it less the
    platform's fee; a sub-distributor's sale (`upline_fen` = its upline's settlement price
    for the same sale) leaves the difference to the upline as commission, and the supplier
    earns (and the fee is taken on) the upline's price."""
    if settlement_fen <= 0:
        raise ValueError("a sale's settlement price must be positive")
    supplier_fen = settlement_fen if upline_fen is None else upline_fen
    if not 0 <= supplier_fen <= settlement_fen:
        raise ValueError("the upline's price must lie between 0 and the sale's price")
    fee = platform_fee(supplier_fen, fee_bp)
    return _lines(
        Line(distributor_account(terms), agreement_id, settlement_fen),
        Line(AccountKind.UPLINE_COMMISSION, agreement_id, supplier_fen - settlement_fen),
        Line(AccountKind.SUPPLIER_RECEIVABLE, agreement_id, fee - supplier_fen),
        Line(AccountKind.PLATFORM_FEE, agreement_id, -fee),
    )


_DISTRIBUTOR_KINDS = (AccountKind.DISTRIBUTOR_PREPAID, AccountKind.DISTRIBUTOR_PAYABLE)


def cancellation_lines(standing: list[Line], cancel_fen: int) -> list[Line]:
    """The reverse of an order's sale for `cancel_fen` of what it still stands at
    (`standing`: the net lines of its sale, cancellations and adjustments): the distributor
    is credited `cancel_fen`, and each account that earned from the sale gives back its
    share, apportioned to the fen (largest remainder) so the entry balances exactly. All of
    it cancelled reverses every line exactly."""
    charged = [line for line in standing if line.kind in _DISTRIBUTOR_KINDS and line.amount_fen]
    if len(charged) != 1 or charged[0].amount_fen <= 0:
        raise ValueError("the order has no standing sale charged to one distributor account")
    total = charged[0].amount_fen
    if not 0 < cancel_fen <= total:
        raise ValueError("a cancellation is more than zero and at most what the order stands at")
    earners = [line for line in standing if line is not charged[0] and line.amount_fen]
    if any(line.amount_fen > 0 for line in earners):
        raise ValueError("an order's earning accounts must be in credit")
    shares = _apportion([-line.amount_fen for line in earners], cancel_fen, total)
    back = [
        Line(line.kind, line.agreement_id, share)
        for line, share in zip(earners, shares, strict=True)
    ]
    return _lines(Line(charged[0].kind, charged[0].agreement_id, -cancel_fen), *back)


def _apportion(parts: list[int], amount: int, total: int) -> list[int]:
    """`amount` split over `parts` (which sum to `total`) in proportion, in whole fen summing
    exactly to `amount`: floors first, the fen left over to the largest remainders."""
    floors = [part * amount // total for part in parts]
    remainders = [part * amount % total for part in parts]
    left = amount - sum(floors)
    for i in sorted(range(len(parts)), key=lambda i: (-remainders[i], i))[:left]:
        floors[i] += 1
    return floors


def cancellation_fee_lines(
    agreement_id: uuid.UUID, *, terms: str, fee_fen: int, fee_bp: int
) -> list[Line]:
    """A cancellation fee the distributor pays and the supplier keeps (less the platform's
    fee on it); an upline earns nothing from a cancelled sale."""
    if fee_fen <= 0:
        raise ValueError("a cancellation fee must be positive")
    fee = platform_fee(fee_fen, fee_bp)
    return _lines(
        Line(distributor_account(terms), agreement_id, fee_fen),
        Line(AccountKind.SUPPLIER_RECEIVABLE, agreement_id, fee - fee_fen),
        Line(AccountKind.PLATFORM_FEE, agreement_id, -fee),
    )


def topup_lines(agreement_id: uuid.UUID, amount_fen: int) -> list[Line]:
    """Money a prepaid distributor paid in (a bank transfer): held in the supplier's funds,
    owed back to the distributor as its balance."""
    if amount_fen <= 0:
        raise ValueError("a top-up must be positive")
    return _lines(
        Line(AccountKind.FUNDS, None, amount_fen),
        Line(AccountKind.DISTRIBUTOR_PREPAID, agreement_id, -amount_fen),
    )


def payment_lines(agreement_id: uuid.UUID, amount_fen: int) -> list[Line]:
    """Money a distributor on credit paid towards what it owes."""
    if amount_fen <= 0:
        raise ValueError("a payment must be positive")
    return _lines(
        Line(AccountKind.FUNDS, None, amount_fen),
        Line(AccountKind.DISTRIBUTOR_PAYABLE, agreement_id, -amount_fen),
    )


def reversal_lines(lines: list[Line]) -> list[Line]:
    """Every line of an entry turned round: posted together they net to zero."""
    return _lines(*(Line(line.kind, line.agreement_id, -line.amount_fen) for line in lines))


def net_lines(lines: list[Line]) -> list[Line]:
    """Lines summed per account (kind, agreement), zero sums left out, in first-seen order."""
    sums: dict[tuple[str, uuid.UUID | None], int] = {}
    for line in lines:
        key = (str(line.kind), line.agreement_id)
        sums[key] = sums.get(key, 0) + line.amount_fen
    return [Line(kind, agreement, fen) for (kind, agreement), fen in sums.items() if fen]


def accounting_date(today: date, settled: list[tuple[date, date]]) -> date:
    """The date a posting made `today` is booked on: today, unless today lies inside a
    settled period [start, end) of the agreement (a statement no longer open), then the first
    day after it (and after any settled period that follows straight on)."""
    day = today
    for start, end in sorted(settled):
        if start <= day < end:
            day = end
    return day
