"""Pure rules of distribution: settlement prices, platform fees, the lines of each ledger
entry (every one balances), a cancellation apportioned to the fen, the accounting date."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from modules.distribution import domain
from modules.distribution.domain import AccountKind as K
from modules.distribution.domain import Line

A = uuid.UUID(int=1)


def _sum(lines: list[Line]) -> int:
    return sum(line.amount_fen for line in lines)


def _by_kind(lines: list[Line]) -> dict[str, int]:
    return {str(line.kind): line.amount_fen for line in lines}


class TestSettlementPrice:
    def test_a_net_price_never_above_the_sale_price(self):
        assert domain.settlement_price(68800, "net", net_fen=58800, commission_bp=None) == 58800
        assert domain.settlement_price(50000, "net", net_fen=58800, commission_bp=None) == 50000

    def test_a_commission_rounds_half_up_to_the_fen(self):
        # 10% of ¥333.35 is ¥33.335: the commission is ¥33.34, the price ¥300.01.
        assert domain.settlement_price(33335, "commission", net_fen=None, commission_bp=1000) == (
            30001
        )

    def test_a_fee_rounds_half_up(self):
        assert domain.platform_fee(58800, 300) == 1764
        assert domain.platform_fee(50, 100) == 1  # 0.5 fen → 1
        assert domain.platform_fee(49, 100) == 0


class TestSaleLines:
    def test_a_prepaid_sale_charges_the_balance_and_pays_the_supplier_less_the_fee(self):
        lines = domain.sale_lines(A, terms="prepaid", settlement_fen=58800, fee_bp=300)
        assert _by_kind(lines) == {
            K.DISTRIBUTOR_PREPAID: 58800,
            K.SUPPLIER_RECEIVABLE: -57036,
            K.PLATFORM_FEE: -1764,
        }
        assert _sum(lines) == 0
        assert all(line.agreement_id == A for line in lines)

    def test_a_credit_sale_without_fee_has_two_lines(self):
        lines = domain.sale_lines(A, terms="credit", settlement_fen=10000, fee_bp=0)
        assert _by_kind(lines) == {K.DISTRIBUTOR_PAYABLE: 10000, K.SUPPLIER_RECEIVABLE: -10000}

    def test_a_sub_distributors_sale_leaves_the_difference_to_its_upline(self):
        lines = domain.sale_lines(
            A, terms="prepaid", settlement_fen=65000, fee_bp=100, upline_fen=58800
        )
        assert _by_kind(lines) == {
            K.DISTRIBUTOR_PREPAID: 65000,
            K.UPLINE_COMMISSION: -6200,
            K.SUPPLIER_RECEIVABLE: -58212,
            K.PLATFORM_FEE: -588,
        }

    @pytest.mark.parametrize("upline", [-1, 65001])
    def test_an_upline_price_outside_the_sale_is_a_bug(self, upline):
        with pytest.raises(ValueError):
            domain.sale_lines(A, terms="prepaid", settlement_fen=65000, fee_bp=0, upline_fen=upline)

    def test_unknown_terms_are_a_bug(self):
        with pytest.raises(ValueError):
            domain.sale_lines(A, terms="cash", settlement_fen=1, fee_bp=0)


class TestCancellationLines:
    def test_cancelling_all_of_it_reverses_every_line_exactly(self):
        sale = domain.sale_lines(
            A, terms="prepaid", settlement_fen=33333, fee_bp=275, upline_fen=30001
        )
        assert domain.cancellation_lines(sale, 33333) == domain.reversal_lines(sale)

    @pytest.mark.parametrize("part", [1, 2, 999, 16666, 16667, 33332])
    def test_a_part_is_apportioned_to_the_fen_and_balances(self, part):
        sale = domain.sale_lines(
            A, terms="prepaid", settlement_fen=33333, fee_bp=275, upline_fen=30001
        )
        back = domain.cancellation_lines(sale, part)
        assert _sum(back) == 0
        assert _by_kind(back)[K.DISTRIBUTOR_PREPAID] == -part
        for line in back:
            if line.kind != K.DISTRIBUTOR_PREPAID:
                share = -_by_kind(sale)[line.kind] * part / 33333
                assert abs(line.amount_fen - share) < 1
                assert line.amount_fen >= 0

    def test_two_halves_give_back_the_whole(self):
        sale = domain.sale_lines(A, terms="credit", settlement_fen=10001, fee_bp=333)
        first = domain.cancellation_lines(sale, 5000)
        standing = domain.net_lines(sale + first)
        second = domain.cancellation_lines(standing, 5001)
        assert domain.net_lines(sale + first + second) == []

    @pytest.mark.parametrize("amount", [0, -1, 10001])
    def test_more_than_stands_or_nothing_is_a_bug(self, amount):
        sale = domain.sale_lines(A, terms="credit", settlement_fen=10000, fee_bp=0)
        with pytest.raises(ValueError):
            domain.cancellation_lines(sale, amount)

    def test_no_standing_sale_is_a_bug(self):
        with pytest.raises(ValueError):
            domain.cancellation_lines([], 1)


class TestOtherEntries:
    def test_a_cancellation_fee_stays_with_the_supplier(self):
        lines = domain.cancellation_fee_lines(A, terms="prepaid", fee_fen=6000, fee_bp=500)
        assert _by_kind(lines) == {
            K.DISTRIBUTOR_PREPAID: 6000,
            K.SUPPLIER_RECEIVABLE: -5700,
            K.PLATFORM_FEE: -300,
        }

    def test_a_top_up_is_held_in_funds_and_owed_back_as_balance(self):
        lines = domain.topup_lines(A, 100000)
        assert lines == [Line(K.FUNDS, None, 100000), Line(K.DISTRIBUTOR_PREPAID, A, -100000)]

    def test_a_payment_lowers_what_is_owed(self):
        lines = domain.payment_lines(A, 5000)
        assert lines == [Line(K.FUNDS, None, 5000), Line(K.DISTRIBUTOR_PAYABLE, A, -5000)]

    @pytest.mark.parametrize("build", [domain.topup_lines, domain.payment_lines])
    def test_money_received_is_positive(self, build):
        with pytest.raises(ValueError):
            build(A, 0)

    def test_a_reversal_nets_to_zero(self):
        sale = domain.sale_lines(A, terms="prepaid", settlement_fen=12345, fee_bp=250)
        assert domain.net_lines(sale + domain.reversal_lines(sale)) == []

    def test_net_lines_adds_up_per_account(self):
        lines = [Line("funds", None, 5), Line("funds", None, -2), Line("platform_fee", A, 0)]
        assert domain.net_lines(lines) == [Line("funds", None, 3)]


NOVEMBER = [(date(2026, 11, 1), date(2026, 12, 1))]


class TestAccountingDate:
    def test_today_when_no_settled_period_holds_it(self):
        assert domain.accounting_date(date(2026, 12, 8), NOVEMBER) == date(2026, 12, 8)

    def test_after_the_period_when_today_is_in_a_settled_one(self):
        assert domain.accounting_date(date(2026, 11, 30), NOVEMBER) == date(2026, 12, 1)

    def test_past_settled_periods_that_follow_straight_on(self):
        settled = [
            (date(2026, 11, 30), date(2026, 12, 7)),
            (date(2026, 11, 23), date(2026, 11, 30)),
        ]
        assert domain.accounting_date(date(2026, 11, 24), settled) == date(2026, 12, 7)

    def test_the_end_of_a_period_is_outside_it(self):
        assert domain.accounting_date(date(2026, 12, 1), NOVEMBER) == date(2026, 12, 1)
