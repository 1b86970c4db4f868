import pytest

from app.identifiers import (
    is_valid_resident_id,
    is_valid_uscc,
    make_uscc,
    org_code_check_char,
    resident_id_problem,
    uscc_problem,
)


class TestCreditCode:
    @pytest.mark.parametrize(
        "code", ["91500103MA5U0A000M", "91440300708461136T", "91330100716105852F"]
    )
    def test_published_examples_verify(self, code):
        assert is_valid_uscc(code)

    def test_one_wrong_character_is_caught(self):
        assert uscc_problem("91500103MA5U0A000N") == (
            "The check character does not match; please check the code."
        )

    def test_letters_a_code_cannot_have_are_refused(self):
        assert uscc_problem("91500103MA5U0A00OM") is not None  # O is not in the set

    def test_wrong_length_is_explained(self):
        assert uscc_problem("9150010") == "A unified social credit code has 18 characters."

    def test_lower_case_and_spaces_are_accepted(self):
        assert is_valid_uscc(" 91500103ma5u0a000m ")

    def test_built_codes_verify_including_the_embedded_org_code_check(self):
        assert org_code_check_char("MA5U0A00") == "0"
        assert make_uscc("500103", "MA5U0A00") == "91500103MA5U0A000M"


class TestResidentId:
    @pytest.mark.parametrize("number", ["11010519491231002X", "50010319880512123X"])
    def test_valid_numbers(self, number):
        assert is_valid_resident_id(number)

    def test_wrong_check_digit(self):
        assert resident_id_problem("500103198805121230") == (
            "The check digit does not match; please check the number."
        )

    def test_impossible_birth_date(self):
        assert resident_id_problem("500103198802301234") == (
            "The date of birth in the ID number is not a real date."
        )
