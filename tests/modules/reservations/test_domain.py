"""Pure booking rules: prices, deposits, cancellation fees, stay restrictions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from modules.reservations import domain
from modules.reservations.domain import DayTerms, PlanTerms

ARRIVAL = date(2026, 12, 24)
NIGHTS = [(date(2026, 12, 24), 68800), (date(2026, 12, 25), 78800)]


def _days(total: int = 5, sold: int = 0, **first: object) -> list[DayTerms]:
    days = [DayTerms(day=d, total=total, sold=sold, price_fen=p) for d, p in NIGHTS]
    if first:
        days[0] = DayTerms(day=days[0].day, total=total, sold=sold, price_fen=NIGHTS[0][1], **first)  # type: ignore[arg-type]
    return days


class TestNightPrice:
    def test_rack_plan_sells_at_rack(self):
        assert domain.night_price(68800, PlanTerms()) == 68800

    def test_member_discount_is_taken_off_rack_and_rounded_half_up_to_the_fen(self):
        assert domain.night_price(68800, PlanTerms(kind="member", discount_bp=1200)) == 60544
        assert domain.night_price(999, PlanTerms(discount_bp=5000)) == 499  # 499.5 off -> 500

    def test_distributor_net_price_ignores_rack(self):
        plan = PlanTerms(kind="distributor_net", net_price_fen=52000)
        assert domain.price_nights(NIGHTS, plan) == [(d, 52000) for d, _ in NIGHTS]

    def test_stay_total_multiplies_by_the_units_booked(self):
        assert domain.stay_total(NIGHTS, quantity=2) == 2 * (68800 + 78800)


class TestDeposit:
    def test_no_deposit_by_default(self):
        assert domain.deposit_due(PlanTerms(), NIGHTS) == 0

    def test_first_night_deposit_covers_each_unit(self):
        assert domain.deposit_due(PlanTerms(deposit_kind="first_night"), NIGHTS, 2) == 137600

    def test_percent_deposit_of_the_whole_stay(self):
        plan = PlanTerms(deposit_kind="percent", deposit_bp=3000)
        assert domain.deposit_due(plan, NIGHTS) == 44280

    def test_full_prepayment(self):
        assert domain.deposit_due(PlanTerms(deposit_kind="full"), NIGHTS) == 147600


class TestCancellationFee:
    plan = PlanTerms(free_cancel_hours=24, cancel_fee_kind="first_night")

    def test_free_until_the_deadline_before_arrival_time_in_china(self):
        # 24 h before 14:00 China time on the 24th is 06:00 UTC on the 23rd.
        on_time = datetime(2026, 12, 23, 6, 0, tzinfo=UTC)
        assert domain.cancellation_fee(self.plan, NIGHTS, arrival=ARRIVAL, now=on_time) == 0

    def test_first_night_charged_after_the_deadline(self):
        late = datetime(2026, 12, 23, 6, 1, tzinfo=UTC)
        assert domain.cancellation_fee(self.plan, NIGHTS, arrival=ARRIVAL, now=late) == 68800

    def test_percent_and_full_fees(self):
        late = datetime(2026, 12, 24, 1, 0, tzinfo=UTC)
        pct = PlanTerms(cancel_fee_kind="percent", cancel_fee_bp=5000)
        full = PlanTerms(cancel_fee_kind="full")
        assert domain.cancellation_fee(pct, NIGHTS, arrival=ARRIVAL, now=late) == 73800
        assert domain.cancellation_fee(full, NIGHTS, arrival=ARRIVAL, now=late) == 147600

    def test_a_flexible_plan_never_charges(self):
        plan = PlanTerms(cancel_fee_kind="none")
        late = datetime(2026, 12, 24, 5, 0, tzinfo=UTC)
        assert domain.cancellation_fee(plan, NIGHTS, arrival=ARRIVAL, now=late) == 0

    def test_no_show_pays_at_least_the_first_night(self):
        assert domain.no_show_fee(PlanTerms(cancel_fee_kind="none"), NIGHTS) == 68800
        assert domain.no_show_fee(PlanTerms(cancel_fee_kind="full"), NIGHTS) == 147600

    def test_refund_is_what_was_paid_beyond_the_fee(self):
        assert domain.refundable(100000, 68800) == 31200
        assert domain.refundable(50000, 68800) == 0


class TestPaymentState:
    def test_states_follow_money_in_and_out(self):
        assert domain.payment_state(0, 147600) == "unpaid"
        assert domain.payment_state(68800, 147600) == "deposit_paid"
        assert domain.payment_state(147600, 147600) == "paid"
        assert domain.payment_state(68800, 147600, refunded_fen=78800) == "partially_refunded"
        assert domain.payment_state(0, 147600, refunded_fen=147600) == "refunded"


class TestStayRules:
    def test_available_dates_pass(self):
        assert domain.stay_problem(_days(), arrival=ARRIVAL, departure=date(2026, 12, 26)) is None

    def test_sold_out_when_any_night_lacks_the_units_asked_for(self):
        days = _days(total=5, sold=4)
        assert domain.stay_problem(days, arrival=ARRIVAL, departure=date(2026, 12, 26)) is None
        problem = domain.stay_problem(
            days, arrival=ARRIVAL, departure=date(2026, 12, 26), quantity=2
        )
        assert problem == "sold_out"

    def test_a_closed_date_has_nothing_free(self):
        days = _days(closed=True)
        assert domain.stay_problem(days, arrival=ARRIVAL, departure=date(2026, 12, 26)) == (
            "sold_out"
        )

    def test_dates_without_inventory_are_not_for_sale(self):
        problem = domain.stay_problem(_days(), arrival=ARRIVAL, departure=date(2026, 12, 27))
        assert problem == "not_for_sale"

    def test_closed_to_arrival_and_minimum_stay_apply_to_the_arrival_date(self):
        cta = _days(closed_to_arrival=True)
        assert domain.stay_problem(cta, arrival=ARRIVAL, departure=date(2026, 12, 26)) == (
            "closed_to_arrival"
        )
        longer = _days(min_stay=3)
        assert domain.stay_problem(longer, arrival=ARRIVAL, departure=date(2026, 12, 26)) == (
            "min_stay"
        )

    def test_departure_must_follow_arrival(self):
        assert domain.stay_problem(_days(), arrival=ARRIVAL, departure=ARRIVAL) == "no_nights"


class TestPresentation:
    def test_codes_are_unambiguous_and_distinct(self):
        codes = {domain.new_code() for _ in range(200)}
        assert len(codes) == 200
        assert all(c.startswith("ZL") and len(c) == 10 for c in codes)
        assert not any(ch in c[2:] for c in codes for ch in "01OIL")

    def test_id_numbers_are_masked_to_region_and_last_four(self):
        assert domain.mask_id("50010319900307123X") == "500103********123X"

    def test_cancellation_policy_reads_in_chinese(self):
        from app.i18n import use_locale

        plan = PlanTerms(free_cancel_hours=24, cancel_fee_kind="first_night")
        with use_locale("en"):
            assert "24 hours" in domain.describe_cancellation(plan)
        with use_locale("zh_CN"):
            assert "24" in domain.describe_cancellation(plan)
            assert "小时" in domain.describe_cancellation(plan)

    def test_party_must_fit_the_units(self):
        assert domain.fits_party(2, 1, 2, 0)
        assert not domain.fits_party(2, 1, 2, 1)
        assert domain.fits_party(2, 2, 3, 1)
