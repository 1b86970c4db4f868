"""Pure rules: e-numbers and their check character, the cancellation scale, and the
Art. 58 checklist."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from modules.contracts import domain
from modules.contracts.domain import Canceller
from tests.factories.contracts import complete_input


def _terms(**overrides):  # type: ignore[no-untyped-def]
    d = complete_input(start=date(2026, 12, 1))
    t = domain.Terms(
        contract_type=d.contract_type, agency_name="重庆巴渝旅行社",
        agency_licence_no=d.agency_licence_no, agency_address=d.agency_address,
        agency_phone=d.agency_phone,
        tourists=tuple(domain.Person(p.name, p.id_type, p.id_number, p.phone, p.is_lead)
                       for p in d.tourists),
        lead_phone=d.lead_phone, lead_email=d.lead_email, route_name=d.route_name,
        departure=d.departure, destinations=d.destinations, start_date=d.start_date,
        end_date=d.end_date, nights=d.nights,
        days=tuple(domain.Day(x.day_no, x.route, x.sights, x.transport, x.lodging, x.meals,
                              x.free_time) for x in d.days),
        min_group_size=d.min_group_size, transport_standard=d.transport_standard,
        lodging_standard=d.lodging_standard, meal_standard=d.meal_standard,
        free_time=d.free_time, price_total_fen=d.price_total_fen,
        payment_deadline=d.payment_deadline, payment_method=d.payment_method,
        insurance=d.insurance, insurer=d.insurer, policy_no=d.policy_no,
        dispute_resolution=d.dispute_resolution, dispute_body=d.dispute_body,
        selling_agency="", ground_operator="", guide_count=0, guide_fee_fen=None,
        other_terms="",
    )  # fmt: skip
    return replace(t, **overrides)


def _missing(t, sold_by_agent=False, delegated=False):  # type: ignore[no-untyped-def]
    items = domain.checklist(t, sold_by_agent=sold_by_agent, delegated=delegated)
    return {i.key for i in domain.missing(items)}


def _sample(n: int = 400) -> list[str]:
    rng = random.Random(7)
    found = []
    for _ in range(n):
        org = "".join(rng.choice(domain.ALPHABET) for _ in range(9))
        found.append(
            str(domain.make_e_number(org, rng.randint(2020, 2040), rng.randint(1, 999999)))
        )
    return found


class TestENumber:
    def test_format_matches_the_decision_and_the_bureau(self):
        n = str(domain.make_e_number("MA5U3X7K2", 2026, 42))
        assert n.startswith("MA5U3X7K2-2026-000042-") and len(n) == 23
        assert domain.BUREAU_E_NUMBER_RE.match(n)
        assert domain.parse_e_number(n) == domain.EN("MA5U3X7K2", 2026, 42, n[-1])

    def test_every_single_character_substitution_is_caught(self):
        for n in _sample():
            for i, ch in enumerate(n):
                for other in domain.ALPHABET + "-":
                    if other != ch:
                        assert domain.parse_e_number(n[:i] + other + n[i + 1 :]) is None, n

    def test_every_adjacent_transposition_is_caught(self):
        for n in _sample():
            for i in range(len(n) - 1):
                if n[i] != n[i + 1]:
                    swapped = n[:i] + n[i + 1] + n[i] + n[i + 2 :]
                    assert domain.parse_e_number(swapped) is None, (n, swapped)

    def test_the_check_operation_is_a_totally_anti_symmetric_quasigroup(self):
        q = domain.quasigroup
        for c in range(36):
            assert len({q(c, x) for x in range(36)}) == 36
            assert len({q(x, c) for x in range(36)}) == 36
        for c in range(36):
            for x in range(36):
                for y in range(x + 1, 36):
                    assert q(q(c, x), y) != q(q(c, y), x)

    def test_typed_in_lower_case_with_spaces_it_is_still_found(self):
        n = _sample(1)[0]
        assert domain.parse_e_number(f"  {n.lower()[:5]} {n.lower()[5:]} ") is not None
        assert domain.normalise_e_number(" ab c-1 ") == "ABC-1"

    def test_sequence_zero_and_bad_shapes_are_refused(self):
        assert domain.parse_e_number("MA5U3X7K2-2026-000000-0") is None
        assert domain.parse_e_number("MA5U3X7K2-26-000042-P") is None
        assert domain.parse_e_number("") is None

    def test_the_organisation_code_is_characters_9_to_17_of_the_credit_code(self):
        assert domain.org_code("91500105MA5U3X7K2P") == "MA5U3X7K2"
        assert domain.org_code("short") is None and domain.org_code(None) is None


class TestCancellationScale:
    @pytest.mark.parametrize(
        ("days", "tourist_bp", "agency_bp"),
        [(30, 0, 0), (7, 0, 0), (6, 2000, 1000), (4, 2000, 1000), (3, 4000, 1500),
         (1, 4000, 1500), (0, 6000, 2000)],
    )  # fmt: skip
    def test_tiers_and_their_boundaries(self, days, tourist_bp, agency_bp):
        assert domain.tourist_rate_bp(days) == tourist_bp
        assert domain.agency_penalty_bp(days) == agency_bp

    def _refund(self, who, days_before, **kw):  # type: ignore[no-untyped-def]
        start = date(2026, 12, 10)
        return domain.refund_for(
            who, price_fen=398000, start=start, notice=start - timedelta(days=days_before),
            trip_days=3, **kw,
        )  # fmt: skip

    def test_tourist_on_day_seven_gets_everything_back(self):
        assert self._refund(Canceller.TOURIST, 7).refund_fen == 398000

    def test_tourist_three_days_ahead_bears_forty_percent(self):
        r = self._refund(Canceller.TOURIST, 3)
        assert (r.deduction_fen, r.refund_fen) == (159200, 238800)

    def test_tourist_on_the_start_day_bears_sixty_percent(self):
        assert self._refund("tourist", 0).refund_fen == 159200

    def test_during_the_trip_sixty_percent_plus_days_travelled(self):
        r = self._refund("tourist", -1)  # one day travelled of three
        assert r.deduction_fen == 238800 + (398000 - 238800) // 3

    def test_actual_costs_above_the_share_replace_it_but_never_beyond_the_price(self):
        assert self._refund("tourist", 5, actual_cost_fen=100000).deduction_fen == 100000
        assert self._refund("tourist", 5, actual_cost_fen=999999).refund_fen == 0

    def test_agency_conduct_cancellation_uses_the_tourist_scale(self):
        assert self._refund("agency_conduct", 5).refund_fen == 318400

    def test_agency_short_of_tourists_refunds_all_plus_penalty(self):
        assert self._refund("agency_min_group", 7).refund_fen == 398000
        r = self._refund("agency_min_group", 2)
        assert (r.penalty_fen, r.refund_fen) == (59700, 457700)
        assert self._refund("agency_min_group", 0).penalty_fen == 79600


class TestChecklist:
    def test_a_complete_contract_misses_nothing(self):
        assert _missing(_terms()) == set()

    def test_each_art_58_item_is_named_when_missing(self):
        assert _missing(_terms(min_group_size=None)) == {"min_group_size"}
        assert _missing(_terms(free_time=" ")) == {"free_time"}
        assert _missing(_terms(payment_method="")) == {"price"}
        assert _missing(_terms(dispute_body="")) == {"liability"}
        assert _missing(_terms(meal_standard="")) == {"standards"}
        assert _missing(_terms(agency_licence_no="")) == {"agency"}
        assert _missing(_terms(tourists=())) == {"tourists"}

    def test_the_itinerary_needs_one_row_per_day(self):
        t = _terms()
        assert _missing(replace(t, days=t.days[:2])) == {"itinerary"}

    def test_sights_need_to_be_on_every_day(self):
        t = _terms()
        days = (replace(t.days[0], sights=""), *t.days[1:])
        assert _missing(replace(t, days=days)) == {"sights"}

    def test_art_60_items_apply_only_where_they_apply(self):
        t = _terms()
        assert _missing(t, sold_by_agent=True, delegated=True) == {
            "selling_agency",
            "ground_operator",
        }
        assert _missing(replace(t, guide_count=1)) == {"guide_fee"}
        assert _missing(replace(t, guide_count=1, guide_fee_fen=0)) == set()

    def test_independent_tours_need_no_minimum_group_size(self):
        t = _terms(contract_type="domestic_independent", min_group_size=None)
        assert _missing(t) == set()

    def test_vague_wording_is_flagged(self):
        assert _missing(_terms(lodging_standard="准四星酒店")) == {"vague_words"}
        assert _missing(_terms(transport_standard="豪华大巴")) == {"vague_words"}

    def test_a_bad_resident_id_fails_the_tourists_item(self):
        t = _terms()
        bad = replace(t.tourists[1], id_number="500105199003210420")
        assert _missing(replace(t, tourists=(t.tourists[0], bad))) == {"tourists"}

    def test_names_are_masked_for_the_public(self):
        assert domain.mask_name("张伟") == "张*"
        assert domain.mask_name("欧阳娜娜") == "欧***"
        assert domain.mask_phone("13800000001") == "138****0001"

    def test_yuan_is_read_without_floats(self):
        assert domain.parse_yuan("¥3,980.5") == 398050
        assert domain.parse_yuan("3980") == 398000
        assert domain.parse_yuan("abc") is None


class TestRefundDeadline:
    def test_five_working_days_skip_the_weekend(self):
        assert domain.refund_due_by(date(2026, 11, 25)) == date(2026, 12, 2)  # Wed → Wed
        assert domain.refund_due_by(date(2026, 11, 27)) == date(2026, 12, 4)  # Fri → Fri
        assert domain.refund_due_by(date(2026, 11, 28)) == date(2026, 12, 4)  # Sat → Fri
