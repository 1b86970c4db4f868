"""Pure rules: licence numbers, licence state, date overlap, file types."""

from __future__ import annotations

from datetime import date

import pytest

from modules.guides import domain
from tests.factories.guides import PDF, png


class TestLicenceNumbers:
    @pytest.mark.parametrize(
        "typed",
        [
            "D-5000-123456",
            "d-5000-123456",
            " D 5000 123456 ",
            "Ｄ－５０００－１２３４５６",
            "D5000123456",
        ],
    )
    def test_typed_forms_normalize_to_the_card_form(self, typed):
        assert domain.normalize_licence(typed) == "D-5000-123456"
        assert domain.licence_problem(domain.normalize_licence(typed)) is None

    def test_temporary_licence_is_the_usual_form(self):
        assert domain.licence_problem("L-5000-000123") is None

    @pytest.mark.parametrize("typed", ["", "D-1", "导游证123456", "D-5000-12345'6", "x" * 40])
    def test_what_cannot_be_a_licence_is_invalid(self, typed):
        assert domain.licence_problem(domain.normalize_licence(typed)) == "invalid"

    @pytest.mark.parametrize("typed", ["D-500-1234567", "DY5000123456", "5000-123456"])
    def test_other_shapes_are_unusual_not_invalid(self, typed):
        assert domain.licence_problem(domain.normalize_licence(typed)) == "unusual"


class TestLicenceState:
    def test_valid_through_its_last_day(self):
        today = date(2026, 11, 25)
        assert domain.licence_state(date(2026, 11, 25), today) == "expiring"
        assert domain.licence_state(date(2026, 11, 24), today) == "expired"
        assert domain.licence_state(date(2026, 12, 25), today) == "expiring"
        assert domain.licence_state(date(2026, 12, 26), today) == "valid"

    def test_three_years_is_the_longest_plausible_validity(self):
        assert domain.latest_plausible_expiry(date(2024, 2, 29)) == date(2027, 3, 31)


class TestOverlap:
    def test_adjacent_trips_do_not_overlap(self):
        assert not domain.overlaps(
            date(2026, 5, 1), date(2026, 5, 3), date(2026, 5, 4), date(2026, 5, 6)
        )

    def test_sharing_a_day_overlaps(self):
        assert domain.overlaps(
            date(2026, 5, 1), date(2026, 5, 3), date(2026, 5, 3), date(2026, 5, 6)
        )
        assert domain.overlaps(
            date(2026, 5, 2), date(2026, 5, 2), date(2026, 5, 1), date(2026, 5, 6)
        )


class TestFileTypes:
    def test_real_types_are_recognised(self):
        assert domain.sniff(png()) == "image/png"
        assert domain.sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
        assert domain.sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
        assert domain.sniff(PDF) == "application/pdf"

    def test_a_program_renamed_png_is_not_an_image(self):
        assert domain.sniff(b"MZ\x90\x00\x03\x00\x00\x00") is None

    def test_download_names_lose_paths_and_take_the_real_extension(self):
        assert domain.safe_filename("../../etc/资格证.exe", "application/pdf") == "资格证.pdf"
        assert domain.safe_filename("", "image/png") == "certificate.png"
