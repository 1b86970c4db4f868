"""Pure rules of group tours: plates, group numbers, day coverage, seats, timeliness."""

from __future__ import annotations

from datetime import date

import pytest

from modules.groups import domain


class TestPlates:
    @pytest.mark.parametrize(
        "typed",
        ["渝A12345", "渝A·12345", "渝a 12345", "川AF12345", "渝AD12345", "渝A12345D", "京BX8899"],
    )
    def test_chinese_plates_are_accepted(self, typed):
        assert domain.plate_problem(domain.normalise_plate(typed)) is None

    @pytest.mark.parametrize(
        "typed",
        [
            "",
            "AA12345",
            "渝12345",
            "渝A1234",
            "渝A123456",
            "渝AI2345",
            "渝AO2345",
            "渝AX12345",
            "渝AD1234A",
        ],
    )
    def test_other_text_is_refused(self, typed):
        assert domain.plate_problem(domain.normalise_plate(typed)) is not None

    def test_display_puts_the_dot_after_the_issuing_letter(self):
        assert domain.display_plate("渝A12345") == "渝A·12345"


class TestGroupNumbers:
    def test_default_number_is_prefix_departure_day_and_the_first_free_sequence(self):
        day = date(2026, 12, 1)
        assert domain.default_group_no("BY", day, []) == "BY20261201-01"
        taken = ["BY20261201-01", "BY20261201-02"]
        assert domain.default_group_no("BY", day, taken) == "BY20261201-03"

    def test_prefix_comes_from_the_enterprise_slug(self):
        assert domain.group_no_prefix("bayu-travel") == "BT"
        assert domain.group_no_prefix("xiayun") == "XI"
        assert domain.group_no_prefix("") == "GT"

    @pytest.mark.parametrize("good", ["BY20261201-01", "CQ-2026-7", "ABC"])
    def test_readable_numbers_are_accepted(self, good):
        assert domain.group_no_problem(good) is None

    @pytest.mark.parametrize("bad", ["", "AB", "by-1", "团号01", "-AB1", "A" * 33])
    def test_other_numbers_are_refused(self, bad):
        assert domain.group_no_problem(bad) is not None


class TestDayCoverage:
    start, end = date(2026, 12, 1), date(2026, 12, 3)

    def test_one_row_per_day_covers_exactly(self):
        days = domain.dates_between(self.start, self.end)
        assert len(days) == 3
        assert domain.coverage(self.start, self.end, days).exact

    def test_a_missing_day_is_named(self):
        cover = domain.coverage(self.start, self.end, [date(2026, 12, 1), date(2026, 12, 3)])
        assert cover.missing == (date(2026, 12, 2),)
        assert not cover.exact

    def test_a_day_outside_or_twice_is_named(self):
        days = [*domain.dates_between(self.start, self.end), date(2026, 12, 4), date(2026, 12, 2)]
        cover = domain.coverage(self.start, self.end, days)
        assert cover.outside == (date(2026, 12, 4),)
        assert cover.repeated == (date(2026, 12, 2),)

    def test_places_split_on_any_separator_a_clerk_uses(self):
        assert domain.split_places("洪崖洞、解放碑，李子坝, 磁器口") == [
            "洪崖洞",
            "解放碑",
            "李子坝",
            "磁器口",
        ]
        assert domain.split_places("  ") == []

    def test_dates_must_make_a_tour(self):
        assert domain.dates_problem(self.end, self.start) is not None
        assert domain.dates_problem(self.start, self.start) is None


class TestSeatsAndTimeliness:
    def test_seats_short_counts_tourists_and_guides(self):
        assert domain.seats_short(45, 44, 1) == 0
        assert domain.seats_short(45, 45, 1) == 1

    def test_contract_must_lie_within_the_group(self):
        s, e = date(2026, 12, 1), date(2026, 12, 3)
        assert domain.fits(s, e, s, e)
        assert not domain.fits(s, e, date(2026, 11, 30), e)
        assert not domain.fits(s, e, s, date(2026, 12, 4))

    def test_before_departure_is_on_time_on_the_road_is_late_after_return_is_over(self):
        s, e = date(2026, 12, 1), date(2026, 12, 3)
        assert domain.timeliness(s, e, date(2026, 11, 30)) == "on_time"
        assert domain.timeliness(s, e, s) == "late"
        assert domain.timeliness(s, e, e) == "late"
        assert domain.timeliness(s, e, date(2026, 12, 4)) == "over"
