"""Pure rules of distribution: settlement prices, and what each ledger account means.

Ledger sign convention: a posting's `amount_fen` is positive for a debit and negative for a
credit; every entry's postings sum to zero. An account's balance is the sum of its postings,
so credit-normal accounts (what is owed to someone) carry negative balances.
"""

from __future__ import annotations

from enum import StrEnum

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
